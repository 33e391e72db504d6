"""Exercises that answer at once: ``with attempt(id) as answer: answer.value = …`` or
``check(id, fn)``: correct, not yet (a hint), or not attempted yet (the learner edition's
``raise NotImplementedError()``); ``grade(id)``, nbgrader's test, judges the last answer again.
Each ``chNN.py`` registers its chapter's, answers computed when the check runs. Judged by type,
then value, never by their ``__eq__``; learner code runs only in the sandbox; errors are one
line, KeyboardInterrupt is not caught. No numpy import: arrays are known by ``sys.modules``."""

from __future__ import annotations

import importlib
import inspect
import math
import numbers
import pkgutil
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from backprop_kit.chapters.sandbox import (
    TIME_LIMIT,
    LearnerCodeError,
    LearnerTimeout,
    one_line_error,
    run_learner_code,
)
from backprop_kit.core.numeric import backprop_grads
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
PASS_FUNCTION = "pass the function itself (without calling it)"
#: The longest picture of an answer that a hint shows (in characters).
SHOW_CHARS = 40
#: Two numbers closer than this are equal whatever their size (float noise around 0).
ABS_FLOOR = 1e-12


@dataclass(frozen=True)
class Exercise:
    """One exercise: ``judge(answer)`` is None when right, else a hint for this answer."""

    id: str
    question: str
    judge: Callable[[Any], str | None]
    explanation: str = ""


_REGISTRY: dict[str, Exercise] = {}
_CHAPTERS = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("ch"))


def custom_exercise(
    exercise_id: str, question: str, judge: Callable[[Any], str | None], explanation: str = ""
) -> Exercise:
    """Register ``judge(answer) -> None | hint`` (learner code by :func:`run_learner` only)."""
    if exercise_id in _REGISTRY:
        raise ValueError(f"exercise id {exercise_id!r} is registered twice; ids must be unique")
    _REGISTRY[exercise_id] = ex = Exercise(exercise_id, question, judge, explanation)
    return ex


def all_exercises() -> dict[str, Exercise]:
    """Every registered exercise, by id (imports every chapter's module)."""
    for name in _CHAPTERS:
        importlib.import_module(f"{__name__}.{name}")
    return dict(_REGISTRY)


def get(exercise_id: str) -> Exercise:
    """The exercise with this id, importing its chapter only; else one line naming the ids."""
    chapter = str(exercise_id).split("-")[0]
    if exercise_id not in _REGISTRY and chapter in _CHAPTERS:
        importlib.import_module(f"{__name__}.{chapter}")
    if exercise_id not in _REGISTRY:
        try:
            known = all_exercises()
        except ImportError:  # a chapter with arrays, where numpy cannot be imported
            known = dict(_REGISTRY)
        raise KeyError(
            f"no exercise named {exercise_id!r}; known exercises: {', '.join(sorted(known))}"
        )
    return _REGISTRY[exercise_id]


@dataclass(frozen=True)
class Mismatch:
    """Why an answer is wrong: ``kind`` "type" or "precision" (``text`` says why), or "value"."""

    kind: str
    text: str = ""


_VALUE = Mismatch("value")


class AnswerKey:
    """An expected answer that judges an attempt itself (a set of names, a spelled product)."""

    def compare(self, got: Any) -> Mismatch | None:  # pragma: no cover - abstract
        raise NotImplementedError


def _np_is(x: Any, *names: str) -> bool:
    """``x`` is one of numpy's types ``names`` (none can exist where numpy was not imported)."""
    np = sys.modules.get("numpy")
    return np is not None and isinstance(x, tuple(getattr(np, n) for n in names))


def short(x: Any, chars: int = SHOW_CHARS) -> str:
    """``repr(x)`` on one line, cut to ``chars`` ("…"); a float to 6 digits, an array by shape."""
    if isinstance(x, float) or _np_is(x, "floating"):
        return format_number(float(x), "g")
    if _np_is(x, "ndarray"):
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
    if isinstance(x, bool) or _np_is(x, "bool_"):
        return f"{bool(x)} (a bool)"
    if isinstance(x, str):
        return f"the string {short(x)}"
    if x is None:
        return "None (did your code forget to return or set a value?)"
    if isinstance(x, (set, frozenset)):
        return f"a set {short(x)}"
    if isinstance(x, (list, tuple, dict)):
        return f"a {type(x).__name__} {short(x)}"
    if type(x).__name__ == "Value" and hasattr(x, "data"):
        return "a Value (give its number: .data)"
    if is_number(x) or _np_is(x, "ndarray"):
        return short(x)
    return f"a {type(x).__name__} object {short(x)}"


