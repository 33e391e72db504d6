"""Check a learner's scalar engine against the kit's Value, on the operations of the gate table.

An engine has micrograd's shape: ``Cls(x)``, ``.data``, ``.grad``, ``backward()`` and the Python
forms of the table's gates (``x + y``, ``2 - x``, ``x.exp()``). :func:`check_engine` runs every
case of one or two gates, smallest first, then random larger ones (shrunk when they fail), and
names the cause of a difference by :data:`BUGS`, the catalogue of classic bugs, each a variant
of :func:`demo_engine`. Only the learner's code counts against ``time_limit``.
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
import operator
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from backprop_kit.chapters import sandbox
from backprop_kit.core.engine import Value, apply
from backprop_kit.core.gates import GATES
from backprop_kit.core.graph import build
from backprop_kit.core.text import format_number

MAX_EXPRESSIONS, MAX_SECONDS = 10_000, 60.0  # caps of check_engine's arguments
KINDS = ("value", "grad", "after", "again")  # what is read of each wire, in this order
NAMES, SHARED = "abcdeghkmn", "pqrstuvw"  # inputs; intermediate wires used more than once
TINY, ZERO = (2.0, -3.0), (0.0,)  # the inputs of the cases of one or two gates
INPUT_NUMBERS = (-3.0, -2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0)
SMALL_NUMBERS = (1.0, 2.0, -1.0, 3.0, -2.0, 0.5, -3.0, 4.0)
_BINARY = {"+": ("add", 1), "-": ("sub", 1), "*": ("mul", 2), "/": ("truediv", 2), "**": ("pow", 3)}


def _num(x: float | None) -> str:
    return format_number(x, "g")


def _close(got: float, want: float) -> bool:
    return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)


# --- the operations, from the one table ------------------------------------------------------
@dataclass(frozen=True)
class Op:
    """One Python form of a gate of the table (``"{c} - {a}"``), built on any engine."""

    gate: str
    form: str
    arity: int
    consts: tuple[float | None, ...]
    domain: Callable[[float, float, Any], bool]  # where both engines must agree
    kink: Callable[[float, float, Any], float] | None  # distance to where a slope is a convention
    rank: int  # its place: among cases of one size, earlier forms come first
    method: str  # the learner's method it calls (__rsub__, exp)

    @property
    def cost(self) -> int:
        """Gates it counts for when shrinking: micrograd builds ``a - b``, ``a / b`` from two."""
        return 2 if " - " in self.form or " / " in self.form else 1

    def text(self, c: float | None = None) -> str:
        """It in Python on x (and y): ``2 - x``, ``x.exp()``."""
        if not self.method.startswith("__"):
            return f"x.{self.method}({'y' if self.arity == 2 else ''})"
        return self.form.format(a="x", b="y", c=_num(self.consts[0] if c is None else c))

    def build(self, operands: Sequence[Any], c: float | None) -> Any:
        """It built on ``operands`` (one or two wires of any engine) with constant ``c``."""
        return build(self.form, operands[0], operands[1] if len(operands) > 1 else None, c)


def operations(gates: Sequence[str] | None = None) -> list[Op]:
    """Every Python form of every gate of the table (or of ``gates``), in the table's order:
    the one place the checker reads the table, so a gate registered later is checked too."""
    forms = [(g, f) for g in GATES.values() for f in g.python]
    return [
        Op(g.name, f, g.arity, g.consts or (None,), g.domain, g.kink, rank, _shape(f)[1])
        for rank, (g, f) in enumerate(forms)
        if gates is None or g.name in gates
    ]


@functools.cache
def _shape(form: str) -> tuple[int, str, dict[str, int]]:
    """(precedence, method called, {operand: the least precedence it needs no brackets at}) of
    a call ``exp({a})``, of ``-{a}`` or of an operator between two operands."""
    if "(" in form:
        return 4, form.split("(")[0], {}
    if form.startswith("-"):
        return 2, "__neg__", {"a": 3}
    left, sign, right = (part.strip("{}") for part in form.split(" "))
    name, prec = _BINARY[sign]
    need = (prec + 1, prec) if sign == "**" else (prec, prec + 1)
    return prec, f"__{name}__" if left in "ab" else f"__r{name}__", {left: need[0], right: need[1]}


# --- cases: small programs of the table's forms ----------------------------------------------
Step = tuple[Op, tuple[int, ...], "float | None"]
Numbers = dict[str, list[float]]


@dataclass(frozen=True)
class Case:
    """Numbers on the inputs, then steps (form, operand wires, constant): wire i < len(inputs)
    is input i, step k writes wire len(inputs) + k, the last wire is the output f."""

    inputs: tuple[float, ...]
    steps: tuple[Step, ...]

    @property
    def n(self) -> int:
        return len(self.inputs) + len(self.steps)

    def uses(self) -> list[list[tuple[int, int]]]:
        """For each wire, the (step, operand position) pairs that read it."""
        reads = [(w, k, p) for k, step in enumerate(self.steps) for p, w in enumerate(step[1])]
        return [[(k, p) for v, k, p in reads if v == w] for w in range(self.n)]

    def size(self) -> tuple[float, ...]:
        """What shrinking makes smaller, most important first."""
        steps, xs = self.steps, self.inputs
        return (
            (sum(op.cost for op, _, _ in steps), len(xs), sum(op.rank for op, _, _ in steps))
            + (sum(not float(x).is_integer() for x in xs), sum(map(abs, xs)))
            + (sum(abs(c or 0.0) for _, _, c in steps),)
        )

    def names(self) -> dict[int, str]:
        """The inputs' names (a, b, …) and those of intermediate wires read more than once."""
        names, shared = {i: NAMES[i] for i in range(len(self.inputs))}, iter(SHARED)
        for w, used in enumerate(self.uses()):
            if len(self.inputs) <= w < self.n - 1 and len(used) > 1:
                names[w] = next(shared, f"w{w}")
        return names

    def text(self, w: int, names: dict[int, str]) -> str:
        """Wire ``w`` in Python, wires of ``names`` by name, bracketed as the circuit groups it."""
        op, args, c = self.steps[w - len(self.inputs)]
        fill = {"c": _num(c)}
        for slot, v in zip("ab", args):
            t = names.get(v) or self.text(v, names)
            inner = 4 if v in names else _shape(self.steps[v - len(self.inputs)][0].form)[0]
            fill[slot] = f"({t})" if inner < _shape(op.form)[2].get(slot, 0) else t
        return op.form.format(**fill)

    def formula(self) -> str:
        """``p * p + a (where p = a + b)``."""
        names = self.names()
        where = [f"{v} = {self.text(w, names)}" for w, v in names.items() if w >= len(self.inputs)]
        head = self.text(self.n - 1, names)
        return f"{head} (where {'; '.join(where)})" if where else head

    def wire_name(self, w: int) -> str:
        """How a report names wire ``w``: its name, f, or its formula."""
        names = self.names()
        return names.get(w) or ("f" if w == self.n - 1 else self.text(w, names))

    def pruned(self, root: int | None = None, to: dict | None = None) -> Case:
        """The part that wire ``root`` (default: the output) depends on, renumbered, after ``to``
        rewires it: readers of wire w read ``to[w]``, step k's operand p reads ``to[k, p]``."""
        n_in, to = len(self.inputs), to or {}
        steps = [
            (op, tuple(to.get((k, p), to.get(v, v)) for p, v in enumerate(args)), c)
            for k, (op, args, c) in enumerate(self.steps)
        ]
        keep, stack = set(), [self.n - 1 if root is None else root]
        while stack:
            if (w := stack.pop()) not in keep:
                keep.add(w)
                stack += steps[w - n_in][1] if w >= n_in else ()
        new = {w: i for i, w in enumerate(sorted(keep))}
        kept = [
            (op, tuple(new[a] for a in args), c)
            for k, (op, args, c) in enumerate(steps)
            if n_in + k in keep
        ]
        return Case(tuple(x for i, x in enumerate(self.inputs) if i in keep), tuple(kept))

    def kit(self) -> list[Value] | None:
        """The case built with the kit's Value; None outside a domain, or at a kink (but for one
        gate on one input)."""
        wires = [Value(x) for x in self.inputs]
        for op, args, c in self.steps:
            a, *b = (wires[w] for w in args)
            x, y = a.data, b[0].data if b else 0.0
            if not op.domain(x, y, c) or (op.kink and op.kink(x, y, c) < 1e-9 and self.n > 2):
                return None
            try:
                wires.append(op.build([a, *b], c))
            except (ArithmeticError, ValueError):
                return None
            if not abs(wires[-1].data) < 1e3:
                return None
        return wires

    def local_grads(self, k: int) -> tuple[float, ...]:
        """∂(step k's output)/∂(each of its operands), by the kit, the operands taken apart."""
        op, args, c = self.steps[k]
        xs = [Value(reference(self)["value"][a]) for a in args]  # type: ignore[index]
        op.build(xs, c).backward()
        return tuple(x.grad for x in xs)


