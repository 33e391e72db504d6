"""Chapter 6 exercises: how add, max and multiply gates pass gradients back, and data scale.

Every expected answer is computed here by the kit (the engine and the array helpers) when the
check runs; nothing is typed in.
"""

from __future__ import annotations

import numpy as np

from backprop_kit.arrays import linear_weight_grad
from backprop_kit.engine import Value, maximum
from backprop_kit.exercises import function_exercise, value_exercise

# The notes' figure: f = 2·(x·y + max(z, w)) at these inputs.
PATTERN_INPUTS = {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0}
INPUT_SCALE = 1000.0


def pattern_gradients() -> dict[str, float]:
    """∂f/∂(each input) of f = 2·(x·y + max(z, w)), by backpropagation."""
    v = {name: Value(x, label=name) for name, x in PATTERN_INPUTS.items()}
    f = 2.0 * (v["x"] * v["y"] + maximum(v["z"], v["w"]))
    f.backward()
    return {name: value.grad for name, value in v.items()}


def multiply_downstream(x: float, y: float, upstream: float) -> tuple[float, float]:
    """The gradients a * gate sends to its inputs x and y, given the gradient on its output."""
    a, b = Value(x), Value(y)
    (a * b).backward(upstream)
    return a.grad, b.grad


def learning_rate_factor(k: float = INPUT_SCALE) -> float:
    """How many times larger the weight gradient gets when every input is multiplied by k.

    Measured with :func:`~backprop_kit.arrays.linear_weight_grad` on seeded random data:
    the norm of dw at scale k divided by its norm at scale 1.
    """
    rng = np.random.default_rng(0)
    X, w = rng.normal(size=(8, 3)), rng.normal(size=3)
    dout = rng.normal(size=8)
    big = np.linalg.norm(linear_weight_grad(X, w, k, dout))
    return float(big / np.linalg.norm(linear_weight_grad(X, w, 1.0, dout)))


value_exercise(
    "ch06-max-grads",
    "In f = 2·(x·y + max(z, w)) at z = 2, w = −1: what gradients reach z and w? "
    "Answer a pair (dz, dw).",
    expected=lambda: (pattern_gradients()["z"], pattern_gradients()["w"]),
    hint=(
        "first find the gradient arriving at the max gate's output (the + gate copies what "
        "the *2 gate sends it). The max gate hands that number, unchanged, to the input that "
        "was larger in the forward pass, and nothing to the other one."
    ),
    explanation="The max gate routes: the winner z takes the whole upstream 2, w gets 0.",
)

function_exercise(
    "ch06-multiply-swap",
    "Write the * gate's backward pass: given x, y and the upstream gradient, return (dx, dy).",
    reference=multiply_downstream,
    cases=lambda: [(3.0, -4.0, 2.0), (1000.0, 0.001, 1.0), (-2.0, 5.0, -3.0), (0.5, 0.25, 4.0)],
    hint=(
        "each input's local gradient is the value of the OTHER input (the values are swapped); "
        "then the chain rule multiplies that by the upstream gradient."
    ),
    explanation="Swap the inputs, multiply by the upstream gradient.",
)

value_exercise(
    "ch06-lr-factor",
    "Every input is multiplied by 1000. By what factor must the learning rate be divided so "
    "that a gradient step on the weights keeps its size?",
    expected=learning_rate_factor,
    hint=(
        "the step is lr × dw. Measure how much larger dw gets: compare linear_weight_grad "
        "with the scaled inputs' k and with k = 1, then undo that growth with lr."
    ),
    explanation="The weight gradient grows as fast as the inputs, so lr must shrink as fast.",
)
