"""Chapter 1 exercises, derivatives as sensitivity: the gradients of x·y and of max(x, y)
(ties included) as functions, and the change of x·y for a nudge of x. Answers by backprop."""

from __future__ import annotations

from backprop_kit import exercises as ex
from backprop_kit.core.engine import maximum
from backprop_kit.core.numeric import backprop_grads

#: The notes' example point for f = x·y.
X, Y = 4.0, -3.0
#: The nudge on x in ``ch01-nudge``.
NUDGE = 0.001


def multiply_grads(x: float, y: float) -> tuple[float, ...]:
    """(∂f/∂x, ∂f/∂y) of f = x·y at (x, y), by backprop."""
    return backprop_grads(lambda a, b: a * b, x, y)


def max_grads(x: float, y: float) -> tuple[float, ...]:
    """(∂f/∂x, ∂f/∂y) of f = max(x, y) at (x, y), by backprop (a tie sends 1 to both)."""
    return backprop_grads(maximum, x, y)


def nudge_change() -> float:
    """The first-order change of f = x·y when x grows by NUDGE at (X, Y): ∂f/∂x · NUDGE."""
    return multiply_grads(X, Y)[0] * NUDGE


ex.function_exercise(
    "ch01-multiply-grads",
    "Write local_gradients(x, y) returning (∂f/∂x, ∂f/∂y) for f(x, y) = x·y.",
    reference=multiply_grads,
    returns=("∂f/∂x", "∂f/∂y"),
    cases=lambda: [(X, Y), (2.5, 0.5), (-1.0, 7.0), (0.0, 3.0), (-2.0, -6.0)],
    hint=(
        "When x moves by a small step, f = x·y moves by that step times the OTHER factor; "
        "the same holds for y."
    ),
    explanation="Each input's gradient is the value of the other input.",
)

ex.value_exercise(
    "ch01-nudge",
    "f = x·y at x = 4, y = −3. About how much does f change if x increases by 0.001?",
    expected=nudge_change,
    hint=(
        "The change of f is roughly (sensitivity of f to x) × (size of the nudge); find ∂f/∂x "
        "at this point first, and keep its sign."
    ),
    tol=1e-9,
    explanation="Change ≈ ∂f/∂x · Δx: a sensitivity times a nudge.",
    mistakes=lambda: [
        (multiply_grads(X, Y)[0], "that is ∂f/∂x, the change per unit of x: x moves by less"),
        ((X + NUDGE) * Y, "that is f after the nudge; the question asks how much f CHANGES"),
        (multiply_grads(X, Y)[1] * NUDGE, "that is ∂f/∂y times the nudge, but it is x that moves"),
    ],
)

ex.function_exercise(
    "ch01-max-grads",
    "Write max_gradients(x, y) returning (∂f/∂x, ∂f/∂y) for f(x, y) = max(x, y), "
    "using the kit's convention at a tie.",
    reference=max_grads,
    returns=("∂f/∂x", "∂f/∂y"),
    cases=lambda: [(3.0, 1.0), (-2.0, 5.0), (2.0, 2.0), (-0.5, -0.5), (0.0, -1.0)],
    hint=(
        "An input that is the largest passes changes straight through to f, the other does not "
        "move f at all; at a tie (x = y) the kit treats BOTH inputs as the largest."
    ),
    explanation="𝟙(x ≥ y) and 𝟙(y ≥ x): the winner gets slope 1, and a tie has two winners.",
)