# --- running a case on the learner's engine and on the kit's -------------------------------
def _number(x: object) -> float | str:
    """``x`` as a float, or what it is instead (``is a str, expected a number``)."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return f"is a {type(x).__name__}, expected a number"
    try:
        return float(x)
    except (OverflowError, ValueError):
        return "is a number too large for a float"


def numbers_of(cls: type, case: Case) -> tuple[Numbers, str]:
    """Run ``case`` on engine ``cls``: the numbers of each of :data:`KINDS`, and "" or the
    one-line error that stopped it (``NotImplementedError`` passes through)."""
    nums: Numbers = {k: [] for k in KINDS}
    wires: list[Any] = []
    kind, attr, where, x, op, c = "value", "data", "make", 0.0, None, None
    try:
        for x in case.inputs:
            wires.append(cls(x))
        where = "op"
        for op, args, c in case.steps:
            wires.append(op.build([wires[a] for a in args], c))
        for kind in KINDS:
            attr = "grad" if kind in ("grad", "again") else "data"
            if attr == "grad":
                where = kind
                wires[-1].backward()
            where = "read"
            for v in wires:
                if isinstance(got := _number(getattr(v, attr)), str):
                    return nums, f".{attr} of {case.wire_name(len(nums[kind]))} {got}"
                nums[kind].append(got)
    except NotImplementedError:
        raise
    except Exception as err:
        name = case.wire_name(len(nums[kind])) if where == "read" else ""
        return nums, {
            "make": f"{cls.__name__}({_num(x)})",
            "op": f"your {op and op.method} (computing {op and op.text(c)})",
            "grad": "your backward()",
            "again": "your backward(), called a second time,",
            "read": f"reading .{attr} of {name}",
        }[where] + f" raised {sandbox.one_line_error(err)}"
    return nums, ""


@functools.lru_cache(maxsize=8192)
def reference(case: Case) -> Numbers | None:
    """The kit's numbers on ``case`` (None where a gate leaves its domain)."""
    if (wires := case.kit()) is None:
        return None
    wires[-1].backward()
    values, grads = [v.data for v in wires], [v.grad for v in wires]
    ok = all(abs(g) < 1e6 for g in grads)
    return {"value": values, "grad": grads, "after": values, "again": grads} if ok else None


