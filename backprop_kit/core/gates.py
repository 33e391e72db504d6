"""The elementary gates of a circuit, each defined exactly once.

A gate is a tiny function with two rules, written side by side:

* ``forward(a, b, c)`` computes the gate's output from its inputs ``a`` (and ``b`` for
  two-input gates) and its constant ``c`` (the 1 of ``+1``, the -1 of ``*-1``; ``None`` when
  the gate has none);
* ``local(out, a, b, c)`` returns the *local gradients* ∂out/∂a (and ∂out/∂b), one per input.
  ``out`` is passed in because some gates express their gradient through their own output
  (e.g. d eˣ/dx = eˣ, dσ/dz = (1 − σ)σ).

The same two rules are also written as Python source templates (``code`` and ``local_code``)
so that :mod:`staged` can print a staged program that performs *exactly* the same
float operations as :meth:`Value.backward`; ``formula`` is the text of the derivative table
and ``symbol`` is what a circuit diagram writes on the gate.

Templates use ``{a}``, ``{b}`` for the inputs, ``{out}`` for the output and ``{c}`` for the
constant.

Edge cases, decided as NumPy and PyTorch decide them (engine, staged text, drawings and the
explorers' readouts all read these rules, so they agree):

* **NaN flows through.** ``max`` and ``relu`` return NaN when an input is NaN (as
  ``np.maximum`` and ``torch.maximum``/``torch.relu`` do, whichever side the NaN is on), and
  their local gradients there are NaN too, so a NaN is never hidden behind a 0 or a 1.
  (A staged program writes the max gate as ``max(a, b)`` and runs it as :func:`nan_max`.)
* **x⁰.** ``x ** 0`` is 1 everywhere, so its slope is 0 everywhere, also at x = 0 (PyTorch
  masks the exponent-0 case the same way); the same for the two-input ``**`` with b = 0.
* **∂(aᵇ)/∂b = aᵇ·ln a** exists for a > 0; at a = 0 (b > 0) the output stays 0, slope 0
  (PyTorch's rule); for a < 0 aᵇ is real only at integer b, so there is no slope in b: NaN
  (PyTorch gives NaN too), never a silent 0.
* **σ expanded at x ≤ −710.** e⁻ˣ overflows to inf, 1/x then has the slope −1/inf² = −0, and
  the exp gate multiplies it by its local gradient inf: 0·∞ = NaN on x, as PyTorch's autograd
  gives for ``1 / (1 + torch.exp(-x))``. The one-gate σ gives the true slope 0 there
  (dσ/dx = (1 − σ)σ never overflows): that is why libraries fuse σ into one gate. A drawing of
  σ expanded shows that NaN, and so does the explorer's readout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from backprop_kit.core.text import format_number

Real = TypeVar("Real", float, np.ndarray)
Forward = Callable[[float, float, Any], float]  # c: the constant, or None
Local = Callable[[float, float, float, Any], tuple[float, ...]]


@dataclass(frozen=True)
class Gate:
    """One elementary gate: its forward rule and its local-gradient rule.

    Attributes:
        name: the gate's name, as stored in ``Value.op`` (e.g. ``"mul"``).
        symbol: what a circuit diagram writes on the gate (``"*"``); ``{c}`` is filled in.
        arity: number of inputs (1 or 2).
        forward: ``forward(a, b, c) -> out``.
        local: ``local(out, a, b, c) -> (∂out/∂a,)`` or ``(∂out/∂a, ∂out/∂b)``.
        code: Python source of the forward rule, e.g. ``"{a} * {b}"``.
        local_code: Python source of each local gradient, e.g. ``("{b}", "{a}")``.
        formula: the rule as a learner reads it in a derivative table.
    """

    name: str
    symbol: str
    arity: int
    forward: Forward
    local: Local
    code: str
    local_code: tuple[str, ...]
    formula: str

    def label(self, c: float | None = None) -> str:
        """The symbol drawn on the gate, with its constant filled in (``+1``, ``*-1``)."""
        if c is None:
            return self.symbol
        return self.symbol.format(c=format_number(c, "exact"))


def _exp(x: float) -> float:
    """eˣ, giving ``inf`` instead of raising OverflowError (IEEE behaviour)."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def sigmoid_of(x: Real) -> Real:
    """σ(x) = 1 / (1 + e⁻ˣ), the kit's one σ: of a number (the σ gate; ``math.exp``) or of each
    entry of an array, same shape (``np.exp``: may differ in the last bit). x < −709 gives 0, no
    warning. Floats first, ``math.exp`` inlined: the σ gate is as fast as ``1/(1 + exp(-x))``."""
    if type(x) is float or not isinstance(x, np.ndarray):
        try:
            e = math.exp(-x)
        except OverflowError:
            e = math.inf
    else:
        with np.errstate(over="ignore"):
            e = np.exp(-x)
    return 1.0 / (1.0 + e)


