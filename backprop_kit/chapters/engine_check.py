"""Check a learner's own scalar engine against the kit's :class:`~backprop_kit.core.engine.Value`.

A learner's engine is any class with micrograd's shape: ``Cls(x)`` makes an input, the
operators ``+ - * / **`` (number exponent), unary ``-``, numbers on either side, the methods
``tanh() relu() exp()``, ``backward()``, and the attributes ``.data`` and ``.grad``.

:func:`check_engine` finds where such an engine goes wrong:

1. **Which operations exist.** Each operation of :data:`OPS` is tried once on a small probe
   (build it, call ``backward()``). An operation whose method is missing, or raises
   ``NotImplementedError`` (the student edition's placeholder), is left out: the check only
   uses what the learner has written so far.
2. **Random expressions.** A seeded generator builds expressions of 1 to 6 gates over 1 to 3
   inputs from those operations, with forks (a wire used by several gates, ``a + a`` too).
   Each is run with both engines; every wire's ``.data`` and, after ``backward()`` on the
   output, every wire's ``.grad`` are compared.
3. **Shrinking.** The first expression on which they disagree is made as small as possible
   while it still fails: fewer gates (drop the tail, bypass a gate, replace an operand by an
   input), fewer inputs, then small integer inputs.
4. **Diagnosis.** On the smallest expression, the first wrong number in the order the passes
   reach it (forward values first, then gradients from the output back) is named in one line,
   with a hint when the pattern says why: a fork that kept one contribution (``=`` for
   ``+=``), a multiply rule that is not swapped, a missing upstream factor, a gate visited
   before its gradient was complete, an output gradient that never started at 1.

The learner's code is run only through its own class: constructor, operators, methods,
``backward()`` and attribute reads (numbers are judged by type before value); nothing a learner
typed is ever evaluated as text. An exception in it is reported as one line naming the
operation. Every call into the learner's class goes through :func:`_call`, which uses the
runner given to :func:`check_engine` (the exercise runner: a time limit that stops an endless
loop, the kit's autodiff switched off) and the time left of the whole check.

An expression is a straight-line program (:class:`Expr`): inputs, then gates in order, each
gate reading earlier wires; wire ``i < len(inputs)`` is input ``i``, the last wire is the output.
"""

from __future__ import annotations

import math
import numbers
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from backprop_kit.core.engine import Value
from backprop_kit.core.text import format_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# --- the operations a learner's engine may have ------------------------------------------------

_num = partial(format_number, fmt="g")  # a number in a sentence: 6 significant digits


@dataclass(frozen=True)
class Op:
    """One operation the checker can build with any engine, through operators only.

    Attributes:
        name: short id (``"mul"``, ``"rsub"``).
        arity: how many wires it reads (1 or 2); a constant comes on top (``consts``).
        method: the method of the learner's class it needs (``"__mul__"``).
        text: how it reads in Python, ``{a}``/``{b}`` the wires, ``{c}`` the constant.
        build: ``build(a, b, c)`` applies it to wires of any engine (``b``, ``c`` may be None).
        consts: the constants it is tried with (``()``: none).
        prec: operator precedence in ``text`` (for parentheses).
        ok: ``ok(a, b, c)`` on the kit's numbers: inside the domain where both engines must
            agree (no division by ~0, no overflow).
    """

    name: str
    arity: int
    method: str
    text: str
    build: Callable[[Any, Any, Any], Any]
    consts: tuple[float, ...] = ()
    prec: int = 4
    ok: Callable[[float, float, Any], bool] = lambda a, b, c: True


def _far_from_0(x: float) -> bool:
    return abs(x) > 1e-3


def _moderate(x: float) -> bool:
    return abs(x) < 1e3


OPS: dict[str, Op] = {
    op.name: op
    for op in (
        Op("add", 2, "__add__", "{a} + {b}", lambda a, b, c: a + b, prec=1),
        Op("mul", 2, "__mul__", "{a} * {b}", lambda a, b, c: a * b, prec=2),
        Op("addc", 1, "__add__", "{a} + {c}", lambda a, b, c: a + c, (2.0, -3.0), prec=1),
        Op("mulc", 1, "__mul__", "{a} * {c}", lambda a, b, c: a * c, (2.0, -3.0, 0.5), prec=2),
        Op("radd", 1, "__radd__", "{c} + {a}", lambda a, b, c: c + a, (2.0, -3.0), prec=1),
        Op("rmul", 1, "__rmul__", "{c} * {a}", lambda a, b, c: c * a, (2.0, -3.0, 0.5), prec=2),
        Op("neg", 1, "__neg__", "-{a}", lambda a, b, c: -a, prec=2),
        Op("sub", 2, "__sub__", "{a} - {b}", lambda a, b, c: a - b, prec=1),
        Op("rsub", 1, "__rsub__", "{c} - {a}", lambda a, b, c: c - a, (2.0,), prec=1),
        Op(
            "div",
            2,
            "__truediv__",
            "{a} / {b}",
            lambda a, b, c: a / b,
            prec=2,
            ok=lambda a, b, c: _far_from_0(b) and _moderate(a / b),
        ),
        Op(
            "rdiv",
            1,
            "__rtruediv__",
            "{c} / {a}",
            lambda a, b, c: c / a,
            (2.0,),
            prec=2,
            ok=lambda a, b, c: _far_from_0(a) and _moderate(c / a),
        ),
        Op(
            "pow",
            1,
            "__pow__",
            "{a} ** {c}",
            lambda a, b, c: a**c,
            (2.0, 3.0, -1.0),
            prec=3,
            ok=lambda a, b, c: (c > 0 or _far_from_0(a)) and _moderate(a) and _moderate(a**c),
        ),
        Op("tanh", 1, "tanh", "{a}.tanh()", lambda a, b, c: a.tanh()),
        # relu at exactly 0 is checked too: the chapter asks for 𝟙(x > 0), micrograd's rule
        Op("relu", 1, "relu", "{a}.relu()", lambda a, b, c: a.relu()),
        Op("exp", 1, "exp", "{a}.exp()", lambda a, b, c: a.exp(), ok=lambda a, b, c: a < 20),
    )
}
"""Every operation the checker knows, by name. A constant is a plain int-valued float, so
``a ** 2.0`` is what a learner's ``__pow__`` receives (micrograd accepts int and float)."""