@dataclass(frozen=True)
class Failure:
    """The first difference from the kit on ``case``: ``kind`` "error" (``message`` says where)
    or one of :data:`KINDS`, on ``wire``."""

    case: Case
    kind: str
    wire: int | None
    theirs: Numbers
    right: Numbers
    message: str = ""


def first_failure(case: Case, theirs: Numbers, error: str, resets: bool = True) -> Failure | None:
    """Values in forward order, gradients from the output back, values after backward(), then
    (if ``resets``) a second pass's gradients; the error where the numbers stop."""
    right = reference(case)
    assert right is not None
    if not resets and len(theirs["after"]) == case.n:  # the passes add up: not compared
        theirs = theirs | {"again": right["again"]}
    for kind in KINDS:
        if len(theirs[kind]) < case.n:
            return Failure(case, "error", None, theirs, right, error)
        for w in range(case.n) if kind in ("value", "after") else reversed(range(case.n)):
            if not _close(theirs[kind][w], right[kind][w]):
                return Failure(case, kind, w, theirs, right)
    return None


# --- which cases, in which order ------------------------------------------------------------
@functools.cache
def tiny_cases(ops: tuple[Op, ...]) -> list[Case]:
    """Every case of one or two steps of ``ops`` over a = 2, b = -3 (two steps with each form's
    first constant), and of every one-input form at 0 (after the others of its size)."""

    def steps(wires: int, must: int | None, consts: int) -> Iterator[Step]:
        for op in ops:
            for args in itertools.product(range(wires), repeat=op.arity):
                if must is None or must in args:
                    yield from ((op, args, c) for c in op.consts[:consts])

    found = {Case(ZERO, ((op, (0,), c),)): 0 for op in ops if op.arity == 1 for c in op.consts}
    found |= {Case(TINY, (one,)).pruned(): 0 for one in steps(2, None, 9)}
    for one in steps(2, None, 1):
        found |= {Case(TINY, (one, two)).pruned(): 0 for two in steps(3, 2, 1)}
    cases = [c for c in found if reference(c) is not None]
    return sorted(cases, key=lambda c: (c.size()[0], c.inputs == ZERO, c.size()))


def random_case(rng: random.Random, ops: Sequence[Op], most: int = 6) -> Case | None:
    """1 … ``most`` steps over 1 … 3 inputs; operands favour recent wires, and forks."""
    xs = [rng.choice(INPUT_NUMBERS) + rng.choice((0.0, 0.0, 0.25, -0.125)) for _ in "abc"]
    case = Case(tuple(xs[: rng.randint(1, 3)]), ())
    for _ in range(rng.randint(1, most)):
        for _try in range(8):
            op = rng.choice(ops)
            args = tuple(max(0, case.n - 1 - int(rng.expovariate(0.7))) for _ in range(op.arity))
            new = Case(case.inputs, (*case.steps, (op, args, rng.choice(op.consts))))
            if reference(new) is not None:
                case = new
                break
    return case.pruned() if case.steps else None


