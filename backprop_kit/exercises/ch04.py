"""Chapter 4 exercises: the sigmoid neuron and the local gradient of σ.

Every expected answer is computed here by the kit (the gate table and the engine) when the
check runs; nothing is typed in.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from backprop_kit.core.circuits import sigmoid_neuron
from backprop_kit.core.gates import GATES
from backprop_kit.exercises import (
    compare,
    custom_exercise,
    run_cases,
    short,
    value_exercise,
)

# The forward value of σ that the notes cache and read off the circuit, to two decimals.
CACHED_SIGMOID_OUTPUT = 0.73
# ``ch04-sigmoid-local`` asks about another neuron's σ gate, so that the chapter's own
# (1 − 0.73)·0.73 is not the answer on screen.
EXERCISE_SIGMOID_OUTPUT = 0.88
# ``ch04-dw0`` asks about the chapter's weights seeing another input, so that the chapter's own
# ∂f/∂w0 (printed in its tables) is not the answer on screen.
EXERCISE_NEURON_X = (-1.0, -1.0)


def sigmoid_slope(z: float) -> float:
    """dσ/dz at z, from the kit's σ gate: σ(z) forward, then its local gradient (1 − σ)·σ."""
    gate = GATES["sigmoid"]
    s = gate.forward(z, 0.0, None)
    return gate.local(s, z, 0.0, None)[0]


def neuron_gradients(x: tuple[float, float] = (-1.0, -2.0)) -> dict[str, float]:
    """∂f/∂(each input) of the neuron σ(w0·x0 + w1·x1 + w2) with the notes' w = [2, −3, −3]
    and input ``x`` (the notes' x = [−1, −2] by default), by backpropagation through its
    elementary gates."""
    f = sigmoid_neuron(x=x)
    f.backward()
    return {str(v.label): v.grad for v in f.topological_order() if not v.parents}


# Where ``ch04-sigmoid-slope`` checks dσ/dz. z = 20 is where σ is so flat (σ′ ≈ 2·10⁻⁹) that a
# finite difference (σ(z + h) − σ(z − h)) / 2h with any usual h loses most of its digits to
# rounding, so the exercise asks for the rule and refuses a hand-written difference.
SLOPE_POINTS = (0.0, 1.0, -2.5, 4.0, -0.3, 20.0)
# Relative tolerance at each point: the rule (1 − σ)σ, however written, is good to ~1e-7 at z = 20.
SLOPE_REL_TOL = 1e-6


def _sigma(z: float) -> float:
    """σ(z) = 1 / (1 + e^(−z)), from the kit's σ gate."""
    return GATES["sigmoid"].forward(z, 0.0, None)


# Wrong rules a learner may write, each with the hint that names the slip.
_SLOPE_SLIPS: tuple[tuple[Any, str], ...] = (
    (
        lambda z: (1 - z) * z,
        "that is (1 − z)·z: the rule is written with the gate's OUTPUT s = σ(z), not with its "
        "input z. Compute s = 1 / (1 + e^(−z)) first, then build the slope from s",
    ),
    (
        lambda z: (1 + _sigma(z)) * _sigma(z),
        "that is (1 + s)·s with s = σ(z): you used the output, good, but check the sign of the "
        "first factor. Step 5 of the derivation turns e^(−z) / (1 + e^(−z)) into 1 minus something",
    ),
    (
        lambda z: _sigma(z),
        "that is σ(z) itself, the forward value; the slope is a product of two factors made "
        "from it",
    ),
    (lambda z: 1 - _sigma(z), "that is 1 − σ(z), only one of the two factors of the slope"),
)


def _judge_sigmoid_slope(fn: Any) -> str | None:
    """``fn(z)`` must equal dσ/dz = (1 − σ(z))·σ(z) to a relative ``SLOPE_REL_TOL`` at each of
    ``SLOPE_POINTS``; a wrong answer that matches one of ``_SLOPE_SLIPS`` gets that slip's hint."""
    if not callable(fn):
        return "pass the function itself (without calling it)"
    cases = [(z,) for z in SLOPE_POINTS]
    for (z,), got, want in run_cases("ch04-sigmoid-slope", fn, sigmoid_slope, cases):
        m = compare(got, want, 1e-6)
        if m is not None and m.kind == "type":
            return f"at z = {short(z)}: {m.text}"
        if math.isclose(float(got), want, rel_tol=SLOPE_REL_TOL, abs_tol=0.0):
            continue
        where = f"at z = {short(z)} your function returned {short(got)}"
        for slip, text in _SLOPE_SLIPS:
            wrong = slip(z)
            if math.isclose(float(got), wrong, rel_tol=1e-6, abs_tol=1e-12) and not math.isclose(
                wrong, want, rel_tol=SLOPE_REL_TOL
            ):
                return f"{where}: {text}."
        if abs(float(got) - want) <= 1e-6:  # close in absolute terms only: σ is flat here
            return (
                f"{where}, but dσ/dz there is {short(want)}: σ is so flat at z = "
                f"{short(z)} that a finite difference loses its digits. Write the rule "
                "you derived, from s = σ(z)."
            )
        return (
            f"{where}. Compute s = σ(z) = 1 / (1 + e^(−z)) first, then build the slope "
            "from s alone, as in step 6 of the derivation."
        )
    return None


custom_exercise(
    "ch04-sigmoid-slope",
    "Write dσ/dz as a function of z.",
    _judge_sigmoid_slope,
    explanation="One forward value, one subtraction, one multiplication.",
)

value_exercise(
    "ch04-dw0",
    "The neuron with w = [2, −3, −3] now sees the input x = [−1, −1]. What is ∂f/∂w0? "
    "(3 decimals or more)",
    expected=lambda: neuron_gradients(EXERCISE_NEURON_X)["w0"],
    hint=(
        "run the forward pass for the new input first: z = w0·x0 + w1·x1 + w2, then f = σ(z) "
        "and the σ slope (1 − f)·f at z. That slope reaches the * gate w0·x0 (the same number "
        "reaches every "
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
    from backprop_kit.core.numeric import (
        GRAD_CHECK_PASS,
        grade_rel_error,
        numerical_grad,
        rel_error,
    )

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
            return (
                f"at x = {math.atanh(out):.3g} the gradient check gives rel_error {err:.1e} "
                f"({grade_rel_error(err)}). The slope of tanh can be written with its OUTPUT "
                "alone: differentiate (e^x − e^(−x)) / (e^x + e^(−x)) with the quotient "
                "rule and look for tanh² in the result. Then multiply by dout."
            )
    return None


custom_exercise(
    "ch04-tanh-gate",
    "Write a new gate: tanh_forward(x) returning out = tanh(x), and tanh_backward(out, dout) "
    "returning dx from the cached output alone; checked against the numerical gradient at "
    "random points (the kit's autodiff is off while your functions run).",
    _judge_tanh_gate,
    explanation="tanh′ = 1 − tanh²: like σ, the gate needs only its cached output.",
)
