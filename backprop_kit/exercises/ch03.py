"""Chapter 3 exercises: backprop as gates that only multiply what flows in by their local slopes.

* ``ch03-multiply-backward`` — a function: the downstream gradients of a * gate, given its
  inputs and the gradient arriving from above.
* ``ch03-raise-which`` — which input of f = (x + y)·z (x = −2, y = 5, z = −4) to raise so that
  f increases.

Every expected answer is computed here by the kit when the check runs.
"""

from __future__ import annotations

from backprop_kit.engine import Value
from backprop_kit.exercises import function_exercise, value_exercise


def multiply_backward(a: float, b: float, upstream: float) -> tuple[float, float]:
    """(∂L/∂a, ∂L/∂b) for out = a·b when ∂L/∂out = ``upstream``: backward(upstream) on one gate."""
    va, vb = Value(a), Value(b)
    out = va * vb
    out.backward(upstream)
    return va.grad, vb.grad


def input_to_raise() -> str:
    """The name of the input of the chapter-2 circuit whose gradient is the largest positive one.

    Raising that input raises f the fastest (and, in this circuit, it is the only input whose
    increase raises f at all).
    """
    from backprop_kit.circuits import chain_rule_example  # loaded when first checked

    f = chain_rule_example()
    f.backward()
    inputs = [v for v in f.topological_order() if not v.parents]
    best = max(inputs, key=lambda v: v.grad)
    if best.grad <= 0:
        raise RuntimeError("no input of the chain-rule circuit has a positive gradient")
    return best.label or ""


function_exercise(
    "ch03-multiply-backward",
    "Write multiply_backward(a, b, upstream) returning the gradients on a and b of a * gate "
    "whose output receives the gradient `upstream`.",
    reference=multiply_backward,
    cases=lambda: [(-2.0, 3.0, 1.0), (3.0, -4.0, 2.0), (0.5, 8.0, -1.5), (-1.0, -1.0, 0.25)],
    hint=(
        "First the gate's local gradients: ∂out/∂a and ∂out/∂b for out = a·b. Then the chain "
        "rule: each one is multiplied by the gradient flowing in from above."
    ),
    explanation="downstream = upstream × local: (upstream·b, upstream·a).",
)

value_exercise(
    "ch03-raise-which",
    "f = (x + y)·z at x = −2, y = 5, z = −4. Which ONE input would you raise a little to make f "
    "larger? Answer with its name as a string.",
    expected=input_to_raise,
    hint=(
        "Look at the sign of each input's gradient: a positive gradient means that raising the "
        "input raises f, a negative one means it lowers f."
    ),
    explanation="Only z has a positive gradient here.",
)
