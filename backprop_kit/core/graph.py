"""Graph utilities beside the engine: :data:`BUILDERS` (the one gate -> operator table),
:func:`copy_circuit`, :func:`forward` (recompute every value in place) and a wire as text
(:func:`wire_name`, :func:`formula`), for the views, explorers and the formula reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backprop_kit.core.engine import Value, maximum
from backprop_kit.core.gates import GATES
from backprop_kit.core.text import format_number


def copy_circuit(root: Value, *, expand_sigmoid: bool = False) -> tuple[Value, dict[int, Value]]:
    """A copy of the circuit of ``root`` (same gates, constants, labels and values; no grads).

    With ``expand_sigmoid``, every σ gate becomes ``*-1 → exp → +1 → 1/x`` (the four new gates
    compute their values with their own forward rules from σ's input; the 1/x gate takes σ's
    label). Returns the copy's output and ``{id(copy wire): original wire}`` for every copied
    wire (the 1/x gate stands for its σ).
    """
    new: dict[int, Value] = {}
    origin: dict[int, Value] = {}
    for v in root.topological_order():
        ps = [new[id(p)] for p in v.parents]
        if not ps:
            c = Value(v.data)
        elif expand_sigmoid and v.op == "sigmoid":
            c = ps[0].sigmoid(expanded=True)
        else:  # the same gate (op and constant) on the copied parents
            build = BUILDERS.get(v.op)
            c = build(ps[0], ps[1] if len(ps) == 2 else None, v.const) if build else v
            if c is v or c.op != v.op or c.const != v.const:
                raise ValueError(
                    f"cannot copy a circuit with the gate {v.op!r}: no operator builds it"
                )
        c.label = v.label
        new[id(v)] = c
        origin[id(c)] = v
    return new[id(root)], origin


# The one op -> builder table: BUILDERS[gate](a, b, c) builds the gate on the inputs a (and b;
# either may be a plain number where the operator allows it) and the constant c, by Value's API.
BUILDERS: dict[str, Callable[[Any, Any, float | None], Value]] = {
    "add": lambda a, b, c: a + b,
    "sub": lambda a, b, c: a - b,
    "mul": lambda a, b, c: a * b,
    "div": lambda a, b, c: a / b,
    "pow": lambda a, b, c: a**b,
    "max": lambda a, b, c: maximum(a, b),
    "addc": lambda a, b, c: a + c,
    "scale": lambda a, b, c: a * c,
    "powc": lambda a, b, c: a**c,
    "neg": lambda a, b, c: -a,
    "inv": lambda a, b, c: a.inv(),
    "exp": lambda a, b, c: a.exp(),
    "log": lambda a, b, c: a.log(),
    "tanh": lambda a, b, c: a.tanh(),
    "relu": lambda a, b, c: a.relu(),
    "sigmoid": lambda a, b, c: a.sigmoid(),
}


def forward(order: list[Value]) -> None:
    """Recompute every gate's value in place, in topological ``order`` (inputs keep theirs).

    Raises the gate's own error (e.g. ``log`` of a negative number) and then leaves the values
    after the failing gate stale: recompute again after restoring the inputs.
    """
    for v in order:
        ps = v.parents
        if ps:
            v.data = GATES[v.op].forward(ps[0].data, ps[1].data if len(ps) == 2 else 0.0, v.const)


_PRECEDENCE = {
    "add": 1,
    "sub": 1,
    "addc": 1,
    "mul": 2,
    "div": 2,
    "scale": 2,
    "neg": 2,
    "inv": 2,
    "pow": 3,
    "powc": 3,
}


def wire_name(v: Value, longest: int = 16) -> str | None:
    """A short name for a wire: its label, or its formula (``x + y``) if that is short enough,
    else None."""
    if v.label:
        return v.label
    if len(v.topological_order()) > 8:
        return None
    text = formula(v)
    return text if len(text) <= longest else None


def formula(v: Value) -> str:
    """The formula of a wire in Python syntax, labels standing for their sub-circuits (``x + y``);
    meant for small sub-circuits (it recurses once per gate)."""
    if v.label:
        return v.label
    if not v.parents:
        return f"{v.data:g}"
    prec = _PRECEDENCE.get(v.op, 4)

    def arg(p: Value, tighter: bool = False) -> str:
        t = formula(p)
        inner = _PRECEDENCE.get(p.op, 4) if p.parents and not p.label else 4
        return f"({t})" if inner < prec or (tighter and inner == prec) else t

    a = v.parents[0]
    c = "" if v.const is None else format_number(v.const, "exact")
    if len(v.parents) == 2:
        b = v.parents[1]
        if v.op == "max":
            return f"max({formula(a)}, {formula(b)})"
        symbol = GATES[v.op].symbol
        return f"{arg(a, v.op == 'pow')} {symbol} {arg(b, v.op in ('sub', 'div'))}"
    simple = {
        "addc": f"{arg(a)} + {c}",
        "scale": f"{c} * {arg(a, True)}",
        "neg": f"-{arg(a, True)}",
        "powc": f"{arg(a, True)} ** {c}",
        "inv": f"1 / {arg(a, True)}",
    }
    return simple.get(v.op, f"{v.op}({formula(a)})")
