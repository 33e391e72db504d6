"""Numerical derivatives: the limit definition, evaluated with a small but finite h.

    forward difference   df/dx ≈ (f(x + h) − f(x)) / h            error ~ h
    central difference   df/dx ≈ (f(x + h) − f(x − h)) / (2h)     error ~ h²

and the check that compares them with backpropagation's analytic gradient."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from backprop_kit.core import switch
from backprop_kit.core.engine import Value, as_number

METHODS = ("central", "forward", "backward")

#: THE table of gradient-check verdicts (every chapter, grad_check, grad_check_array): rows of
#: (verdict, upper bound of :func:`rel_error` against a central difference with h = 1e-5, what
#: it means). A right gradient lands near 1e-10..1e-8, up to "suspicious" with rounding in
#: near-0 entries or a kink within h; a wrong rule gives 1e-2 or more.
GRAD_CHECK_THRESHOLDS: tuple[tuple[str, float, str], ...] = (
    ("excellent", 1e-7, "the gradient is right"),
    ("acceptable", 1e-5, "right, up to rounding in small entries"),
    ("suspicious", 1e-2, "look closer: a kink within h of the point, or a bug"),
    ("wrong", math.inf, "the gradient rule has a mistake"),
)
#: A gradient check passes when its relative error is below this (the "acceptable" bound).
GRAD_CHECK_PASS = GRAD_CHECK_THRESHOLDS[1][1]


def grade_rel_error(err: float) -> str:
    """The verdict of :data:`GRAD_CHECK_THRESHOLDS` for a relative error (NaN/inf: "not finite")."""
    if not math.isfinite(err):
        return "not finite"
    return next(name for name, bound, _ in GRAD_CHECK_THRESHOLDS if err < bound)


def threshold_table() -> str:
    """:data:`GRAD_CHECK_THRESHOLDS` as lines of text, for a chapter to print."""
    lines, low = [], 0.0
    for name, bound, meaning in GRAD_CHECK_THRESHOLDS:
        span = (
            f"below {bound:.0e}"
            if low == 0.0
            else (f"{low:.0e} or more" if math.isinf(bound) else f"{low:.0e} to {bound:.0e}")
        )
        lines.append(f"{span:<18} {name:<11} {meaning}")
        low = bound
    return "\n".join(lines)


def rel_error(a: Any, b: Any) -> float:
    """CS231n's relative error, max over entries of |a − b| / max(1e-8, |a| + |b|), of two
    numbers or arrays of one shape (numpy only for arrays); NaN or inf anywhere gives NaN.
    What a value means: :data:`GRAD_CHECK_THRESHOLDS`."""
    for x in (a, b):
        if x is None or isinstance(x, (str, bytes, bool, Value)):
            hint = " (pass its .data or .grad)" if isinstance(x, Value) else ""
            raise TypeError(f"rel_error needs numbers or arrays, got {type(x).__name__}{hint}")
    if _is_real(a) and _is_real(b):
        a, b = as_number(a, "rel_error"), as_number(b, "rel_error")
        if not (math.isfinite(a) and math.isfinite(b)):
            return math.nan
        m = max(abs(a), abs(b))
        if m > 1e300:  # |a| + |b| would overflow: the ratio is the same at a smaller scale
            a, b = a / m, b / m
        return abs(a - b) / max(1e-8, abs(a) + abs(b))
    import numpy as np

    a_arr = np.asarray(a, dtype=float)
    b_arr = np.asarray(b, dtype=float)
    if a_arr.shape != b_arr.shape:
        raise ValueError(
            f"rel_error: shapes differ, {a_arr.shape} and {b_arr.shape}; pass two numbers or "
            "two arrays of one shape"
        )
    if a_arr.size == 0:
        raise ValueError("rel_error: the arrays are empty; pass at least one number")
    if not (np.all(np.isfinite(a_arr)) and np.all(np.isfinite(b_arr))):
        return math.nan
    m = np.maximum(np.abs(a_arr), np.abs(b_arr))
    scale = np.where(m > 1e300, m, 1.0)  # keep |a| + |b| finite (the ratio does not change)
    a_arr, b_arr = a_arr / scale, b_arr / scale
    err = np.abs(a_arr - b_arr) / np.maximum(1e-8, np.abs(a_arr) + np.abs(b_arr))
    return float(np.max(err))


MAX_INPUTS = 500  # inputs of one numerical_grad / grad_check


def _is_real(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _evaluate(fn: Callable[..., object], args: Sequence[float]) -> float:
    """fn at ``args`` (passed as fresh input Values), as a float."""
    out = fn(*(Value(a) for a in args))
    return out.data if isinstance(out, Value) else as_number(out, "the function's result")


def _check_args(fn: object, inputs: tuple, h: float, method: str) -> list[float]:
    if not callable(fn):
        raise TypeError(f"fn must be a function of the inputs, got {type(fn).__name__}")
    if not inputs:
        raise ValueError("give at least one input at which to differentiate fn")
    if len(inputs) > MAX_INPUTS:  # 2 calls of fn per input: the cost grows as inputs²
        raise ValueError(
            f"numerical gradients take at most {MAX_INPUTS} inputs (two runs of fn each), got "
            f"{len(inputs)}; check a few of them, or the array version for a whole matrix"
        )
    h = as_number(h, "h")
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"h must be a small positive number such as 1e-5, got {h!r}")
    if method not in METHODS:
        raise ValueError(f"method must be 'central' or 'forward' (or 'backward'), got {method!r}")
    return [x.data if isinstance(x, Value) else as_number(x, "input") for x in inputs]


def numerical_grad(
    fn: Callable[..., object], *inputs: float | Value, h: float = 1e-5, method: str = "central"
) -> tuple[float, ...]:
    """∂fn/∂inputᵢ by finite differences, one float per input: (fn(…, xᵢ + h, …) −
    fn(…, xᵢ − h, …)) / 2h (``"central"``), (fn(…, xᵢ + h, …) − fn(…)) / h (``"forward"``) or
    (fn(…) − fn(…, xᵢ − h, …)) / h (``"backward"``, from the left). ``fn`` is called with input
    Values and returns a number or a Value."""
    switch.refuse("numerical_grad")
    xs = _check_args(fn, inputs, h, method)
    f0 = _evaluate(fn, xs) if method != "central" else 0.0
    grads = []
    for i, x in enumerate(xs):
        up, down = list(xs), list(xs)
        up[i], down[i] = x + h, x - h
        if up[i] == x or down[i] == x:
            raise ValueError(
                f"numerical gradient: at input {i} = {x!r} the step h = {h:g} is lost in rounding "
                f"(floats there are {math.ulp(x):.3g} apart); use h of at least {1e-8 * abs(x):.3g}"
            )
        if method == "forward":
            grads.append((_shifted(fn, up, xs, i, "+") - f0) / h)
        elif method == "backward":
            grads.append((f0 - _shifted(fn, down, xs, i, "-")) / h)
        else:
            grads.append((_shifted(fn, up, xs, i, "+") - _shifted(fn, down, xs, i, "-")) / (2 * h))
    return tuple(grads)


def _shifted(
    fn: Callable[..., object], args: list[float], xs: list[float], i: int, sign: str
) -> float:
    """fn at ``args`` (``xs`` with input i moved by ±h). If fn fails there but not at ``xs``,
    the step h crossed the edge of fn's domain: a one-line ValueError that says so."""
    try:
        return _evaluate(fn, args)
    except (ArithmeticError, ValueError) as e:
        try:
            _evaluate(fn, xs)
        except (ArithmeticError, ValueError):
            raise e from None  # fn fails at the point itself: its own error says why
        h = abs(args[i] - xs[i])
        reason = " ".join(str(e).split())
        raise ValueError(
            f"numerical gradient: input {i} is {xs[i]!r}, and the step to {xs[i]!r} {sign} h = "
            f"{args[i]!r} (h = {h:g}) leaves fn's domain ({reason}); use a smaller h, a point "
            "farther from the edge, or method='forward' on the side where fn is defined"
        ) from None


