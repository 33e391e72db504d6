"""The exercise machinery: correct, not yet with a hint, not attempted, no answer, errors."""

from __future__ import annotations

import pytest

from backprop_kit import Value
from backprop_kit.exercises import (
    CORRECT,
    NO_ANSWER,
    NOT_ATTEMPTED,
    all_exercises,
    attempt,
    check,
    function_exercise,
    get,
    value_exercise,
)


def _dfdz() -> float:
    x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    f = (x + y) * z
    f.backward()
    return z.grad


value_exercise("test-dfdz", "df/dz of (x+y)z", _dfdz, "look at the other input of the gate")
function_exercise(
    "test-mul-local",
    "local gradients of x*y",
    lambda x, y: (y, x),
    lambda: [(4.0, -3.0), (0.5, 2.0)],
    "each input's local gradient is the other input",
)


def run(capsys, fn) -> str:
    fn()
    return capsys.readouterr().out.strip()


def test_value_exercise_verdicts(capsys):
    def right():
        with attempt("test-dfdz") as answer:
            answer.value = 3.0

    def wrong():
        with attempt("test-dfdz") as answer:
            answer.value = -4.0

    def not_done():
        with attempt("test-dfdz") as answer:  # noqa: F841
            raise NotImplementedError()

    def forgot():
        with attempt("test-dfdz") as answer:  # noqa: F841
            dw_shape = (5, 3)  # noqa: F841  (the learner forgot answer.value)

    def broken():
        with attempt("test-dfdz") as answer:
            answer.value = 1 / 0

    assert run(capsys, right).startswith(CORRECT)
    out = run(capsys, wrong)
    assert out.startswith("✘ Not yet.") and "Look at the other input" in out and "3" not in out
    assert run(capsys, not_done) == NOT_ATTEMPTED
    assert run(capsys, forgot) == NO_ANSWER
    assert "ZeroDivisionError" in run(capsys, broken)


def test_function_exercise_verdicts(capsys):
    def stub(x, y):
        raise NotImplementedError()

    assert run(capsys, lambda: check("test-mul-local", lambda x, y: (y, x))).startswith(CORRECT)
    out = run(capsys, lambda: check("test-mul-local", lambda x, y: (x, y)))
    # a tuple's items are named by place (the exercise gives no names): which are wrong, which right
    assert "Hint: At x = 4, y = -3 your item 1 of 2 and item 2 of 2 look swapped. Each" in out
    out = run(capsys, lambda: check("test-mul-local", lambda x, y: (y, y)))
    assert "your item 2 of 2 (-3) is not right; item 1 of 2 is." in out
    assert run(capsys, lambda: check("test-mul-local", stub)) == NOT_ATTEMPTED
    out = run(capsys, lambda: check("test-mul-local", 3.0))
    assert "Hint: Pass the function itself" in out
    out = run(capsys, lambda: check("test-mul-local", lambda x: x))
    assert "TypeError" in out


def test_unknown_and_duplicate_ids():
    with pytest.raises(KeyError, match="no exercise named 'nope'"):
        get("nope")
    with pytest.raises(KeyError):
        with attempt("nope"):
            pass
    with pytest.raises(ValueError, match="registered twice"):
        value_exercise("test-dfdz", "again", _dfdz, "hint")


def test_every_chapter_registers_at_least_two_exercises():
    ids = all_exercises()
    for chapter in range(1, 8):
        mine = [i for i in ids if i.startswith(f"ch{chapter:02d}")]
        assert len(mine) >= 2, (chapter, sorted(ids))


def test_a_list_answer_is_judged_item_by_item_and_a_later_failure_keeps_the_case(capsys):
    out = run(capsys, lambda: check("test-mul-local", lambda x, y: [x, y]))
    assert "At x = 4, y = -3 your item 1 of 2 and item 2 of 2 look swapped" in out

    def fails_later(x, y):
        if x != 4:
            raise ZeroDivisionError("later")
        return (y, y)

    out = run(capsys, lambda: check("test-mul-local", fails_later))
    assert "At x = 4, y = -3 your item 2 of 2 (-3) is not right." in out  # nothing called right
