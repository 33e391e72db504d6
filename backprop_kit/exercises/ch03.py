"""Chapter 3 exercises, gates that multiply what flows in by their local slopes: the backward
pass of a * gate and of a / gate as functions, and which inputs of f = (x + y)·z to raise at a
new point (any spelling of the set of names). Answers by the kit when the check runs."""

from __future__ import annotations

import re
from typing import Any

from backprop_kit import exercises as ex
from backprop_kit.exercises.ch02 import chain_rule_partials

#: The point of ``ch03-inputs-to-raise`` (not chapter 2's, whose gradients the chapter shows).
RAISE_POINT = {"x": -3.0, "y": 1.0, "z": 2.0}


def multiply_backward(a: float, b: float, upstream: float) -> tuple[float, ...]:
    """(∂L/∂a, ∂L/∂b) for out = a·b when ∂L/∂out = ``upstream``."""
    return ex.upstream_grads(lambda p, q: p * q, upstream, a, b)


def divide_backward(a: float, b: float, upstream: float) -> tuple[float, ...]:
    """(∂L/∂a, ∂L/∂b) for out = a / b when ∂L/∂out = ``upstream``."""
    return ex.upstream_grads(lambda p, q: p / q, upstream, a, b)


def inputs_to_raise(x: float, y: float, z: float) -> frozenset[str]:
    """The inputs of f = (x + y)·z with a positive gradient at (x, y, z), by backprop."""
    return frozenset(n for n, g in zip("xyz", chain_rule_partials(x, y, z)) if g > 0)


def names_in(answer: Any) -> frozenset[str] | None:
    """The lower-case names in a collection of strings or in one string ("x, y"), else None."""
    if isinstance(answer, str):
        items = [t for t in re.split(r"[\s,;{}()\[\]'\"]+", answer) if t]
    elif isinstance(answer, (set, frozenset, list, tuple)):
        if not all(isinstance(t, str) for t in answer):
            return None
        items = [t.strip() for t in answer]
    else:
        return None
    return frozenset(t.lower() for t in items)


class NameSet(ex.AnswerKey):
    """Any spelling of the same set of names (:func:`names_in`) is right; else a hint on form."""

    def __init__(self, names: frozenset[str], allowed: frozenset[str] = frozenset("xyz")) -> None:
        self.names = frozenset(n.lower() for n in names)
        self.allowed = frozenset(n.lower() for n in allowed)

    def compare(self, got: Any) -> ex.Mismatch | None:
        names = names_in(got)
        if names is None and isinstance(got, (set, frozenset, list, tuple)):
            odd = next(t for t in got if not isinstance(t, str))
            return ex.Mismatch(
                "type",
                f"every name must be a string in quotes; your answer holds {ex.describe(odd)}",
            )
        if names is None:
            return ex.Mismatch(
                "type",
                f'expected names of inputs such as {{"a", "b"}} or "a, b", got {ex.describe(got)}',
            )
        unknown = sorted(names - self.allowed)
        if unknown:
            return ex.Mismatch(
                "type",
                f"{unknown[0][:20]!r} is not the name of an input: write "
                "each name on its own, separated by commas",
            )
        return None if names == self.names else ex.Mismatch("value")


ex.function_exercise(
    "ch03-multiply-backward",
    "Write multiply_backward(a, b, upstream) returning the gradients on a and b of a * gate "
    "whose output receives the gradient `upstream`.",
    reference=multiply_backward,
    returns=("gradient on a", "gradient on b"),
    cases=lambda: [(-2.0, 3.0, 1.0), (3.0, -4.0, 2.0), (0.5, 8.0, -1.5), (-1.0, -1.0, 0.25)],
    hint=(
        "First the gate's local gradients: ∂out/∂a and ∂out/∂b for out = a·b. Then the chain "
        "rule: each one is multiplied by the gradient flowing in from above."
    ),
    explanation="downstream = upstream × local: (upstream·b, upstream·a).",
)

ex.value_exercise(
    "ch03-inputs-to-raise",
    "f = (x + y)·z at x = −3, y = 1, z = 2. Which inputs would you raise a little to make f "
    'larger? Answer with their names, e.g. {"x", "z"} or "x, z" (any order).',
    expected=lambda: NameSet(inputs_to_raise(**RAISE_POINT)),
    hint=(
        "work out each input's gradient at THIS point with the chain rule (the + gate hands on "
        "what the * gate gives q). A positive gradient means raising that input raises f, a "
        "negative one means it lowers f. Name every input that raises f, and only those."
    ),
    explanation="The + gate hands the positive z to x and y; z receives q = x + y, negative here.",
    mistakes=lambda: [
        (
            NameSet(frozenset("xyz") - inputs_to_raise(**RAISE_POINT)),
            "those are the inputs whose gradient is negative here: raising them LOWERS f",
        ),
        (NameSet(frozenset("xyz")), "not all three: one input's gradient is negative here"),
    ],
)


ex.function_exercise(
    "ch03-divide-backward",
    "Write divide_backward(a, b, upstream) returning the gradients on a and b of a gate "
    "out = a / b whose output receives the gradient `upstream` (the kit's autodiff is "
    "switched off while your function is checked).",
    reference=divide_backward,
    returns=("gradient on a", "gradient on b"),
    cases=lambda: [(3.0, 2.0, 1.0), (-1.0, 4.0, 2.0), (6.0, -3.0, -0.5), (0.5, 0.25, 3.0)],
    hint=(
        "first the local gradients of a / b: hold b fixed and a / b is a straight line in a "
        "(what is its slope?); hold a fixed and it is a times 1/b, so you need the slope of "
        "1/b (the 1/x gate's rule). Then multiply each by `upstream`."
    ),
    explanation="(upstream / b, −upstream · a / b²): local slope times what flows in.",
)
