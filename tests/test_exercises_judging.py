"""How the exercise core judges answers: type first, then value; learner code under a time
limit, with the kit's autodiff off; one-line verdicts (issues #10 "Answers judged wrongly" and
#12 "Exercises that cannot be dodged")."""

from __future__ import annotations

import math
import time
import unittest.mock

import numpy as np
import pytest

from backprop_kit import Value, exercises, grad_check, numerical_grad
from backprop_kit.core import switch
from backprop_kit.core.numeric import backprop_grads
from backprop_kit.exercises import (
    CORRECT,
    NOT_YET,
    TOO_COMPLEX,
    LearnerCodeError,
    LearnerTimeout,
    attempt,
    check,
    compare,
    function_exercise,
    run_learner_code,
    value_exercise,
)
from backprop_kit.nn.arrays import matmul_backward
from tests.verdicts import value_verdict, verdict

value_exercise("test-judge-pair", "a pair", lambda: (2.0, 0.0), "think about routing")
value_exercise("test-judge-decimals", "3 decimals or more", lambda: 0.1971, "the idea", decimals=3)
function_exercise(
    "test-judge-slow", "slow", lambda x: x, lambda: [(1.0,), (2.0,), (3.0,)], "the idea"
)


# --- #10: answers judged wrongly --------------------------------------------------------------


@pytest.mark.parametrize("answer", [{2.0, 0.0}, "02", "(2, 0)"])
def test_max_route_set_or_string_is_not_correct_and_gets_a_type_hint(capsys, answer):
    out = value_verdict(capsys, "ch06-max-route", answer)
    assert out.startswith(f"{NOT_YET} Hint: Expected an ordered pair")
    assert ("a set" in out) if isinstance(answer, set) else ("the string" in out)


def test_digit_strings_from_a_function_are_not_numbers(capsys):
    out = verdict(capsys, "ch01-max-grads", lambda x, y: ("1", "0"))
    assert out.startswith(NOT_YET) and "expected a number, got the string '1'" in out


@pytest.mark.parametrize(
    "exercise_id",
    ["ch07-which-product", "ch03-inputs-to-raise", "ch06-max-route", "ch01-nudge", "ch07-dW-shape"],
)
def test_an_object_equal_to_everything_is_not_correct(capsys, exercise_id):
    out = value_verdict(capsys, exercise_id, unittest.mock.ANY)
    assert out.startswith(f"{NOT_YET} Hint: Expected") and "_ANY" in out


def test_a_function_returning_mock_any_is_not_correct(capsys):
    out = verdict(capsys, "ch01-max-grads", lambda x, y: unittest.mock.ANY)
    assert out.startswith(NOT_YET) and "expected an ordered pair" in out


def test_an_answer_too_deep_for_the_checker_gets_one_line(capsys):
    for answer in ("dD @ X" + ".T" * 1000, "dD @ X" + ".T" * 100):
        out = value_verdict(capsys, "ch07-which-product", answer)
        assert out == f"{NOT_YET} {TOO_COMPLEX}"


def test_system_exit_from_learner_code_is_caught(capsys):
    def bye(x, y):
        raise SystemExit(1)

    assert "SystemExit" in verdict(capsys, "ch01-max-grads", bye)
    with attempt("ch01-nudge"):
        raise SystemExit()
    out = capsys.readouterr().out.strip()
    assert out.startswith(NOT_YET) and "SystemExit" in out and "\n" not in out


def test_keyboard_interrupt_is_the_learner_stopping_the_run():
    def stop(x, y):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check("ch01-max-grads", stop)
    assert switch.OFF.get() is None  # the switch is on again on the way out


def test_a_huge_result_gives_a_short_hint(capsys):
    out = verdict(capsys, "ch01-max-grads", lambda x, y: list(range(10**5)))
    assert out.startswith(NOT_YET) and len(out) < 200 and "\n" not in out


def test_a_huge_error_message_gives_one_short_line(capsys):
    def noisy(x, y):
        raise ValueError("line\n" * 10**5)

    out = verdict(capsys, "ch01-max-grads", noisy)
    assert out.startswith(NOT_YET) and len(out) < 250 and "\n" not in out


# --- #12: wrong types get type hints ----------------------------------------------------------


@pytest.mark.parametrize(
    ("exercise_id", "answer", "words"),
    [
        ("ch01-nudge", "0.2", "expected a number, got the string '0.2'"),
        ("ch01-nudge", True, "expected a number, got True (a bool)"),
        ("ch01-nudge", math.nan, "expected a finite number, got nan"),
        ("ch01-nudge", Value(1.0), "a Value (give its number: .data)"),
        ("ch07-dW-shape", "(5, 10)", "got the string '(5, 10)'"),
        ("ch07-dW-shape", {5, 10}, "got a set"),
        ("ch07-dW-shape", (5, 10, 3), "got 3 entries"),
        ("test-judge-pair", (2.0, "0"), "entry 2: expected a number, got the string '0'"),
    ],
)
def test_wrong_types_get_a_hint_naming_the_mismatch(capsys, exercise_id, answer, words):
    out = value_verdict(capsys, exercise_id, answer)
    assert out.startswith(f"{NOT_YET} Hint:") and words.lower() in out.lower(), out


