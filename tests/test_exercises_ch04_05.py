"""Chapters 4 and 5 exercises: the reference solution is judged correct, a typical wrong answer
gets a hint that does not give the answer away (the placeholder of every exercise is checked in
test_exercises_writing)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_kit import numerical_grad
from backprop_kit.exercises import CORRECT, NOT_YET
from tests.verdicts import value_verdict, verdict


def answer_texts(x: float) -> list[str]:
    """Ways a hint could give away the number x."""
    return [f"{x:.2f}", f"{x:.3f}", f"{x:.4f}", f"{x:g}"]


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


# --- chapter 4 ------------------------------------------------------------------------------


def test_sigmoid_slope_reference_and_typical_mistakes(capsys):
    assert verdict(capsys, "ch04-sigmoid-slope", lambda z: (1 - sigma(z)) * sigma(z)).startswith(
        CORRECT
    )
    # also right: the un-simplified e^-z / (1 + e^-z)^2
    assert verdict(
        capsys, "ch04-sigmoid-slope", lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2
    ).startswith(CORRECT)
    for wrong in (lambda z: (1 - z) * z, lambda z: sigma(z), lambda z: math.exp(-z)):
        out = verdict(capsys, "ch04-sigmoid-slope", wrong)
        assert out.startswith(NOT_YET) and "Hint:" in out
        assert "(1 - s) * s" not in out and "(1 − s)" not in out


def test_sigmoid_slope_hints_tell_the_input_from_the_sign_slip(capsys):
    # the rule written with the input z: the hint says to use the output
    out = verdict(capsys, "ch04-sigmoid-slope", lambda z: (1 - z) * z)
    assert "OUTPUT" in out and "sign" not in out
    # the output used, but 1 + s instead of 1 − s: the hint names the sign, not the output
    out = verdict(capsys, "ch04-sigmoid-slope", lambda z: sigma(z) * (1 + sigma(z)))
    assert out.startswith(NOT_YET) and "sign" in out and "not with its input" not in out
    # the point is named
    assert "At z = 0 " in out


@pytest.mark.parametrize("h", [1e-3, 1e-5, 1e-7])
def test_sigmoid_slope_refuses_a_hand_written_finite_difference(capsys, h):
    out = verdict(capsys, "ch04-sigmoid-slope", lambda z: (sigma(z + h) - sigma(z - h)) / (2 * h))
    assert out.startswith(NOT_YET) and "z = 20" in out and "finite difference" in out


@given(st.floats(-8, 8))
def test_sigmoid_slope_matches_the_numerical_derivative(z):
    from backprop_kit.exercises.ch04 import sigmoid_slope

    (num,) = numerical_grad(lambda v: v.sigmoid(), z)
    assert abs(sigmoid_slope(z) - num) < 1e-9


def test_dw0_is_asked_at_another_input_and_wrong_signs_get_a_hint(capsys):
    from backprop_kit.exercises.ch04 import EXERCISE_NEURON_X, neuron_gradients

    notes = neuron_gradients()
    # the notes' figure: dw = [-0.20, -0.39, 0.20], dx = [0.39, -0.59]
    assert [round(notes[n], 2) for n in ("w0", "w1", "w2", "x0", "x1")] == [
        -0.20,
        -0.39,
        0.20,
        0.39,
        -0.59,
    ]
    # the exercise's input is not the chapter's, so the chapter's printed dw0 is wrong
    assert value_verdict(capsys, "ch04-dw0", notes["w0"]).startswith(NOT_YET)
    grads = neuron_gradients(EXERCISE_NEURON_X)
    z = 2 * EXERCISE_NEURON_X[0] - 3 * EXERCISE_NEURON_X[1] - 3
    assert grads["w0"] == pytest.approx(EXERCISE_NEURON_X[0] * sigma(z) * (1 - sigma(z)))
    assert value_verdict(capsys, "ch04-dw0", grads["w0"]).startswith(CORRECT)
    assert value_verdict(capsys, "ch04-dw0", round(grads["w0"], 3)).startswith(CORRECT)
    for wrong in (-grads["w0"], grads["x0"], 0.73, -0.20):  # sign lost, swapped, f, 2 decimals
        out = value_verdict(capsys, "ch04-dw0", wrong)
        assert out.startswith(NOT_YET)
        assert not any(t in out for t in answer_texts(grads["w0"]))


def test_dw0_agrees_with_the_numerical_gradient():
    from backprop_kit.exercises.ch04 import neuron_gradients

    def neuron(w0, x0, w1, x1, w2):
        return (w0 * x0 + w1 * x1 + w2).sigmoid()

    num = numerical_grad(neuron, 2.0, -1.0, -3.0, -2.0, -3.0)
    assert abs(neuron_gradients()["w0"] - num[0]) < 1e-9


def test_sigmoid_local_gradient_from_cached_output(capsys):
    want = (1 - 0.88) * 0.88
    assert value_verdict(capsys, "ch04-sigmoid-local", want).startswith(CORRECT)
    assert value_verdict(capsys, "ch04-sigmoid-local", round(want, 3)).startswith(CORRECT)
    for wrong in (
        0.88,
        0.12,
        sigma(0.88) * (1 - sigma(0.88)),  # s, 1-s, σ'(z) at z = 0.88
        (1 - 0.73) * 0.73,
    ):  # the chapter's own neuron
        out = value_verdict(capsys, "ch04-sigmoid-local", wrong)
        assert out.startswith(NOT_YET)
        assert not any(t in out for t in answer_texts(want))


# --- chapter 5 ------------------------------------------------------------------------------


def test_dden_reference_and_typical_mistakes(capsys):
    def dden(den, dinvden):
        return (-1.0 / den**2) * dinvden

    assert verdict(capsys, "ch05-dden", dden).startswith(CORRECT)
    for wrong in (
        lambda den, dinvden: (1.0 / den**2) * dinvden,  # sign
        lambda den, dinvden: (-1.0 / den) * dinvden,  # power
        lambda den, dinvden: -1.0 / den**2,  # upstream forgotten
    ):
        out = verdict(capsys, "ch05-dden", wrong)
        assert out.startswith(NOT_YET) and "Hint:" in out
        assert "-1.0 / den**2" not in out and "−1/den²" not in out


@given(st.floats(0.1, 10) | st.floats(-10, -0.1), st.floats(-5, 5))
def test_dden_reference_is_upstream_times_the_numerical_slope_of_1_over_x(den, dinvden):
    from backprop_kit.exercises.ch05 import backprop_invden

    (slope,) = numerical_grad(lambda v: 1 / v, den, h=1e-6)
    want = slope * dinvden
    assert abs(backprop_invden(den, dinvden) - want) <= 1e-6 * max(1.0, abs(want))


def test_dden_reference_matches_the_staged_program():
    from backprop_kit import staged
    from backprop_kit.core.circuits import staged_example
    from backprop_kit.exercises.ch05 import backprop_invden

    values = staged(staged_example()).run()
    assert backprop_invden(values["den"], values["dinvden"]) == pytest.approx(
        values["dden"], rel=1e-12
    )


def test_dx_count_is_three(capsys):
    from backprop_kit.exercises.ch05 import contributions_to

    assert contributions_to("dx") == 3 and contributions_to("dy") == 2
    assert value_verdict(capsys, "ch05-dx-count", 3).startswith(CORRECT)
    for wrong in (1, 2, 4):
        out = value_verdict(capsys, "ch05-dx-count", wrong)
        assert out.startswith(NOT_YET) and "3" not in out


def test_dx_with_equals_is_the_last_contribution_only(capsys):
    from backprop_kit.core.circuits import staged_example
    from backprop_kit.exercises.ch05 import EQUALS_POINT, dx_with_equals

    # the chapter's point: the notes' table, last dx line dnum = invden = 0.5121
    assert abs(dx_with_equals() - 0.5121) < 1e-4
    f = staged_example(*EQUALS_POINT)
    f.backward()
    x = f.topological_order()[0]
    assert x.label == "x"
    wrong = dx_with_equals(*EQUALS_POINT)
    sig = 1 / (1 + math.exp(-EQUALS_POINT[0]))
    assert wrong != x.grad and wrong == pytest.approx(1 / (sig + sum(EQUALS_POINT) ** 2))
    assert value_verdict(capsys, "ch05-dx-equals", wrong).startswith(CORRECT)
    # the right dx, and the chapter's printed answer at (3, -4)
    for bad in (x.grad, dx_with_equals()):
        out = value_verdict(capsys, "ch05-dx-equals", bad)
        assert out.startswith(NOT_YET)
        assert not any(t in out for t in answer_texts(wrong))


def test_staged_example_has_the_notes_numbers():
    from backprop_kit.core.circuits import staged_example

    f = staged_example()
    f.backward()
    x, y = (n for n in f.topological_order() if not n.parents)
    num = numerical_grad(lambda a, b: (a + b.sigmoid()) / (a.sigmoid() + (a + b) ** 2), 3, -4)
    assert (round(f.data, 4), round(x.grad, 4), round(y.grad, 4)) == (1.5456, 2.0596, 1.5922)
    assert abs(x.grad - num[0]) < 1e-8 and abs(y.grad - num[1]) < 1e-8