def _pow(a: float, b: float) -> float:
    """aᵇ for real numbers, with the errors a learner should see (see :func:`check_pow`)."""
    check_pow(a, b)
    try:
        return a**b
    except OverflowError:
        return math.inf if a > 0 or float(b) % 2 == 0 else -math.inf


def check_pow(a: float, b: float) -> None:
    """Raise a clear error where aᵇ has no real value: a < 0 with a non-integer b, 0 to b < 0."""
    if a < 0 and not float(b).is_integer() and math.isfinite(b):
        raise ValueError(
            f"pow gate: negative base {a!r} to the non-integer exponent {b!r} has no real value; "
            "use a positive base or an integer exponent"
        )
    if a == 0 and b < 0:
        raise ZeroDivisionError(
            f"pow gate: 0 to the negative exponent {b!r} is division by zero; "
            "the base must be non-zero"
        )


def _pow_grad(a: float, b: float) -> float:
    """aᵇ inside a local gradient: at a = 0 with b < 0 the slope is infinite (IEEE: inf)."""
    if a == 0 and b < 0:
        return math.inf
    return _pow(a, b)


def _neg_recip(sq: float) -> float:
    """−1/sq for the slopes of 1/x and x/y. A square that underflowed to 0 gives −inf (IEEE)
    instead of Python's ZeroDivisionError; ``a * a`` rather than ``a**2`` overflows to inf
    instead of raising OverflowError."""
    return -1.0 / sq if sq else -math.inf


def _inv(x: float) -> float:
    if x == 0:
        raise ZeroDivisionError("1/x gate: x is 0 and 1/0 is undefined; the input must be non-zero")
    return 1.0 / x


