"""Exercises that answer at once: correct, not yet (with a hint), or not attempted yet.

A notebook asks for a value or a function inside nbgrader's solution markers, then checks it:

    with attempt("ch02-dfdz") as answer:          # a value
        ### BEGIN SOLUTION
        answer.value = 3.0
        ### END SOLUTION

    def local_gradients(x, y):                    # a function
        ### BEGIN SOLUTION
        return y, x
        ### END SOLUTION
    check("ch01-multiply", local_gradients)

In the student edition the marked region becomes ``raise NotImplementedError()``; the ``with``
block and ``check`` catch it and print "Not attempted yet", so "Run All" still reaches the end.
Every expected answer is computed by the kit when the check runs, never typed in.

Each chapter's exercises live in ``backprop_kit/exercises/chNN.py`` and register themselves
with :func:`value_exercise` or :func:`function_exercise`.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

CORRECT = "✔ Correct!"
NOT_YET = "✘ Not yet."
NO_ANSWER = "… No answer yet: inside the `with` block, write `answer.value = ...`."
NOT_ATTEMPTED = (
    "… Not attempted yet: replace `raise NotImplementedError()` with your answer, "
    "then run the cell again."
)


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``judge(attempt)`` returns None when right, else a hint for this attempt."""

    id: str
    question: str
    judge: Callable[[Any], str | None]
    explanation: str = ""


_REGISTRY: dict[str, Exercise] = {}
_loaded = False


def _register(ex: Exercise) -> Exercise:
    if ex.id in _REGISTRY:
        raise ValueError(f"exercise id {ex.id!r} is registered twice; ids must be unique")
    _REGISTRY[ex.id] = ex
    return ex


def all_exercises() -> dict[str, Exercise]:
    """Every registered exercise, by id (loads every ``chNN`` module of this package)."""
    global _loaded
    if not _loaded:
        for mod in pkgutil.iter_modules(__path__):
            if mod.name.startswith("ch"):
                importlib.import_module(f"{__name__}.{mod.name}")
        _loaded = True
    return dict(_REGISTRY)


def get(exercise_id: str) -> Exercise:
    """The exercise with this id, or a one-line error listing the known ids."""
    exercises = all_exercises()
    if exercise_id not in exercises:
        known = ", ".join(sorted(exercises))
        raise KeyError(f"no exercise named {exercise_id!r}; known exercises: {known}")
    return exercises[exercise_id]


def _close(got: Any, want: Any, tol: float) -> bool:
    """``got`` equals ``want``: numbers within a relative/absolute ``tol``, sequences entry by
    entry, anything else by ``==`` (strings ignoring spaces and case)."""
    if isinstance(want, str):
        return isinstance(got, str) and got.replace(" ", "").lower() == want.replace(
            " ", ""
        ).lower()
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        try:
            g = float(got)
        except (TypeError, ValueError):
            return False
        return math.isclose(g, want, rel_tol=tol, abs_tol=tol)
    if isinstance(want, Sequence):
        try:
            return len(got) == len(want) and all(_close(g, w, tol) for g, w in zip(got, want))
        except TypeError:
            return False
    try:
        import numpy as np

        if isinstance(want, np.ndarray):
            got_arr = np.asarray(got, dtype=float)
            return got_arr.shape == want.shape and bool(
                np.allclose(got_arr, want, rtol=tol, atol=tol)
            )
    except (TypeError, ValueError):
        return False
    return bool(got == want)


def value_exercise(
    exercise_id: str,
    question: str,
    expected: Callable[[], Any],
    hint: str,
    tol: float = 1e-6,
    explanation: str = "",
) -> Exercise:
    """Register an exercise whose answer is a value (a number, a tuple, a string, an array).

    ``expected()`` computes the right answer with the kit when the check runs; ``hint`` points
    at the idea, not at the answer.
    """

    def judge(got: Any) -> str | None:
        return None if _close(got, expected(), tol) else hint

    return _register(Exercise(exercise_id, question, judge, explanation))