def is_number(x: Any) -> bool:
    """A real number: int, float, a NumPy real scalar or 0-d real array; not a bool or a str."""
    if _np_is(x, "ndarray"):
        return x.ndim == 0 and x.dtype.kind in "iuf"
    return isinstance(x, numbers.Real) and not (isinstance(x, bool) or _np_is(x, "bool_"))


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
        # right when it rounds to the answer's digits (0.1061 for 0.1056 at 3, not 0.1051)
        if round(g, decimals) == round(w, decimals):
            return None
        if abs(g - w) > 10.0 ** (1 - decimals):
            return _VALUE
        if len(f"{g:.{decimals + 6}f}".rstrip("0").split(".")[-1]) >= decimals:
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
    # relative to the expected number: an absolute tol would call 0 right for 5e-7
    if math.isclose(g, w, rel_tol=tol, abs_tol=ABS_FLOOR):
        return None
    whole = g.is_integer() and w.is_integer()  # a count is never "rounded"
    if tol < 1e-3 and not whole and math.isclose(g, w, rel_tol=1e-2, abs_tol=ABS_FLOOR):
        return Mismatch(
            "precision",
            f"{short(got)} is close but not exact: compute the rule exactly, without rounding "
            "or a finite-difference estimate",
        )
    return _VALUE


def _sequence_mismatch(got: Any, want: Sequence, tol: float, dec: int | None) -> Mismatch | None:
    n = len(want)
    kind = "an ordered pair" if n == 2 else f"a tuple of {n} entries"
    example = "(a, b)" if n == 2 else "(" + ", ".join("…" for _ in range(min(n, 3))) + ")"
    if isinstance(got, (set, frozenset, dict)):
        what = "a dict" if isinstance(got, dict) else "a set"
        return Mismatch(
            "type", f"expected {kind} such as {example}, got {what} (no order): {short(got)}"
        )
    if _np_is(got, "ndarray") and got.ndim == 1:
        got = list(got)
    if not isinstance(got, (tuple, list)):
        return Mismatch("type", f"expected {kind} such as {example}, got {describe(got)}")
    if len(got) != n:
        return Mismatch("type", f"expected {kind}, got {len(got)} entries: {short(got)}")
    worst: Mismatch | None = None
    for i, (g, w) in enumerate(zip(got, want)):
        m = compare(g, w, tol, dec)
        if m is not None and m.kind == "type":
            return Mismatch("type", f"entry {i + 1}: {m.text}")
        if m is not None and (worst is None or m.kind == "value"):
            worst = m
    return worst


def _array_mismatch(got: Any, want: Any, tol: float) -> Mismatch | None:
    np = sys.modules["numpy"]  # ``want`` is an array
    wrong_type = Mismatch("type", f"expected an array of shape {want.shape}, got {describe(got)}")
    if isinstance(got, (list, tuple)):
        try:
            got = np.asarray(got)
        except (ValueError, TypeError):
            return wrong_type
    if not isinstance(got, np.ndarray):
        return wrong_type
    if got.dtype.kind not in "iuf":
        return Mismatch("type", f"expected an array of real numbers, got dtype {got.dtype}")
    if got.shape != want.shape:
        return Mismatch("type", f"expected an array of shape {want.shape}, got shape {got.shape}")
    if not np.all(np.isfinite(got)):
        return Mismatch("type", "expected finite numbers, got NaN or inf entries")
    return None if np.allclose(got, want, rtol=tol, atol=ABS_FLOOR) else _VALUE


def compare(got: Any, want: Any, tol: float = 1e-6, decimals: int | None = None) -> Mismatch | None:
    """None if ``got`` is the answer ``want``, else a :class:`Mismatch`. By ``want``'s type: an
    :class:`AnswerKey` judges; a number wants a real within ``tol`` relative (or rounded to
    ``decimals``); a string, one equal up to spaces and case; an array, one of its shape within
    ``tol``; a tuple or list, one as long, entry by entry."""
    if isinstance(want, AnswerKey):
        return want.compare(got)
    if is_number(want):
        return _number_mismatch(got, want, tol, decimals)
    if isinstance(want, str):
        if not isinstance(got, str):
            return Mismatch("type", f"expected a string, got {describe(got)}")
        return None if "".join(got.split()).lower() == "".join(want.split()).lower() else _VALUE
    if _np_is(want, "ndarray"):
        return _array_mismatch(got, want, tol)
    if isinstance(want, (tuple, list)):
        return _sequence_mismatch(got, want, tol, decimals)
    if type(got) is not type(want):
        return Mismatch("type", f"expected a {type(want).__name__}, got {describe(got)}")
    return None if want == got else _VALUE


