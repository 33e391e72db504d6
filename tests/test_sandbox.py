"""The one sandbox seam: whatever is raised and whenever the alarm fires, the kit's autodiff is
on again afterwards and the learner's next cell runs (the switch is restored by construction)."""

from __future__ import annotations

import signal
import sys
import time

import pytest

from backprop_kit import Value
from backprop_kit.chapters import sandbox
from backprop_kit.chapters.sandbox import LearnerCodeError, LearnerTimeout, run_learner_code
from backprop_kit.core import switch


def autodiff_works() -> bool:
    a = Value(2.0)
    (a * a).backward()
    return a.grad == 4.0 and switch.OFF.get() is None and not sandbox._INSIDE.get()


def slow_right_rule() -> float:
    time.sleep(0.002)
    return 1.0


def run_with_alarm_at_line(k: int) -> tuple[bool, str]:
    """Run a check with the switch off and fire the alarm (its real handler, as the signal
    would) at the k-th line executed in the sandbox and switch modules. Returns (fired, what
    the run raised)."""
    files = {sandbox.__file__, switch.__file__}
    seen = 0
    fired = False

    def tracer(frame, event, arg):
        nonlocal seen, fired
        if frame.f_code.co_filename not in files:
            return tracer
        if event == "line":
            if seen == k and not fired:
                fired = True
                sandbox._on_alarm(signal.SIGALRM, frame)  # raises only inside learner code
            seen += 1
        return tracer

    sys.settrace(tracer)
    try:
        run_learner_code(slow_right_rule, autodiff_off="ch03-divide-backward")
        outcome = "returned"
    except LearnerTimeout:
        outcome = "timeout"
    except BaseException as err:  # noqa: BLE001 - anything escaping is a finding
        outcome = type(err).__name__
    finally:
        sys.settrace(None)
    return fired, outcome


def test_an_alarm_at_every_line_of_entering_and_leaving_leaves_autodiff_on():
    outcomes = set()
    for k in range(500):
        fired, outcome = run_with_alarm_at_line(k)
        assert outcome in ("returned", "timeout"), (k, outcome)
        assert autodiff_works(), f"autodiff left off by an alarm at line {k}"
        outcomes.add(outcome)
        if not fired:  # k passed the last line: every point was tried
            break
    else:
        pytest.fail("the run never ended its lines")
    assert outcomes == {"returned", "timeout"}  # some alarms stopped the code, some came late


def test_real_alarms_at_random_moments_never_leave_autodiff_off():
    for seconds in [1e-6 * 2**i for i in range(12)] * 3:
        try:
            run_learner_code(slow_right_rule, seconds=seconds, autodiff_off="ch09-engine")
        except LearnerTimeout:
            pass
        assert autodiff_works()
    time.sleep(0.25)  # a repeat of the last alarm would land here: it must do nothing
    assert autodiff_works()


def test_a_slow_engine_check_leaves_autodiff_on():
    def slow_backward_then_kit():
        time.sleep(0.05)
        return Value(1.0)

    for seconds in (0.01, 0.03, 0.05, 0.07):
        try:
            run_learner_code(slow_backward_then_kit, seconds=seconds, autodiff_off="ch09-engine")
        except LearnerTimeout:
            pass
        assert autodiff_works()


def test_inside_the_switch_autodiff_refuses_and_names_the_exercise():
    def borrow():
        Value(1.0).backward()

    with pytest.raises(LearnerCodeError, match=r"this exercise \(ch03-x\) asks for the gradient"):
        run_learner_code(borrow, autodiff_off="ch03-x")
    assert autodiff_works()


def test_an_error_a_keyboard_interrupt_and_exit_all_leave_autodiff_on():
    def interrupt():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_learner_code(interrupt, autodiff_off="x")
    assert autodiff_works()
    with pytest.raises(LearnerCodeError, match="SystemExit"):
        run_learner_code(sys.exit, autodiff_off="x")
    assert autodiff_works()
    with pytest.raises(NotImplementedError):
        run_learner_code(lambda: (_ for _ in ()).throw(NotImplementedError()), autodiff_off="x")
    assert autodiff_works()


def test_a_learners_bare_except_does_not_outlast_the_limit():
    def stubborn():
        for _ in range(3):
            try:
                while True:
                    pass
            except BaseException:  # noqa: BLE001 - what a learner might write
                pass
        while True:
            pass

    t0 = time.monotonic()
    with pytest.raises(LearnerTimeout):
        run_learner_code(stubborn, seconds=0.1)
    assert time.monotonic() - t0 < 5  # re-armed every 0.2 s: three catches cost about 0.6 s
    assert autodiff_works()


def test_code_that_always_catches_the_stop_is_told_so_and_finishing_late_is_still_late(capsys):
    def catches_every_stop():
        for _ in range(14):  # each try is stopped once the limit has passed, and carries on
            try:
                t = time.monotonic()
                while time.monotonic() - t < 0.25:
                    pass
            except BaseException:  # noqa: BLE001 - the bare except a learner might write
                pass
        return 1.0

    with pytest.raises(LearnerTimeout):  # it returned, but after the limit
        run_learner_code(catches_every_stop, seconds=0.1)
    assert "a bare `except:` catches the stop" in capsys.readouterr().err
    assert autodiff_works()


def test_the_previous_alarm_handler_is_restored():
    def mine(signum, frame):  # pragma: no cover - never fired
        pass

    before = signal.signal(signal.SIGALRM, mine)
    try:
        run_learner_code(lambda: 1)
        assert signal.getsignal(signal.SIGALRM) is mine
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, before)


def test_a_nested_run_keeps_the_outer_time_limit():
    """A learner's code that calls run_learner_code itself must not cancel the outer limit."""

    def outer():
        run_learner_code(lambda: 1, seconds=5)
        while True:
            pass

    t0 = time.monotonic()
    with pytest.raises(LearnerTimeout):
        run_learner_code(outer, seconds=0.3)
    assert time.monotonic() - t0 < 3
    assert autodiff_works()


@pytest.mark.parametrize("bad", [float("nan"), 0, -1, "3", True])
def test_a_bad_time_limit_is_the_callers_one_line_error(bad):
    with pytest.raises(ValueError, match="seconds must be a positive number"):
        run_learner_code(lambda: 1, seconds=bad)


def test_an_infinite_time_limit_means_none_that_matters():
    assert run_learner_code(lambda: 7, seconds=float("inf")) == 7


def test_a_list_that_holds_itself_is_frozen_at_once():
    def selfish():
        items: list = []
        for _ in range(3):
            items.append(items)
        return items

    t0 = time.monotonic()
    got = run_learner_code(selfish, seconds=2)
    assert len(got) == 3 and time.monotonic() - t0 < 1
