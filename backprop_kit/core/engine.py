"""``Value``: one wire of a circuit, and ``backward()``: the chain rule over the whole circuit.

Every arithmetic operation on a ``Value`` adds one gate (see :mod:`gates`) and
returns the ``Value`` on its output wire. A ``Value`` keeps

* ``data``    the number on the wire (forward pass),
* ``grad``    ∂f/∂(this wire), filled in by ``f.backward()``,
* ``op``      the name of the gate that produced it (``""`` for an input),
* ``parents`` the gate's inputs, in operand order (``a + a`` has the parents ``(a, a)``),
* ``label``   an optional name used by drawings and staged programs.

A wire refers to its parents only, never to its children and never through a closure, so a
circuit is a tree of plain references that Python frees by reference counting alone.

A gate has at most two inputs, so a wire keeps its parents in two slots, ``_a`` and ``_b``
(``None`` where there is none), and ``parents`` builds the tuple when asked. A circuit is then
one Python object per wire and nothing more, which matters for speed: Python's cycle
collector still looks at every new object, even in a circuit without cycles.
"""

from __future__ import annotations

import numbers
import weakref
from collections.abc import Callable, Iterator

from backprop_kit.core import switch
from backprop_kit.core.gates import GATES, Gate

_G = GATES

SMALL_CIRCUIT = 200
"""A circuit of fewer wires than this pickles and copies the usual (recursive) way."""


def as_number(x: object, what: str = "Value") -> float:
    """``x`` as a float, or a one-line ``TypeError`` saying what is allowed."""
    if isinstance(x, float):
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


