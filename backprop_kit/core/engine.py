"""``Value``: one wire of a circuit; ``backward()``: the chain rule over the whole circuit.

Each operation adds a gate of the table (:mod:`backprop_kit.core.gates`) and returns its output
wire: ``data``, ``grad`` (∂output/∂wire after ``backward()``), ``op`` (``""`` for an input),
``parents`` in operand order (``a + a`` keeps two edges), ``const`` and ``label``. A wire refers
only to its parents, never through a closure: reference counting alone frees a circuit."""

from __future__ import annotations

from backprop_kit.core import switch
from backprop_kit.core.gates import GATES, Gate, as_number


class Value:
    """A number on a wire. ``Value(3.0, "x")`` is an input; ``+ - * / **``, unary ``-``, ``exp log
    tanh relu sigmoid inv`` and :func:`maximum` build gates, numbers on either side."""

    __slots__ = ("data", "grad", "op", "_a", "_b", "const", "label", "__weakref__")

    def __init__(self, data: float, label: str | None = None) -> None:
        if isinstance(data, Value):
            raise TypeError("Value needs a number (int or float), got a Value: use that Value")
        if label is not None and not isinstance(label, str):
            raise TypeError(f"Value label must be a str or None, got {type(label).__name__}")
        self.data, self.grad, self.op, self.label = as_number(data), 0.0, "", label
        self._a: Value | None = None  # the gate's inputs (see parents): two slots, no tuple
        self._b: Value | None = None
        self.const: float | None = None

    def named(self, label: str) -> Value:
        """Give this wire a name (for drawings and staged programs) and return it."""
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.label = label
        return self

    @property
    def parents(self) -> tuple[Value, ...]:
        """The gate's inputs in operand order: ``()`` for an input."""
        a, b = self._a, self._b
        return () if a is None else (a,) if b is None else (a, b)

    @property
    def gate(self) -> Gate | None:  # the gate that produced this wire (None for an input)
        return GATES[self.op] if self.op else None

    def local_grads(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, in operand order (``()`` for an input)."""
        a, b = self._a, self._b
        if a is None:
            return ()
        return GATES[self.op].local(self.data, a.data, 0.0 if b is None else b.data, self.const)

    def __repr__(self) -> str:
        name, op = f"{self.label}, " if self.label else "", f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g}{op})"

    # --- operators: with a Value on the other side a two-input gate, with a number a constant
    def _op(self, other: Value | float, two: str, one: str, what: str) -> Value:
        if isinstance(other, Value):
            return apply(two, self, other)
        c = as_number(other, what)
        return apply(one, self, None, -c if two == "sub" else c)  # x - c is the gate +(−c)

    # fmt: off
    def __add__(self, other: Value | float) -> Value: return self._op(other, "add", "addc", "+")
    def __mul__(self, other: Value | float) -> Value: return self._op(other, "mul", "scale", "*")
    def __pow__(self, other: Value | float) -> Value: return self._op(other, "pow", "powc", "**")
    def __truediv__(self, other: Value | float) -> Value: return self._op(other, "div", "divc", "/")
    def __sub__(self, other: Value | float) -> Value: return self._op(other, "sub", "addc", "-")
    __radd__, __rmul__ = __add__, __mul__  # c + x is x + c: the same gate +c
    def __rsub__(self, other: float) -> Value: return (-self)._op(other, "add", "addc", "-")
    def __rtruediv__(self, other: float) -> Value:  # c / x: 1/x, then *c unless c is 1
        c = as_number(other, "/")
        return self.inv() if c == 1.0 else self.inv()._op(c, "mul", "scale", "/")
    def __rpow__(self, other: float) -> Value:  # c ** x: the base is an input wire named c
        return Value(as_number(other, "**"), label=str(other))._op(self, "pow", "powc", "**")
    def __neg__(self) -> Value: return apply("neg", self)
    def exp(self) -> Value: return apply("exp", self)
    def log(self) -> Value: return apply("log", self)
    def tanh(self) -> Value: return apply("tanh", self)
    def relu(self) -> Value: return apply("relu", self)
    def inv(self) -> Value: return apply("inv", self)
    # fmt: on

    def sigmoid(self, expanded: bool = False) -> Value:
        """σ(x) as one gate, or ``expanded`` into ``*-1 → exp → +1 → 1/x`` (same numbers)."""
        return 1.0 / (1.0 + (self * -1.0).exp()) if expanded else apply("sigmoid", self)

    def topological_order(self) -> list[Value]:
        """Every wire of the circuit, each before the gates that use it; ``self`` last: the
        recursive ``visit(v): visit each unseen parent, then list v``, with its own stack."""
        order: list[Value] = []
        seen, stack = {self}, [self]
        while stack:
            v = stack[-1]
            a, b = v._a, v._b
            if a is not None and a not in seen:  # an unseen parent: visit it first
                seen.add(a)
                stack.append(a)
            elif b is not None and b not in seen:
                seen.add(b)
                stack.append(b)
            else:  # every parent listed: list the wire
                order.append(stack.pop())
        return order

    def backward(self, grad: float = 1.0) -> None:
        """Fill in ``.grad`` on every wire: ∂self/∂wire × ``grad``. Every gradient is set to 0
        first, so calling it twice gives the same numbers."""
        switch.refuse("Value.backward")
        order = self.topological_order()
        for v in order:
            v.grad = 0.0
        self.grad = as_number(grad, "backward(grad=...)")
        for v in reversed(order):  # the chain rule: parent.grad += local × v.grad, at forks too
            if v._a is not None:  # a gate: its parents (see parents) spelled out, as this is hot
                local = v.local_grads()
                v._a.grad += local[0] * v.grad
                if v._b is not None:
                    v._b.grad += local[1] * v.grad

    def __deepcopy__(self, memo: dict) -> Value:  # copy.deepcopy without recursion (any depth)
        for v in self.topological_order():
            if id(v) not in memo:
                new = memo[id(v)] = Value.__new__(Value)
                new.data, new.grad, new.op, new.const = v.data, v.grad, v.op, v.const
                new.label, new._a, new._b = v.label, memo.get(id(v._a)), memo.get(id(v._b))
        return memo[id(self)]


def apply(gate: str | Gate, a: Value, b: Value | None = None, c: float | None = None) -> Value:
    """A new wire: the gate (a name in the table, or a Gate) on ``a`` (and ``b``), constant
    ``c``; its number from the gate's forward rule."""
    g = gate if isinstance(gate, Gate) else GATES[gate]
    out = Value.__new__(Value)  # skips __init__'s checks: a and b are Values already
    out.data = g.forward(a.data, 0.0 if b is None else b.data, c)
    out.grad = 0.0
    out.op = g.name
    out._a = a
    out._b = b
    out.const = c
    out.label = None
    return out


def maximum(a: Value | float, b: Value | float) -> Value:
    """The max gate. At a tie both inputs receive the gradient: 𝟙(a ≥ b), 𝟙(b ≥ a)."""
    a, b = (v if isinstance(v, Value) else Value(as_number(v, "max"), str(v)) for v in (a, b))
    return apply("max", a, b)
