"""Graph utilities beside the engine, read off the table of gates: copy a circuit, recompute
it in place, write a wire as a formula, and build a gate's Python form on any Value-like class
(the kit's or a learner's)."""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Callable
from typing import Any

from backprop_kit.core.engine import Value, apply
from backprop_kit.core.gates import GATES, Gate
from backprop_kit.core.text import format_number


def copy_circuit(root: Value, *, expand_sigmoid: bool = False) -> tuple[Value, dict[int, Value]]:
    """A copy of ``root``'s circuit (no grads), σ as ``*-1 → exp → +1 → 1/x`` if
    ``expand_sigmoid``, and ``{id(copy wire): original}`` (the 1/x gate stands for its σ)."""
    new: dict[int, Value] = {}
    origin: dict[int, Value] = {}
    for v in root.topological_order():
        ps = [new[id(p)] for p in v.parents]
        if not ps:
            c = Value(v.data)
        elif expand_sigmoid and v.op == "sigmoid":
            c = ps[0].sigmoid(expanded=True)
        else:
            c = apply(v.op, ps[0], ps[1] if len(ps) > 1 else None, v.const)
        c.label = v.label
        new[id(v)] = c
        origin[id(c)] = v
    return new[id(root)], origin


def forward(order: list[Value]) -> None:
    """Recompute every gate in place, in topological ``order``; a gate's error is raised."""
    for v in order:
        if v.parents:
            a, *b = v.parents
            v.data = GATES[v.op].forward(a.data, b[0].data if b else 0.0, v.const)


def wire_name(v: Value, longest: int = 16) -> str | None:
    """A wire's label, or its formula if that is short enough, else None."""
    if v.label:
        return v.label
    if len(v.topological_order()) > 8:
        return None
    text = formula(v)
    return text if len(text) <= longest else None


MAX_FORMULA_WIRES = 300  # formula() recurses once per gate


def formula(v: Value) -> str:
    """A wire's formula in Python syntax, labels standing for their sub-circuits, written with
    each gate's form ``python[0]``; numbers as Python reads them back. Up to 300 wires."""
    wires = len(v.topological_order())
    if wires > MAX_FORMULA_WIRES:
        raise ValueError(
            f"formula() writes circuits of up to {MAX_FORMULA_WIRES} wires; this one has {wires}"
        )
    return _formula(v)


def _formula(v: Value) -> str:
    if v.label:
        return v.label
    if not v.parents:
        return format_number(v.data, "exact")
    gate = GATES[v.op]
    slots = _operand_slots(gate.python[0])

    def arg(name: str, p: Value) -> str:
        text, tight = _formula(p), slots.get(name)
        inner = GATES[p.op].prec if p.parents and not p.label else 4
        if text.startswith("-"):  # a negative number or label binds like unary minus: (-2) ** x
            inner = min(inner, 2)
        wrap = tight is not None and (inner < gate.prec or (tight and inner == gate.prec))
        return f"({text})" if wrap else text

    fill = {name: arg(name, p) for name, p in zip("ab", v.parents)}
    return gate.python[0].format(
        c="" if v.const is None else format_number(v.const, "exact"), **fill
    )


@functools.cache
def _operand_slots(form: str) -> dict[str, bool]:
    """For ``{a}``/``{b}`` as an operand of ``form``'s operator: True where an operand of the
    same precedence needs parentheses (the right one of ``+ - * /``, the left one of ``**``,
    the one of unary ``-``). A call's arguments need none (absent)."""
    parts = form.split(" ")
    if len(parts) != 3:  # a call, or unary minus
        return {"a": True} if form.startswith("-") else {}
    left, op, right = parts
    return {left.strip("{}"): op == "**", right.strip("{}"): op != "**"}


# --- a gate's Python form, built on any Value-like objects ------------------------------------
OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


@functools.cache
def _form_tree(form: str) -> ast.expr:
    return ast.parse(form.format(a="a", b="b", c="c"), mode="eval").body


def run_tree(node: ast.expr, names: dict[str, Any], call: Callable[[str, list], Any]) -> Any:
    """A checked formula tree's value: ``names``, operators, and ``call(name, args)`` for calls."""
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp):
        return -run_tree(node.operand, names, call)
    if isinstance(node, ast.BinOp):
        left, right = (run_tree(x, names, call) for x in (node.left, node.right))
        return OPERATORS[type(node.op)](left, right)
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return call(node.func.id, [run_tree(x, names, call) for x in node.args])


def _gate_or_method(name: str, args: list) -> Any:
    first, *rest = args
    if isinstance(first, Value):
        return apply(gate_of_call(name), first, *rest)
    return getattr(first, name)(*rest)


def build(form: str, a: Any, b: Any = None, c: float | None = None) -> Any:
    """A gate's ``python`` form (``"{c} - {a}"``, ``"exp({a})"``) built on ``a``, ``b``, ``c`` by
    operators and methods (``a.exp()``; the kit's Value: the gate), for any engine."""
    return run_tree(_form_tree(form), {"a": a, "b": b, "c": c}, _gate_or_method)


def gate_of_call(name: str) -> Gate:
    """The gate whose form is the call ``name(...)`` (``exp`` → the exp gate)."""
    gate = next((g for g in GATES.values() if g.call == name), None)
    if gate is None:
        raise KeyError(f"no gate is written {name}(...)")
    return gate