def _smaller(case: Case) -> Iterator[Case]:
    """Neighbours of ``case``: fewer steps first, then simpler numbers."""
    n_in, n = len(case.inputs), case.n
    yield from (case.pruned(w) for w in range(n_in, n - 1))  # a part on its own
    for w, (_, args, _) in enumerate(case.steps, n_in):  # a step bypassed by one operand
        yield from (case.pruned(a) if w == n - 1 else case.pruned(to={w: a}) for a in set(args))
    value = reference(case)["value"]  # type: ignore[index]
    for k, (_, args, _) in enumerate(case.steps):  # an operand read from an input, old or new
        for p, a in enumerate(args):
            if a >= n_in:
                yield from (case.pruned(to={(k, p): i}) for i in range(n_in))
                shifted: dict = {v: v + 1 for v in range(n_in, n)}
                grown = Case((*case.inputs, value[a]), case.steps)
                yield grown.pruned(to=shifted | {(k, p): n_in})
    yield from (case.pruned(to={j: i}) for i, j in itertools.combinations(range(n_in), 2))
    for i, x in enumerate(case.inputs):
        for v in (*SMALL_NUMBERS, float(round(x))):
            if v != x and abs(v) <= max(abs(x), 1.0) + 1.0:
                yield Case(case.inputs[:i] + (v,) + case.inputs[i + 1 :], case.steps)
    for k, (op, args, c) in enumerate(case.steps):
        for d in op.consts:
            if c is not None and d is not None and abs(d) < abs(c):
                yield replace(case, steps=case.steps[:k] + ((op, args, d),) + case.steps[k + 1 :])


def _shrink(f: Failure, fails: Callable[[list[Case]], list], budget: int = 2000) -> Failure:
    """Greedy: take the first smaller neighbour that still fails, until none does."""
    better = True
    while better and budget > 0:
        better = False
        for cand in _smaller(f.case):
            if cand.steps and cand.size() < f.case.size() and reference(cand) is not None:
                budget -= 1
                if (g := fails([cand])[0]) is not None or budget <= 0:
                    f, better = g or f, g is not None
                    break
    return f


# --- the catalogue of classic bugs ----------------------------------------------------------
_FORK = (
    "A fork lost a contribution: {name} is used {uses} times, so its gradient is the SUM of what "
    "each use sends back, {shares} = {right}; yours kept only one. Use += (not =) when a gate "
    "passes gradient to its inputs, and keep the parents in a tuple (a set keeps the two inputs "
    "of a + a once)."
)
_LOCAL = (
    "Look at the local gradient rule of {op} (your {method} and the rule it records): it should "
    "send {which} {local} × {up} = {share}."
)
_ORDER = (
    "Visited out of order: every gate on its own passes the right gradient, but here {gate} "
    "passed its gradient on before it was complete{why}. backward() must visit the gates in "
    "REVERSE topological order: the output first, and a gate only after every gate that uses "
    "its output."
)
_LEVELS = (
    ": its output reaches f on paths of different lengths, and a visit level by level from the "
    "output reaches it on the shorter one first"
)


@dataclass(frozen=True)
class Bug:
    """A classic bug: what it is, and the hint that names it (filled in by :func:`diagnose`)."""

    what: str
    hint: str


# fmt: off
BUGS = {
    "fork": Bug("= instead of += when a gate passes gradient to its inputs", _FORK),
    "set": Bug("the parents are kept in a set, which loses their order and repeats", _FORK),
    "swap": Bug("the multiply rule gives each input its own value, not the other's",
                "A swapped multiply rule: in {gate} each input receives the OTHER input's value "
                "times the upstream gradient; yours gave {name} its own value ({own})."),
    "upstream": Bug("the local gradient is passed on without the upstream factor",
                    "A missing upstream factor: the gate {gate} must send {which} its local "
                    "gradient ({local}) TIMES the gradient on its own output ({up}); yours sent "
                    "the local gradient alone."),
    "eq": Bug("__eq__ and __hash__ compare .data, so two wires with one number count as one",
              "Two wires with the same number counted as one: your wires compare equal (and "
              "hash alike) when their .data are equal, so the set of visited wires in _topo() "
              "took one for another and skipped it. Wires are told apart by identity: leave "
              "__eq__ and __hash__ as Python's own."),
    "levels": Bug("backward() visits the gates level by level from the output", _ORDER),
    "order": Bug("backward() visits the gates in topological order, not reversed", _ORDER),
    "seed": Bug("backward() never sets the output's gradient to 1",
                "backward() must start by setting the output's own gradient to 1 "
                "(∂f/∂f = 1); yours is {theirs}."),
    "tanh": Bug("tanh's local gradient is 1 - t instead of 1 - t**2", _LOCAL),
    "wipe": Bug("backward() sets every .data to 0 after computing the gradients",
                "backward() must leave every .data as it was (it only fills in .grad); after "
                "yours {name}.data is {theirs}, not {right}."),
    "accumulate": Bug("backward() adds to the gradients of an earlier pass, never resetting them",
                      "backward() must first reset every gradient of the circuit to 0, so that "
                      "a second call gives the same numbers; yours gave ∂f/∂{name} = {theirs} "
                      "the second time, {right} the first."),
}
# fmt: on