def test_a_wrong_shape_array_is_named(capsys):
    want = np.zeros((2, 3))
    assert (
        "expected an array of shape (2, 3), got shape (3, 2)"
        in compare(np.zeros((3, 2)), want).text
    )
    assert compare(np.zeros((2, 3)).astype(bool), want).kind == "type"
    assert compare([[0, 0, 0], [0, 0, 0]], want) is None
    assert compare(np.full((2, 3), np.nan), want).kind == "type"


def test_rounded_answers_are_accepted_and_near_misses_get_a_precision_hint(capsys):
    assert value_verdict(capsys, "test-judge-decimals", 0.197).startswith(CORRECT)
    assert value_verdict(capsys, "test-judge-decimals", 0.19714).startswith(CORRECT)
    out = value_verdict(capsys, "test-judge-decimals", 0.2)
    assert "at least 3 decimals" in out and "the idea" not in out.lower()
    assert "The idea" in value_verdict(capsys, "test-judge-decimals", 0.5)
    # the chapters' "3 decimals or more" questions use the same rule
    assert value_verdict(capsys, "ch04-sigmoid-local", 0.106).startswith(CORRECT)


# --- learner code: time limit, autodiff off ---------------------------------------------------


def test_the_time_limit_is_for_all_the_cases_of_a_check_together(capsys, monkeypatch):
    monkeypatch.setattr(exercises, "TIME_LIMIT", 0.3)  # read when a check runs
    # each case alone is within the limit, the three together are not
    out = verdict(capsys, "test-judge-slow", lambda x: time.sleep(0.15) or x)
    assert out == f"{NOT_YET} Your function was stopped after 0.3 s: it ran too long " + (
        "(an endless loop?)."
    )


def test_an_endless_loop_with_a_bare_except_is_stopped(capsys, monkeypatch):
    monkeypatch.setattr(exercises, "TIME_LIMIT", 0.3)

    def spin(x):
        while True:
            try:
                time.sleep(0.05)
            except:  # noqa: E722  (a learner's bare except swallows one alarm)
                break
        while True:
            pass

    assert "stopped after 0.3 s" in verdict(capsys, "test-judge-slow", spin)
    assert value_verdict(capsys, "ch01-nudge", -0.003).startswith(CORRECT)  # the kit goes on


def test_run_learner_code_wraps_errors_and_keeps_not_implemented():
    assert run_learner_code(lambda a, b: a + b, 1, 2) == 3
    with pytest.raises(LearnerCodeError, match="ZeroDivisionError"):
        run_learner_code(lambda: 1 / 0)
    with pytest.raises(NotImplementedError):
        run_learner_code(lambda: (_ for _ in ()).throw(NotImplementedError()))
    with pytest.raises(LearnerTimeout):
        run_learner_code(time.sleep, 5, seconds=0.2)


@pytest.mark.parametrize(
    "dodge",
    [
        lambda: Value(1.0).backward(),
        lambda: numerical_grad(lambda v: v * v, 1.0),
        lambda: backprop_grads(lambda v: v * v, 1.0),
        lambda: grad_check(lambda v: v * v, 1.0),
        lambda: matmul_backward(np.ones((2, 2)), None),
    ],
    ids=["backward", "numerical_grad", "backprop_grads", "grad_check", "matmul_backward"],
)
def test_autodiff_refuses_while_a_rule_is_checked(dodge):
    with pytest.raises(LearnerCodeError, match="asks for the gradient rule itself"):
        run_learner_code(dodge, autodiff_off="some-exercise")
    assert switch.OFF.get() is None
    Value(1.0).backward()  # and works again afterwards


def test_off_the_main_thread_there_is_no_limit_and_a_note_says_so_once(capsys):
    import threading

    from backprop_kit.chapters import sandbox

    sandbox._noted_no_limit = False
    results = []

    def worker():
        results.append(run_learner_code(lambda: 42))
        results.append(run_learner_code(lambda: 43))

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    out = capsys.readouterr().out
    assert results == [42, 43]
    assert out.count("cannot be stopped automatically") == 1 and "main thread" in out


def test_an_answer_whose_own_methods_fail_gets_one_line(capsys):
    class Hostile(float):
        def __float__(self):
            raise RuntimeError("no")

    out = value_verdict(capsys, "ch01-nudge", Hostile(-0.003))
    assert out.startswith(NOT_YET) and "\n" not in out


def test_a_wrong_shape_array_from_a_function_gets_a_shape_hint(capsys):
    out = verdict(capsys, "ch07-dX", lambda W, dD: W.T @ dD if W.shape == (2, 2) else W)
    assert out.startswith(f"{NOT_YET} Hint:") and "expected an array of shape" in out
    assert "got shape" in out


