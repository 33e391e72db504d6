"""The one table of operations: each gate of a circuit, defined once, in :data:`GATES`.

A gate's row holds everything the kit knows of it: the forward rule ``forward(a, b, c)`` and
the local gradients ``local(out, a, b, c) -> (∂out/∂a[, ∂out/∂b])`` (``c`` is a one-input
gate's constant, as the 1 of ``+1``; ``out`` is passed in since eˣ and σ express their slope
through it); the same two rules as Python source (``code``, ``local_code``) for staged programs;
its symbol on a drawing; its Python forms (``python[0]`` builds exactly this gate and is how a
formula prints it, with precedence ``prec``); the line of the derivative table; and, for random
tests, the constants to try, the domain where engines must agree and the distance to a kink
(where the slope is a convention: max at a tie, relu at 0). The engine, the staged
text, the drawings, the formula printer, the parser and the engine checker all read this
table: :func:`register` a new gate here and every one of them knows it.

Edge cases, decided as NumPy and PyTorch decide them: NaN flows through ``max`` and ``relu``
(their slopes there are NaN too); x⁰ is flat everywhere, also at x = 0; ∂(aᵇ)/∂b = aᵇ·ln a for
a > 0, 0 at a = 0, NaN for a < 0; expanded σ at x ≤ −710 gives NaN on x (0·∞), the one-gate σ
the true slope 0.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backprop_kit.core.text import format_number

Forward = Callable[[float, float, Any], float]  # c: the constant, or None
Local = Callable[[float, float, float, Any], tuple[float, ...]]


def as_number(x: object, what: str = "Value") -> float:
    """``x`` as a float (a plain one: numpy's float64 would leak into every result), or a
    one-line error saying what is allowed."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{what} needs a real number (int or float), got {type(x).__name__} {x!r:.60}"
        )
    try:
        return float(x)
    except OverflowError:
        digits = f"an int of {len(str(abs(int(x))))} digits" if isinstance(x, int) else repr(x)
        raise ValueError(
            f"{what} needs a number a float can hold (|x| < 1.8e308), got {digits}"
        ) from None


def _everywhere(a: float, b: float, c: Any) -> bool:
    return True


@dataclass(frozen=True)
class Gate:
    """One row of the table (see the module docstring); ``{a}``, ``{b}``, ``{c}``, ``{out}``
    stand for the inputs, the constant and the output in every template."""

    name: str  # as stored in Value.op
    symbol: str  # drawn on the gate; {c} is filled in
    arity: int  # 1 or 2 inputs (a one-input gate may carry a constant c)
    forward: Forward
    local: Local
    code: str  # the forward rule as Python
    local_code: tuple[str, ...]  # each local gradient as Python
    formula: str  # the line of the derivative table
    python: tuple[str, ...]  # Python forms; [0] builds exactly this gate
    prec: int = 4  # precedence of python[0]: 1 + -, 2 * / unary -, 3 **, 4 a call
    consts: tuple[float, ...] = ()  # constants random tests try (gates with a constant)
    domain: Callable[[float, float, Any], bool] = _everywhere  # where engines must agree
    kink: Callable[[float, float, Any], float] | None = None  # distance to where no slope exists

    def label(self, c: float | None = None) -> str:
        """The symbol drawn on the gate, with its constant filled in (``+1``, ``*-1``)."""
        return self.symbol if c is None else self.symbol.format(c=format_number(c, "exact"))

    @property
    def call(self) -> str | None:
        """The function name of a call form such as ``exp({a})`` (None for operators)."""
        head = self.python[0].split("(", 1)[0]
        return head if head.isidentifier() else None


