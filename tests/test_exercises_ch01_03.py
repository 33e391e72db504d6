"""The exercises of chapters 1–3: the reference solution is judged correct, a typical wrong
answer gets a hint that does not give the answer away (the placeholder of every exercise is
checked in test_exercises_writing)."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_kit import maximum, numerical_grad
from backprop_kit.exercises import (
    CORRECT,
    NOT_YET,
    ch01,
    ch02,
    ch03,
    get,
)
from tests.solutions import SOLUTIONS
from tests.verdicts import value_verdict, verdict

NUMBER = re.compile(r"[-+−]?\d+(?:\.\d+)?(?:e[-+]?\d+)?")
# the part of a function exercise's hint that only repeats the learner's own case and result
# the hint's echo of the case and of the learner's own result ("At x = 4, y = -3 your function
# returned (4, -3). ", or "… your ∂f/∂x (4) is not right; ∂f/∂y is. ") may show any number;
# the rest of the hint must not show the answer
ECHO = re.compile(
    r"at .*? your (?:function returned .*?|.*? not right(?:; [^.]*)?|.*? look swapped)\. ",
    re.IGNORECASE,
)


def numbers_in(text):
    return [float(m.replace("−", "-")) for m in NUMBER.findall(text)]


def assert_hint_hides(text, answers):
    """``text`` is a 'not yet' verdict with a hint that contains none of ``answers``."""
    assert text.startswith(f"{NOT_YET} Hint:"), text
    hint = ECHO.sub("", text)
    for shown in numbers_in(hint):
        for answer in answers:
            assert shown != pytest.approx(answer, abs=1e-12), f"hint shows {answer}: {text}"


# --- the reference solutions are judged correct ---------------------------------------------

VALUE_SOLUTIONS = {
    "ch01-nudge": lambda: ch01.nudge_change(),
    "ch02-dfdx": lambda: ch02.chain_rule_partials(**ch02.POINT)[0],
    "ch03-inputs-to-raise": lambda: {"x", "y"},
}
FUNCTION_SOLUTIONS = {
    "ch01-multiply-grads": lambda x, y: (y, x),
    "ch01-max-grads": lambda x, y: (float(x >= y), float(y >= x)),
    "ch02-partials": lambda x, y, z: (z, z, x + y),
    "ch03-multiply-backward": lambda a, b, up: (b * up, a * up),
    "ch02-square-chain": SOLUTIONS["ch02-square-chain"],
    "ch03-divide-backward": SOLUTIONS["ch03-divide-backward"],
}


@pytest.mark.parametrize("exercise_id", sorted(VALUE_SOLUTIONS))
def test_value_reference_is_correct(capsys, exercise_id):
    out = value_verdict(capsys, exercise_id, VALUE_SOLUTIONS[exercise_id]())
    assert out.startswith(CORRECT)


@pytest.mark.parametrize("exercise_id", sorted(FUNCTION_SOLUTIONS))
def test_function_solution_written_by_hand_is_correct(capsys, exercise_id):
    out = verdict(capsys, exercise_id, FUNCTION_SOLUTIONS[exercise_id])
    assert out.startswith(CORRECT)


def test_the_answers_are_the_notes_numbers():
    assert ch01.multiply_grads(4.0, -3.0) == (-3.0, 4.0)
    assert ch01.nudge_change() == pytest.approx(-0.003, abs=1e-15)
    assert ch01.max_grads(2.0, 2.0) == (1.0, 1.0)
    assert ch01.max_grads(2.0, 3.0) == (0.0, 1.0)
    assert ch02.chain_rule_partials(-2.0, 5.0, -4.0) == (-4.0, -4.0, 3.0)
    assert ch02.chain_rule_partials(**ch02.POINT) == (5.0, 5.0, -2.0)
    assert ch03.inputs_to_raise(**ch03.RAISE_POINT) == {"x", "y"}  # gradients (2, 2, -2)
    assert ch03.inputs_to_raise(-2.0, 5.0, -4.0) == {"z"}  # chapter 2's point
    assert ch03.multiply_backward(-2.0, 3.0, 1.5) == (4.5, -3.0)


def test_a_plain_number_close_enough_is_accepted(capsys):
    # the first-order change and the exact change of x·y agree (x·y is linear in x)
    assert value_verdict(capsys, "ch01-nudge", (4.001 * -3.0) - (4.0 * -3.0)).startswith(CORRECT)


@pytest.mark.parametrize(
    "spelling", [{"x", "y"}, {"y", "x"}, ["y", "x"], ("x", "y"), "x, y", "Y X", "{'y', 'x'}"]
)
def test_any_spelling_of_the_inputs_to_raise_is_accepted(capsys, spelling):
    assert value_verdict(capsys, "ch03-inputs-to-raise", spelling).startswith(CORRECT)


# --- typical wrong answers get a hint, and the hint does not give the answer ----------------

WRONG_VALUES = [
    ("ch01-nudge", 0.003, [ch01.nudge_change]),  # sign dropped
    ("ch01-nudge", 0.004, [ch01.nudge_change]),  # ∂f/∂y used instead of ∂f/∂x
    ("ch01-nudge", -3.0, [ch01.nudge_change]),  # the gradient, not the change
    ("ch02-dfdx", -2.0, [lambda: ch02.chain_rule_partials(**ch02.POINT)[0]]),  # q, i.e. ∂f/∂z
    ("ch02-dfdx", 1.0, [lambda: ch02.chain_rule_partials(**ch02.POINT)[0]]),  # local slope only
    ("ch02-dfdx", -4.0, [lambda: ch02.chain_rule_partials(**ch02.POINT)[0]]),  # notes' point
]


@pytest.mark.parametrize(("exercise_id", "wrong", "answers"), WRONG_VALUES)
def test_wrong_value_gets_a_hint_without_the_answer(capsys, exercise_id, wrong, answers):
    out = value_verdict(capsys, exercise_id, wrong)
    assert_hint_hides(out, [a() for a in answers])


@pytest.mark.parametrize("wrong", ["z", "x", {"x"}, ["x", "y", "z"], "x, y, z", "xy", 2, ["x", 1]])
def test_wrong_inputs_to_raise_get_a_hint_without_the_names(capsys, wrong):
    out = value_verdict(capsys, "ch03-inputs-to-raise", wrong)
    assert out.startswith(f"{NOT_YET} Hint:")
    hint = out.split("Hint:", 1)[1]
    for name in ch03.inputs_to_raise(**ch03.RAISE_POINT):
        assert not re.search(rf"\b{name}\b", hint), hint


@settings(max_examples=40)
@given(st.floats(-10, 10), st.floats(-10, 10), st.floats(-10, 10))
def test_inputs_to_raise_are_those_whose_nudge_raises_f(x, y, z):
    def f(a, b, c):
        return (a + b) * c

    grads = numerical_grad(f, x, y, z)
    assume(all(abs(g) > 1e-3 for g in grads))
    want = {name for name, g in zip("xyz", grads) if g > 0}
    assert ch03.inputs_to_raise(x, y, z) == want


WRONG_FUNCTIONS = [
    # not switched: each input's own value
    ("ch01-multiply-grads", lambda x, y: (x, y), ch01.multiply_grads, (4.0, -3.0)),
    # a tie sent to nobody
    ("ch01-max-grads", lambda x, y: (float(x > y), float(y > x)), ch01.max_grads, (2.0, 2.0)),
    # a tie sent to x only
    ("ch01-max-grads", lambda x, y: (float(x >= y), float(y > x)), ch01.max_grads, (2.0, 2.0)),
    # the local slopes without the chain rule
    (
        "ch02-partials",
        lambda x, y, z: (1.0, 1.0, x + y),
        ch02.chain_rule_partials,
        (-2.0, 5.0, -4.0),
    ),
    # the upstream gradient forgotten
    ("ch03-multiply-backward", lambda a, b, up: (b, a), ch03.multiply_backward, (3.0, -4.0, 2.0)),
    # not switched
    (
        "ch03-multiply-backward",
        lambda a, b, up: (a * up, b * up),
        ch03.multiply_backward,
        (-2.0, 3.0, 1.0),
    ),
]


@pytest.mark.parametrize(("exercise_id", "wrong", "reference", "first_bad"), WRONG_FUNCTIONS)
def test_wrong_function_gets_a_hint_without_the_answer(
    capsys, exercise_id, wrong, reference, first_bad
):
    out = verdict(capsys, exercise_id, wrong)
    import inspect

    names = list(inspect.signature(reference).parameters)
    shown = ", ".join(f"{n} = {a:g}" for n, a in zip(names, first_bad))
    assert f"at {shown} your " in out.lower()  # names the differing case
    assert " not right" in out or " look swapped" in out  # which returned gradients are wrong
    assert_hint_hides(out, reference(*first_bad))


def test_a_function_that_crashes_is_reported_in_one_line(capsys):
    out = verdict(capsys, "ch02-partials", lambda x, y, z: (z, z, x + q))  # noqa: F821
    assert out.startswith(f"{NOT_YET} Your code raised NameError")


def test_passing_a_called_function_is_caught(capsys):
    out = verdict(capsys, "ch01-multiply-grads", (-3.0, 4.0))
    assert "pass the function itself" in out.lower()


def test_every_chapter_1_to_3_exercise_is_covered():
    ids = {i for i in VALUE_SOLUTIONS} | {i for i in FUNCTION_SOLUTIONS}
    registered = {i for i in _all_ids() if i[:4] in ("ch01", "ch02", "ch03")}
    assert ids == registered
    for exercise_id in ids:
        assert get(exercise_id).question


def _all_ids():
    from backprop_kit.exercises import all_exercises

    return all_exercises()


# --- the references agree with the numerical gradient on random inputs ----------------------

finite = st.floats(-10, 10)


@settings(max_examples=40)
@given(finite, finite)
def test_multiply_reference_agrees_with_central_difference(x, y):
    assert ch01.multiply_grads(x, y) == pytest.approx(
        numerical_grad(lambda a, b: a * b, x, y), abs=1e-6
    )


@settings(max_examples=40)
@given(finite, finite, finite)
def test_chain_rule_reference_agrees_with_central_difference(x, y, z):
    assert ch02.chain_rule_partials(x, y, z) == pytest.approx(
        numerical_grad(lambda a, b, c: (a + b) * c, x, y, z), abs=1e-6
    )


@settings(max_examples=40)
@given(finite, finite, finite)
def test_multiply_backward_is_upstream_times_local(a, b, up):
    local = numerical_grad(lambda p, q: p * q, a, b)
    assert ch03.multiply_backward(a, b, up) == pytest.approx(tuple(up * g for g in local), abs=1e-5)


@settings(max_examples=40)
@given(finite, finite)
def test_max_reference_away_from_ties_agrees_with_central_difference(x, y):
    assume(abs(x - y) > 1e-3)
    assert ch01.max_grads(x, y) == pytest.approx(numerical_grad(maximum, x, y), abs=1e-6)


@pytest.mark.parametrize(
    ("exercise_id", "wrong", "said"),
    [
        ("ch01-nudge", ch01.multiply_grads(ch01.X, ch01.Y)[0], "That is ∂f/∂x, the change per"),
        ("ch01-nudge", (ch01.X + ch01.NUDGE) * ch01.Y, "That is f after the nudge"),
        ("ch02-dfdx", -10.0, "That is f itself"),
        ("ch02-dfdx", -2.0, "That is ∂f/∂z"),
        ("ch03-inputs-to-raise", {"z"}, "Those are the inputs whose gradient is negative"),
        ("ch03-inputs-to-raise", "x, y, z", "Not all three"),
    ],
)
def test_a_known_mistake_gets_its_own_hint(capsys, exercise_id, wrong, said):
    """The same general hint used to answer every wrong value; a mistake the kit can name is
    named, without the answer."""
    out = value_verdict(capsys, exercise_id, wrong)
    assert out.startswith(f"{NOT_YET} Hint: {said}")
    assert not re.search(r"\d", out.split("Hint:")[1])  # no number in it, the answer's least
