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
with :func:`value_exercise`, :func:`function_exercise` or :func:`custom_exercise`.

How answers are judged:

* **type first, then value**, never by the answer's own ``__eq__``: a number must be an int or
  a float (not a string, a bool, NaN or a ``Value``), an ordered pair a tuple or list (not a
  set), an array an array of the expected shape. A mismatch of type gets a hint naming it
  ("expected a number, got the string '0.2'"); only an answer of the right type gets the
  exercise's hint about the idea. Hints are one short line: answers are shown cut short.
* **decimals**: where a question asks for "3 decimals or more", an answer rounded to 3
  decimals is right, and one that is close but less precise gets a hint about precision.
* **a learner's function** runs through :func:`run_learner_code`: under a time limit
  (:data:`TIME_LIMIT` seconds for all the cases of one check; stopped with a one-line verdict),
  with the kit's autodiff switched off unless the exercise allows it (see
  :mod:`backprop_kit.core.switch`), and with every error it raises -- ``SystemExit`` included --
  reported in one line. ``KeyboardInterrupt`` is not caught: it is how a learner stops a run
  (the kernel's Stop button), and "Run All" must then stop, not go on to the next cell.
* an answer that makes the *checker* recurse too deep or run out of memory (a product
  spelled with a thousand ``.T``) gets a one-line "too long or complex" verdict.
"""

from __future__ import annotations

import importlib
import math
import numbers
import pkgutil
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from backprop_kit.chapters.sandbox import (
    TIME_LIMIT,
    LearnerCodeError,
    LearnerTimeout,
    one_line_error,
    run_learner_code,
)
from backprop_kit.core.switch import AutodiffRefused
from backprop_kit.core.text import format_number

CORRECT = "✔ Correct!"
NOT_YET = "✘ Not yet."
NO_ANSWER = "… No answer yet: inside the `with` block, write `answer.value = ...`."
NOT_ATTEMPTED = (
    "… Not attempted yet: replace `raise NotImplementedError()` with your answer, "
    "then run the cell again."
)
TOO_COMPLEX = "Your answer is too long or complex to check: write it in a shorter form."
#: The longest picture of an answer that a hint shows (in characters).
SHOW_CHARS = 40


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


# --------------------------------------------------------------------------- judging values


@dataclass(frozen=True)
class Mismatch:
    """Why an answer is not the expected one.

    ``kind`` is ``"type"`` (the answer is not even the right kind of thing; ``text`` names the
    mismatch), ``"precision"`` (a number close to the answer but not precise enough) or
    ``"value"`` (the right kind of thing, the wrong value: the exercise's own hint applies).
    """

    kind: str
    text: str = ""


_VALUE = Mismatch("value")


class AnswerKey:
    """An expected answer that judges an attempt itself (a set of names, a spelled product).

    Subclasses implement :meth:`compare`; :func:`compare` calls it, so the attempt's own
    ``__eq__`` is never asked.
    """

    def compare(self, got: Any) -> Mismatch | None:  # pragma: no cover - abstract
        raise NotImplementedError


def short(x: Any, chars: int = SHOW_CHARS) -> str:
    """``repr(x)`` on one line, cut to ``chars`` characters (with "…" where cut); numbers with
    6 significant digits, arrays by their shape. Never calls more than one ``repr``."""
    if isinstance(x, (float, np.floating)) and not isinstance(x, bool):
        return format_number(float(x), "g")
    if isinstance(x, np.ndarray):
        return f"an array of shape {tuple(x.shape)}"
    if isinstance(x, tuple) and len(x) <= 4:
        text = "(" + ", ".join(short(v, chars) for v in x) + ("," if len(x) == 1 else "") + ")"
        chars *= max(1, len(x))  # room for each item's own short text
    else:
        try:
            text = repr(x)
        except Exception:  # a learner's object whose repr fails
            text = f"<{type(x).__name__} object>"
    text = " ".join(text.split())
    return text if len(text) <= chars else text[: chars - 1] + "…"


def describe(x: Any) -> str:
    """What ``x`` is, for a hint: "the string '0.2'", "a set {0.0, 2.0}", "True (a bool)"."""
    if isinstance(x, (bool, np.bool_)):
        return f"{bool(x)} (a bool)"
    if isinstance(x, str):
        return f"the string {short(x)}"
    if x is None:
        return "None (did your code forget to return or set a value?)"
    if isinstance(x, (set, frozenset)):
        return f"a set {short(x)}"
    if isinstance(x, np.ndarray):
        return f"an array of shape {tuple(x.shape)}"
    if isinstance(x, (list, tuple, dict)):
        return f"a {type(x).__name__} {short(x)}"
    if type(x).__name__ == "Value" and hasattr(x, "data"):
        return "a Value (give its number: .data)"
    if is_number(x):
        return short(x)
    return f"a {type(x).__name__} object {short(x)}"


ABS_FLOOR = 1e-12
"""Two numbers closer than this are equal whatever their size (float noise around 0)."""


def is_number(x: Any) -> bool:
    """A real number answer: int, float, a NumPy real scalar or 0-d real array; not a bool,
    not a string."""
    if isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iuf":
        return True
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _number_mismatch(got: Any, want: float, tol: float, decimals: int | None) -> Mismatch | None:
    if not is_number(got):
        text = f"expected a number, got {describe(got)}"
        if isinstance(got, numbers.Number) and not isinstance(got, bool):  # Decimal, complex
            text += "; give it as an int or a float"
        return Mismatch("type", text)
    g, w = float(got), float(want)
    if not math.isfinite(g):
        return Mismatch("type", f"expected a finite number, got {g}")
    if decimals is not None:
        # right when it rounds to the right answer's digits (0.1061 for 0.1056 at 3 decimals,
        # not 0.1051, though both are 0.0005 away)
        if round(g, decimals) == round(w, decimals):
            return None
        near = abs(g - w) <= 10.0 ** (1 - decimals)
        if near:
            shown = f"{g:.{decimals + 6}f}".rstrip("0").split(".")[-1]
            if len(shown) >= decimals:  # enough decimals, but cut off or off by a little
                return Mismatch(
                    "precision",
                    f"{short(got)} is close, but not right to {decimals} decimals: round to "
                    "the nearest (do not cut digits off) and work with unrounded numbers "
                    "until the end",
                )
            return Mismatch(
                "precision",
                f"{short(got)} is close, but give at least {decimals} decimals "
                "(work with unrounded numbers until the end)",
            )
        return _VALUE
    # relative to the expected number; the tiny absolute floor only forgives float noise
    # around an expected 0 (an absolute tolerance of tol would call 0 right for 5e-7)
    if math.isclose(g, w, rel_tol=tol, abs_tol=ABS_FLOOR):
        return None
    whole = float(g).is_integer() and float(w).is_integer()  # a count is never "rounded"
    if tol < 1e-3 and not whole and math.isclose(g, w, rel_tol=1e-2, abs_tol=ABS_FLOOR):
        return Mismatch(
            "precision",
            f"{short(got)} is close but not exact: compute the rule exactly, without rounding "
            "or a finite-difference estimate",
        )
    return _VALUE


def _sequence_mismatch(
    got: Any, want: Sequence, tol: float, decimals: int | None
) -> Mismatch | None:
    n = len(want)
    kind = "an ordered pair" if n == 2 else f"a tuple of {n} entries"
    example = "(a, b)" if n == 2 else "(" + ", ".join("…" for _ in range(min(n, 3))) + ")"
    if isinstance(got, (set, frozenset, dict)):
        what = "a set" if not isinstance(got, dict) else "a dict"
        return Mismatch(
            "type", f"expected {kind} such as {example}, got {what} (no order): {short(got)}"
        )
    if isinstance(got, np.ndarray) and got.ndim == 1:
        got = list(got)
    if not isinstance(got, (tuple, list)):
        return Mismatch("type", f"expected {kind} such as {example}, got {describe(got)}")
    if len(got) != n:
        return Mismatch("type", f"expected {kind}, got {len(got)} entries: {short(got)}")
    worst: Mismatch | None = None
    for i, (g, w) in enumerate(zip(got, want)):
        m = compare(g, w, tol, decimals)
        if m is None:
            continue
        if m.kind == "type":
            return Mismatch("type", f"entry {i + 1}: {m.text}")
        if worst is None or m.kind == "value":
            worst = m
    return worst


def _array_mismatch(got: Any, want: np.ndarray, tol: float) -> Mismatch | None:
    if isinstance(got, (list, tuple)):
        try:
            got = np.asarray(got)
        except (ValueError, TypeError):
            return Mismatch("type", f"expected an array of shape {want.shape}, got {describe(got)}")
    if not isinstance(got, np.ndarray):
        return Mismatch("type", f"expected an array of shape {want.shape}, got {describe(got)}")
    if got.dtype.kind not in "iuf":
        return Mismatch("type", f"expected an array of real numbers, got dtype {got.dtype}")
    if got.shape != want.shape:
        return Mismatch("type", f"expected an array of shape {want.shape}, got shape {got.shape}")
    if not np.all(np.isfinite(got)):
        return Mismatch("type", "expected finite numbers, got NaN or inf entries")
    return None if np.allclose(got, want, rtol=tol, atol=ABS_FLOOR) else _VALUE


def compare(got: Any, want: Any, tol: float = 1e-6, decimals: int | None = None) -> Mismatch | None:
    """None if ``got`` is the answer ``want``, else a :class:`Mismatch` saying why.

    By the type of ``want``: an :class:`AnswerKey` judges ``got`` itself; a number needs a real
    number within ``tol`` relative to ``want`` (absolutely within ``ABS_FLOOR`` only, so 0 is
    never "close" to 5e-7), or rounded to ``decimals`` places when given;
    a string needs a string equal up to spaces and case; an array needs an array of its shape,
    close within ``tol``; a tuple or list needs a tuple or list of the same length, compared
    entry by entry. ``got``'s own ``__eq__`` is never called.
    """
    if isinstance(want, AnswerKey):
        return want.compare(got)
    if is_number(want):
        return _number_mismatch(got, want, tol, decimals)
    if isinstance(want, str):
        if not isinstance(got, str):
            return Mismatch("type", f"expected a string, got {describe(got)}")
        same = "".join(got.split()).lower() == "".join(want.split()).lower()
        return None if same else _VALUE
    if isinstance(want, np.ndarray):
        return _array_mismatch(got, want, tol)
    if isinstance(want, (tuple, list)):
        return _sequence_mismatch(got, want, tol, decimals)
    if type(got) is not type(want):
        return Mismatch("type", f"expected a {type(want).__name__}, got {describe(got)}")
    return None if want == got else _VALUE


# --------------------------------------------------------------------------- learner code


class AnswerTooComplex(Exception):
    """Raised by a checker for an answer too long or deep to judge; the verdict is
    :data:`TOO_COMPLEX` (as for a ``RecursionError`` or ``MemoryError`` in the checker)."""


def learner_failure(err: LearnerCodeError) -> str:
    """The verdict line for a learner's code that failed, ran too long or asked for autodiff."""
    if isinstance(err, LearnerTimeout):
        return (
            f"{NOT_YET} Your function was stopped after {err.seconds:g} s: it ran too long "
            "(an endless loop?)."
        )
    if isinstance(err.original, AutodiffRefused):
        return f"{NOT_YET} {_sentence(str(err.original))}."
    return f"{NOT_YET} Your code raised {one_line_error(err.original)}"


# --------------------------------------------------------------------------- registering


def _hint_for(m: Mismatch, hint: str) -> str:
    return hint if m.kind == "value" else m.text


def value_exercise(
    exercise_id: str,
    question: str,
    expected: Callable[[], Any],
    hint: str,
    tol: float = 1e-6,
    explanation: str = "",
    decimals: int | None = None,
    mistakes: Callable[[], Sequence[tuple[Any, str]]] | None = None,
) -> Exercise:
    """Register an exercise whose answer is a value (a number, a tuple, a string, an array).

    ``expected()`` computes the right answer with the kit when the check runs; ``hint`` points
    at the idea, not at the answer. With ``decimals`` (for a question that says "d decimals or
    more"), a number rounded to that many decimals is right. ``mistakes()`` lists known wrong
    answers, each computed by the kit, with the hint that suits it ("that is f itself, not its
    slope"). See :func:`compare`.
    """

    def judge(got: Any) -> str | None:
        m = compare(got, expected(), tol, decimals)
        if m is None:
            return None
        for wrong, said in mistakes() if mistakes and m.kind == "value" else ():
            if compare(got, wrong, tol, decimals) is None:
                return said
        return _hint_for(m, hint)

    return _register(Exercise(exercise_id, question, judge, explanation))


def function_exercise(
    exercise_id: str,
    question: str,
    reference: Callable[..., Any],
    cases: Callable[[], Sequence[tuple]],
    hint: str,
    tol: float = 1e-6,
    explanation: str = "",
    allow_autodiff: bool = False,
    seconds: float = TIME_LIMIT,
    returns: Sequence[str] = (),
) -> Exercise:
    """Register an exercise whose answer is a function, compared with ``reference`` on
    ``cases()`` (a list of argument tuples). The hint names the first case that differs and,
    where the function returns a tuple, which of its items are wrong: by the names in
    ``returns`` (``("dX", "dW", "db")``), else by place.

    The learner's function runs through :func:`run_learner_code`: ``seconds`` for all cases
    together, and the kit's autodiff switched off unless ``allow_autodiff`` (then the question
    should say that it is allowed).
    """

    names = _parameter_names(reference)

    def judge(fn: Any) -> str | None:
        if not callable(fn):
            return f"pass the function itself (without calling it). {hint}"
        runs = run_cases(exercise_id, fn, reference, cases(), seconds, allow_autodiff)
        results: list[tuple] = []
        for args, got, want in runs:
            results.append((args, got, want))
            m = compare(got, want, tol)
            if m is None:
                continue
            try:  # the other cases, to call an item right only if it is right on all of them
                results += list(runs)
            except LearnerCodeError:
                results = []  # a later case failed: no item is called right
            if len(names) == len(args):  # "x = -2, y = 3, z = 1", named as the reference
                where = ", ".join(f"{n} = {short(a)}" for n, a in zip(names, args))
            else:
                where = "(" + ", ".join(short(a) for a in args) + ")"
            if m.kind == "value":
                what = _wrong_items(got, want, tol, returns, results)
                what = what or f"function returned {short(got)}"
                return f"at {where} your {what}. {_sentence(hint)}"
            entry = re.match(r"entry (\d+): ", m.text)
            if entry and len(returns) >= int(entry[1]):  # "your db: expected …", not "entry 3"
                return f"at {where} your {returns[int(entry[1]) - 1]}: {m.text[entry.end() :]}"
            return f"at {where}: {m.text}"
        return None

    return _register(Exercise(exercise_id, question, judge, explanation))


def _wrong_items(
    got: Any, want: Any, tol: float, names: Sequence[str], results: Sequence[tuple]
) -> str | None:
    """For a tuple answer of the right length: which items are wrong here, which are right on
    every case (``results``: all ``(args, got, want)``), or that two look swapped; by name or
    by place ("dW (an array of shape (2, 3)) is not right; dX and db are")."""
    if isinstance(got, (list, np.ndarray)) and np.ndim(got) == 1:
        got = tuple(got)  # a list or a vector of the items: judged as the tuple
    if not (isinstance(got, tuple) and isinstance(want, tuple) and len(got) == len(want) > 1):
        return None
    n = len(want)
    labels = list(names) if len(names) == n else [f"item {k + 1} of {n}" for k in range(n)]

    def same(a: Any, b: Any) -> bool:
        return compare(a, b, tol) is None

    wrong = [k for k in range(n) if not same(got[k], want[k])]
    if not wrong:
        return None
    if len(wrong) == 2:
        i, j = wrong
        if same(got[i], want[j]) and same(got[j], want[i]) and not same(want[i], want[j]):
            return f"{labels[i]} and {labels[j]} look swapped"
    always = [
        labels[k]
        for k in range(n)
        if k not in wrong
        and bool(results)
        and all(
            isinstance(g, (tuple, list, np.ndarray)) and len(g) == n and same(g[k], w[k])
            for _, g, w in results
        )
    ]
    text = " and ".join(f"{labels[k]} ({short(got[k])})" for k in wrong)
    text += " is not right" if len(wrong) == 1 else " are not right"
    if always:
        text += f"; {' and '.join(always)} {'is' if len(always) == 1 else 'are'}"
    return text


def _parameter_names(fn: Callable[..., Any]) -> list[str]:
    """The names of ``fn``'s positional parameters, to name a case's point in a hint
    ("at x = -2, y = 3"); [] when Python cannot tell (a builtin, *args)."""
    import inspect

    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    if any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params):
        return []
    return [p.name for p in params]


def run_cases(
    exercise_id: str,
    fn: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Sequence[tuple],
    seconds: float = TIME_LIMIT,
    allow_autodiff: bool = False,
) -> Iterator[tuple[tuple, Any, Any]]:
    """For each case: ``(args, fn(*args), reference(*args))``, the learner's ``fn`` run by
    :func:`run_learner_code` with ``seconds`` for all cases together (the reference runs
    outside the limit and with autodiff on)."""
    import time

    deadline = time.monotonic() + seconds
    for args in cases:
        want = reference(*args)
        left = deadline - time.monotonic()
        if left <= 0:
            raise LearnerTimeout(seconds)
        try:
            got = run_learner_code(
                fn, *args, seconds=left, autodiff_off=None if allow_autodiff else exercise_id
            )
        except LearnerTimeout:
            raise LearnerTimeout(seconds) from None
        yield args, got, want


def custom_exercise(
    exercise_id: str,
    question: str,
    judge: Callable[[Any], str | None],
    explanation: str = "",
) -> Exercise:
    """Register an exercise with its own ``judge(answer) -> None | hint`` (for checks stage by
    stage, or of several functions). The judge must run learner code only through
    :func:`run_learner_code` or :func:`run_cases` and compare with :func:`compare`."""
    return _register(Exercise(exercise_id, question, judge, explanation))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class RightWithNote(str):
    """What a judge returns for a right answer that deserves a note (what was not checked,
    say): the verdict is "✔ Correct!", the explanation, then the note."""


def _verdict(exercise_id: str, attempt_value: Any) -> str:
    ex = get(exercise_id)
    try:
        hint = ex.judge(attempt_value)
    except NotImplementedError:
        return NOT_ATTEMPTED
    except LearnerCodeError as err:  # the learner's function failed: say how, go on
        return learner_failure(err)
    except (RecursionError, MemoryError, AnswerTooComplex):  # the checker choked on it
        return f"{NOT_YET} {TOO_COMPLEX}"
    except Exception as err:  # an answer object whose own methods fail inside the checker
        return (
            f"{NOT_YET} The kit could not read this answer ({one_line_error(err, 80)}); "
            "give plain numbers, tuples, strings or arrays."
        )
    if hint is None or isinstance(hint, RightWithNote):
        return f"{CORRECT} {ex.explanation} {hint or ''}".rstrip()
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
    any other error (``SystemExit`` included, ``KeyboardInterrupt`` not) is reported in one
    line and the notebook goes on.
    """
    get(exercise_id)  # unknown ids fail before the learner's code runs
    answer = Answer()
    _LAST.pop(exercise_id, None)  # a failed attempt leaves no earlier answer to grade
    try:
        yield answer
    except NotImplementedError:
        print(NOT_ATTEMPTED)
        return
    except (Exception, SystemExit) as err:  # not KeyboardInterrupt: see the module docstring
        print(f"{NOT_YET} Your code raised {one_line_error(err)}")
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
