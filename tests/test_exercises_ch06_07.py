"""Chapters 6 and 7 exercises: the reference solution is judged correct, a typical wrong answer
gets a hint that does not give the answer away, and the student edition's placeholder
(NotImplementedError) is reported as not attempted."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit import numerical_grad
from backprop_kit.arrays import numerical_grad_array
from backprop_kit.exercises import CORRECT, NOT_ATTEMPTED, NOT_YET, attempt, check, get


def verdict(capsys, exercise_id, answer):
    check(exercise_id, answer)
    return capsys.readouterr().out.strip()


def value_verdict(capsys, exercise_id, value):
    with attempt(exercise_id) as answer:
        answer.value = value
    return capsys.readouterr().out.strip()


# --- chapter 6 ------------------------------------------------------------------------------


def test_pattern_gradients_are_the_notes_figure():
    from backprop_kit.exercises.ch06 import pattern_gradients

    assert pattern_gradients() == {"x": -8.0, "y": 6.0, "z": 2.0, "w": 0.0}


def test_pattern_gradients_agree_with_numerical_gradient():
    from backprop_kit.engine import maximum
    from backprop_kit.exercises.ch06 import PATTERN_INPUTS, pattern_gradients

    num = numerical_grad(lambda x, y, z, w: 2 * (x * y + maximum(z, w)), *PATTERN_INPUTS.values())
    got = pattern_gradients()
    for name, n in zip(PATTERN_INPUTS, num):
        assert got[name] == pytest.approx(n, abs=1e-6)


def test_max_grads_reference_and_typical_mistakes(capsys):
    assert value_verdict(capsys, "ch06-max-grads", (2.0, 0.0)).startswith(CORRECT)
    assert value_verdict(capsys, "ch06-max-grads", [2, 0]).startswith(CORRECT)
    # forgot the *2 upstream; split it like an add gate; gave it to the smaller input
    for wrong in ((1.0, 0.0), (1.0, 1.0), (2.0, 2.0), (0.0, 2.0)):
        out = value_verdict(capsys, "ch06-max-grads", wrong)
        assert out.startswith(f"{NOT_YET} Hint:")
        assert "(2" not in out and "2, 0" not in out and "2.0" not in out


def test_multiply_swap_reference_and_typical_mistakes(capsys):
    assert verdict(capsys, "ch06-multiply-swap", lambda x, y, up: (y * up, x * up)).startswith(
        CORRECT
    )
    for wrong in (
        lambda x, y, up: (x * up, y * up),  # not swapped
        lambda x, y, up: (y, x),  # upstream forgotten
        lambda x, y, up: (up, up),  # treated like an add gate
    ):
        out = verdict(capsys, "ch06-multiply-swap", wrong)
        assert out.startswith(NOT_YET) and "Hint:" in out
        assert "y * up" not in out and "upstream * y" not in out


@settings(max_examples=50, deadline=None)
@given(
    st.floats(-1e3, 1e3), st.floats(-1e3, 1e3), st.floats(-10, 10),
)
def test_multiply_downstream_agrees_with_numerical_gradient(x, y, up):
    from backprop_kit.exercises.ch06 import multiply_downstream

    dx, dy = multiply_downstream(x, y, up)
    nx, ny = numerical_grad(lambda a, b: up * (a * b), x, y)
    assert dx == pytest.approx(nx, rel=1e-6, abs=1e-6)
    assert dy == pytest.approx(ny, rel=1e-6, abs=1e-6)


def test_lr_factor_is_measured_by_the_kit_and_wrong_factors_get_a_hint(capsys):
    from backprop_kit.exercises.ch06 import learning_rate_factor

    assert learning_rate_factor() == pytest.approx(1000.0, rel=1e-12)
    assert learning_rate_factor(7.0) == pytest.approx(7.0, rel=1e-12)
    assert value_verdict(capsys, "ch06-lr-factor", 1000).startswith(CORRECT)
    for wrong in (1e6, 1 / 1000, 10, 31.6):  # k², the inverse, order of magnitude, √k
        out = value_verdict(capsys, "ch06-lr-factor", wrong)
        assert out.startswith(f"{NOT_YET} Hint:")
        assert "1000" not in out and "1e3" not in out and "1,000" not in out


# --- chapter 7 ------------------------------------------------------------------------------


def test_dW_shape_reference_and_typical_mistakes(capsys):
    assert value_verdict(capsys, "ch07-dW-shape", (5, 10)).startswith(CORRECT)
    for wrong in ((5, 3), (10, 5), (10, 3), (3, 5)):  # D's shape, W.T's, X's, D.T's
        out = value_verdict(capsys, "ch07-dW-shape", wrong)
        assert out.startswith(f"{NOT_YET} Hint:")
        assert "(5, 10)" not in out and "5, 10" not in out


def test_dX_reference_and_typical_mistakes(capsys):
    assert verdict(capsys, "ch07-dX", lambda W, dD: W.T @ dD).startswith(CORRECT)
    out = verdict(capsys, "ch07-dX", lambda W, dD: W @ dD)  # right shape when square only
    assert out.startswith(f"{NOT_YET} Hint:")
    assert "W.T @ dD" not in out
    out = verdict(capsys, "ch07-dX", lambda W, dD: dD.T @ W)  # the transpose of the answer
    assert out.startswith(f"{NOT_YET} Hint:")
    assert "W.T @ dD" not in out


def test_dX_reference_agrees_with_numerical_gradient():
    from backprop_kit.exercises.ch07 import _dX_cases, dX_from

    for W, dD in _dX_cases():
        X = np.random.default_rng(1).normal(size=(W.shape[1], dD.shape[1]))
        num = numerical_grad_array(lambda X_, W=W: W @ X_, X, dD)
        np.testing.assert_allclose(dX_from(W, dD), num, rtol=1e-7, atol=1e-8)


def test_dX_cases_start_square_and_not_symmetric():
    """A wrong product of the right shape must get a hint (not an error) on the first case."""
    from backprop_kit.exercises.ch07 import _dX_cases

    W, dD = _dX_cases()[0]
    assert W.shape == dD.shape == (2, 2)
    assert not np.allclose(W @ dD, W.T @ dD) and not np.allclose(dD.T @ W, W.T @ dD)


def test_which_product_reference_and_typical_mistakes(capsys):
    assert value_verdict(capsys, "ch07-which-product", "dD @ X.T").startswith(CORRECT)
    assert value_verdict(capsys, "ch07-which-product", "dD@X.T").startswith(CORRECT)
    for wrong in ("X.T @ dD", "dD @ X", "W.T @ dD", "X @ dD.T"):
        out = value_verdict(capsys, "ch07-which-product", wrong)
        assert out.startswith(f"{NOT_YET} Hint:")
        assert "dd@x.t" not in out.replace(" ", "").lower()


# --- both -----------------------------------------------------------------------------------

IDS = ["ch06-max-grads", "ch06-multiply-swap", "ch06-lr-factor",
       "ch07-dW-shape", "ch07-dX", "ch07-which-product"]


@pytest.mark.parametrize("exercise_id", IDS)
def test_placeholder_is_not_attempted(capsys, exercise_id):
    get(exercise_id)  # registered
    with attempt(exercise_id):
        raise NotImplementedError()
    assert capsys.readouterr().out.strip() == NOT_ATTEMPTED


@pytest.mark.parametrize("exercise_id", ["ch06-multiply-swap", "ch07-dX"])
def test_function_placeholder_is_not_attempted(capsys, exercise_id):
    def placeholder(*args):
        raise NotImplementedError()

    assert verdict(capsys, exercise_id, placeholder) == NOT_ATTEMPTED
