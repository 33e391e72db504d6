"""Chapter 2 exercises, the chain rule: ∂f/∂x of f = (x + y)·z at a new point, its three
partials as a function, and those of g = (x·y + z)². Answers by backprop on the kit's circuits."""

from __future__ import annotations

from backprop_kit import exercises as ex
from backprop_kit.core.circuits import chain_rule_example
from backprop_kit.core.numeric import backprop_grads

#: The point of ``ch02-dfdx`` (not the notes' point, whose gradients the chapter shows).
POINT = {"x": 1.0, "y": -3.0, "z": 5.0}


def chain_rule_partials(x: float, y: float, z: float) -> tuple[float, float, float]:
    """(∂f/∂x, ∂f/∂y, ∂f/∂z) of f = (x + y)·z at (x, y, z), by backprop on the kit's circuit."""
    f = chain_rule_example(x=x, y=y, z=z)
    f.backward()
    inputs = {v.label: v for v in f.topological_order() if not v.parents}
    return inputs["x"].grad, inputs["y"].grad, inputs["z"].grad


ex.value_exercise(
    "ch02-dfdx",
    "f = (x + y)·z with q = x + y. At x = 1, y = −3, z = 5, what is ∂f/∂x?",
    expected=lambda: chain_rule_partials(**POINT)[0],
    hint=(
        "Go through q: ∂f/∂x = ∂f/∂q · ∂q/∂x. For f = q·z, ∂f/∂q is the other factor of the "
        "product; for q = x + y, ∂q/∂x is the slope of a sum. Evaluate at THIS point."
    ),
    explanation="∂f/∂q = z and ∂q/∂x = 1, so ∂f/∂x = z · 1.",
    mistakes=lambda: [
        ((POINT["x"] + POINT["y"]) * POINT["z"], "that is f itself; the question asks its slope"),
        (chain_rule_partials(**POINT)[2], "that is ∂f/∂z (the value of q); x reaches f through q"),
    ],
)

ex.function_exercise(
    "ch02-partials",
    "Write partials(x, y, z) returning (∂f/∂x, ∂f/∂y, ∂f/∂z) for f = (x + y)·z.",
    reference=chain_rule_partials,
    returns=("∂f/∂x", "∂f/∂y", "∂f/∂z"),
    cases=lambda: [(-2.0, 5.0, -4.0), (1.0, -3.0, 5.0), (0.5, 0.25, 2.0), (3.0, -3.0, 7.0)],
    hint=(
        "for ∂f/∂z: which value does z multiply? The inputs x and y reach f only through "
        "q = x + y, so each gets ∂f/∂q (the other factor of the product) times the + gate's "
        "slope."
    ),
    explanation="(z, z, x + y): the + gate hands ∂f/∂q = z to both x and y unchanged.",
)


def square_chain(x: float, y: float, z: float) -> tuple[float, ...]:
    """(∂g/∂x, ∂g/∂y, ∂g/∂z) of g = (x·y + z)² at (x, y, z), by backprop."""
    return backprop_grads(lambda a, b, c: (a * b + c) ** 2, x, y, z)


ex.function_exercise(
    "ch02-square-chain",
    "Write square_partials(x, y, z) returning (∂g/∂x, ∂g/∂y, ∂g/∂z) for the new expression "
    "g = (x·y + z)², with the chain rule through q = x·y + z (the kit's autodiff is switched "
    "off while your function is checked).",
    reference=square_chain,
    returns=("∂g/∂x", "∂g/∂y", "∂g/∂z"),
    cases=lambda: [(1.0, 2.0, 3.0), (-2.0, 0.5, 1.0), (3.0, -1.0, -4.0), (0.0, 4.0, -2.0)],
    hint=(
        "first ∂g/∂q for g = q² (it depends on the value of q at this point), then multiply it "
        "by ∂q/∂x, ∂q/∂y and ∂q/∂z of q = x·y + z."
    ),
    explanation="∂g/∂q = 2q, and q = x·y + z hands it on times y, x and 1.",
)
