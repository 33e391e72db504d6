"""Chapter 6 exercises, how gates pass gradients back and why data scale matters: the max
gate's routing, a * gate with a tiny and a huge input, the learning rate that replays a run at
data × 1000, and a whole backward pass gate by gate. Answers by the kit's engine, no numpy."""

from __future__ import annotations

import math
import random

from backprop_kit import exercises as ex
from backprop_kit.core.engine import Value, maximum
from backprop_kit.core.numeric import backprop_grads
from backprop_kit.exercises.ch03 import multiply_backward

#: The notes' figure: f = 2·(x·y + max(z, w)) at these inputs (the chapter shows its gradients).
PATTERN_INPUTS = {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0}
#: ``ch06-max-route`` asks about the same circuit with a different race in the max gate.
MAX_ROUTE_INPUTS = {"x": 3.0, "y": -4.0, "z": -3.0, "w": -1.0}
#: ``ch06-multiply-uneven``: a * gate with a tiny and a huge input, and its upstream gradient.
UNEVEN = (0.002, 500.0, -3.0)
#: ``ch06-replay-lr``: the inputs' scale k and the k = 1 run's learning rate (the scale
#: explorer's DEFAULT_LR, which the question quotes).
INPUT_SCALE = 1000.0
LR = 0.5


def pattern_backward(x: float, y: float, z: float, w: float) -> tuple[float, ...]:
    """(dx, dy, dz, dw) of f = 2·(x·y + max(z, w)) at (x, y, z, w), by backprop."""
    return backprop_grads(lambda a, b, c, d: 2.0 * (a * b + maximum(c, d)), x, y, z, w)


def pattern_gradients(point: dict[str, float] | None = None) -> dict[str, float]:
    """{name: ∂f/∂name} of the same f at ``point`` (default: the notes' inputs)."""
    return dict(zip("xyzw", pattern_backward(**(point or PATTERN_INPUTS))))


def _linear_data(seed: int, n: int = 8, d: int = 3) -> tuple[list[list[float]], list[float]]:
    """Seeded normal data: X (n rows of d numbers) and a vector of d numbers."""
    rng = random.Random(seed)
    return [[rng.gauss(0, 1) for _ in range(d)] for _ in range(n)], [
        rng.gauss(0, 1) for _ in range(d)
    ]


def learning_rate_factor(k: float = INPUT_SCALE) -> float:
    """|dw| at input scale k over |dw| at 1, dw of L = Σₙ sₙ, s = (k X) @ w (seeded data)."""
    X, w = _linear_data(0)

    def dw(scale: float) -> float:
        def loss(*ws: Value) -> Value:
            return sum((scale * x * wi for row in X for x, wi in zip(row, ws)), Value(0.0))

        return math.hypot(*backprop_grads(loss, *w))

    return dw(k) / dw(1.0)


def score_factor(k: float = INPUT_SCALE) -> float:
    """|(k X) @ step| over |X @ step|: how much farther a weight step moves the scores."""
    X, step = _linear_data(1)

    def moved(scale: float) -> float:
        return math.hypot(*(sum(scale * x * s for x, s in zip(row, step)) for row in X))

    return moved(k) / moved(1.0)


def replay_learning_rate(k: float = INPUT_SCALE, lr: float = LR) -> float:
    """The rate at data scale k that replays the k = 1 run at lr: weights score_factor(k) times
    smaller, with dw learning_rate_factor(k) times larger, so lr / (the two factors) = lr / k²."""
    return lr / (learning_rate_factor(k) * score_factor(k))


ex.value_exercise(
    "ch06-max-route",
    "In f = 2·(x·y + max(z, w)) at x = 3, y = −4, z = −3, w = −1: what gradients reach z "
    "and w? Answer a pair (dz, dw).",
    expected=lambda: pattern_backward(**MAX_ROUTE_INPUTS)[2:],
    hint=(
        "first find the gradient arriving at the max gate's output (the + gate copies what "
        "the *2 gate sends it). The max gate hands that number, unchanged, to the input that "
        "is larger at THIS point, and nothing to the other one."
    ),
    explanation="The max gate routes: the winner takes the whole upstream gradient, the "
    "loser gets 0.",
)

ex.value_exercise(
    "ch06-multiply-uneven",
    "A * gate has inputs x = 0.002 and y = 500, and the gradient arriving at its output is −3. "
    "What gradients does it send back? Answer a pair (dx, dy).",
    expected=lambda: multiply_backward(*UNEVEN),
    hint=(
        "each input receives the OTHER input's value (the values are swapped), multiplied by "
        "the upstream gradient, sign included."
    ),
    explanation="The tiny input gets the huge gradient, and the huge input a tiny one.",
)

ex.value_exercise(
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


ex.function_exercise(
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