def _div(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(
            f"div gate: dividing {a!r} by 0 is undefined; the denominator must be non-zero"
        )
    return a / b


def _log(x: float) -> float:
    if not x > 0:
        raise ValueError(f"log gate: log({x!r}) is undefined; the input must be > 0")
    return math.log(x)


def _power_slope(a: float, n: float) -> float:
    """d(xⁿ)/dx = n·xⁿ⁻¹ at x = a; 0 for n = 0 (x⁰ = 1 is flat, also at x = 0)."""
    return 0.0 if n == 0 else n * _pow_grad(a, n - 1)


def _pow_local(out: float, a: float, b: float, c: float) -> tuple[float, float]:
    # ∂(aᵇ)/∂b = aᵇ·ln a exists only for a > 0; at a = 0 (b > 0) the output does not move;
    # for a < 0 there is no slope in b (aᵇ is real only at integer b): NaN.
    dyb = out * math.log(a) if a > 0 else (0.0 if a == 0 else math.nan)
    return (_power_slope(a, b), dyb)


def nan_max(a: float, b: float) -> float:
    """max(a, b) as Python's ``max(a, b)`` (a at a tie), but NaN if either input is NaN
    (Python's own ``max(1.0, nan)`` is 1.0). Staged programs run their ``max`` as this."""
    return b if b > a or b != b else a


def _max_local(out: float, a: float, b: float, c: float) -> tuple[float, float]:
    if a != a or b != b:
        return (math.nan, math.nan)
    return (float(a >= b), float(b >= a))


def _relu_local(out: float, a: float, b: float, c: float) -> tuple[float]:
    return (1.0 if a > 0 else 0.0 if a <= 0 else math.nan,)


_ONE = (1.0,)
_ONE_ONE = (1.0, 1.0)

# fmt: off
GATES: dict[str, Gate] = {g.name: g for g in (
    # --- the gates of the notes' first chapters -----------------------------------------
    Gate("add", "+", 2,
         lambda a, b, c: a + b,
         lambda out, a, b, c: _ONE_ONE,
         "{a} + {b}", ("1", "1"),
         "f(x, y) = x + y  →  ∂f/∂x = 1,  ∂f/∂y = 1"),
    Gate("mul", "*", 2,
         lambda a, b, c: a * b,
         lambda out, a, b, c: (b, a),
         "{a} * {b}", ("{b}", "{a}"),
         "f(x, y) = x·y  →  ∂f/∂x = y,  ∂f/∂y = x"),
    Gate("max", "max", 2,
         lambda a, b, c: nan_max(a, b),
         _max_local,
         "max({a}, {b})",
         ("(math.nan if math.isnan({a}) or math.isnan({b}) else float({a} >= {b}))",
          "(math.nan if math.isnan({a}) or math.isnan({b}) else float({b} >= {a}))"),
         "f(x, y) = max(x, y)  →  ∂f/∂x = 𝟙(x ≥ y),  ∂f/∂y = 𝟙(y ≥ x)"),
    # --- the derivative table of the sigmoid chapter ------------------------------------
    Gate("inv", "1/x", 1,
         lambda a, b, c: _inv(a),
         lambda out, a, b, c: (_neg_recip(a * a),),
         "1.0 / {a}", ("-1.0 / ({a} * {a})",),
         "f(x) = 1/x  →  df/dx = −1/x²"),
    Gate("addc", "+{c}", 1,
         lambda a, b, c: c + a,
         lambda out, a, b, c: _ONE,
         "{c} + {a}", ("1",),
         "f_c(x) = c + x  →  df/dx = 1"),
    Gate("exp", "exp", 1,
         lambda a, b, c: _exp(a),
         lambda out, a, b, c: (out,),
         "math.exp({a})", ("{out}",),
         "f(x) = eˣ  →  df/dx = eˣ"),
    Gate("scale", "*{c}", 1,
         lambda a, b, c: c * a,
         lambda out, a, b, c: (c,),
         "{c} * {a}", ("{c}",),
         "f_a(x) = a·x  →  df/dx = a"),
    Gate("sigmoid", "σ", 1,
         lambda a, b, c: sigmoid_of(a),
         lambda out, a, b, c: ((1.0 - out) * out,),
         "1.0 / (1.0 + math.exp(-{a}))", ("(1.0 - {out}) * {out}",),
         "σ(x) = 1/(1 + e⁻ˣ)  →  dσ/dx = (1 − σ(x))·σ(x)"),
    # --- the rest of the operators a learner will type ----------------------------------
    Gate("sub", "-", 2,
         lambda a, b, c: a - b,
         lambda out, a, b, c: (1.0, -1.0),
         "{a} - {b}", ("1", "-1"),
         "f(x, y) = x − y  →  ∂f/∂x = 1,  ∂f/∂y = −1"),
    Gate("div", "/", 2,
         lambda a, b, c: _div(a, b),
         lambda out, a, b, c: (1.0 / b, a * _neg_recip(b * b)),
         "{a} / {b}", ("1.0 / {b}", "{a} * (-1.0 / ({b} * {b}))"),
         "f(x, y) = x/y  →  ∂f/∂x = 1/y,  ∂f/∂y = −x/y²"),
    Gate("neg", "-x", 1,
         lambda a, b, c: -a,
         lambda out, a, b, c: (-1.0,),
         "-{a}", ("-1",),
         "f(x) = −x  →  df/dx = −1"),
    Gate("powc", "**{c}", 1,
         lambda a, b, c: _pow(a, c),
         lambda out, a, b, c: (_power_slope(a, c),),
         "{a} ** {c}", ("{c} * {a} ** ({c} - 1)",),
         "f_n(x) = xⁿ  →  df/dx = n·xⁿ⁻¹"),
    Gate("pow", "**", 2,
         lambda a, b, c: _pow(a, b),
         _pow_local,
         "{a} ** {b}",
         ("({b} * {a} ** ({b} - 1) if {b} else 0.0)",
          "({out} * math.log({a}) if {a} > 0 else 0.0 if {a} == 0 else math.nan)"),
         "f(x, y) = xʸ  →  ∂f/∂x = y·xʸ⁻¹,  ∂f/∂y = xʸ·ln x"),
    Gate("log", "log", 1,
         lambda a, b, c: _log(a),
         lambda out, a, b, c: (1.0 / a,),
         "math.log({a})", ("1.0 / {a}",),
         "f(x) = ln x  →  df/dx = 1/x"),
    Gate("tanh", "tanh", 1,
         lambda a, b, c: math.tanh(a),
         lambda out, a, b, c: (1.0 - out**2,),
         "math.tanh({a})", ("1.0 - {out}**2",),
         "f(x) = tanh x  →  df/dx = 1 − tanh²x"),
    Gate("relu", "relu", 1,
         lambda a, b, c: 0.0 if a <= 0 else a,
         _relu_local,
         "(0.0 if {a} <= 0 else {a})", ("(math.nan if math.isnan({a}) else float({a} > 0))",),
         "f(x) = max(0, x)  →  df/dx = 𝟙(x > 0)"),
)}
# fmt: on


def derivative_table(names: tuple[str, ...] = ("inv", "addc", "exp", "scale")) -> str:
    """The derivative table of the sigmoid chapter, one gate a line, from :data:`GATES`.

    The default rows are the notes' table: 1/x, c + x, eˣ and a·x.
    """
    unknown = [n for n in names if n not in GATES]
    if unknown:
        known = ", ".join(GATES)
        raise ValueError(f"derivative_table: unknown gate {unknown[0]!r}; known gates: {known}")
    return "\n".join(GATES[n].formula for n in names)