def _exp(x: float) -> float:
    """eˣ, giving ``inf`` instead of raising OverflowError (IEEE behaviour)."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def sigmoid_of(x: Any) -> Any:
    """σ(x) = 1 / (1 + e⁻ˣ), the kit's one σ: of a number (``math.exp``) or of each entry of a
    numpy array, same shape (``np.exp``, found in ``sys.modules``: an array means numpy is
    loaded). x < −709 gives 0, no warning."""
    np = sys.modules.get("numpy") if type(x) is not float else None
    if np is None or not isinstance(x, np.ndarray):
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


def _far_from_0(x: float) -> bool:
    return abs(x) > 1e-3


def _moderate(x: float) -> bool:
    return abs(x) < 1e3


# fmt: off
GATES: dict[str, Gate] = {g.name: g for g in (
    # --- the gates of the notes' first chapters -----------------------------------------
    Gate("add", "+", 2, lambda a, b, c: a + b, lambda out, a, b, c: _ONE_ONE,
         "{a} + {b}", ("1", "1"), "f(x, y) = x + y  →  ∂f/∂x = 1,  ∂f/∂y = 1",
         ("{a} + {b}",), prec=1),
    Gate("mul", "*", 2, lambda a, b, c: a * b, lambda out, a, b, c: (b, a),
         "{a} * {b}", ("{b}", "{a}"), "f(x, y) = x·y  →  ∂f/∂x = y,  ∂f/∂y = x",
         ("{a} * {b}",), prec=2),
    Gate("max", "max", 2, lambda a, b, c: nan_max(a, b), _max_local, "max({a}, {b})",
         ("(math.nan if math.isnan({a}) or math.isnan({b}) else float({a} >= {b}))",
          "(math.nan if math.isnan({a}) or math.isnan({b}) else float({b} >= {a}))"),
         "f(x, y) = max(x, y)  →  ∂f/∂x = 𝟙(x ≥ y),  ∂f/∂y = 𝟙(y ≥ x)",
         ("max({a}, {b})",), kink=lambda a, b, c: abs(a - b)),
    # --- the derivative table of the sigmoid chapter ------------------------------------
    Gate("inv", "1/x", 1, lambda a, b, c: _inv(a), lambda out, a, b, c: (_neg_recip(a * a),),
         "1.0 / {a}", ("-1.0 / ({a} * {a})",), "f(x) = 1/x  →  df/dx = −1/x²",
         ("1 / {a}",), prec=2, domain=lambda a, b, c: _far_from_0(a) and _moderate(1 / a)),
    Gate("addc", "+{c}", 1, lambda a, b, c: c + a, lambda out, a, b, c: _ONE,
         "{c} + {a}", ("1",), "f_c(x) = c + x  →  df/dx = 1",
         ("{a} + {c}", "{c} + {a}", "{c} - {a}"), prec=1, consts=(2.0, -3.0)),
    Gate("exp", "exp", 1, lambda a, b, c: _exp(a), lambda out, a, b, c: (out,),
         "math.exp({a})", ("{out}",), "f(x) = eˣ  →  df/dx = eˣ",
         ("exp({a})",), domain=lambda a, b, c: a < 20),
    Gate("log", "log", 1, lambda a, b, c: _log(a), lambda out, a, b, c: (1.0 / a,),
         "math.log({a})", ("1.0 / {a}",), "f(x) = ln x  →  df/dx = 1/x",
         ("log({a})",), domain=lambda a, b, c: a > 1e-3),
    Gate("scale", "*{c}", 1, lambda a, b, c: c * a, lambda out, a, b, c: (c,),
         "{c} * {a}", ("{c}",), "f_a(x) = a·x  →  df/dx = a",
         ("{c} * {a}", "{a} * {c}", "{c} / {a}"), prec=2, consts=(2.0, -3.0, 0.5),
         domain=lambda a, b, c: _far_from_0(a) and _moderate(1 / a)),
    Gate("sigmoid", "σ", 1, lambda a, b, c: sigmoid_of(a),
         lambda out, a, b, c: ((1.0 - out) * out,),
         "1.0 / (1.0 + math.exp(-{a}))", ("(1.0 - {out}) * {out}",),
         "σ(x) = 1/(1 + e⁻ˣ)  →  dσ/dx = (1 − σ(x))·σ(x)", ("sigmoid({a})",)),
    # --- the rest of the operators a learner will type ----------------------------------
    Gate("sub", "-", 2, lambda a, b, c: a - b, lambda out, a, b, c: (1.0, -1.0),
         "{a} - {b}", ("1", "-1"), "f(x, y) = x − y  →  ∂f/∂x = 1,  ∂f/∂y = −1",
         ("{a} - {b}",), prec=1),
    Gate("div", "/", 2, lambda a, b, c: _div(a, b),
         lambda out, a, b, c: (1.0 / b, -out / b),  # −a/b² as −(a/b)/b: no b² to underflow
         "{a} / {b}", ("1.0 / {b}", "-{out} / {b}"),
         "f(x, y) = x/y  →  ∂f/∂x = 1/y,  ∂f/∂y = −x/y²",
         ("{a} / {b}",), prec=2, domain=lambda a, b, c: _far_from_0(b) and _moderate(a / b)),
    Gate("divc", "/{c}", 1, lambda a, b, c: _div(a, c), lambda out, a, b, c: (1.0 / c,),
         "{a} / {c}", ("1.0 / {c}",), "f_c(x) = x/c  →  df/dx = 1/c",
         ("{a} / {c}",), prec=2, consts=(2.0, -4.0)),
    Gate("neg", "-x", 1, lambda a, b, c: -a, lambda out, a, b, c: (-1.0,),
         "-{a}", ("-1",), "f(x) = −x  →  df/dx = −1", ("-{a}",), prec=2),
    Gate("powc", "**{c}", 1, lambda a, b, c: _pow(a, c),
         lambda out, a, b, c: (_power_slope(a, c),),
         "{a} ** {c}", ("{c} * {a} ** ({c} - 1)",), "f_n(x) = xⁿ  →  df/dx = n·xⁿ⁻¹",
         ("{a} ** {c}",), prec=3, consts=(2.0, 3.0, -1.0),
         domain=lambda a, b, c: (c > 0 or _far_from_0(a)) and _moderate(a) and _moderate(a**c)),
    Gate("pow", "**", 2, lambda a, b, c: _pow(a, b), _pow_local, "{a} ** {b}",
         ("({b} * {a} ** ({b} - 1) if {b} else 0.0)",
          "({out} * math.log({a}) if {a} > 0 else 0.0 if {a} == 0 else math.nan)"),
         "f(x, y) = xʸ  →  ∂f/∂x = y·xʸ⁻¹,  ∂f/∂y = xʸ·ln x",
         ("{a} ** {b}",), prec=3,
         domain=lambda a, b, c: 0.1 < a < 10 and abs(b) < 4),
    Gate("tanh", "tanh", 1, lambda a, b, c: math.tanh(a),
         lambda out, a, b, c: (1.0 - out**2,),
         "math.tanh({a})", ("1.0 - {out}**2",), "f(x) = tanh x  →  df/dx = 1 − tanh²x",
         ("tanh({a})",)),
    Gate("relu", "relu", 1, lambda a, b, c: 0.0 if a <= 0 else a, _relu_local,
         "(0.0 if {a} <= 0 else {a})", ("(math.nan if math.isnan({a}) else float({a} > 0))",),
         "f(x) = max(0, x)  →  df/dx = 𝟙(x > 0)", ("relu({a})",), kink=lambda a, b, c: abs(a)),
)}
# fmt: on


def register(gate: Gate) -> Gate:
    """Add a gate to the table (a new name; a call form ``name({a})`` to be typed in formulas):
    the engine (``Value.apply``), drawings, staged programs, ``parse`` and the engine checker
    then know it. Returns the gate."""
    if not isinstance(gate, Gate):
        raise TypeError(f"register needs a Gate, got {type(gate).__name__}")
    if not (isinstance(gate.name, str) and gate.name.isidentifier()):
        raise ValueError(f"a gate's name must be an identifier such as 'sin', got {gate.name!r}")
    if gate.name in GATES:
        raise ValueError(f"a gate named {gate.name!r} is in the table already")
    if type(gate.arity) is not int or gate.arity not in (1, 2):
        raise ValueError(f"a gate has 1 or 2 inputs, not {gate.arity!r}")
    if not gate.python or not all(isinstance(f, str) for f in gate.python):
        raise ValueError(f"gate {gate.name!r} needs its Python forms, such as ('sin({{a}})',)")
    if len(gate.local_code) != gate.arity:
        raise ValueError(f"gate {gate.name!r} has {gate.arity} input(s): one local_code each")
    c = gate.consts[0] if gate.consts else None
    try:  # one try of the rules at 0.5 (a rule that fails there is left to its first real use)
        got = len(gate.local(gate.forward(0.5, 0.5, c), 0.5, 0.5, c))
    except Exception:
        got = gate.arity
    if got != gate.arity:
        raise ValueError(
            f"gate {gate.name!r} has {gate.arity} input(s) but local gave {got} slopes"
        )
    taken = {g.call for g in GATES.values()} - {None}
    if gate.call in taken:
        raise ValueError(f"{gate.call}(...) already writes another gate; pick another name")
    GATES[gate.name] = gate
    return gate


def unregister(name: str) -> None:
    """Take a gate that :func:`register` added out of the table again (the built-in gates stay)."""
    if name in _BUILT_IN:
        raise ValueError(f"{name!r} is a built-in gate; only registered gates can be removed")
    GATES.pop(name, None)


_BUILT_IN = frozenset(GATES)


def derivative_table(names: tuple[str, ...] = ("inv", "addc", "exp", "scale")) -> str:
    """The derivative table of the sigmoid chapter, one gate a line, from :data:`GATES`.

    The default rows are the notes' table: 1/x, c + x, eˣ and a·x.
    """
    unknown = [n for n in names if n not in GATES]
    if unknown:
        known = ", ".join(GATES)
        raise ValueError(f"derivative_table: unknown gate {unknown[0]!r}; known gates: {known}")
    return "\n".join(GATES[n].formula for n in names)
