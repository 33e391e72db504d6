"""Hypothesis strategies that several test modules share: random circuits to draw, random
programs of gates to differentiate, and arrays of moderate values."""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backprop_kit import Value
from backprop_kit.core.engine import apply
from backprop_kit.core.gates import GATES, Gate
from backprop_kit.core.graph import copy_circuit


# --- the gates, read off the one table (a gate registered later is drawn too) -----------------
def one_input() -> list[str]:
    return [g.name for g in GATES.values() if g.arity == 1]


def two_inputs() -> list[str]:
    return [g.name for g in GATES.values() if g.arity == 2]


def constant(g: Gate, k: int) -> float | None:
    """The k-th constant a random test tries for gate ``g`` (None: the gate takes none)."""
    return g.consts[k % len(g.consts)] if g.consts else None


PROBES = (-20.0, -3.0, -1e-4, 0.0, 1e-4, 2.0, 20.0)


def takes_any_number(g: Gate) -> bool:
    """Whether ``g``'s domain holds for every moderate input (then a program feeds it raw)."""
    try:
        return all(g.domain(a, b, c) for a in PROBES for b in PROBES for c in g.consts or (None,))
    except ArithmeticError:
        return False


def into_every_domain(a):
    """A wire squashed into (1.46, 2): far from 0, positive, moderate: in every gate's domain."""
    return (a * a + 0.5).tanh() + 1.0


@st.composite
def random_circuits(draw, max_gates: int = 30) -> Value:
    """A random circuit of 1 to ``max_gates`` gates over up to 4 inputs, with fan-out, long
    wires, named intermediates, constants and numbers of every size."""
    number = st.floats(-3, 3, allow_nan=False) | st.sampled_from([0.0, 12345.678, -0.001])
    names = ["x", "y", "z", "w"][: draw(st.integers(1, 4))]
    nodes = [Value(draw(number), label=n) for n in names]
    if draw(st.booleans()):
        nodes.append(Value(2.0, label="2"))  # a constant input, as max(x, 2) makes
    n_gates = draw(st.integers(1, max_gates) | st.just(max_gates))
    made = 0
    for _ in range(3 * n_gates):
        if made == n_gates:
            break
        op = draw(st.sampled_from(one_input() + two_inputs()))
        # mostly extend the latest wire (so the output uses most gates); any earlier wire may
        # start a branch or fan out into a second operand
        if draw(st.integers(0, 4)):
            a = nodes[-1]
        else:
            a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        g = GATES[op]
        c = constant(g, draw(st.integers(0, 5)))
        try:
            v = apply(g, a, b if g.arity == 2 else None, c)
        except (ArithmeticError, ValueError):
            continue
        if draw(st.integers(0, 5)) == 0:
            v.named(draw(st.sampled_from(["q", "hidden", "a_long_name", "t1"])))
        nodes.append(v)
        made += 1
    root = nodes[-1]
    try:
        root.backward()
        copy_circuit(root, expand_sigmoid=True)[0].backward()
    except ArithmeticError:  # e.g. 1/x² at a tiny or huge x: the engine's limits, not drawing's
        assume(False)
    return root


# --- random programs of gates (a circuit over three inputs) --------------------------------------
def unary_steps() -> list:
    """Each one-input gate of the table (fed raw, or squashed into its domain), and σ expanded."""
    steps = [
        (
            lambda a, g=g: apply(
                g, a if takes_any_number(g) else into_every_domain(a), c=constant(g, 0)
            )
        )
        for g in GATES.values()
        if g.arity == 1
    ]
    return [*steps, lambda a: a.sigmoid(expanded=True)]


def binary_steps() -> list:
    """Each two-input gate of the table; outside "any number", both operands squashed into every
    domain, the second once as it is and once negated (both signs are tried)."""
    steps = []
    for g in GATES.values():
        if g.arity != 2:
            continue
        if takes_any_number(g):
            steps.append(lambda a, b, g=g: apply(g, a, b))
        else:
            steps.append(lambda a, b, g=g: apply(g, into_every_domain(a), into_every_domain(b)))
            steps.append(lambda a, b, g=g: apply(g, into_every_domain(a), -into_every_domain(b)))
    return steps


@st.composite
def programs(draw):
    """A random circuit over three inputs: each step applies a gate to earlier wires."""
    steps = []
    n = draw(st.integers(1, 12))
    for i in range(n):
        if draw(st.booleans()):
            steps.append(
                ("u", draw(st.integers(0, len(unary_steps()) - 1)), draw(st.integers(0, i + 2)))
            )
        else:
            steps.append(
                (
                    "b",
                    draw(st.integers(0, len(binary_steps()) - 1)),
                    draw(st.integers(0, i + 2)),
                    draw(st.integers(0, i + 2)),
                )
            )
    return steps


def near_a_kink(out: Value, h: float = 1e-4) -> bool:
    """Whether a gate of ``out``'s circuit sits within ``h`` of a kink (max at a tie, relu at 0),
    where a finite difference and the gate's conventional slope legitimately differ."""
    for v in out.topological_order():
        g = v.gate
        if g is not None and g.kink is not None:
            a, *b = (p.data for p in v.parents)
            if g.kink(a, b[0] if b else 0.0, v.const) < h:
                return True
    return False


def run_program(steps, *inputs):
    wires, unary, binary = list(inputs), unary_steps(), binary_steps()
    for step in steps:
        if step[0] == "u":
            wires.append(unary[step[1]](wires[step[2]]))
        else:
            wires.append(binary[step[1]](wires[step[2]], wires[step[3]]))
    return wires[-1]


# --- arrays of moderate values ------------------------------------------------------------------
dims = st.integers(1, 8)
# Moderate values: 0 or a magnitude in [1e-6, 10], so no product underflows to subnormals.
values = st.floats(-10, 10).map(lambda v: 0.0 if abs(v) < 1e-6 else v)
away_from_zero = st.one_of(st.floats(-10, -1e-3), st.floats(1e-3, 10))
any_shape = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=6)


def arrays(shape, elements=values):
    return hnp.arrays(np.float64, shape, elements=elements)