def backprop_grads(fn: Callable[..., object], *inputs: float | Value) -> tuple[float, ...]:
    """The exact ∂fn/∂inputᵢ, one float per input, by ``backward()``: ``fn`` is called with
    fresh input Values (a Value given lends only its number) and must return a Value."""
    switch.refuse("backprop_grads")
    xs = _check_args(fn, inputs, 1.0, "central")
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(
            f"fn returned {type(out).__name__}, not a Value; build it from its inputs with "
            "Value operations so that it can be backpropagated"
        )
    out.backward()
    return tuple(leaf.grad for leaf in leaves)


def text_table(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[object]]) -> str:
    """The kit's one plain-text table: titles, then a line per row, columns two spaces apart;
    column i is ``(title, spec)``, each cell ``format(cell, spec)`` (``">14.8f"``, ``"<12"``),
    its title aligned the same way and as wide."""

    def title(text: str, spec: str) -> str:
        width = spec.lstrip("<>").split(".")[0].rstrip("efg")
        return f"{text:{'<' if spec.startswith('<') else '>'}{width}}"

    lines = ["  ".join(title(t, spec) for t, spec in columns)]
    lines += ["  ".join(format(c, spec) for c, (_, spec) in zip(row, columns)) for row in rows]
    return "\n".join(lines)


