"""Shapes and arguments in pure Python: the checks every nn module shares, and chapter 7's
dimension analysis of ``D = W @ X``. With W (M, K), X (K, N), dD (M, N), of the eight products
of dD (or dD.T) with the other operand (or its transpose), usually only ``dW = dD @ X.T`` and
``dX = W.T @ dD`` have the gradient's shape; where more do, the scalar chain rule decides."""

from __future__ import annotations

import math
import numbers
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backprop_kit.core.engine import as_number

Shape2 = tuple[int, int]
MAX_SEED = 2**64 - 1

__all__ = (
    "Candidate DimensionAnalysis GradientShapeAnalysis dimension_analysis matmul_mismatch_message"
).split()


# --------------------------------------------------------------------------- shared checks
def short_repr(value: object, limit: int = 60) -> str:
    """``repr(value)`` on one line, cut to ``limit`` characters (for errors)."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def whole_number(n: object, what: str, low: int, high: int) -> int:
    """``n`` as an int if a whole number (an int, a numpy integer) in low..high, else one line."""
    if isinstance(n, numbers.Integral) and not isinstance(n, bool) and low <= int(n) <= high:
        return int(n)
    raise ValueError(f"{what} must be a whole number in {low}..{high:,}, got {short_repr(n)}")


def check_seed(seed: object, who: str) -> int | None:
    """None (fresh randomness) or a whole-number seed in 0..MAX_SEED."""
    return None if seed is None else whole_number(seed, f"{who}: seed (or None)", 0, MAX_SEED)


def real_number(x: object, what: str, strict: bool = True) -> float:
    """``x`` as a float if a finite number > 0 (>= 0 unless ``strict``), else one line."""
    if isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(float(x)):
        if float(x) > 0 or (float(x) == 0 and not strict):
            return float(x)
    kind = "a positive finite number" if strict else "a finite number >= 0"
    raise ValueError(f"{what} must be {kind}, got {short_repr(x)}")


def as_list(xs: object, what: str, allowed: str, nonempty: bool = False) -> list:
    """``xs`` (a list, tuple or numpy array, by ``tolist()``) as a list, else one line."""
    if hasattr(xs, "tolist") and not isinstance(xs, numbers.Number):
        xs = xs.tolist()
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Sequence) or (nonempty and not xs):
        raise ValueError(f"{what} must be {allowed}, got {type(xs).__name__} {short_repr(xs, 40)}")
    return list(xs)


def numbers_list(xs: object, what: str, length: int | None = None) -> list[float]:
    """``xs`` (a list, tuple or 1-d array of real numbers) as floats, else one line."""
    xs = as_list(xs, what, "a list of numbers")
    if length is not None and len(xs) != length:
        raise ValueError(f"{what} must hold {plural(length, 'number')}, got {len(xs)}")
    return [as_number(x, f"{what}[{i}]") for i, x in enumerate(xs)]


def check_labels(y: Sequence[float], func: str) -> None:
    """One line unless every label is -1 or +1 (0/1 labels get the fix)."""
    bad = [v for v in y if v not in (-1.0, 1.0)]
    if bad:
        fix = " (0/1 labels become ±1 with y = 2 * y - 1)" if set(y) <= {0.0, 1.0} else ""
        raise ValueError(f"{func}: y must hold the labels -1 and +1, got {bad[0]!r}{fix}")


def within(size: int, cap: int, what: str) -> None:
    """One line naming ``what``, its ``size`` and the ``cap`` if size > cap."""
    if size > cap:
        raise ValueError(f"{what} is {size:,}, more than the cap of {cap:,}")


def plural(n: int, word: str) -> str:
    """``1 number``, ``2 numbers``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def matmul_mismatch_message(
    func: str, left: str, left_shape: tuple[int, ...], right: str, right_shape: tuple[int, ...]
) -> str:
    """``matmul: W has shape (5, 10) and X has shape (3, 10); W's 2nd dimension (10) must equal
    X's 1st dimension (3)``."""
    nth = {1: "1st", 2: "2nd", 3: "3rd"}.get(len(left_shape), f"{len(left_shape)}th")
    return (
        f"{func}: {left} has shape {tuple(left_shape)} and {right} has shape "
        f"{tuple(right_shape)}; {left}'s {nth} dimension ({left_shape[-1]}) must equal "
        f"{right}'s 1st dimension ({right_shape[0]})"
    )


# --------------------------------------------------------------------------- analysis
@dataclass(frozen=True)
class Candidate:
    """One product, e.g. ``dD @ X.T``: its ``shape`` (None when undefined, then ``reason``
    says why), whether it ``matches`` the gradient's shape, whether it is the ``chain_rule``'s."""

    expression: str
    shape: Shape2 | None
    reason: str
    matches: bool
    chain_rule: bool

    def row(self) -> str:
        """One line of the text table."""
        if self.shape is None:
            return f"  {self.expression:<11} {self.reason}"
        marks = ("matches" if self.matches else "") + ("  <- chain rule" * self.chain_rule)
        return f"  {self.expression:<11} {str(self.shape):<10} {marks}".rstrip()