def _operators(
    two: str, one: str, symbol: str
) -> tuple[Callable[[Value, Value | float], Value], Callable[[Value, float], Value]]:
    """The methods ``a <symbol> b`` and its reflection ``c <symbol> a`` (c a number): the
    two-input gate ``two`` when b is a Value, else the one-input gate ``one`` with the number
    as its constant (``a + 2`` and ``2 + a`` are both the ``+2`` gate)."""
    gate2, gate1 = _G[two], _G[one]

    def operator(self: Value, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _two(gate2, self, other)
        return _one(gate1, self, as_number(other, symbol))

    def reflected(self: Value, other: float) -> Value:
        return _one(gate1, self, as_number(other, symbol))

    return operator, reflected


def _gate_method(name: str, doc: str) -> Callable[[Value], Value]:
    """The method ``x.<name>()``: the one-input gate ``name`` on x; ``doc`` is its docstring."""
    gate = _G[name]

    def method(self: Value) -> Value:
        return _one(gate, self)

    method.__name__, method.__qualname__, method.__doc__ = name, f"Value.{name}", doc
    return method


class Value:
    """A scalar on a wire of a circuit, with the gradient of the circuit's output on it.

    ``Value(3.0, label="x")`` is an input. Operators (``+ - * / **``, unary ``-``), the methods
    ``exp log sigmoid tanh relu`` and :func:`maximum` build gates; plain numbers may stand on
    either side of an operator.
    """

    __slots__ = ("data", "grad", "op", "_a", "_b", "label", "const", "__weakref__")

    data: float
    grad: float
    op: str
    _a: Value | None
    _b: Value | None
    label: str | None
    const: float | None

    def __init__(self, data: float, label: str | None = None) -> None:
        if isinstance(data, Value):
            raise TypeError(
                "Value needs a real number (int or float), got a Value; use that Value directly"
            )
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Value label must be a str or None, got {type(label).__name__}")
        self.data = as_number(data)
        self.grad = 0.0
        self.op = ""
        self._a = self._b = None
        self.label = label
        self.const = None

    # --- naming --------------------------------------------------------------------------
    def named(self, label: str) -> Value:
        """Give this wire a name (for drawings and staged programs) and return it."""
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.label = label
        return self

    @property
    def parents(self) -> tuple[Value, ...]:
        """The gate's inputs in operand order: ``()`` for an input, ``(a,)`` or ``(a, b)``."""
        if self._a is None:
            return ()
        return (self._a,) if self._b is None else (self._a, self._b)

    @property
    def gate(self) -> Gate | None:
        """The :class:`~gates.Gate` that produced this wire (``None`` for inputs)."""
        return _G[self.op] if self.op else None

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, in operand order (``()`` for an input)."""
        a, b = self._a, self._b
        if a is None:
            return ()
        return _G[self.op].local(self.data, a.data, 0.0 if b is None else b.data, self.const)

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g}{op})"

    # --- two-input operators -------------------------------------------------------------
    __add__, __radd__ = _operators("add", "addc", "+")
    __mul__, __rmul__ = _operators("mul", "scale", "*")

    def __sub__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _two(_G["sub"], self, other)
        return _one(_G["addc"], self, -as_number(other, "-"))

    def __rsub__(self, other: float) -> Value:
        return _one(_G["addc"], -self, as_number(other, "-"))

    def __truediv__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _two(_G["div"], self, other)
        c = as_number(other, "/")
        if c == 0:
            raise ZeroDivisionError(
                f"div gate: dividing {self.data!r} by 0 is undefined; the denominator must be "
                "non-zero"
            )
        return _one(_G["scale"], self, 1.0 / c)

    def __rtruediv__(self, other: float) -> Value:
        c = as_number(other, "/")
        inv = _one(_G["inv"], self)
        return inv if c == 1.0 else _one(_G["scale"], inv, c)

    __pow__ = _operators("pow", "powc", "**")[0]  # c ** a is a pow gate: see __rpow__

    def __rpow__(self, other: float) -> Value:
        base = Value(as_number(other, "**"), label=str(other))
        return _two(_G["pow"], base, self)

    __neg__ = _gate_method("neg", "-x.")

    # --- one-input gates -----------------------------------------------------------------
    exp = _gate_method("exp", "eˣ.")
    log = _gate_method("log", "ln x (x must be > 0).")
    tanh = _gate_method("tanh", "tanh x.")
    relu = _gate_method("relu", "max(0, x).")

    def sigmoid(self, expanded: bool = False) -> Value:
        """σ(x) = 1 / (1 + e⁻ˣ), as one gate, or ``expanded`` into ``*-1 → exp → +1 → 1/x``.

        Both give the same output and the same gradient on x.
        """
        if not expanded:
            return _one(_G["sigmoid"], self)
        return 1.0 / (1.0 + (self * -1.0).exp())

    inv = _gate_method("inv", "1/x (the ``1/x`` gate; x must be non-zero).")

    # --- pickle and copy.deepcopy, without recursion ---------------------------------------
    def __reduce_ex__(self, protocol: object) -> tuple:
        """How pickle and ``copy`` rebuild a wire: its fields, its parents by reference.

        Pickling the parents inside each wire's state recurses once per gate of the longest
        path: a chain of 10⁵ gates would overflow the stack. So a wire of a large circuit first
        lists every wire of its circuit, inputs first (as the argument of :func:`_wire`, which
        ignores it): each wire is then pickled after its parents, which are already in the
        pickle's memo, and no pickling ever goes deeper than one wire. Identity is kept: a wire
        used twice is one object after unpickling, as in the original.
        """
        state = (self.data, self.grad, self.op, self._a, self._b, self.label, self.const)
        if self in _LISTED:  # listed by a larger wire: its parents come before it
            _LISTED.discard(self)
            return (_wire, (), state)
        if self._a is None or _is_small(self):
            return (_wire, (), state)
        before = self.topological_order()[:-1]
        _LISTED.update(before)
        return (_wire, (tuple(before),), state)

    def __setstate__(self, state: tuple) -> None:
        self.data, self.grad, self.op, self._a, self._b, self.label, self.const = state

    # --- the backward pass -----------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Every wire of this circuit, each before any gate that uses it; ``self`` is last.

        A depth-first search that lists a wire once all its parents are listed: the order of
        the recursive ``visit(node): for p in node.parents: visit(p) if not seen; list node``.
        It keeps its own stack instead of recursing, so a chain of a million gates needs no
        recursion. Look at the wire on top of the stack: if its first parent ``a``, or else
        its second parent ``b``, has not been seen yet, that parent goes on the stack (an
        input has no parents and is listed at once); if both have been seen, the wire is
        listed and leaves the stack. (A Value hashes by identity, so ``seen`` holds each wire
        once.)
        """
        order: list[Value] = []
        seen = {self}
        stack = [self]
        while stack:
            node = stack[-1]
            a = node._a
            if a is not None and a not in seen:
                seen.add(a)
                if a._a is not None:
                    stack.append(a)
                    continue
                order.append(a)
            b = node._b
            if b is not None and b not in seen:
                seen.add(b)
                if b._a is not None:
                    stack.append(b)
                    continue
                order.append(b)
            order.append(stack.pop())
        return order

    def backward(self, grad: float = 1.0) -> None:
        """Fill in ``.grad`` on every wire of this circuit: ∂self/∂wire, times ``grad``.

        First every gradient in the circuit is reset to 0, so calling it twice gives the same
        numbers. Then, from the output back to the inputs, each gate multiplies the gradient
        on its output by its local gradients and *adds* the result to its inputs' gradients
        (``+=``: a wire used by several gates collects the sum of their contributions).
        """
        switch.refuse("Value.backward")
        g = as_number(grad, "backward(grad=...)")
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = g
        local = {name: gate.local for name, gate in _G.items()}  # each gate's local rule
        for node in reversed(order):
            a, b = node._a, node._b
            if a is None:
                continue
            up = node.grad
            if b is not None:
                da, db = local[node.op](node.data, a.data, b.data, node.const)
                a.grad += da * up
                b.grad += db * up
            else:
                (da,) = local[node.op](node.data, a.data, 0.0, node.const)
                a.grad += da * up


def backward_walk(
    root: Value, seed: float = 1.0
) -> Iterator[tuple[Value, float, tuple[float, ...], tuple[float, ...]]]:
    """``root.backward(seed)`` gate by gate, output first, changing no ``.grad``: yields
    ``(gate, upstream, local, downstream)`` with upstream = ∂root/∂gate × seed, local[i] =
    ∂gate/∂parent i and downstream[i] = local[i] × upstream, what the gate adds to parent i's
    gradient. backward() inlines this loop for speed; a test holds the two equal bit for bit.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_walk needs a Value (a circuit's output), got {type(root)}")
    switch.refuse("backward_walk")
    order = root.topological_order()
    grads = dict.fromkeys(order, 0.0)
    grads[root] = as_number(seed, "seed")
    for node in reversed(order):
        if node._a is None:
            continue
        up = grads[node]
        local = node.local_grads()
        down = tuple(d * up for d in local)
        for p, g in zip(node.parents, down):
            grads[p] += g
        yield node, up, local, down


# --- building gates --------------------------------------------------------------------------
# Every operator above ends in one of these two functions. They are the hot path of building a
# circuit (one call per gate), so they skip ``Value.__init__`` and its checks: the inputs are
# Values already, and the gate's ``forward`` rule computes the number on the output wire.

_new = object.__new__


def _one(gate: Gate, a: Value, const: float | None = None) -> Value:
    """The output wire of the one-input ``gate`` applied to ``a`` (and the constant ``const``)."""
    out = _new(Value)
    out.data = gate.forward(a.data, 0.0, const)
    out.grad = 0.0
    out.op = gate.name
    out._a = a
    out._b = None
    out.label = None
    out.const = const
    return out


def _two(gate: Gate, a: Value, b: Value) -> Value:
    """The output wire of the two-input ``gate`` applied to ``a`` and ``b``."""
    out = _new(Value)
    out.data = gate.forward(a.data, b.data, None)
    out.grad = 0.0
    out.op = gate.name
    out._a = a
    out._b = b
    out.label = None
    out.const = None
    return out


_LISTED: weakref.WeakSet[Value] = weakref.WeakSet()


def _wire(before: tuple = ()) -> Value:
    """An empty wire for pickle/copy to fill with ``__setstate__`` (``before`` only orders the
    pickle: see :meth:`Value.__reduce_ex__`)."""
    return _new(Value)


def _is_small(v: Value) -> bool:
    """True when the circuit of ``v`` has fewer than SMALL_CIRCUIT wires (stops counting there)."""
    seen = {v}
    stack = [v]
    while stack and len(seen) < SMALL_CIRCUIT:
        node = stack.pop()
        for p in (node._a, node._b):
            if p is not None and p not in seen:
                seen.add(p)
                stack.append(p)
    return len(seen) < SMALL_CIRCUIT


def maximum(a: Value | float, b: Value | float) -> Value:
    """The max gate: max(a, b). At a tie both inputs receive the gradient, 𝟙(a ≥ b), 𝟙(b ≥ a)."""
    a = a if isinstance(a, Value) else Value(as_number(a, "maximum"), label=str(a))
    b = b if isinstance(b, Value) else Value(as_number(b, "maximum"), label=str(b))
    return _two(_G["max"], a, b)


def sigmoid(x: Value) -> Value:
    """σ(x) as one gate (a function form of ``x.sigmoid()``)."""
    return x.sigmoid()
