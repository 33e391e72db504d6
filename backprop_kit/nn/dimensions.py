"""Dimension analysis for the matrix-multiply gate ``D = W @ X`` (chapter 7).

The CS231n notes point out that you rarely need to derive ``dW = dD @ X.T`` and
``dX = W.T @ dD`` from scratch: the gradient of a variable has the variable's shape,
and there is usually only one way to multiply ``dD`` with the other operand (with or
without transposes) that gives that shape.

:func:`dimension_analysis` makes that argument visible. With ``W`` of shape ``(M, K)``
and ``X`` of shape ``(K, N)``, ``D`` and ``dD`` have shape ``(M, N)`` and

* ``dW`` must have shape ``(M, K)``. Of the eight products of ``dD`` (or ``dD.T``)
  with ``X`` (or ``X.T``), in either order, the table shows which are defined and
  which have shape ``(M, K)``;
* ``dX`` must have shape ``(K, N)``; the same table for ``W`` and ``dD``.

When several candidates have the right shape (square shapes, for example) shape alone
does not decide: the correct product is the one the scalar chain rule gives,
``dW[i, j] = sum_k dD[i, k] * X[j, k]``, i.e. ``dD @ X.T``, and
``dX[i, j] = sum_k W[k, i] * dD[k, j]``, i.e. ``W.T @ dD``.

This module only looks at shapes; it needs no arrays and imports nothing but the
standard library.
"""

from __future__ import annotations

import numbers
import textwrap
from dataclasses import dataclass
from typing import Any

Shape2 = tuple[int, int]

__all__ = [
    "Candidate",
    "DimensionAnalysis",
    "GradientShapeAnalysis",
    "dimension_analysis",
    "matmul_mismatch_message",
]


def matmul_mismatch_message(
    func: str, left: str, left_shape: tuple[int, ...], right: str, right_shape: tuple[int, ...]
) -> str:
    """The one-line error for ``left @ right`` whose inner dimensions disagree.

    Example: ``matmul: W has shape (5, 10) and X has shape (3, 10); W's 2nd dimension
    (10) must equal X's 1st dimension (3)``.
    """
    return (
        f"{func}: {left} has shape {tuple(left_shape)} and {right} has shape "
        f"{tuple(right_shape)}; {left}'s {_ordinal(len(left_shape))} dimension "
        f"({left_shape[-1]}) must equal {right}'s 1st dimension ({right_shape[0]})"
    )


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


@dataclass(frozen=True)
class Candidate:
    """One candidate product, e.g. ``dD @ X.T``.

    ``shape`` is the product's shape, or ``None`` when the product is undefined; then
    ``reason`` says why (the inner dimensions differ). ``matches`` is true when the shape
    equals the gradient's required shape; ``chain_rule`` marks the product that the
    scalar chain rule gives (always one of the matching ones).
    """

    expression: str
    shape: Shape2 | None
    reason: str
    matches: bool
    chain_rule: bool

    def row(self) -> str:
        """One line of the text table."""
        if self.shape is None:
            return f"  {self.expression:<11} {self.reason}"
        marks = "matches" if self.matches else ""
        if self.chain_rule:
            marks += "  <- chain rule"
        return f"  {self.expression:<11} {str(self.shape):<10} {marks}".rstrip()


@dataclass(frozen=True)
class GradientShapeAnalysis:
    """Which products of the upstream gradient with the other operand give one gradient.

    ``gradient`` is ``"dW"`` or ``"dX"``; ``required_shape`` is the shape it must have
    (that of ``W`` or ``X``); ``candidates`` lists the eight products; ``chain_rule`` is
    the correct product and ``formula`` the scalar chain rule it implements.
    """

    gradient: str
    required_shape: Shape2
    candidates: tuple[Candidate, ...]
    chain_rule: str
    formula: str

    @property
    def matching(self) -> tuple[str, ...]:
        """Expressions of the candidates whose shape equals ``required_shape``."""
        return tuple(c.expression for c in self.candidates if c.matches)

    @property
    def ambiguous(self) -> bool:
        """True when more than one candidate has the required shape."""
        return len(self.matching) > 1

    @property
    def verdict(self) -> str:
        """One sentence: forced by the shapes, or decided by the chain rule."""
        if not self.ambiguous:
            return (
                f"only {self.chain_rule} has shape {self.required_shape}: "
                f"the shapes force the transpose."
            )
        return (
            f"shape alone does not decide: {len(self.matching)} candidates have shape "
            f"{self.required_shape} ({', '.join(self.matching)}); the scalar chain rule "
            f"{self.formula} picks {self.chain_rule}."
        )

    def __str__(self) -> str:
        lines = [f"{self.gradient} must have shape {self.required_shape}. Candidates:"]
        lines += [c.row() for c in self.candidates]
        lines.append(
            textwrap.fill(self.verdict, 88, initial_indent="  => ", subsequent_indent="     ")
        )
        return "\n".join(lines)