COST = dict.fromkeys(OPS, 1) | dict.fromkeys(("sub", "div", "rsub", "rdiv"), 2)
"""How many gates an operation counts for when shrinking: ``a - b`` is ``a + (-b)`` and
``a / b`` is ``a * b**-1`` in micrograd, so a failure there is shown on simpler gates if it can."""
RANK = {name: n for n, name in enumerate(OPS)}
"""Among expressions of the same size, the one with earlier operations of :data:`OPS` wins."""

NAMES = "abcdeghkmn"  # input names (no f: the output is f)
SHARED_NAMES = "pqrstuvw"  # names of intermediate wires used more than once


# --- expressions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """One gate of an :class:`Expr`: an operation, the wires it reads and its constant."""

    op: str
    args: tuple[int, ...]
    const: float | None = None


@dataclass(frozen=True)
class Expr:
    """A straight-line expression: ``inputs`` are the numbers on the input wires; gate k
    writes wire ``len(inputs) + k``; the output is the last wire."""

    inputs: tuple[float, ...]
    gates: tuple[Gate, ...]

    @property
    def n_wires(self) -> int:
        return len(self.inputs) + len(self.gates)

    def uses(self) -> list[list[tuple[int, int]]]:
        """For each wire, the (gate index, operand position) pairs that read it."""
        used: list[list[tuple[int, int]]] = [[] for _ in range(self.n_wires)]
        for k, g in enumerate(self.gates):
            for port, w in enumerate(g.args):
                used[w].append((k, port))
        return used

    def size(self) -> tuple[float, ...]:
        """What shrinking makes smaller, most important first: gates (an operation that a
        micrograd-style engine builds from two gates, like ``a - b = a + (-b)``, counts
        twice), inputs, simpler operations, then how far the inputs are from small integers."""
        return (
            sum(COST[g.op] for g in self.gates),
            len(self.inputs),
            sum(RANK[g.op] for g in self.gates),
            sum(0.0 if float(x).is_integer() else 1.0 for x in self.inputs),
            sum(abs(x) for x in self.inputs),
            sum(abs(g.const or 0.0) for g in self.gates),
        )

    # --- text ---------------------------------------------------------------------------
    def names(self) -> dict[int, str]:
        """Names of the inputs (a, b, …) and of intermediate wires read by several gates."""
        names = {i: NAMES[i] for i in range(len(self.inputs))}
        shared = iter(SHARED_NAMES)
        for w, used in enumerate(self.uses()):
            if w >= len(self.inputs) and len(used) > 1:
                names[w] = next(shared, f"w{w}")
        return names

    def formula(self, wire: int | None = None) -> str:
        """The expression in Python syntax, e.g. ``f = p * p + a, where p = a + b``."""
        names = self.names()
        root = self.n_wires - 1 if wire is None else wire
        head = self._text(root, names, top=True)
        where = [
            f"{names[w]} = {self._text(w, names, top=True)}"
            for w in sorted(names)
            if w >= len(self.inputs) and w < root and w in self._ancestors(root)
        ]
        return f"{head} (where {'; '.join(where)})" if where else head

    def wire_name(self, w: int) -> str:
        """How the one-line report names wire ``w``: its name, or its formula."""
        names = self.names()
        if w in names:
            return names[w]
        if w == self.n_wires - 1:
            return "f"
        return self._text(w, names, top=True)

    def inputs_text(self) -> str:
        return ", ".join(f"{NAMES[i]} = {_num(x)}" for i, x in enumerate(self.inputs))

    def _text(self, w: int, names: dict[int, str], top: bool = False) -> str:
        if not top and w in names:
            return names[w]
        g = self.gates[w - len(self.inputs)]
        op = OPS[g.op]

        def operand(v: int, right: bool) -> str:
            t = self._text(v, names)
            if v in names or v < len(self.inputs):
                return t
            inner = OPS[self.gates[v - len(self.inputs)].op].prec
            tighter = (
                right
                and g.op in ("sub", "div", "rsub", "rdiv", "neg")
                or (not right and g.op == "pow")
            )
            return f"({t})" if inner < op.prec or (tighter and inner == op.prec) else t

        a = operand(g.args[0], g.op in ("rsub", "rdiv", "neg"))
        if op.text.endswith("()") and not (g.args[0] in names or g.args[0] < len(self.inputs)):
            a = f"({self._text(g.args[0], names)})"
        b = operand(g.args[1], True) if len(g.args) > 1 else ""
        return op.text.format(a=a, b=b, c=_num(g.const) if g.const is not None else "")

    def _ancestors(self, root: int) -> set[int]:
        seen, stack = {root}, [root]
        while stack:
            w = stack.pop()
            if w >= len(self.inputs):
                for v in self.gates[w - len(self.inputs)].args:
                    if v not in seen:
                        seen.add(v)
                        stack.append(v)
        return seen