def demo_engine(bug: str) -> type:
    """An engine of micrograd's shape with the classic ``bug`` of :data:`BUGS`, a new class each
    call: its wires hold the kit's Values for their numbers and local rules (every gate of the
    table; ``-`` and ``/`` built from others, as chapter 9's are), its backward() is its own."""
    if bug not in BUGS:
        raise ValueError(f"unknown bug {bug!r}; known bugs: {', '.join(BUGS)}")
    key: Callable[[Value], object] = (lambda v: v.data) if bug == "eq" else id

    def order(v: Value, seen: set) -> list[Value]:  # each wire after its parents, depth first
        seen.add(key(v))
        return [w for p in v.parents if key(p) not in seen for w in order(p, seen)] + [v]

    def levels(out: Value) -> list[Value]:  # the output, its parents, theirs, …
        done, seen, level = [], {key(out)}, [out]
        while level:
            done += level
            level = [
                p for k, p in {key(p): p for v in level for p in v.parents}.items() if k not in seen
            ]
            seen |= {key(p) for p in level}
        return done

    # fmt: off
    class Demo:
        def __init__(self, data: Any, v: Value | None = None) -> None:
            self.v = Value(data) if v is None else v
        data, grad = property(lambda s: s.v.data), property(lambda s: s.v.grad)
        def _on(self, f: Callable[..., Value], *others: Any) -> Demo:  # numbers: wires too
            return Demo(0, f(self.v, *(o.v if isinstance(o, Demo) else Value(o) for o in others)))
        def __add__(self, o: Any) -> Demo: return self._on(operator.add, o)
        def __mul__(self, o: Any) -> Demo: return self._on(operator.mul, o)
        def __pow__(self, k: Any) -> Demo:  # a number stays the exponent: a ** gate
            return Demo(0, self.v ** (k.v if isinstance(k, Demo) else k))
        __radd__, __rmul__ = __add__, __mul__
        def __neg__(self) -> Demo: return self * -1
        def __sub__(self, o: Any) -> Demo: return self + (-o)
        def __rsub__(self, o: Any) -> Demo: return -self + o
        def __truediv__(self, o: Any) -> Demo: return self * o**-1
        def __rtruediv__(self, o: Any) -> Demo: return self**-1 * o

        def backward(self) -> None:
            wires = order(self.v, set())
            for w in wires if bug != "accumulate" else ():
                w.grad = 0.0
            self.v.grad = 0.0 if bug == "seed" else 1.0
            for w in {"levels": levels(self.v), "order": wires}.get(bug, reversed(wires)):
                local = w.local_grads()[:: -1 if bug == "swap" and w.op == "mul" else 1]
                local = (1 - w.data,) if bug == "tanh" and w.op == "tanh" else local
                for p, d in zip(set(w.parents) if bug == "set" else w.parents, local):
                    p.grad = d * (1 if bug == "upstream" else w.grad) + p.grad * (bug != "fork")
            for w in wires if bug == "wipe" else ():
                w.data = 0.0
    # fmt: on

    for g in GATES.values():  # exp(), tanh(), …: every call of the table, as a method
        if g.call:
            setattr(Demo, g.call, lambda s, *o, g=g: s._on(lambda *vs: apply(g, *vs), *o))
    Demo.__qualname__ = Demo.__name__ = f"Value_{bug}"
    return Demo


_replay = functools.cache(demo_engine)


@functools.cache
def _passes(bug: str, ops: tuple[Op, ...]) -> int:
    """How many of the tiny cases of ``ops``, in their order, the engine with ``bug`` passes."""
    tiny = tiny_cases(ops)
    fails = (i for i, c in enumerate(tiny) if first_failure(c, *numbers_of(_replay(bug), c)))
    return next(fails, len(tiny))