@dataclass(frozen=True)
class GradientShapeAnalysis:
    """The eight candidates for ``gradient`` ("dW" or "dX"), which must have
    ``required_shape``; ``chain_rule`` is the right product, ``formula`` its scalar rule."""

    gradient: str
    required_shape: Shape2
    candidates: tuple[Candidate, ...]
    chain_rule: str
    formula: str

    @property
    def matching(self) -> tuple[str, ...]:
        """The candidates whose shape is ``required_shape``."""
        return tuple(c.expression for c in self.candidates if c.matches)

    @property
    def ambiguous(self) -> bool:
        """More than one candidate has the required shape."""
        return len(self.matching) > 1

    @property
    def verdict(self) -> str:
        """One sentence: forced by the shapes, or decided by the chain rule."""
        rule, shape, matching = self.chain_rule, self.required_shape, self.matching
        if not self.ambiguous:
            return f"only {rule} has shape {shape}: the shapes force the transpose."
        return (
            f"shape alone does not decide: {len(matching)} candidates have shape {shape} "
            f"({', '.join(matching)}); the scalar chain rule {self.formula} picks {rule}."
        )

    def __str__(self) -> str:
        verdict = textwrap.fill(self.verdict, 88, initial_indent="  => ", subsequent_indent=" " * 5)
        head = f"{self.gradient} must have shape {self.required_shape}. Candidates:"
        return "\n".join([head, *(c.row() for c in self.candidates), verdict])


@dataclass(frozen=True)
class DimensionAnalysis:
    """What :func:`dimension_analysis` found; ``print()`` it for the tables."""

    W_shape: Shape2
    X_shape: Shape2
    D_shape: Shape2
    dW: GradientShapeAnalysis
    dX: GradientShapeAnalysis

    def __str__(self) -> str:
        return (
            f"D = W @ X with W {self.W_shape} and X {self.X_shape}: D and dD have shape "
            f"{self.D_shape}.\n\n{self.dW}\n\n{self.dX}"
        )

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def dimension_analysis(W_shape: tuple[int, int], X_shape: tuple[int, int]) -> DimensionAnalysis:
    """Which products give ``dW`` (M, K) and ``dX`` (K, N) for ``D = W @ X``, by shapes alone.
    Shapes: ``W_shape = (M, K)``, ``X_shape = (K, N)`` (pairs of positive ints, equal K).

    >>> print(dimension_analysis((5, 10), (10, 3)).dW.verdict)
    only dD @ X.T has shape (5, 10): the shapes force the transpose.
    """
    W_shape, X_shape = _check_shape(W_shape, "W_shape"), _check_shape(X_shape, "X_shape")
    if W_shape[1] != X_shape[0]:
        raise ValueError(matmul_mismatch_message("dimension_analysis", "W", W_shape, "X", X_shape))
    D_shape = (W_shape[0], X_shape[1])
    dW = _analyse("dW", W_shape, {"dD": D_shape, "X": X_shape}, "dD @ X.T", "dD[i,k] * X[j,k]")
    dX = _analyse("dX", X_shape, {"W": W_shape, "dD": D_shape}, "W.T @ dD", "W[k,i] * dD[k,j]")
    return DimensionAnalysis(W_shape, X_shape, D_shape, dW, dX)


def _analyse(
    gradient: str, required: Shape2, operands: dict[str, Shape2], chain_rule: str, terms: str
) -> GradientShapeAnalysis:
    """Try the eight products of the two operands (each maybe transposed, either order)."""
    formula = f"{gradient}[i,j] = sum_k {terms}"
    first, second = operands
    variants: dict[str, Shape2] = {}
    for name, (rows, cols) in operands.items():
        variants[name], variants[f"{name}.T"] = (rows, cols), (cols, rows)
    pairs = [(a, b) for a in (first, f"{first}.T") for b in (second, f"{second}.T")]
    pairs += [(b, a) for b in (second, f"{second}.T") for a in (first, f"{first}.T")]
    candidates = []
    for left, right in pairs:
        expression = f"{left} @ {right}"
        (rows, inner_left), (inner_right, cols) = variants[left], variants[right]
        shape = (rows, cols) if inner_left == inner_right else None
        reason = "" if shape else f"undefined: {left} is {variants[left]} and {right} is "
        reason += "" if shape else f"{variants[right]}; inner dimensions {inner_left} and "
        reason += "" if shape else f"{inner_right} differ"
        fits, rule = shape == required, shape is not None and expression == chain_rule
        candidates.append(Candidate(expression, shape, reason, fits, rule))
    return GradientShapeAnalysis(gradient, required, tuple(candidates), chain_rule, formula)


def _check_shape(shape: Any, name: str) -> Shape2:
    """A pair of positive integers (tuple, list, or an array's ``.shape``), or one line."""
    ints = isinstance(shape, (tuple, list)) and len(shape) == 2
    ints = ints and all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in shape)
    if not (ints and min(shape) > 0):
        pair = "a pair of positive integers like (5, 10)"
        raise ValueError(f"dimension_analysis: {name} must be {pair}, got {short_repr(shape)}")
    return (int(shape[0]), int(shape[1]))