# --- tolerances are relative: a tiny right answer is not "close" to 0 or to a 1000x error ------


def test_a_tiny_expected_number_is_judged_relatively():
    want = 5e-7
    assert compare(want * (1 + 1e-9), want) is None
    for wrong in (0.0, 5e-4, 5e-10, 1e-6):
        m = compare(wrong, want)
        assert m is not None and m.kind == "value", (wrong, m)
    assert compare(1e-17, 0.0) is None  # float noise around an expected 0 is forgiven


def test_replay_lr_wrong_answers_get_the_concept_hint_not_a_precision_hint(capsys):
    """lr/k is the mistake chapter 6 warns about: a thousand times too big, never 'close'."""
    for wrong in (0.5 / 1000, 0.0, 0.5 / 1000**3):
        out = value_verdict(capsys, "ch06-replay-lr", wrong)
        assert out.startswith(NOT_YET) and "close" not in out, (wrong, out)


def test_a_cut_off_answer_is_told_to_round_not_to_add_decimals():
    m = compare(0.105, 0.10583, decimals=3)
    assert m is not None and m.kind == "precision"
    assert "round to the nearest" in m.text and "give at least" not in m.text
    m = compare(0.11, 0.10583, decimals=3)
    assert m is not None and "give at least 3 decimals" in m.text
    assert compare(0.106, 0.10583, decimals=3) is None


def test_patterns_backward_checks_the_tie_rule(capsys):
    """A max gate that routes nothing at a tie (strict >) is wrong by the kit's convention."""

    def strict(x, y, z, w):
        up = 2.0
        return y * up, x * up, float(z > w) * up, float(w > z) * up

    out = verdict(capsys, "ch06-patterns-backward", strict)
    assert out.startswith(NOT_YET) and "x = 1.5, y = -2, z = 0.5, w = 0.5" in out and "tie" in out


# --- accidents: the kit's own autodiff called inside the rule is refused, and said so ----------
# (deliberate tampering -- switching the switch, calling GATES["div"].local -- is not fought:
# grading rests on nbgrader's hidden tests)


def _divide_dodges():
    from backprop_kit.core.staged import staged
    from backprop_kit.core.steps import backward_walk

    def walk(a, b, u):
        va, vb = Value(a), Value(b)
        grads = {}
        for gate, _up, _loc, down in backward_walk(va / vb, u):
            for p, d in zip(gate.parents, down):
                grads[id(p)] = grads.get(id(p), 0.0) + d
        return grads[id(va)], grads[id(vb)]

    def staged_run(a, b, u):
        r = staged(Value(a, label="a") / Value(b, label="b")).run()
        return u * r["da"], u * r["db"]

    def by_backward(a, b, u):
        va, vb = Value(a), Value(b)
        (va / vb).backward(u)
        return va.grad, vb.grad

    class Lazy(float):  # computes its value only when judged, after the guard
        def __new__(cls, f):
            obj = float.__new__(cls, 0.0)
            obj.f = f
            return obj

        def __float__(self):
            return self.f()

    def lazy(a, b, u):
        return Lazy(lambda: by_backward(a, b, u)[0]), Lazy(lambda: by_backward(a, b, u)[1])

    return {
        "backward": by_backward,
        "backward_walk": walk,
        "staged run": staged_run,
        "lazy float": lazy,
    }


@pytest.mark.parametrize("name", sorted(_divide_dodges()))
def test_kit_internals_cannot_stand_in_for_the_rule(capsys, name):
    out = verdict(capsys, "ch03-divide-backward", _divide_dodges()[name])
    assert out.startswith(NOT_YET) and "\n" not in out, (name, out)
    assert switch.OFF.get() is None and switch.refuse("Value.backward") is None  # on again


def test_a_float_subclass_is_judged_by_its_own_value(capsys):
    class Odd(float):
        def __float__(self):
            return 3.0  # what it claims to be; its value is something else

    def answer(a, b, u):
        return Odd(99.0), Odd(99.0)

    assert verdict(capsys, "ch03-divide-backward", answer).startswith(NOT_YET)


def test_decimals_accept_the_right_rounding_only():
    want = 0.1056
    assert compare(0.106, want, decimals=3) is None and compare(0.1058, want, decimals=3) is None
    for wrong in (0.1051, 0.105):  # 0.1051 rounds to 0.105: not the 3-decimal answer
        m = compare(wrong, want, decimals=3)
        assert m is not None and m.kind == "precision", wrong


def test_a_zero_d_array_is_a_number_and_a_decimal_is_told_what_to_give():
    from decimal import Decimal

    assert compare(np.array(0.25), 0.25) is None
    m = compare(Decimal("0.25"), 0.25)
    assert m is not None and m.kind == "type" and "int or a float" in m.text