class AnswerTooComplex(Exception):
    """Raised by a checker for an answer too long or deep to judge (verdict: TOO_COMPLEX)."""


def run_learner(
    exercise_id: str,
    fn: Callable[..., Any],
    *args: Any,
    allow_autodiff: bool = False,
    seconds: float | None = None,
) -> Any:
    """``fn(*args)`` in the sandbox within ``seconds`` (TIME_LIMIT), autodiff off unless asked."""
    limit = TIME_LIMIT if seconds is None else seconds
    off = None if allow_autodiff else exercise_id
    return run_learner_code(fn, *args, seconds=limit, autodiff_off=off)


def run_cases(
    exercise_id: str, fn: Callable[..., Any], reference: Callable[..., Any], cases: Sequence[tuple]
) -> Iterator[tuple[tuple, Any, Any]]:
    """``(args, fn(*args), reference(*args))`` per case, TIME_LIMIT for all of ``fn``'s runs."""
    seconds = TIME_LIMIT
    deadline = time.monotonic() + seconds
    for args in cases:
        want = reference(*args)
        left = deadline - time.monotonic()
        if left <= 0:
            raise LearnerTimeout(seconds)
        try:
            got = run_learner(exercise_id, fn, *args, seconds=left)
        except LearnerTimeout:
            raise LearnerTimeout(seconds) from None
        yield args, got, want


def upstream_grads(fn: Callable[..., Any], upstream: float, *inputs: float) -> tuple[float, ...]:
    """∂L/∂inputᵢ = ``upstream`` × ∂fn/∂inputᵢ, by backprop (a backward pass's reference)."""
    return tuple(upstream * g for g in backprop_grads(fn, *inputs))


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
    """Register an exercise whose answer is a value, :func:`compare`-d with ``expected()``
    (``decimals``: rounded so is right); ``mistakes()``: known wrong answers and their hints."""

    def judge(got: Any) -> str | None:
        m = compare(got, expected(), tol, decimals)
        if m is None:
            return None
        for wrong, said in mistakes() if mistakes and m.kind == "value" else ():
            if compare(got, wrong, tol, decimals) is None:
                return said
        return hint if m.kind == "value" else m.text

    return custom_exercise(exercise_id, question, judge, explanation)


def function_exercise(
    exercise_id: str,
    question: str,
    reference: Callable[..., Any],
    cases: Callable[[], Sequence[tuple]],
    hint: str,
    tol: float = 1e-6,
    explanation: str = "",
    returns: Sequence[str] = (),
) -> Exercise:
    """Register an exercise whose function is compared with ``reference`` on ``cases()``; the hint
    names the first case that differs and the wrong items of a tuple (by ``returns``)."""
    names = _parameter_names(reference)

    def judge(fn: Any) -> str | None:
        if not callable(fn):
            return f"{PASS_FUNCTION}. {hint}"
        runs = run_cases(exercise_id, fn, reference, cases())
        results: list[tuple] = []
        for args, got, want in runs:
            results.append((args, got, want))
            m = compare(got, want, tol)
            if m is None:
                continue
            if len(names) == len(args):  # "x = -2, y = 3, z = 1", named as the reference
                where = ", ".join(f"{n} = {short(a)}" for n, a in zip(names, args))
            else:
                where = "(" + ", ".join(short(a) for a in args) + ")"
            if m.kind != "value":
                entry = re.match(r"entry (\d+): ", m.text)
                if entry and len(returns) >= int(entry[1]):  # "your db: …", not "entry 3"
                    return f"at {where} your {returns[int(entry[1]) - 1]}: {m.text[entry.end() :]}"
                return f"at {where}: {m.text}"
            try:  # the other cases, to call an item right only if it is right on all of them
                results += list(runs)
            except LearnerCodeError:
                results = []  # a later case failed: no item is called right
            what = _wrong_items(got, want, tol, returns, results)
            what = what or f"function returned {short(got)}"
            return f"at {where} your {what}. {_sentence(hint)}"
        return None

    return custom_exercise(exercise_id, question, judge, explanation)