def prune(expr: Expr, root: int | None = None) -> Expr:
    """The part of ``expr`` that wire ``root`` (default: the output) depends on, renumbered."""
    root = expr.n_wires - 1 if root is None else root
    keep = sorted(expr._ancestors(root))
    new = {w: i for i, w in enumerate(keep)}
    n_in = len(expr.inputs)
    inputs = tuple(expr.inputs[w] for w in keep if w < n_in)
    gates = tuple(
        replace(expr.gates[w - n_in], args=tuple(new[a] for a in expr.gates[w - n_in].args))
        for w in keep
        if w >= n_in
    )
    return Expr(inputs, gates)


# --- running an expression on an engine ----------------------------------------------------------


class LearnerError(Exception):
    """The learner's code raised (or returned something that is not a number): one line."""


@dataclass
class Run:
    """What one engine gave on one expression: the number on every wire, then every
    gradient (None where it was never computed), or the error that stopped it."""

    values: list[float] = field(default_factory=list)
    grads: list[float] = field(default_factory=list)
    error: str | None = None
    error_wire: int | None = None


def _number(obj: object, attr: str, what: str) -> float:
    """``obj.attr`` as a float, judged by type first (a bool or a string is not a number).

    The attribute is read like any call into the learner's class (it may be a property):
    within the time limit, and an exception in it becomes one line."""
    try:
        x = _call(f"reading .{attr} of {what}", lambda: getattr(obj, attr))
    except LearnerError as err:
        if "raised AttributeError" in str(err):
            raise LearnerError(f"{what} has no attribute .{attr}") from None
        raise
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise LearnerError(
            f".{attr} of {what} is {type(x).__name__} {_short_repr(x)}, expected a number"
        )
    try:
        return float(x)
    except (OverflowError, ValueError, TypeError):
        raise LearnerError(f".{attr} of {what} is a number too large for a float") from None


def _short_repr(x: object) -> str:
    """``repr(x)`` cut to 40 characters; a repr that fails says so instead of raising."""
    try:
        text = repr(x)
    except Exception:
        return "(whose repr fails)"
    return text if len(text) <= 40 else text[:39] + "…"


Runner = Callable[[Callable[[], Any], float], Any]
"""``run(fn, seconds)`` calls ``fn()`` (learner code) and stops it after ``seconds``: raises
``TimeoutError`` then, lets ``NotImplementedError`` through, and may wrap any other error in an
exception whose ``original`` attribute holds it (the exercise runner does)."""


def _direct(fn: Callable[[], Any], seconds: float) -> Any:
    return fn()


_RUN: ContextVar[tuple[Runner, float]] = ContextVar("engine_check_run", default=(_direct, math.inf))


def _call(what: str, fn: Callable[[], Any]) -> Any:
    """Run one call into the learner's class, through the runner that :func:`check_engine`
    was given, with what is left of its time; its exception becomes one LearnerError line
    naming ``what``. ``NotImplementedError`` passes through (the step is not attempted yet),
    and so does ``TimeoutError`` (the whole check stops)."""
    run, deadline = _RUN.get()
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError(what)
    try:
        return run(fn, left)
    except (NotImplementedError, LearnerError, TimeoutError):
        raise
    except RecursionError:
        raise LearnerError(f"{what} recursed too deeply (RecursionError)") from None
    except Exception as err:
        original = getattr(err, "original", err)
        first = (str(original).strip().splitlines() or [""])[0][:160]
        raise LearnerError(f"{what} raised {type(original).__name__}: {first}") from None


def build(expr: Expr, cls: type, labels: bool = False) -> list[Any]:
    """Build ``expr`` with engine ``cls``: every wire, inputs first, the output last.

    With ``labels`` (the kit's Value only), inputs are named a, b, … and the output f.
    """
    wires: list[Any] = []
    for i, x in enumerate(expr.inputs):
        if labels:
            wires.append(Value(x, label=NAMES[i]))
        else:
            wires.append(_call(f"{cls.__name__}({_num(x)})", partial(cls, x)))
    for g in expr.gates:
        op = OPS[g.op]
        a = wires[g.args[0]]
        b = wires[g.args[1]] if len(g.args) > 1 else None
        what = f"your {op.method} (computing {op.text.format(a='x', b='y', c=_num(g.const))})"
        wires.append(_call(what, partial(op.build, a, b, g.const)))
    if labels:
        wires[-1].named("f")
    return wires


def evaluate(expr: Expr, cls: type) -> Run:
    """Run ``expr`` forward and backward with engine ``cls`` (the learner's, or the kit's
    Value) and read every wire's value and gradient. A learner's error ends the run."""
    run = Run()
    try:
        wires = build(expr, cls)
        for w, v in enumerate(wires):
            run.values.append(_number(v, "data", expr.wire_name(w)))
        out = wires[-1]
        _call("your backward()", out.backward)
        for w, v in enumerate(wires):
            run.grads.append(_number(v, "grad", expr.wire_name(w)))
    except LearnerError as err:
        run.error = str(err)
    return run


