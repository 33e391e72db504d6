"""Hypothesis strategies that several test modules share: random circuits to draw, random
programs of gates to differentiate, and arrays of moderate values."""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backprop_kit import Value, maximum
from backprop_kit.core.graph import copy_circuit

# --- random circuits to draw --------------------------------------------------------------------
ONE_INPUT = ("exp", "sigmoid", "tanh", "relu", "neg", "addc", "scale", "powc", "inv", "log")
TWO_INPUTS = ("add", "sub", "mul", "div", "max", "pow")


def _apply(op: str, a: Value, b: Value, c: float) -> Value:
    return {
        "exp": lambda: a.exp(),
        "sigmoid": lambda: a.sigmoid(),
        "tanh": lambda: a.tanh(),
        "relu": lambda: a.relu(),
        "neg": lambda: -a,
        "addc": lambda: a + c,
        "scale": lambda: a * c,
        "powc": lambda: a**2,
        "inv": lambda: a.inv(),
        "log": lambda: a.log(),
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "div": lambda: a / b,
        "max": lambda: maximum(a, b),
        "pow": lambda: a**b,
    }[op]()


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
        op = draw(st.sampled_from(ONE_INPUT + TWO_INPUTS))
        # mostly extend the latest wire (so the output uses most gates); any earlier wire may
        # start a branch or fan out into a second operand
        if draw(st.integers(0, 4)):
            a = nodes[-1]
        else:
            a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        c = draw(st.sampled_from([1.0, -1.0, 2.0, 0.5, 3.25]))
        try:
            v = _apply(op, a, b, c)
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
UNARY = [
    lambda a: a.sigmoid(),
    lambda a: a.tanh(),
    lambda a: (a * 0.3).exp(),
    lambda a: a * -1.5,
    lambda a: a + 2.0,
    lambda a: -a,
    lambda a: (a * a + 1.0).log(),
    lambda a: 1.0 / (a * a + 0.5),
    lambda a: a**2,
    lambda a: a.sigmoid(expanded=True),
]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    lambda a, b: a / (b * b + 1.0),
    lambda a, b: (a * a + 0.5) ** b.tanh(),
]


@st.composite
def programs(draw):
    """A random circuit over three inputs: each step applies a gate to earlier wires."""
    steps = []
    n = draw(st.integers(1, 12))
    for i in range(n):
        if draw(st.booleans()):
            steps.append(("u", draw(st.integers(0, len(UNARY) - 1)), draw(st.integers(0, i + 2))))
        else:
            steps.append(
                (
                    "b",
                    draw(st.integers(0, len(BINARY) - 1)),
                    draw(st.integers(0, i + 2)),
                    draw(st.integers(0, i + 2)),
                )
            )
    return steps


def run_program(steps, *inputs):
    wires = list(inputs)
    for step in steps:
        if step[0] == "u":
            wires.append(UNARY[step[1]](wires[step[2]]))
        else:
            wires.append(BINARY[step[1]](wires[step[2]], wires[step[3]]))
    return wires[-1]


# --- arrays of moderate values ------------------------------------------------------------------
dims = st.integers(1, 8)
# Moderate values: 0 or a magnitude in [1e-6, 10], so no product underflows to subnormals.
values = st.floats(-10, 10).map(lambda v: 0.0 if abs(v) < 1e-6 else v)
away_from_zero = st.one_of(st.floats(-10, -1e-3), st.floats(1e-3, 10))
any_shape = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=6)


def arrays(shape, elements=values):
    return hnp.arrays(np.float64, shape, elements=elements)
