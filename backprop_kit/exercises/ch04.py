"""Chapter 4 exercises: the sigmoid neuron and the local gradient of σ.

Every expected answer is computed here by the kit (the gate table and the engine) when the
check runs; nothing is typed in.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from backprop_kit.circuits import sigmoid_neuron
from backprop_kit.exercises import (
    compare,
    custom_exercise,
    function_exercise,
    run_cases,
    short,
    value_exercise,
)
from backprop_kit.gates import GATES

# The forward value of σ that the notes cache and read off the circuit, to two decimals.
CACHED_SIGMOID_OUTPUT = 0.73
# ``ch04-sigmoid-local`` asks about another neuron's σ gate, so that the chapter's own
# (1 − 0.73)·0.73 is not the answer on screen.
EXERCISE_SIGMOID_OUTPUT = 0.88


def sigmoid_slope(z: float) -> float:
    """dσ/dz at z, from the kit's σ gate: σ(z) forward, then its local gradient (1 − σ)·σ."""
    gate = GATES["sigmoid"]
    s = gate.forward(z, 0.0, None)
    return gate.local(s, z, 0.0, None)[0]


def neuron_gradients() -> dict[str, float]:
    """∂f/∂(each input) of the notes' neuron σ(w0·x0 + w1·x1 + w2), w = [2, −3, −3],
    x = [−1, −2], by backpropagation through its elementary gates."""
    f = sigmoid_neuron()
    f.backward()
    return {str(v.label): v.grad for v in f.topological_order() if not v.parents}


function_exercise(
    "ch04-sigmoid-slope",
    "Write dσ/dz as a function of z.",
    reference=sigmoid_slope,
    cases=lambda: [(0.0,), (1.0,), (-2.5,), (4.0,), (-0.3,)],
    hint=(
        "the rule you derived is written with the gate's OUTPUT σ(z), not with its input z. "
        "Compute s = σ(z) = 1 / (1 + e^(−z)) first, then build the slope from s alone."
    ),
    explanation="One forward value, one subtraction, one multiplication.",
)

value_exercise(
    "ch04-dw0",
    "What is ∂f/∂w0 for the neuron w = [2, −3, −3], x = [−1, −2]? (3 decimals or more)",
    expected=lambda: neuron_gradients()["w0"],
    hint=(
        "start from the gradient that reaches the * gate w0·x0 (the same number reaches every "
        "input of the + gates). A * gate hands each input the OTHER input times the upstream "
        "gradient: what does w0 multiply?"
    ),
    decimals=3,
    explanation="Both + gates pass the σ slope on unchanged; the * gate multiplies it by x0.",
)

value_exercise(
    "ch04-sigmoid-local",
    "Another neuron's σ gate cached the output 0.88. What is its local gradient? "
    "(3 decimals or more)",
    expected=lambda: GATES["sigmoid"].local(EXERCISE_SIGMOID_OUTPUT, 0.0, 0.0, None)[0],
    hint=(
        "the σ gate needs only its own cached output s: its slope is a product of two numbers "
        "made from s. Neither s alone nor 1 − s alone is enough."
    ),
    decimals=3,
    explanation="No exponential needed: the cached forward value is all the gate uses.",
)


def tanh_points() -> list[tuple[float, float]]:
    """Seeded random (x, dout) points for ``ch04-tanh-gate``: x in [−3, 3], dout in [−2, 2]."""
    rng = np.random.default_rng(4)
    return [(float(x), float(d)) for x, d in zip(rng.uniform(-3, 3, 6), rng.uniform(-2, 2, 6))]


def _judge_tanh_gate(answer: Any) -> str | None:
    """``answer`` = (tanh_forward, tanh_backward). The forward must give tanh(x); the backward,
    given the cached output and dout, must pass the gradient check against the central
    difference of the kit's tanh gate at random points (verdict from the threshold table)."""
    from backprop_kit.numeric import GRAD_CHECK_PASS, grade_rel_error, numerical_grad, rel_error

    if not (isinstance(answer, tuple) and len(answer) == 2 and all(map(callable, answer))):
        return "pass the pair of functions (tanh_forward, tanh_backward), without calling them"
    forward, backward = answer
    points = tanh_points()
    xs = [(x,) for x, _ in points]
    for (x,), out, want in run_cases("ch04-tanh-gate", forward, math.tanh, xs):
        m = compare(out, want, 1e-9)
        if m is not None:
            text = m.text or "that is not tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x))"
            return f"your tanh_forward({x:.3g}) returned {short(out)}: {text}"
    def numeric_dx(out: float, dout: float) -> float:
        (slope,) = numerical_grad(lambda v: v.tanh(), math.atanh(out))
        return slope * dout

    cases = [(math.tanh(x), d) for x, d in points]
    for (out, dout), got, want in run_cases("ch04-tanh-gate", backward, numeric_dx, cases):
        m = compare(got, want)
        if m is not None and m.kind == "type":
            return f"your tanh_backward(out={out:.3g}, dout={dout:.3g}): {m.text}"
        err = rel_error(float(got), want)
        if not err < GRAD_CHECK_PASS:
            return (f"at x = {math.atanh(out):.3g} the gradient check gives rel_error {err:.1e} "
                    f"({grade_rel_error(err)}). The slope of tanh is written with its OUTPUT: "
                    "what is 1 − out²? Then multiply by dout.")
    return None


custom_exercise(
    "ch04-tanh-gate",
    "Write a new gate: tanh_forward(x) returning out = tanh(x), and tanh_backward(out, dout) "
    "returning dx from the cached output alone; checked against the numerical gradient at "
    "random points (the kit's autodiff is off while your functions run).",
    _judge_tanh_gate,
    explanation="tanh′ = 1 − tanh²: like σ, the gate needs only its cached output.",
)
