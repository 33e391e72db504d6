"""Chapter 5 exercises: the staged computation f(x, y) = (x + σ(y)) / (σ(x) + (x + y)²).

Every expected answer is computed here by the kit (the gate table, the engine and the staged
program) when the check runs; nothing is typed in.
"""

from __future__ import annotations

from backprop_kit.circuits import staged_example
from backprop_kit.exercises import function_exercise, value_exercise
from backprop_kit.gates import GATES
from backprop_kit.staged import staged
from backprop_kit.staged_compare import backward_steps, run_with_equals


def backprop_invden(den: float, dinvden: float) -> float:
    """Stage (7) backwards: invden = 1/den, so dden = (local gradient of 1/x at den) · dinvden."""
    (local,) = GATES["inv"].local(1.0 / den, den, 0.0, None)
    return local * dinvden


def contributions_to(gradient: str) -> int:
    """How many backward lines of the staged program write ``gradient`` (e.g. ``"dx"``)."""
    return len(backward_steps(staged_example()).for_target(gradient))


def dx_with_equals() -> float:
    """dx from the staged program run with every ``+=`` replaced by ``=``."""
    return run_with_equals(staged(staged_example()))["dx"]


function_exercise(
    "ch05-dden",
    "Write stage (7) of the backward pass: given den and dinvden, return dden.",
    reference=backprop_invden,
    cases=lambda: [(1.9525741268224333, 3.0179862099620918), (2.0, 1.0), (-0.5, 2.0), (4.0, -1.5)],
    hint=(
        "stage (7) is invden = 1/den. Take the local gradient of the 1/x gate from chapter 4's "
        "table (watch its sign and its power), evaluate it at den, and multiply by dinvden."
    ),
    explanation="Local gradient of 1/x, times the gradient arriving from above.",
)

value_exercise(
    "ch05-dx-count",
    "How many backward lines add something to dx?",
    expected=lambda: contributions_to("dx"),
    hint=(
        "go through the forward lines (1)–(8) and count those with x on the right-hand side: "
        "each such use sends one contribution back to dx."
    ),
    tol=0.0,
    explanation="One line per use of x in the forward pass.",
)

value_exercise(
    "ch05-dx-equals",
    "If every `+=` were written `=`, what value would dx end up with? (3 decimals or more)",
    expected=dx_with_equals,
    hint=(
        "with `=`, each line that writes dx throws away what was there. Find the LAST backward "
        "line that writes dx in the table above; only its local × upstream survives."
    ),
    decimals=3,
    explanation="Only the last contribution survives, and the two others are lost.",
)