def function_exercise(
    exercise_id: str,
    question: str,
    reference: Callable[..., Any],
    cases: Callable[[], Sequence[tuple]],
    hint: str,
    tol: float = 1e-6,
    explanation: str = "",
) -> Exercise:
    """Register an exercise whose answer is a function, compared with ``reference`` on
    ``cases()`` (a list of argument tuples). The hint names the first case that differs."""

    def judge(fn: Any) -> str | None:
        if not callable(fn):
            return f"pass the function itself (without calling it). {hint}"
        for args in cases():
            want = reference(*args)
            got = fn(*args)
            if not _close(got, want, tol):
                shown = ", ".join(_show(a) for a in args)
                return f"at ({shown}) your function returned {_show(got)}. {_sentence(hint)}"
        return None

    return _register(Exercise(exercise_id, question, judge, explanation))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _show(x: Any) -> str:
    """A short one-line picture of an argument or a result, for hints."""
    if isinstance(x, float):
        return f"{x:.6g}"
    if getattr(x, "ndim", 0) and hasattr(x, "shape"):
        return f"an array of shape {tuple(x.shape)}"
    if isinstance(x, tuple):
        return "(" + ", ".join(_show(v) for v in x) + ")"
    return repr(x)


def _verdict(exercise_id: str, attempt_value: Any) -> str:
    ex = get(exercise_id)
    try:
        hint = ex.judge(attempt_value)
    except NotImplementedError:
        return NOT_ATTEMPTED
    except Exception as err:  # a learner's function failed: say how, keep the notebook going
        return f"{NOT_YET} Your code raised {type(err).__name__}: {err}"
    if hint is None:
        return f"{CORRECT} {ex.explanation}".rstrip()
    return f"{NOT_YET} Hint: {_sentence(hint)}"


def check(exercise_id: str, answer: Any) -> None:
    """Check ``answer`` (a value or a function) against exercise ``exercise_id``; print one line."""
    _record(exercise_id, answer)
    print(_verdict(exercise_id, answer))


class Answer:
    """Where a learner puts a value: ``answer.value = ...`` inside an :func:`attempt` block."""

    _UNSET = object()

    def __init__(self) -> None:
        self.value: Any = Answer._UNSET


@contextmanager
def attempt(exercise_id: str) -> Iterator[Answer]:
    """``with attempt(id) as answer:`` … ``answer.value = …``; prints the verdict on leaving.

    ``NotImplementedError`` (the student edition's placeholder) means "not attempted yet";
    any other error is reported in one line and the notebook goes on.
    """
    get(exercise_id)  # unknown ids fail before the learner's code runs
    answer = Answer()
    _LAST.pop(exercise_id, None)  # a failed attempt leaves no earlier answer to grade
    try:
        yield answer
    except NotImplementedError:
        print(NOT_ATTEMPTED)
        return
    except Exception as err:
        print(f"{NOT_YET} Your code raised {type(err).__name__}: {err}")
        return
    if answer.value is Answer._UNSET:
        print(NO_ANSWER)
        return
    _record(exercise_id, answer.value)
    print(_verdict(exercise_id, answer.value))


# --- Grading: the learner's last answer, judged again by a test cell ----------------------------

_LAST: dict[str, Any] = {}


def _record(exercise_id: str, answer: Any) -> None:
    """Remember ``answer`` as the learner's last answer to ``exercise_id`` (for :func:`grade`)."""
    _LAST[exercise_id] = answer


def grade(exercise_id: str) -> None:
    """Judge again the last answer given to ``exercise_id`` in this kernel; raise unless right.

    This is the content of an nbgrader autograder test cell (``grade("ch02-dfdz")``): nbgrader
    scores a test cell by whether it raises. Silent when the last answer is correct; otherwise
    ``AssertionError`` with the one-line verdict (not attempted, no answer, or the hint). The
    learner's own cells keep printing and never raise.
    """
    get(exercise_id)  # an unknown id is a KeyError naming the known ones
    if exercise_id not in _LAST:
        raise AssertionError(f"{exercise_id}: {NOT_ATTEMPTED}")
    verdict = _verdict(exercise_id, _LAST[exercise_id])
    if not verdict.startswith(CORRECT):
        raise AssertionError(f"{exercise_id}: {verdict}")