def diagnose(f: Failure, ops: tuple[Op, ...]) -> str:
    """The likely cause of ``f`` (found with ``ops``): the hint of the bug of :data:`BUGS` whose
    engine gives the learner's numbers there and, of those, passes the most tiny cases (the
    catalogue's order settles ties); else a hint read from the numbers."""
    case, w, n_in = f.case, f.wire, len(f.case.inputs)
    if w is None:
        return "Your code stopped with an error there; fix it and run the check again."
    if f.kind == "value":
        method = case.steps[w - n_in][0].method
        return f"The forward pass already differs: look at how your {method} computes .data."
    got, right, uses = f.theirs[f.kind], f.right[f.kind], case.uses()[w]
    fields = {"name": case.wire_name(w), "uses": len(uses), "why": "", "theirs": _num(got[w])}
    fields |= {"right": _num(right[w]), "own": _num(f.right["value"][w])}
    if uses:
        (k, port), grads = uses[0], f.right["grad"]
        op, _, c = case.steps[k]
        local, up = case.local_grads(k)[port], grads[n_in + k]
        shares = (case.local_grads(j)[q] * grads[n_in + j] for j, q in uses)
        which = "its input" if op.arity == 1 else ("its first input", "its second input")[port]
        fields |= {"gate": case.text(n_in + k, case.names()), "which": which, "op": op.text(c)}
        fields |= {"up": _num(up), "local": _num(local), "share": _num(local * up)}
        fields |= {"method": op.method, "shares": " + ".join(f"({_num(s)})" for s in shares)}
    alike = [  # the bugs whose engines give the learner's numbers here
        name
        for name, bug in BUGS.items()
        if (uses or "{gate" not in bug.hint)
        and not (run := numbers_of(_replay(name), case))[1]
        and all(map(_close, got, run[0][f.kind]))
    ]
    if alike:  # the one most like the learner's: it passes the most tiny cases
        name = max(alike, key=lambda name: _passes(name, ops))
        return BUGS[name].hint.format(**fields | {"why": _LEVELS * (name == "levels")})
    if f.kind != "grad" or not uses:
        bug = {"after": "wipe", "again": "accumulate"}.get(f.kind, "seed")
        return BUGS[bug].hint.format(**fields)
    if len(uses) == 1:
        return _LOCAL.format(**fields)
    if _close(-got[w], right[w]):
        return (
            f"A sign: your ∂f/∂{fields['name']} is the right one, {fields['right']}, with the "
            "opposite sign; look for a - (or -=) where a gradient is passed back."
        )
    return (
        f"{fields['name']} is used {len(uses)} times: its gradient is the sum of what each use "
        f"sends back, {fields['shares']} = {fields['right']}."
    )


# --- the check ------------------------------------------------------------------------------
class _Learner:
    """The learner's class, called only through the sandbox, ``left`` seconds of its time more;
    ``trying``: the cases of the current call, as far as it got."""

    def __init__(self, cls: type, seconds: float, off: str | None, resets: bool) -> None:
        self.cls, self.off, self.resets = cls, off, resets
        self.seconds = self.left = seconds
        self.trying: list[Case] = []

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self.left <= 0:
            raise sandbox.LearnerTimeout(self.seconds)
        start, run = time.monotonic(), sandbox.run_learner_code
        try:
            return run(fn, self.cls, *args, seconds=self.left, autodiff_off=self.off)
        finally:
            self.left -= time.monotonic() - start

    def failures(self, cases: Sequence[Case]) -> list[Failure | None]:
        """The first failure on each case (one sandbox call for them all)."""
        del self.trying[:]
        runs = self.run(_runs, cases, self.trying)
        return [first_failure(c, r[0], r[1], self.resets) for c, r in zip(cases, runs)]

    def search(self, report: EngineReport, ops: list[Op], expressions: int, seed: int) -> None:
        """What the class can do, then every tiny case, smallest first, then ``expressions``
        random ones: the first failure (a random one shrunk) in ``report``."""
        reasons = self.run(_probe, ops)
        report.checked = [op for op, why in zip(ops, reasons) if not why]
        report.missing = [(op, why) for op, why in zip(ops, reasons) if why]
        if not report.checked and "not written yet" in reasons:  # a stub raised
            raise EngineNotAttempted(f"{self.cls.__name__} has none of the operations written yet")
        if not report.checked:
            report.line = f"Your class could do none of the operations. {report.left_out()}"
            return
        tiny, rng = tiny_cases(tuple(report.checked)), random.Random(seed)
        for cases in (tiny, None):
            if cases is None:
                cases = [c for _ in range(expressions) if (c := random_case(rng, report.checked))]
            for start in range(0, len(cases), 64):
                for f in self.failures(cases[start : start + 64]):
                    if f is not None:
                        report.failure = f if cases is tiny else _shrink(f, self.failures)
                        return
                    report.expressions += 1


def _runs(cls: type, cases: Sequence[Case], trying: list[Case]) -> list[tuple[Numbers, str]]:
    return [numbers_of(cls, case) for case in cases if not trying.append(case)]  # type: ignore[func-returns-value]