def reference(expr: Expr) -> Run | None:
    """The kit's values and gradients on ``expr``, or None when a gate leaves its domain
    (see :attr:`Op.ok`)."""
    wires: list[Value] = []
    for x in expr.inputs:
        wires.append(Value(x))
    for g in expr.gates:
        op = OPS[g.op]
        a = wires[g.args[0]]
        b = wires[g.args[1]] if len(g.args) > 1 else None
        try:
            if not op.ok(a.data, b.data if b is not None else 0.0, g.const):
                return None
            out = op.build(a, b, g.const)
        except (ArithmeticError, ValueError):
            return None
        if not math.isfinite(out.data) or not _moderate(out.data):
            return None
        wires.append(out)
    wires[-1].backward()
    grads = [v.grad for v in wires]
    if not all(math.isfinite(g) and abs(g) < 1e6 for g in grads):
        return None
    return Run([v.data for v in wires], list(grads))


def local_grads(expr: Expr, k: int) -> tuple[float, ...]:
    """∂(gate k's output)/∂(each operand of gate k), by the kit, operands taken apart
    (``a + a`` gives (1, 1))."""
    ref = reference(prune(expr, len(expr.inputs) + k))
    assert ref is not None
    g = expr.gates[k]
    xs = [Value(ref_value(expr, a)) for a in g.args]
    out = OPS[g.op].build(xs[0], xs[1] if len(xs) > 1 else None, g.const)
    out.backward()
    return tuple(x.grad for x in xs)


def ref_value(expr: Expr, w: int) -> float:
    """The kit's value on wire ``w`` of ``expr``."""
    ref = reference(prune(expr, w))
    assert ref is not None
    return ref.values[-1]


# --- comparing ------------------------------------------------------------------------------------