def _wrong_items(
    got: Any, want: Any, tol: float, names: Sequence[str], results: Sequence[tuple]
) -> str | None:
    """A tuple answer's items wrong here, those right on every case of ``results``, or a swap."""
    if isinstance(got, list) or (_np_is(got, "ndarray") and got.ndim == 1):
        got = tuple(got)  # a list or a vector of the items: judged as the tuple
    if not (isinstance(got, tuple) and isinstance(want, tuple) and len(got) == len(want) > 1):
        return None
    n = len(want)
    labels = list(names) if len(names) == n else [f"item {k + 1} of {n}" for k in range(n)]

    def same(a: Any, b: Any) -> bool:
        return compare(a, b, tol) is None

    wrong = [k for k in range(n) if not same(got[k], want[k])]
    if len(wrong) == 2:
        i, j = wrong
        if same(got[i], want[j]) and same(got[j], want[i]) and not same(want[i], want[j]):
            return f"{labels[i]} and {labels[j]} look swapped"

    seqs = [(g, w) for _, g, w in results if isinstance(g, (tuple, list)) or _np_is(g, "ndarray")]
    whole = bool(results) and len(seqs) == len(results) and all(len(g) == n for g, _ in seqs)
    always = [
        k for k in range(n) if k not in wrong and whole and all(same(g[k], w[k]) for g, w in seqs)
    ]
    text = " and ".join(f"{labels[k]} ({short(got[k])})" for k in wrong)
    text += " is not right" if len(wrong) == 1 else " are not right"
    if always:
        text += f"; {' and '.join(labels[k] for k in always)} {'is' if len(always) == 1 else 'are'}"
    return text


def _parameter_names(fn: Callable[..., Any]) -> list[str]:
    """``fn``'s positional parameters ("at x = -2, y = 3"); [] for a builtin or ``*args``."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    positional = all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
    return [p.name for p in params] if positional else []


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class RightWithNote(str):
    """A judge's right answer with a note: "✔ Correct!", the explanation, then the note."""


def _verdict(exercise_id: str, attempt_value: Any) -> str:
    ex = get(exercise_id)
    try:
        hint = ex.judge(attempt_value)
    except NotImplementedError:
        return NOT_ATTEMPTED
    except LearnerTimeout as err:
        return (
            f"{NOT_YET} Your function was stopped after {err.seconds:g} s: it ran too long "
            "(an endless loop?)."
        )
    except LearnerCodeError as err:  # the learner's function failed: say how, go on
        if isinstance(err.original, AutodiffRefused):
            return f"{NOT_YET} {_sentence(str(err.original))}."
        return f"{NOT_YET} Your code raised {one_line_error(err.original)}"
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


#: The learner's last answer to each exercise, judged again by :func:`grade`.
_LAST: dict[str, Any] = {}


def check(exercise_id: str, answer: Any) -> None:
    """Check ``answer`` (a value or a function) against exercise ``exercise_id``; print one line."""
    _LAST[exercise_id] = answer
    print(_verdict(exercise_id, answer))


_UNSET = object()


class Answer:
    """Where a learner puts a value: ``answer.value = ...`` inside an :func:`attempt` block."""

    value: Any = _UNSET


@contextmanager
def attempt(exercise_id: str) -> Iterator[Answer]:
    """``with attempt(id) as answer: answer.value = …``; prints the verdict on leaving."""
    get(exercise_id)  # unknown ids fail before the learner's code runs
    answer = Answer()
    _LAST.pop(exercise_id, None)  # a failed attempt leaves no earlier answer to grade
    try:
        yield answer
    except NotImplementedError:
        print(NOT_ATTEMPTED)
    except (Exception, SystemExit) as err:  # not KeyboardInterrupt: the Stop button
        print(f"{NOT_YET} Your code raised {one_line_error(err)}")
    else:
        if answer.value is _UNSET:
            print(NO_ANSWER)
        else:
            check(exercise_id, answer.value)


def grade(exercise_id: str) -> None:
    """nbgrader's test: silent when this kernel's last answer is right, else AssertionError."""
    get(exercise_id)  # an unknown id is a KeyError naming the known ones
    if exercise_id not in _LAST:
        raise AssertionError(f"{exercise_id}: {NOT_ATTEMPTED}")
    verdict = _verdict(exercise_id, _LAST[exercise_id])
    if not verdict.startswith(CORRECT):
        raise AssertionError(f"{exercise_id}: {verdict}")