def _probe(cls: type, ops: Sequence[Op]) -> list[str]:
    """Why ``cls`` cannot do each op ("" if it can): its method is missing, building it raises
    NotImplementedError, AssertionError or TypeError, or its backward() NotImplementedError."""
    why = []
    for op in ops:
        reason, out = "" if getattr(cls, op.method, None) else f"no {op.method}", None
        try:  # any other error: usable, and the search says what goes wrong
            if not reason:
                out = op.build([cls(x) for x in (1.5, 0.5)[: op.arity]], op.consts[0])
                out.backward()
        except NotImplementedError:
            reason = "not written yet"
        except (AssertionError, TypeError) as err:
            reason = sandbox.one_line_error(err, 60) if out is None else ""
        except Exception:
            pass
        why.append(reason)
    return why


class EngineNotAttempted(NotImplementedError):
    """No operation of the learner's engine is written yet (the learner edition's stubs)."""


@dataclass
class EngineReport:
    """What :func:`check_engine` found: the forms checked, those the class cannot do (and why),
    how many cases were compared, and the first failure (shrunk) with its one-line ``line``
    and ``hint``; or only a ``line`` when the check stopped."""

    checked: list[Op] = field(default_factory=list)
    missing: list[tuple[Op, str]] = field(default_factory=list)
    expressions: int = 0
    failure: Failure | None = None
    line: str = ""
    hint: str = ""

    @property
    def ok(self) -> bool:
        return not self.line

    @property
    def gates(self) -> set[str]:
        """The gates of the table checked."""
        return {op.gate for op in self.checked}

    def summary(self) -> str:
        """One line: what was checked and the verdict."""
        if not self.ok:
            return f"{self.line} {self.hint}".strip()
        ops = ", ".join(dict.fromkeys(op.text() for op in self.checked))
        return (
            f"{self.expressions} expressions (every one of one or two gates, then random ones) "
            f"with {ops}: every value and gradient agrees with the kit's engine, also after a "
            "second backward()."
        )

    def cannot(self, gates: Sequence[str] | None = None) -> list[str]:
        """The forms (of ``gates``) the class cannot do, each with why: ``2 - x (no __rsub__)``."""
        return [f"{op.text()} ({why})" for op, why in self.missing if not gates or op.gate in gates]

    def left_out(self, gates: Sequence[str] | None = None) -> str:
        """One sentence on :meth:`cannot`, "" if nothing."""
        out = self.cannot(gates)
        return f"Left out, as the class cannot do them: {', '.join(out)}." if out else ""

    def _rows(self) -> list[tuple[str, float, float, float, bool]]:
        """Per wire of the failing case: its name, value, right number, yours, and if wrong."""
        if (f := self.failure) is None or f.kind == "error":
            return []
        theirs, right = f.theirs[f.kind], f.right[f.kind]
        return [
            (f.case.wire_name(w), f.right["value"][w], right[w], t, not _close(t, right[w]))
            for w, t in enumerate(theirs)
        ]

    def table(self) -> str:
        """Every wire of the failing case: its value, the right number and yours ("" if none)."""
        if not (rows := self._rows()):
            return ""
        what = {"value": "value", "after": "value after", "grad": "grad", "again": "2nd grad"}
        head = what[self.failure.kind]  # type: ignore[union-attr]
        lines = [f"{'wire':<16} {'value':>9} {'right ' + head:>15} {'your ' + head:>15}"]
        for name, value, right, t, wrong in rows:
            lines.append(f"{name[:16]:<16} {value:>9.4g} {right:>15.4g} {t:>15.4g}" + "  ✗" * wrong)
        return "\n".join(lines)

    def alt_text(self) -> str:
        """The failing circuit in words: the verdict line, then each wire's numbers."""
        wires = "; ".join(
            f"{name}: value {value:.4g}, right {right:.4g}, yours {t:.4g}" + " (wrong)" * wrong
            for name, value, right, t, wrong in self._rows()
        )
        return f"The failing circuit, drawn. {self.line} Wires: {wires}." if wires else ""

    def figure(self) -> Any:
        """The failing circuit drawn by the kit, the right numbers and yours under them (✗ where
        they differ): a matplotlib Figure, or SVG without matplotlib; None if nothing failed or
        the learner's code raised."""
        if (f := self.failure) is None or f.kind == "error":
            return None
        from backprop_kit.pictures.layout import Frame, WireText, place
        from backprop_kit.pictures.view import CircuitView

        wires, grads = f.case.kit(), f.kind in ("grad", "again")
        assert wires is not None
        for w, name in f.case.names().items():
            wires[w].named(name)
        wires[-1].named("f").backward()
        view, texts = CircuitView(wires[-1], fmt="{:.3g}", label_rows=2), []
        row_of = {id(v): row for v, row in zip(wires, self._rows())}
        for v in view.structure.nodes:
            value, grad = view.number(v.data), view.number(v.grad) if grads else None
            if v.label and v.parents and v is not wires[-1]:
                value = f"{v.label} = {value}"
            *_, t, wrong = row_of.get(id(v), (None, False))
            mine = None if t is None else f"{'yours' if grads else 'your value'} {view.number(t)}"
            texts.append(WireText(value, grad, False, mine and mine + " ✗" * wrong, wrong))
        legend = {"value": "your engine's value", "grad": "your engine's gradient"}
        legend |= {"after": "your value after backward()"}
        legend["again"] = "your gradient after a second backward()"
        frame = Frame(output_name="f", second_legend=f"{legend[f.kind]} (✗: wrong)")
        scene = place(view.structure, view.symbols, texts, frame)
        try:
            from backprop_kit.pictures.drawing import render
        except ImportError:  # no matplotlib: the same picture as SVG (shown as HTML)
            from backprop_kit.pictures.svg import to_svg

            return _Svg(to_svg(scene, title="the failing circuit", desc=self.alt_text()))
        fig = render(scene)
        fig.alt_text = self.alt_text()  # type: ignore[attr-defined]  # a DescribedFigure
        return fig


