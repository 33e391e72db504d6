"""Chapter 4 exercises, the sigmoid neuron: dσ/dz as a function (checked where a finite
difference loses its digits), ∂f/∂w0 of the notes' neuron at a new input, σ's local gradient
from a cached output, and a tanh gate written from scratch and gradient-checked.
Answers by the kit (its engine and numerics) when the check runs."""

from __future__ import annotations

import math
import random
from typing import Any

from backprop_kit import exercises as ex
from backprop_kit.core.circuits import sigmoid_neuron
from backprop_kit.core.engine import Value
from backprop_kit.core.numeric import (
    GRAD_CHECK_PASS,
    backprop_grads,
    grade_rel_error,
    numerical_grad,
    rel_error,
)

#: ``ch04-sigmoid-local`` asks about another neuron's σ gate than the chapter's (output 0.73).
EXERCISE_SIGMOID_OUTPUT = 0.88
#: ``ch04-dw0``: the chapter's weights see another input (the chapter prints its own ∂f/∂w0).
EXERCISE_NEURON_X = (-1.0, -1.0)
#: Where dσ/dz is checked. At z = 20, σ′ ≈ 2·10⁻⁹: a finite difference loses most of its digits
#: there, and the rule (1 − σ)σ, however written, is good to ~1e-7 (so SLOPE_REL_TOL = 1e-6).
SLOPE_POINTS = (0.0, 1.0, -2.5, 4.0, -0.3, 20.0)
SLOPE_REL_TOL = 1e-6


def _sigma(z: float) -> float:
    return Value(z).sigmoid().data


def sigmoid_slope(z: float) -> float:
    """dσ/dz at z, by backprop through the kit's σ gate: (1 − σ(z))·σ(z)."""
    return backprop_grads(lambda v: v.sigmoid(), z)[0]


def sigmoid_local(s: float) -> float:
    """The local gradient of a σ gate whose cached output is s, by backprop at z = σ⁻¹(s)."""
    return sigmoid_slope(math.log(s / (1.0 - s)))


def neuron_gradients(x: tuple[float, float] = (-1.0, -2.0)) -> dict[str, float]:
    """∂f/∂(each input) of the notes' neuron σ(w0·x0 + w1·x1 + w2) at input x, by backprop."""
    f = sigmoid_neuron(x=x)
    f.backward()
    return {str(v.label): v.grad for v in f.topological_order() if not v.parents}


#: Wrong rules a learner may write, each with the hint that names the slip.
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
        _sigma,
        "that is σ(z) itself, the forward value; the slope is a product of two factors made "
        "from it",
    ),
    (lambda z: 1 - _sigma(z), "that is 1 − σ(z), only one of the two factors of the slope"),
)


def _judge_sigmoid_slope(fn: Any) -> str | None:
    """``fn(z)`` must be dσ/dz (SLOPE_REL_TOL) at SLOPE_POINTS; a known slip gets its own hint."""
    if not callable(fn):
        return ex.PASS_FUNCTION
    cases = [(z,) for z in SLOPE_POINTS]
    for (z,), got, want in ex.run_cases("ch04-sigmoid-slope", fn, sigmoid_slope, cases):
        m = ex.compare(got, want, 1e-6)
        if m is not None and m.kind == "type":
            return f"at z = {ex.short(z)}: {m.text}"
        if math.isclose(float(got), want, rel_tol=SLOPE_REL_TOL, abs_tol=0.0):
            continue
        where = f"at z = {ex.short(z)} your function returned {ex.short(got)}"
        for slip, text in _SLOPE_SLIPS:
            wrong = slip(z)
            if math.isclose(float(got), wrong, rel_tol=1e-6, abs_tol=1e-12) and not math.isclose(
                wrong, want, rel_tol=SLOPE_REL_TOL
            ):
                return f"{where}: {text}."
        if abs(float(got) - want) <= 1e-6:  # close in absolute terms only: σ is flat here
            return (
                f"{where}, but dσ/dz there is {ex.short(want)}: σ is so flat at z = "
                f"{ex.short(z)} that a finite difference loses its digits. Write the rule "
                "you derived, from s = σ(z)."
            )
        return (
            f"{where}. Compute s = σ(z) = 1 / (1 + e^(−z)) first, then build the slope "
            "from s alone, as in step 6 of the derivation."
        )
    return None


ex.custom_exercise(
    "ch04-sigmoid-slope",
    "Write dσ/dz as a function of z.",
    _judge_sigmoid_slope,
    explanation="One forward value, one subtraction, one multiplication.",
)

ex.value_exercise(
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

ex.value_exercise(
    "ch04-sigmoid-local",
    "Another neuron's σ gate cached the output 0.88. What is its local gradient? "
    "(3 decimals or more)",
    expected=lambda: sigmoid_local(EXERCISE_SIGMOID_OUTPUT),
    hint=(
        "the σ gate needs only its own cached output s: its slope is a product of two numbers "
        "made from s. Neither s alone nor 1 − s alone is enough."
    ),
    decimals=3,
    explanation="No exponential needed: the cached forward value is all the gate uses.",
)


def _judge_tanh_gate(answer: Any) -> str | None:
    """``answer`` = (tanh_forward, tanh_backward): tanh(x), and a backward from the cached output
    and dout that passes the gradient check at seeded random points."""
    if not (isinstance(answer, tuple) and len(answer) == 2 and all(map(callable, answer))):
        return "pass the pair of functions (tanh_forward, tanh_backward), without calling them"
    forward, backward = answer
    rng = random.Random(4)  # x in [−3, 3], dout in [−2, 2]
    points = [(rng.uniform(-3, 3), rng.uniform(-2, 2)) for _ in range(6)]
    for (x,), out, want in ex.run_cases(
        "ch04-tanh-gate", forward, math.tanh, [(x,) for x, _ in points]
    ):
        m = ex.compare(out, want, 1e-9)
        if m is not None:
            text = m.text or "that is not tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x))"
            return f"your tanh_forward({x:.3g}) returned {ex.short(out)}: {text}"

    def numeric_dx(out: float, dout: float) -> float:
        return numerical_grad(lambda v: v.tanh(), math.atanh(out))[0] * dout

    cases = [(math.tanh(x), d) for x, d in points]
    for (out, dout), got, want in ex.run_cases("ch04-tanh-gate", backward, numeric_dx, cases):
        m = ex.compare(got, want)
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


ex.custom_exercise(
    "ch04-tanh-gate",
    "Write a new gate: tanh_forward(x) returning out = tanh(x), and tanh_backward(out, dout) "
    "returning dx from the cached output alone; checked against the numerical gradient at "
    "random points (the kit's autodiff is off while your functions run).",
    _judge_tanh_gate,
    explanation="tanh′ = 1 − tanh²: like σ, the gate needs only its cached output.",
)