def close(got: float | None, want: float, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """``got`` equals ``want`` up to float rounding (``None`` never does)."""
    if got is None:
        return False
    return math.isclose(got, want, rel_tol=rel, abs_tol=abs_tol)


@dataclass(frozen=True)
class Mismatch:
    """The first place where a learner's engine disagrees with the kit on ``expr``.

    ``kind`` is "error" (the learner's code raised; ``message`` says where), "value" (a
    forward value on ``wire``) or "grad" (a gradient on ``wire``)."""

    expr: Expr
    kind: str
    wire: int | None
    theirs: Run
    right: Run
    message: str = ""


def compare(expr: Expr, cls: type) -> Mismatch | None:
    """The first disagreement of ``cls`` with the kit on ``expr`` (None: they agree).

    Values are compared in forward order, then gradients from the output back (wires in
    reverse order: every gate's output before its operands): the first wrong gradient found
    is the one nearest to where the backward pass went wrong.
    """
    right = reference(expr)
    if right is None:
        raise ValueError(f"the expression {expr.formula()} leaves a gate's domain")
    theirs = evaluate(expr, cls)
    if theirs.error is not None and len(theirs.values) < expr.n_wires:
        return Mismatch(expr, "error", None, theirs, right, theirs.error)
    for w, (t, r) in enumerate(zip(theirs.values, right.values)):
        if not close(t, r):
            return Mismatch(expr, "value", w, theirs, right)
    if theirs.error is not None:
        return Mismatch(expr, "error", None, theirs, right, theirs.error)
    for w in reversed(range(expr.n_wires)):
        if not close(theirs.grads[w], right.grads[w]):
            return Mismatch(expr, "grad", w, theirs, right)
    return None


# --- random expressions ---------------------------------------------------------------------------

INPUT_NUMBERS = (-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0)


def random_expr(rng: random.Random, ops: Sequence[str], max_gates: int = 6) -> Expr | None:
    """A random expression of 1 … ``max_gates`` gates over 1 … 3 inputs, using ``ops``; an
    operand is often a wire that is already used (a fork). None if no valid one was found."""
    n_in = rng.randint(1, 3)
    inputs = tuple(
        rng.choice(INPUT_NUMBERS) + rng.choice((0.0, 0.0, 0.25, -0.125)) for _ in range(n_in)
    )
    n_gates = rng.randint(1, max_gates)
    expr = Expr(inputs, ())
    for _ in range(n_gates):
        for _try in range(8):
            op = OPS[rng.choice(ops)]
            n = expr.n_wires
            # favour recent wires, so the expression is deep rather than wide
            pick = [max(0, n - 1 - int(rng.expovariate(0.7))) for _ in range(op.arity)]
            const = rng.choice(op.consts) if op.consts else None
            cand = Expr(inputs, expr.gates + (Gate(op.name, tuple(pick), const),))
            if reference(cand) is not None:
                expr = cand
                break
    return prune(expr) if expr.gates else None


# --- shrinking ------------------------------------------------------------------------------------

SMALL_NUMBERS = (1.0, 2.0, -1.0, 3.0, -2.0, 0.5, -3.0, 4.0)


def _candidates(expr: Expr) -> Iterator[Expr]:
    """Smaller neighbours of ``expr``: fewer gates first, then simpler numbers."""
    n_in, n = len(expr.inputs), expr.n_wires
    # a sub-expression on its own
    for w in range(n_in, n - 1):
        yield prune(expr, w)
    # bypass a gate: its readers read one of its operands instead
    for k, g in enumerate(expr.gates):
        w = n_in + k
        for a in dict.fromkeys(g.args):
            yield _rewire(expr, w, a)
    # an operand replaced by an existing input or by a new input
    for k, g in enumerate(expr.gates):
        for port, a in enumerate(g.args):
            if a >= n_in:
                for i in range(n_in):
                    yield _set_arg(expr, k, port, i)
                grown = Expr(expr.inputs + (ref_value(expr, a),), expr.gates)
                yield prune(_set_arg(_shift_inputs(grown, n_in), k, port, n_in))
    # two inputs merged into one (a fork of the same number)
    for i in range(n_in):
        for j in range(i + 1, n_in):
            yield _merge_inputs(expr, i, j)
    # simpler numbers
    for i, x in enumerate(expr.inputs):
        for v in (*SMALL_NUMBERS, float(round(x))):
            if v != x and abs(v) <= max(abs(x), 1.0) + 1.0:
                yield Expr(expr.inputs[:i] + (v,) + expr.inputs[i + 1 :], expr.gates)
    for k, g in enumerate(expr.gates):
        for c in OPS[g.op].consts:
            if g.const is not None and abs(c) < abs(g.const):
                yield replace(
                    expr, gates=expr.gates[:k] + (replace(g, const=c),) + expr.gates[k + 1 :]
                )


def _rewire(expr: Expr, old: int, new: int) -> Expr:
    """Readers of wire ``old`` read ``new``; gate ``old`` is dropped (by pruning)."""
    gates = tuple(
        replace(g, args=tuple(new if a == old else a for a in g.args)) for g in expr.gates
    )
    if old == expr.n_wires - 1:
        return prune(Expr(expr.inputs, gates), new)
    return prune(Expr(expr.inputs, gates))


def _set_arg(expr: Expr, k: int, port: int, wire: int) -> Expr:
    g = expr.gates[k]
    args = g.args[:port] + (wire,) + g.args[port + 1 :]
    return prune(
        replace(expr, gates=expr.gates[:k] + (replace(g, args=args),) + expr.gates[k + 1 :])
    )


def _shift_inputs(expr: Expr, n_old: int) -> Expr:
    """``expr`` whose inputs grew by one at the end: gate wires move up by one."""
    gates = tuple(
        replace(g, args=tuple(a + 1 if a >= n_old else a for a in g.args)) for g in expr.gates
    )
    return Expr(expr.inputs, gates)


def _merge_inputs(expr: Expr, i: int, j: int) -> Expr:
    gates = tuple(replace(g, args=tuple(i if a == j else a for a in g.args)) for g in expr.gates)
    return prune(Expr(expr.inputs, gates))


TINY_INPUTS = (2.0, -3.0)


def tiny_exprs(ops: Sequence[str]) -> list[Expr]:
    """Every expression of one or two gates of ``ops`` over the inputs a = 2, b = -3 (each
    constant of an operation tried), smallest first (:meth:`Expr.size`)."""

    def gates_on(wires: Sequence[int], must: int | None) -> Iterator[Gate]:
        for name in ops:
            op = OPS[name]
            pairs = (
                [(x, y) for x in wires for y in wires] if op.arity == 2 else [(x,) for x in wires]
            )
            for args in pairs:
                if must is not None and must not in args:
                    continue
                for c in op.consts or (None,):
                    yield Gate(name, args, c)

    found: dict[Expr, None] = {}
    for g1 in gates_on((0, 1), None):
        one = prune(Expr(TINY_INPUTS, (g1,)))
        found[one] = None
        for g2 in gates_on((0, 1, 2), 2):
            found[prune(Expr(TINY_INPUTS, (g1, g2)))] = None
    return sorted((e for e in found if reference(e) is not None), key=Expr.size)


def smallest_failure(expr: Expr, fails: Callable[[Expr], bool], ops: Sequence[str]) -> Expr:
    """The smallest failing expression found from the failing ``expr``: :func:`shrink` it;
    if that leaves two gates or more, look through every smaller one- and two-gate
    expression of ``ops`` (shrinking is greedy and can stop in a local minimum)."""
    small = shrink(expr, fails)
    if len(small.gates) < 2 and small.size()[0] < 2:
        return small
    for tiny in tiny_exprs(ops):
        if tiny.size() >= small.size():
            break
        if fails(tiny):
            return shrink(tiny, fails)
    return small


def shrink(expr: Expr, fails: Callable[[Expr], bool], budget: int = 3000) -> Expr:
    """The smallest expression reached from ``expr`` by :func:`_candidates` steps on which
    ``fails`` still holds (greedy: take the first smaller failing neighbour, repeat).
    ``budget`` bounds the number of expressions tried."""
    tried = 0
    improved = True
    while improved and tried < budget:
        improved = False
        for cand in _candidates(expr):
            if not cand.gates or cand.size() >= expr.size() or reference(cand) is None:
                continue
            tried += 1
            if fails(cand):
                expr, improved = cand, True
                break
            if tried >= budget:
                break
    return expr


# --- why: the likely cause of a wrong gradient ----------------------------------------------


def simulate(
    expr: Expr,
    *,
    forward_order: bool = False,
    upstream: bool = True,
    assign: bool = False,
    swap_mul: bool = False,
) -> list[float]:
    """Every wire's gradient as an engine with the named mistakes would compute it on
    ``expr`` (each gate of ``expr`` one gate, with the kit's local gradients):

    ``forward_order`` visits the gates first to last instead of last to first; ``upstream``
    False passes the local gradient without the upstream factor; ``assign`` writes ``=``
    instead of ``+=``; ``swap_mul`` gives each input of a ``*`` gate its own value.
    """
    n_in = len(expr.inputs)
    values = reference(expr)
    assert values is not None
    grads = [0.0] * expr.n_wires
    grads[-1] = 1.0
    ks = range(len(expr.gates)) if forward_order else reversed(range(len(expr.gates)))
    for k in ks:
        g = expr.gates[k]
        local = list(local_grads(expr, k))
        if swap_mul and g.op in ("mul", "mulc", "rmul"):
            local = [values.values[a] for a in g.args]
        up = grads[n_in + k]
        for a, loc in zip(g.args, local):
            share = loc * up if upstream else loc
            grads[a] = share if assign else grads[a] + share
    return grads


MISTAKES: dict[str, dict[str, bool]] = {
    "upstream": {"upstream": False},
    "order": {"forward_order": True},
    "swap": {"swap_mul": True},
    "fork": {"assign": True},
}
"""The classic mistakes :func:`diagnose` recognises by replaying them (see :func:`simulate`)."""


def _matches(m: Mismatch, mistake: str) -> bool:
    """Does the learner's engine give, on every wire, what an engine with ``mistake`` gives?"""
    sim = simulate(m.expr, **MISTAKES[mistake])
    return all(close(t, s) for t, s in zip(m.theirs.grads, sim)) and not all(
        close(s, r) for s, r in zip(sim, m.right.grads)
    )


def diagnose(m: Mismatch, cls: type) -> str:
    """One or two sentences on the likely cause of mismatch ``m`` (see the module docstring).

    A classic mistake is named when the learner's gradients on the smallest failing
    expression are exactly what an engine with that mistake computes there (replayed by
    :func:`simulate`): a fork that kept one contribution (and the engine also fails on
    ``a + a``), a missing upstream factor, a visit out of order, a multiply rule not swapped.
    """
    expr = m.expr
    if m.kind == "error":
        return "Your code stopped with an error there; fix it and run the check again."
    w = m.wire
    assert w is not None
    n_in = len(expr.inputs)
    if m.kind == "value":
        g = expr.gates[w - n_in]
        return (
            f"The forward pass already differs: look at how your {OPS[g.op].method} computes .data."
        )
    t, r = m.theirs.grads[w], m.right.grads[w]
    if w == expr.n_wires - 1:
        return (
            "backward() must start by setting the output's own gradient to 1 "
            f"(∂f/∂f = 1); yours is {_num(t)}."
        )
    uses = expr.uses()[w]
    name = expr.wire_name(w)
    shares = [local_grads(expr, k)[port] * m.right.grads[n_in + k] for k, port in uses]
    if (
        len(uses) > 1
        and _fails_on_a_fork(cls)
        and t is not None
        and any(close(t, s) for s in shares)
    ):
        terms = " + ".join(f"({_num(s)})" for s in shares)
        return (
            f"A fork lost a contribution: {name} is used {len(uses)} times, so its gradient "
            f"is the SUM of what each use sends back, {terms} = {_num(r)}; yours kept only "
            "one. Use += (not =) when a gate passes gradient to its inputs, and keep the "
            "parents in a tuple (a set keeps the two inputs of a + a once)."
        )
    k, port = uses[0]
    g = expr.gates[k]
    up = m.right.grads[n_in + k]
    loc = local_grads(expr, k)[port]
    gate_text = expr.formula(n_in + k).split(" (where")[0]
    which = "its input" if len(g.args) == 1 else ("its first input", "its second input")[port]
    if _matches(m, "upstream"):
        return (
            f"A missing upstream factor: the gate {gate_text} must send {which} its local "
            f"gradient ({_num(loc)}) TIMES the gradient on its own output ({_num(up)}); "
            "yours sent the local gradient alone."
        )
    if _matches(m, "order"):
        return (
            f"Visited out of order: every gate on its own passes the right gradient, but here "
            f"{gate_text} passed its gradient on before it was complete. backward() must visit "
            "the gates in REVERSE topological order: the output first, and a gate only after "
            "every gate that uses its output."
        )
    if _matches(m, "swap"):
        own = m.right.values[w]
        return (
            f"A swapped multiply rule: in {gate_text} each input receives the OTHER input's "
            f"value times the upstream gradient; yours gave {name} its own value ({_num(own)})."
        )
    if len(uses) > 1:
        return (
            f"{name} is used {len(uses)} times: its gradient is the sum of what each use "
            f"sends back, {' + '.join(_num(s) for s in shares)} = {_num(r)}."
        )
    op = OPS[g.op]
    return (
        f"Look at the local gradient rule of {op.text.format(a='x', b='y', c=_num(g.const))} "
        f"(your {op.method} and the rule it records): it should send {which} "
        f"{_num(loc)} × {_num(up)} = {_num(loc * up)}."
    )


def _fails_on_a_fork(cls: type) -> bool:
    """Does ``cls`` get ``a + a`` or ``a * a`` wrong (one gate, one input used twice)?"""
    for op in ("add", "mul"):
        probe = Expr((3.0,), (Gate(op, (0, 0)),))
        if compare(probe, cls) is not None:
            return True
    return False


# --- the report ---------------------------------------------------------------------------------


@dataclass
class EngineReport:
    """What :func:`check_engine` found.

    Attributes:
        engine: the class checked.
        checked: the operations it was checked on (their Python text, ``x * y``).
        missing: operations it does not have yet (absent, or raising NotImplementedError), as
            Python text with the method that makes them: ``2 - x (__rsub__)``.
        expressions: how many expressions were compared.
        mismatch: the smallest failing expression's first disagreement (None: all agreed).
        line: one line naming the expression and the first wrong number (or the error).
        hint: the likely cause.
        stopped: why the search stopped early ("" if it ran all its expressions).
    """

    engine: type
    checked: list[str]
    missing: list[str]
    expressions: int
    mismatch: Mismatch | None = None
    line: str = ""
    hint: str = ""
    stopped: str = ""

    @property
    def ok(self) -> bool:
        return self.mismatch is None and not self.stopped and not self.line

    def summary(self) -> str:
        """One line: what was checked and the verdict."""
        ops = ", ".join(self.checked)
        if self.ok:
            text = (
                f"{self.expressions} random expressions with {ops}: every value and "
                "gradient agrees with the kit's engine."
            )
        else:
            text = f"{self.line} {self.hint}".strip()
        return f"{text} {self.left_out()}".strip()

    def left_out(self) -> str:
        """What the check could not try, as the class cannot do it ("" if nothing)."""
        if not self.missing:
            return ""
        return f"Left out, as the class cannot do them: {', '.join(self.missing)}."

    def table(self) -> str:
        """Every wire of the failing expression: its value and the right gradient, and yours
        (your values instead, when the forward pass already differs)."""
        m = self.mismatch
        if m is None or m.kind == "error":
            return ""
        expr = m.expr
        what = "value" if m.kind == "value" else "grad"
        right = m.right.values if what == "value" else m.right.grads
        theirs = m.theirs.values if what == "value" else m.theirs.grads
        rows = [f"{'wire':<16} {'value':>9} {'right grad':>11} {'your ' + what:>11}"]
        for w in range(expr.n_wires):
            name = expr.wire_name(w)
            t = theirs[w] if w < len(theirs) else None
            mark = "" if t is not None and close(t, right[w]) else "  ✗"
            rows.append(
                f"{name[:16]:<16} {m.right.values[w]:>9.4g} {m.right.grads[w]:>11.4g} "
                f"{'-' if t is None else format(t, '.4g'):>11}{mark}"
            )
        return "\n".join(rows)

    def figure(self) -> Figure | None:
        """The failing circuit drawn by the kit: values, the right gradients, and under each
        your engine's gradient (✗ and a highlight where it differs). None if nothing failed
        (or the learner's code raised)."""
        m = self.mismatch
        if m is None or m.kind == "error":
            return None
        from backprop_kit.pictures.drawing import render
        from backprop_kit.pictures.layout import Frame, WireText, place
        from backprop_kit.pictures.view import CircuitView

        wires = build(m.expr, Value, labels=True)
        for w, name in m.expr.names().items():
            if w >= len(m.expr.inputs) and w < m.expr.n_wires - 1:
                wires[w].named(name)
        root = wires[-1]
        root.backward()
        view = CircuitView(root, fmt="{:.3g}", label_rows=2)
        wire_of = {id(v): w for w, v in enumerate(wires)}
        show_grads = m.kind == "grad"
        texts = []
        for v in view.structure.nodes:
            value = view.number(v.data)
            if v.label and v.parents and v is not root:
                value = f"{v.label} = {value}"
            k = wire_of.get(id(v))
            second, wrong = None, False
            if k is not None and show_grads:
                t = m.theirs.grads[k]
                wrong = not close(t, v.grad)
                second = f"yours {view.number(t)}" + (" ✗" if wrong else "")
            elif k is not None and k < len(m.theirs.values):
                t = m.theirs.values[k]
                wrong = not close(t, v.data)
                second = f"your value {view.number(t)}" + (" ✗" if wrong else "")
            texts.append(
                WireText(
                    value,
                    view.number(v.grad) if show_grads else None,
                    second=second,
                    second_emph=wrong,
                )
            )
        legend = (
            "your engine's gradient (✗: wrong)" if show_grads else "your engine's value (✗: wrong)"
        )
        scene = place(
            view.structure, view.symbols, texts, Frame(output_name="f", second_legend=legend)
        )
        fig = render(scene)
        fig.alt_text = self.alt_text()  # type: ignore[attr-defined]  # a DescribedFigure
        return fig

    def alt_text(self) -> str:
        """The failing circuit in words (the alt text of :meth:`figure`): the verdict line,
        then each wire with its value, the right number and yours."""
        m = self.mismatch
        if m is None or m.kind == "error":
            return ""
        what = "value" if m.kind == "value" else "gradient"
        right = m.right.values if m.kind == "value" else m.right.grads
        theirs = m.theirs.values if m.kind == "value" else m.theirs.grads
        wires = []
        for w in range(m.expr.n_wires):
            t = theirs[w] if w < len(theirs) else None
            mine = "none" if t is None else format(t, ".4g")
            mark = "" if t is not None and close(t, right[w]) else " (wrong)"
            wires.append(
                f"{m.expr.wire_name(w)}: value {m.right.values[w]:.4g}, right "
                f"{what} {right[w]:.4g}, yours {mine}{mark}"
            )
        return f"The failing circuit, drawn. {self.line} Wires: " + "; ".join(wires) + "."


def available_ops(cls: type, names: Sequence[str] | None = None) -> tuple[list[str], list[str]]:
    """Which operations ``cls`` has: (usable, not yet). An operation is usable when its method
    exists and one gate of it, built and run backward, raises no ``NotImplementedError``."""
    usable, missing = [], []
    for name in names or OPS:
        op = OPS[name]
        text = op.text.format(a="x", b="y", c="2")
        if op.method.startswith("__"):  # the method that makes it: 2 - x needs __rsub__
            text += f" ({op.method})"
        if getattr(cls, op.method, None) is None:
            missing.append(text)
            continue
        probe = Expr(
            (1.5, -0.5), (Gate(name, (0, 1)[: op.arity], op.consts[0] if op.consts else None),)
        )
        try:
            evaluate(probe, cls)
        except NotImplementedError:
            missing.append(text)
            continue
        usable.append(name)
    return usable, missing


class EngineNotAttempted(NotImplementedError):
    """No operation of the learner's engine is written yet (the student edition's stubs)."""


def check_engine(
    cls: object,
    ops: Sequence[str] | None = None,
    *,
    expressions: int = 150,
    seed: int = 0,
    time_limit: float = 5.0,
    run: Runner | None = None,
) -> EngineReport:
    """Compare the engine ``cls`` with the kit's Value on random expressions (see the module
    docstring); shrink the first failure to the smallest expression and say why.

    Args:
        cls: the learner's class (``Value``-like, see the module docstring).
        ops: names of :data:`OPS` to use (default: all that ``cls`` has).
        expressions: how many random expressions to compare (after one per operation alone).
        seed: the random generator's seed (the same seed, the same expressions).
        time_limit: seconds for the whole search; it stops (and says so) after that.
        run: how to call the learner's code (see :data:`Runner`); the exercise passes the
            exercise runner, which stops an endless loop inside the learner's code and
            switches the kit's autodiff off there. Without it the time is only checked
            between calls.

    Raises:
        EngineNotAttempted: ``cls`` has no operation written yet.
        TypeError: ``cls`` is not a class, or is the kit's own Value (or a subclass of it).
        ValueError: ``ops`` names an unknown operation, or ``expressions`` is not an int >= 0.
    """
    if not isinstance(cls, type):
        raise TypeError(
            f"pass your class itself (e.g. Value), not {type(cls).__name__} {cls!r:.40}"
        )
    if issubclass(cls, Value):
        raise TypeError(
            "this checks YOUR engine: a class built on the kit's Value would only "
            "check the kit against itself"
        )
    if not callable(getattr(cls, "backward", None)):
        raise TypeError(f"{cls.__name__} has no backward() method yet")
    unknown = [n for n in ops or () if n not in OPS]
    if unknown or isinstance(ops, str):
        raise ValueError(
            f"ops must be a list of operation names from {', '.join(OPS)}; got {ops!r:.60}"
        )
    if isinstance(expressions, bool) or not isinstance(expressions, int) or expressions < 0:
        raise ValueError(f"expressions must be an int >= 0, got {expressions!r:.40}")
    if (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, (int, float))
        or not 0 < time_limit < math.inf
    ):
        raise ValueError(f"time_limit must be a number of seconds > 0, got {time_limit!r:.40}")
    token = _RUN.set((run or _direct, time.monotonic() + time_limit))
    try:
        return _search(cls, ops, expressions, seed, time_limit)
    finally:
        _RUN.reset(token)