class _Svg(str):
    def _repr_html_(self) -> str:
        return str(self)


def check_engine(
    cls: object,
    ops: Sequence[str] | None = None,
    *,
    expressions: int = 150,
    seed: int = 0,
    time_limit: float = 5.0,
    autodiff_off: str | None = None,
    resets: bool = True,
) -> EngineReport:
    """Compare engine ``cls`` with the kit's Value on the gates ``ops`` (default: all it can do),
    ``time_limit`` seconds of the learner's code in all; ``autodiff_off``: the exercise checking;
    ``resets=False``: backward() adds up, as micrograd's (a second pass is not compared). Raises
    EngineNotAttempted, TypeError (not a class of the learner's own) or ValueError, in a line."""
    if not isinstance(cls, type) or issubclass(cls, Value):
        what = "a class built on the kit's Value" if isinstance(cls, type) else type(cls).__name__
        raise TypeError(f"pass your own class (e.g. Value), not {what} {cls!r:.40}")
    if not callable(getattr(cls, "backward", None)):
        raise TypeError(f"{cls.__name__} has no backward() method yet")
    if ops is not None and not isinstance(ops, str):
        ops = list(ops)  # read once: a generator would be used up by this check
    if isinstance(ops, str) or ops == [] or any(n not in GATES for n in ops or ()):
        raise ValueError(
            f"ops must be a list of gate names from {', '.join(GATES)}, got {ops!r:.60}"
        )
    if type(expressions) is not int or not 0 <= expressions <= MAX_EXPRESSIONS:
        raise ValueError(
            f"expressions must be an int, 0 to {MAX_EXPRESSIONS}, got {expressions!r:.40}"
        )
    if type(time_limit) not in (int, float) or not 0 < time_limit <= MAX_SECONDS:
        raise ValueError(
            f"time_limit must be seconds, > 0 and <= {MAX_SECONDS:g}, got {time_limit!r:.40}"
        )
    report, learner = EngineReport(), _Learner(cls, time_limit, autodiff_off, resets)
    try:
        learner.search(report, operations(ops), expressions, seed)
    except sandbox.LearnerTimeout:
        where = f" (on f = {learner.trying[-1].formula()})" if learner.trying else ""
        report.line = (
            f"The check was stopped after {time_limit:g} s of your code's time{where}: does your "
            "engine loop forever somewhere (in _topo() or backward()?), or is it very slow?"
        )
    except sandbox.LearnerCodeError as err:
        report.line = f"Your code stopped the check: {err}."
    if (f := report.failure) is not None:
        xs = ", ".join(f"{NAMES[i]} = {_num(x)}" for i, x in enumerate(f.case.inputs))
        report.line = f"On f = {f.case.formula()} with {xs}, {_said(f)}."
        report.hint = diagnose(f, tuple(report.checked))
    return report


def _said(f: Failure) -> str:
    if f.wire is None:
        return f.message
    name, (t, r) = f.case.wire_name(f.wire), (_num(n[f.kind][f.wire]) for n in (f.theirs, f.right))
    return {
        "value": f"the first wrong value is on {name}: yours {t}, right {r}",
        "grad": f"the first wrong gradient is ∂f/∂{name}: yours {t}, right {r}",
        "after": f"after your backward() {name}.data is {t}, before it {r}",
        "again": f"a second backward() gives ∂f/∂{name} = {t}, the first {r}",
    }[f.kind]