@dataclass(frozen=True)
class DimensionAnalysis:
    """The result of :func:`dimension_analysis`; ``print()`` it for the tables."""

    W_shape: Shape2
    X_shape: Shape2
    D_shape: Shape2
    dW: GradientShapeAnalysis
    dX: GradientShapeAnalysis

    def __str__(self) -> str:
        header = (
            f"D = W @ X with W {self.W_shape} and X {self.X_shape}: "
            f"D and dD have shape {self.D_shape}."
        )
        return f"{header}\n\n{self.dW}\n\n{self.dX}"

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        """Show the tables when a notebook cell ends with this object."""
        p.text(str(self))


def dimension_analysis(W_shape: tuple[int, int], X_shape: tuple[int, int]) -> DimensionAnalysis:
    """Which products give ``dW`` and ``dX`` for ``D = W @ X``, judged by shapes alone.

    Shapes: ``W_shape = (M, K)``, ``X_shape = (K, N)``; then ``D``, ``dD`` are ``(M, N)``,
    ``dW`` must be ``(M, K)`` and ``dX`` must be ``(K, N)``.

    For ``dW`` the candidates are ``A @ B`` with ``A, B`` one each of ``dD``/``dD.T`` and
    ``X``/``X.T`` in either order (eight products); for ``dX`` the same with ``W``. Each
    candidate gets its shape, or the reason it is undefined, and whether it matches the
    required shape. The chain-rule products ``dD @ X.T`` and ``W.T @ dD`` always match;
    when others match too (e.g. square shapes) the result says the shapes are ambiguous.

    Raises ``ValueError`` (one line) when a shape is not a pair of positive integers or
    when ``K`` differs between the two shapes.

    >>> print(dimension_analysis((5, 10), (10, 3)).dW.verdict)
    only dD @ X.T has shape (5, 10): the shapes force the transpose.
    """
    W_shape = _check_shape(W_shape, "W_shape")
    X_shape = _check_shape(X_shape, "X_shape")
    if W_shape[1] != X_shape[0]:
        raise ValueError(matmul_mismatch_message("dimension_analysis", "W", W_shape, "X", X_shape))
    D_shape = (W_shape[0], X_shape[1])
    dW = _analyse(
        "dW",
        W_shape,
        {"dD": D_shape, "X": X_shape},
        chain_rule="dD @ X.T",
        formula="dW[i,j] = sum_k dD[i,k] * X[j,k]",
    )
    dX = _analyse(
        "dX",
        X_shape,
        {"W": W_shape, "dD": D_shape},
        chain_rule="W.T @ dD",
        formula="dX[i,j] = sum_k W[k,i] * dD[k,j]",
    )
    return DimensionAnalysis(W_shape, X_shape, D_shape, dW, dX)


def _analyse(
    gradient: str, required: Shape2, operands: dict[str, Shape2], chain_rule: str, formula: str
) -> GradientShapeAnalysis:
    """Try the eight products of the two operands (each maybe transposed, either order)."""
    first, second = operands
    variants: dict[str, Shape2] = {}
    for name, (rows, cols) in operands.items():
        variants[name] = (rows, cols)
        variants[f"{name}.T"] = (cols, rows)
    pairs = [(a, b) for a in (first, f"{first}.T") for b in (second, f"{second}.T")]
    pairs += [(b, a) for b in (second, f"{second}.T") for a in (first, f"{first}.T")]
    candidates = []
    for left, right in pairs:
        expression = f"{left} @ {right}"
        (rows, inner_left), (inner_right, cols) = variants[left], variants[right]
        if inner_left != inner_right:
            reason = (
                f"undefined: {left} is {variants[left]} and {right} is {variants[right]}; "
                f"inner dimensions {inner_left} and {inner_right} differ"
            )
            candidates.append(Candidate(expression, None, reason, False, False))
        else:
            shape = (rows, cols)
            candidates.append(
                Candidate(expression, shape, "", shape == required, expression == chain_rule)
            )
    return GradientShapeAnalysis(gradient, required, tuple(candidates), chain_rule, formula)


def _check_shape(shape: Any, name: str) -> Shape2:
    """Accept a pair of positive integers (tuple, list, or an array's ``.shape``)."""
    ok = (
        isinstance(shape, (tuple, list))
        and len(shape) == 2
        and all(isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in shape)
        and all(n > 0 for n in shape)
    )
    if not ok:
        raise ValueError(
            f"dimension_analysis: {name} must be a pair of positive integers like (5, 10), "
            f"got {short_repr(shape)}"
        )
    return (int(shape[0]), int(shape[1]))


def short_repr(value: object, limit: int = 60) -> str:
    """``repr(value)`` squeezed onto one line and cut to ``limit`` characters (for errors)."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