@dataclass(frozen=True)
class InputCheck:
    """One input's line of a gradient check."""

    name: str
    analytic: float
    numerical: float
    rel_error: float

    @property
    def ok(self) -> bool:
        """Both gradients finite, their relative error below :data:`GRAD_CHECK_PASS`."""
        return self.rel_error < GRAD_CHECK_PASS  # False for NaN

    @property
    def verdict(self) -> str:
        """This input's row of :data:`GRAD_CHECK_THRESHOLDS` (see :func:`grade_rel_error`)."""
        return grade_rel_error(self.rel_error)

    @property
    def problem(self) -> str:
        """Why the check cannot be trusted ('' when it can)."""
        sides = (("analytic", self.analytic), ("numerical", self.numerical))
        bad = [n for n, v in sides if not math.isfinite(v)]
        if bad:
            return " and ".join(bad) + " gradient not finite"
        return "" if self.ok else "gradients disagree"


class GradCheck(tuple):
    """The result of :func:`grad_check`: one :class:`InputCheck` per input, printed as a table."""

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self)

    @property
    def max_rel_error(self) -> float:
        errs = [c.rel_error for c in self]
        return math.nan if any(math.isnan(e) for e in errs) else max(errs)

    def __repr__(self) -> str:
        columns = [
            ("input", f"<{max(5, *(len(c.name) for c in self))}"),
            ("analytic", ">14.8f"),
            ("numerical", ">14.8f"),
            ("rel_error", ">9.1e"),
            ("verdict", ""),
        ]
        notes = [c.verdict + (f"  <- {c.problem}" if c.problem else "") for c in self]
        rows = [(c.name, c.analytic, c.numerical, c.rel_error, n) for c, n in zip(self, notes)]
        return text_table(columns, rows)


def grad_check(fn: Callable[..., object], *inputs: float | Value, h: float = 1e-5) -> GradCheck:
    """Backprop's gradient of ``fn`` against the central difference, input by input: a
    :class:`GradCheck` table with each input's verdict (:data:`GRAD_CHECK_THRESHOLDS`); ``.ok``
    when every input is below :data:`GRAD_CHECK_PASS`. NaN or inf gives rel_error NaN, named."""
    switch.refuse("grad_check")
    xs = _check_args(fn, inputs, h, "central")
    names = [x.label if isinstance(x, Value) and x.label else f"x{i}" for i, x in enumerate(inputs)]
    analytic = backprop_grads(fn, *xs)
    numerical = numerical_grad(fn, *xs, h=h)
    return GradCheck(
        InputCheck(n, a, num, rel_error(a, num)) for n, a, num in zip(names, analytic, numerical)
    )
