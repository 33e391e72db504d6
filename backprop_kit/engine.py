"""``Value``: one wire of a circuit, and ``backward()``: the chain rule over the whole circuit.

Every arithmetic operation on a ``Value`` adds one gate (see :mod:`backprop_kit.gates`) and
returns the ``Value`` on its output wire. A ``Value`` keeps

* ``data``    the number on the wire (forward pass),
* ``grad``    ∂f/∂(this wire), filled in by ``f.backward()``,
* ``op``      the name of the gate that produced it (``""`` for an input),
* ``parents`` the gate's inputs, in operand order (``a + a`` has the parents ``(a, a)``),
* ``label``   an optional name used by drawings and staged programs.

A wire refers to its parents only, never to its children and never through a closure, so a
circuit is a tree of plain references that Python frees by reference counting alone.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator

from backprop_kit.gates import GATES, Gate

_G = GATES


def as_number(x: object, what: str = "Value") -> float:
    """``x`` as a float, or a one-line ``TypeError`` saying what is allowed."""
    if isinstance(x, float):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{what} needs a real number (int or float), got {type(x).__name__} {x!r:.60}"
        )
    return float(x)


class Value:
    """A scalar on a wire of a circuit, with the gradient of the circuit's output on it.

    ``Value(3.0, label="x")`` is an input. Operators (``+ - * / **``, unary ``-``), the methods
    ``exp log sigmoid tanh relu`` and :func:`maximum` build gates; plain numbers may stand on
    either side of an operator.
    """

    __slots__ = ("data", "grad", "op", "parents", "label", "const", "__weakref__")

    data: float
    grad: float
    op: str
    parents: tuple[Value, ...]
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
        self.parents = ()
        self.label = label
        self.const = None

    @classmethod
    def _gate(
        cls, gate: Gate, parents: tuple[Value, ...], const: float | None = None
    ) -> Value:
        """The output wire of ``gate`` applied to ``parents`` (and the constant ``const``)."""
        out = object.__new__(cls)
        a = parents[0].data
        b = parents[1].data if len(parents) == 2 else 0.0
        out.data = gate.forward(a, b, const)
        out.grad = 0.0
        out.op = gate.name
        out.parents = parents
        out.label = None
        out.const = const
        return out

    # --- naming --------------------------------------------------------------------------
    def named(self, label: str) -> Value:
        """Give this wire a name (for drawings and staged programs) and return it."""
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.label = label
        return self

    @property
    def gate(self) -> Gate | None:
        """The :class:`~backprop_kit.gates.Gate` that produced this wire (``None`` for inputs)."""
        return _G[self.op] if self.op else None

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, in operand order (``()`` for an input)."""
        if not self.parents:
            return ()
        ps = self.parents
        return _G[self.op].local(
            self.data, ps[0].data, ps[1].data if len(ps) == 2 else 0.0, self.const
        )

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g}{op})"

    # --- two-input operators -------------------------------------------------------------
    def __add__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return Value._gate(_G["add"], (self, other))
        return Value._gate(_G["addc"], (self,), as_number(other, "+"))

    def __radd__(self, other: float) -> Value:
        return Value._gate(_G["addc"], (self,), as_number(other, "+"))

    def __mul__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return Value._gate(_G["mul"], (self, other))
        return Value._gate(_G["scale"], (self,), as_number(other, "*"))

    def __rmul__(self, other: float) -> Value:
        return Value._gate(_G["scale"], (self,), as_number(other, "*"))

    def __sub__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return Value._gate(_G["sub"], (self, other))
        return Value._gate(_G["addc"], (self,), -as_number(other, "-"))

    def __rsub__(self, other: float) -> Value:
        return Value._gate(_G["addc"], (-self,), as_number(other, "-"))

    def __truediv__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return Value._gate(_G["div"], (self, other))
        c = as_number(other, "/")
        if c == 0:
            raise ZeroDivisionError(
                f"div gate: dividing {self.data!r} by 0 is undefined; the denominator must be "
                "non-zero"
            )
        return Value._gate(_G["scale"], (self,), 1.0 / c)

    def __rtruediv__(self, other: float) -> Value:
        c = as_number(other, "/")
        inv = Value._gate(_G["inv"], (self,))
        return inv if c == 1.0 else Value._gate(_G["scale"], (inv,), c)

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return Value._gate(_G["pow"], (self, other))
        return Value._gate(_G["powc"], (self,), as_number(other, "**"))

    def __rpow__(self, other: float) -> Value:
        base = Value(as_number(other, "**"), label=_number_label(other))
        return Value._gate(_G["pow"], (base, self))

    def __neg__(self) -> Value:
        return Value._gate(_G["neg"], (self,))

    # --- one-input gates -----------------------------------------------------------------
    def exp(self) -> Value:
        """eˣ."""
        return Value._gate(_G["exp"], (self,))

    def log(self) -> Value:
        """ln x (x must be > 0)."""
        return Value._gate(_G["log"], (self,))

    def tanh(self) -> Value:
        """tanh x."""
        return Value._gate(_G["tanh"], (self,))

    def relu(self) -> Value:
        """max(0, x)."""
        return Value._gate(_G["relu"], (self,))

    def sigmoid(self, expanded: bool = False) -> Value:
        """σ(x) = 1 / (1 + e⁻ˣ), as one gate, or ``expanded`` into ``*-1 → exp → +1 → 1/x``.

        Both give the same output and the same gradient on x.
        """
        if not expanded:
            return Value._gate(_G["sigmoid"], (self,))
        return 1.0 / (1.0 + (self * -1.0).exp())

    def inv(self) -> Value:
        """1/x (the ``1/x`` gate; x must be non-zero)."""
        return Value._gate(_G["inv"], (self,))

    # --- the backward pass -----------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Every wire of this circuit, each before any gate that uses it; ``self`` is last.

        Iterative depth-first search, so a chain of a million gates needs no recursion.
        """
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, Iterator[Value]]] = [(self, iter(self.parents))]
        seen.add(id(self))
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if id(p) not in seen:
                    seen.add(id(p))
                    stack.append((p, iter(p.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
        return order

    def backward(self, grad: float = 1.0) -> None:
        """Fill in ``.grad`` on every wire of this circuit: ∂self/∂wire, times ``grad``.

        First every gradient in the circuit is reset to 0, so calling it twice gives the same
        numbers. Then, from the output back to the inputs, each gate multiplies the gradient
        on its output by its local gradients and *adds* the result to its inputs' gradients
        (``+=``: a wire used by several gates collects the sum of their contributions).
        """
        g = as_number(grad, "backward(grad=...)")
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = g
        gates = _G
        for node in reversed(order):
            ps = node.parents
            if not ps:
                continue
            up = node.grad
            if len(ps) == 2:
                a, b = ps
                da, db = gates[node.op].local(node.data, a.data, b.data, node.const)
                a.grad += da * up
                b.grad += db * up
            else:
                a = ps[0]
                (da,) = gates[node.op].local(node.data, a.data, 0.0, node.const)
                a.grad += da * up


def _number_label(x: object) -> str:
    return str(x)


def maximum(a: Value | float, b: Value | float) -> Value:
    """The max gate: max(a, b). At a tie both inputs receive the gradient, 𝟙(a ≥ b), 𝟙(b ≥ a)."""
    a = a if isinstance(a, Value) else Value(as_number(a, "maximum"), label=_number_label(a))
    b = b if isinstance(b, Value) else Value(as_number(b, "maximum"), label=_number_label(b))
    return Value._gate(_G["max"], (a, b))


def sigmoid(x: Value) -> Value:
    """σ(x) as one gate (a function form of ``x.sigmoid()``)."""
    return x.sigmoid()


