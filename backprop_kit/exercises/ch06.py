"""Chapter 6 exercises: how add, max and multiply gates pass gradients back, and data scale.

* ``ch06-max-route`` — the gradients that reach z and w in f = 2·(x·y + max(z, w)) at a point
  where w wins the max.
* ``ch06-multiply-uneven`` — (dx, dy) of a * gate with a tiny and a huge input.
* ``ch06-replay-lr`` — the learning rate that replays the k = 1 training run at data × 1000.

Every expected answer is computed here by the kit (the engine and the array helpers) when the
check runs; nothing is typed in.
"""

from __future__ import annotations

import numpy as np

from backprop_kit.chapters.scale_explorer import DEFAULT_LR, toy_dataset
from backprop_kit.core.engine import Value, maximum
from backprop_kit.exercises import function_exercise, value_exercise
from backprop_kit.nn.arrays import linear_weight_grad

# The notes' figure: f = 2·(x·y + max(z, w)) at these inputs (the chapter shows its gradients).
PATTERN_INPUTS = {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0}
# ``ch06-max-route`` asks about the same circuit with a different race in the max gate.
MAX_ROUTE_INPUTS = {"x": 3.0, "y": -4.0, "z": -3.0, "w": -1.0}
# ``ch06-multiply-uneven``: a * gate with a tiny and a huge input, and its upstream gradient.
UNEVEN = (0.002, 500.0, -3.0)
INPUT_SCALE = 1000.0


def pattern_gradients(point: dict[str, float] | None = None) -> dict[str, float]:
    """∂f/∂(each input) of f = 2·(x·y + max(z, w)) at ``point`` (default: the notes' inputs),
    by backpropagation."""
    point = PATTERN_INPUTS if point is None else point
    v = {name: Value(x, label=name) for name, x in point.items()}
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

    Measured with :func:`~backprop_kit.nn.arrays.linear_weight_grad` on seeded random data:
    the norm of dw at scale k divided by its norm at scale 1.
    """
    rng = np.random.default_rng(0)
    X, w = rng.normal(size=(8, 3)), rng.normal(size=3)
    dout = rng.normal(size=8)
    big = np.linalg.norm(linear_weight_grad(X, w, k, dout))
    return float(big / np.linalg.norm(linear_weight_grad(X, w, 1.0, dout)))


def score_factor(k: float = INPUT_SCALE) -> float:
    """How many times farther the scores s = (k X) @ w move, for the same weight step, when
    every input is multiplied by k. Measured on the chapter's data with a seeded random step."""
    X, _y = toy_dataset()
    step = np.random.default_rng(0).normal(size=X.shape[1])
    return float(np.linalg.norm((k * X) @ step) / np.linalg.norm(X @ step))


def replay_learning_rate(k: float = INPUT_SCALE, lr: float = DEFAULT_LR) -> float:
    """The learning rate at data scale ``k`` whose run replays the k = 1 run (rate ``lr``).

    The scores are s = (k X) @ w. They are the same after every step if the weights at scale
    k are always the k = 1 weights divided by :func:`score_factor`, so every step must be
    that many times shorter; a step is lr · dw, and dw is :func:`learning_rate_factor` times
    larger. Hence lr_k = lr / (learning_rate_factor(k) · score_factor(k)) (= lr / k²).
    """
    return lr / (learning_rate_factor(k) * score_factor(k))


value_exercise(
    "ch06-max-route",
    "In f = 2·(x·y + max(z, w)) at x = 3, y = −4, z = −3, w = −1: what gradients reach z "
    "and w? Answer a pair (dz, dw).",
    expected=lambda: (
        pattern_gradients(MAX_ROUTE_INPUTS)["z"],
        pattern_gradients(MAX_ROUTE_INPUTS)["w"],
    ),
    hint=(
        "first find the gradient arriving at the max gate's output (the + gate copies what "
        "the *2 gate sends it). The max gate hands that number, unchanged, to the input that "
        "is larger at THIS point, and nothing to the other one."
    ),
    explanation="The max gate routes: the winner takes the whole upstream gradient, the "
    "loser gets 0.",
)

value_exercise(
    "ch06-multiply-uneven",
    "A * gate has inputs x = 0.002 and y = 500, and the gradient arriving at its output is −3. "
    "What gradients does it send back? Answer a pair (dx, dy).",
    expected=lambda: multiply_downstream(*UNEVEN),
    hint=(
        "each input receives the OTHER input's value (the values are swapped), multiplied by "
        "the upstream gradient, sign included."
    ),
    explanation="The tiny input gets the huge gradient, and the huge input a tiny one.",
)

value_exercise(
    "ch06-replay-lr",
    "A linear classifier is trained with lr = 0.5 on the data as it is (k = 1). Every input is "
    "now multiplied by k = 1000. Which learning rate makes the k = 1000 run replay the k = 1 "
    "run step for step (the same scores, so the same loss, after every step)?",
    expected=replay_learning_rate,
    hint=(
        "the scores are (k·X)·w, so the same scores need weights k times smaller, and every "
        "weight step k times shorter than at k = 1. A step is lr × dw, and you measured how "
        "much larger dw got. Both effects must be undone by lr."
    ),
    tol=1e-9,
    explanation="One factor k for the larger gradient, one for the larger inputs the weights "
    "multiply: lr / k².",
)


def pattern_backward(x: float, y: float, z: float, w: float) -> tuple[float, ...]:
    """(dx, dy, dz, dw) of f = 2·(x·y + max(z, w)) at (x, y, z, w), by backpropagation."""
    g = pattern_gradients({"x": x, "y": y, "z": z, "w": w})
    return g["x"], g["y"], g["z"], g["w"]


function_exercise(
    "ch06-patterns-backward",
    "Write patterns_backward(x, y, z, w) returning (dx, dy, dz, dw) for "
    "f = 2·(x·y + max(z, w)), gate by gate: the *2 gate scales, the + gate distributes, the "
    "max gate routes, the * gate swaps (the kit's autodiff is switched off while it runs).",
    reference=pattern_backward,
    returns=("dx", "dy", "dz", "dw"),
    # the last case is a tie (z = w): the kit's max gate passes the gradient to both inputs
    cases=lambda: [
        (3.0, -4.0, 2.0, -1.0),
        (1.0, 2.0, -3.0, 0.5),
        (-2.0, 0.5, 4.0, 1.0),
        (0.25, -3.0, -1.0, -2.0),
        (1.5, -2.0, 0.5, 0.5),
    ],
    hint=(
        "the *2 gate sends 2 to the + gate, which hands 2 to both x·y and max(z, w). The max "
        "gate gives all of it to the larger of z and w at THIS point, 0 to the other (at a tie, "
        "z = w, the kit's max gate gives it to both); the * gate gives x the value of y times "
        "it, and y the value of x times it."
    ),
    explanation="Scale by 2, distribute, route to the winner, swap the factors.",
)