def _search(
    cls: type, ops: Sequence[str] | None, expressions: int, seed: int, time_limit: float
) -> EngineReport:
    """The body of :func:`check_engine`, run with its runner and deadline set."""
    try:
        usable, missing = available_ops(cls, ops)
    except TimeoutError:
        report = EngineReport(cls, [], [], 0)
        return _stopped(report, time_limit, None)
    if not usable:
        raise EngineNotAttempted(f"{cls.__name__} has none of the operations written yet")
    report = EngineReport(
        cls, [OPS[n].text.format(a="x", b="y", c="2") for n in usable], missing, 0
    )
    rng = random.Random(seed)
    singles = [
        Expr((1.5, -0.5), (Gate(n, (0, 1)[: OPS[n].arity], c),))
        for n in usable
        for c in (OPS[n].consts or (None,))
    ]
    if "relu" in usable:  # the kink: the rule is 𝟙(x > 0), so relu passes nothing back at 0
        singles.append(Expr((0.0,), (Gate("relu", (0,), None),)))
    expr: Expr | None = None
    try:
        for i in range(len(singles) + expressions):
            expr = singles[i] if i < len(singles) else random_expr(rng, usable)
            if expr is None:
                continue
            report.expressions += 1
            m = compare(expr, cls)
            if m is not None:
                small = smallest_failure(expr, lambda e: compare(e, cls) is not None, usable)
                m = compare(small, cls) or m
                report.mismatch = m
                report.line = describe_mismatch(m)
                report.hint = diagnose(m, cls)
                return report
    except TimeoutError:
        return _stopped(report, time_limit, expr)
    return report


def _stopped(report: EngineReport, time_limit: float, expr: Expr | None) -> EngineReport:
    where = f" (on f = {expr.formula()})" if expr is not None else ""
    report.mismatch = None
    report.stopped = f"stopped after {time_limit:g} s"
    report.line = (
        f"The check was stopped after {time_limit:g} s{where}: does your engine loop "
        "forever somewhere (in _topo() or backward()?), or is it very slow?"
    )
    report.hint = ""
    return report


def describe_mismatch(m: Mismatch) -> str:
    """One line: the expression, its inputs, and the first wrong number (or the error)."""
    expr = m.expr
    where = f"On f = {expr.formula()} with {expr.inputs_text()}"
    if m.kind == "error":
        return f"{where}, {m.message}."
    assert m.wire is not None
    name = expr.wire_name(m.wire)
    if m.kind == "value":
        return (
            f"{where}, the first wrong value is on {name}: yours "
            f"{_num(m.theirs.values[m.wire])}, right {_num(m.right.values[m.wire])}."
        )
    t = m.theirs.grads[m.wire]
    return (
        f"{where}, the first wrong gradient is ∂f/∂{name}: yours "
        f"{_num(t)}, right {_num(m.right.grads[m.wire])}."
    )
