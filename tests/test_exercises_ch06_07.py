"""Chapters 6 and 7 exercises: the reference solution is judged correct, a typical wrong answer
gets a hint that does not give the answer away (the placeholder of every exercise is checked in
test_exercises_writing)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit import maximum, numerical_grad
from backprop_kit.exercises import CORRECT, NOT_YET
from backprop_kit.nn.arrays import numerical_grad_array
from tests.verdicts import value_verdict, verdict

# --- chapter 6 ------------------------------------------------------------------------------


def test_pattern_gradients_are_the_notes_figure():
    from backprop_kit.exercises.ch06 import pattern_gradients

    assert pattern_gradients() == {"x": -8.0, "y": 6.0, "z": 2.0, "w": 0.0}


def test_pattern_gradients_agree_with_numerical_gradient():
    from backprop_kit.core.engine import maximum
    from backprop_kit.exercises.ch06 import PATTERN_INPUTS, pattern_gradients

    num = numerical_grad(lambda x, y, z, w: 2 * (x * y + maximum(z, w)), *PATTERN_INPUTS.values())
    got = pattern_gradients()
    for name, n in zip(PATTERN_INPUTS, num):
        assert got[name] == pytest.approx(n, abs=1e-6)


def test_max_route_is_computed_at_its_own_point():
    from backprop_kit.exercises.ch06 import MAX_ROUTE_INPUTS, pattern_gradients

    got = pattern_gradients(MAX_ROUTE_INPUTS)
    assert (got["z"], got["w"]) == (0.0, 2.0)  # w = -1 beats z = -3 and takes the upstream 2
    num = numerical_grad(lambda x, y, z, w: 2 * (x * y + maximum(z, w)), *MAX_ROUTE_INPUTS.values())
    assert [got[n] for n in MAX_ROUTE_INPUTS] == pytest.approx(num, abs=1e-6)


def test_max_route_reference_and_typical_mistakes(capsys):
    assert value_verdict(capsys, "ch06-max-route", (0.0, 2.0)).startswith(CORRECT)
    assert value_verdict(capsys, "ch06-max-route", [0, 2]).startswith(CORRECT)
    # the chapter's point (z won there); forgot the *2 upstream; split it; sent it to both
    for wrong in ((2.0, 0.0), (0.0, 1.0), (1.0, 1.0), (2.0, 2.0)):
        out = value_verdict(capsys, "ch06-max-route", wrong)
        assert out.startswith(f"{NOT_YET} Hint:")
        assert "(0" not in out and "0, 2" not in out and "2.0" not in out


def test_multiply_uneven_reference_and_typical_mistakes(capsys):
    from backprop_kit.exercises.ch03 import multiply_backward
    from backprop_kit.exercises.ch06 import UNEVEN

    x, y, up = UNEVEN
    assert multiply_backward(x, y, up) == pytest.approx((y * up, x * up))
    assert value_verdict(capsys, "ch06-multiply-uneven", (y * up, x * up)).startswith(CORRECT)
    assert value_verdict(capsys, "ch06-multiply-uneven", [-1500, -0.006]).startswith(CORRECT)
    # not swapped; upstream forgotten; sign of the upstream lost
    for wrong in ((x * up, y * up), (y, x), (-y * up, -x * up)):
        out = value_verdict(capsys, "ch06-multiply-uneven", wrong)
        assert out.startswith(f"{NOT_YET} Hint:")
        assert "1500" not in out and "0.006" not in out and "500" not in out


@settings(max_examples=50)
@given(
    st.floats(-1e3, 1e3),
    st.floats(-1e3, 1e3),
    st.floats(-10, 10),
)
def test_multiply_backward_agrees_with_numerical_gradient(x, y, up):
    from backprop_kit.exercises.ch03 import multiply_backward

    dx, dy = multiply_backward(x, y, up)
    nx, ny = numerical_grad(lambda a, b: up * (a * b), x, y)
    assert dx == pytest.approx(nx, rel=1e-6, abs=1e-6)
    assert dy == pytest.approx(ny, rel=1e-6, abs=1e-6)


def test_growth_factors_are_measured_by_the_kit():
    from backprop_kit.exercises.ch06 import learning_rate_factor, score_factor

    assert learning_rate_factor() == pytest.approx(1000.0, rel=1e-12)
    assert learning_rate_factor(7.0) == pytest.approx(7.0, rel=1e-12)
    assert score_factor() == pytest.approx(1000.0, rel=1e-12)
    assert score_factor(0.25) == pytest.approx(0.25, rel=1e-12)


def test_replay_learning_rate_really_replays_the_k1_run():
    from backprop_kit.chapters.scale_explorer import (
        DEFAULT_LR,
        effective_lr,
        train_linear_classifier,
    )
    from backprop_kit.exercises.ch06 import INPUT_SCALE, LR, replay_learning_rate

    assert LR == DEFAULT_LR  # the rate the question quotes is the scale explorer's
    lr = replay_learning_rate()
    assert lr == pytest.approx(effective_lr(DEFAULT_LR, INPUT_SCALE, "lr/k^2"), rel=1e-12)
    ref = train_linear_classifier(1.0, DEFAULT_LR)
    run = train_linear_classifier(INPUT_SCALE, lr)
    np.testing.assert_allclose(run.losses, ref.losses, rtol=1e-9)
    # lr / k, the "same first step" rate, does not replay it
    other = train_linear_classifier(INPUT_SCALE, DEFAULT_LR / INPUT_SCALE)
    assert abs(other.final_loss - ref.final_loss) > 0.5


def test_replay_lr_reference_and_typical_mistakes(capsys):
    from backprop_kit.chapters.scale_explorer import DEFAULT_LR

    k = 1000
    assert value_verdict(capsys, "ch06-replay-lr", DEFAULT_LR / k**2).startswith(CORRECT)
    assert value_verdict(capsys, "ch06-replay-lr", 5e-7).startswith(CORRECT)
    # lr / k (same first step), lr unchanged, lr / k³, lr · k², 0
    for wrong in (DEFAULT_LR / k, DEFAULT_LR, DEFAULT_LR / k**3, DEFAULT_LR * k**2, 0.0):
        out = value_verdict(capsys, "ch06-replay-lr", wrong)
        assert out.startswith(f"{NOT_YET} Hint:")
        assert "5e-07" not in out and "0.0000005" not in out and "k²" not in out


# --- chapter 7 ------------------------------------------------------------------------------


def test_dW_shape_reference_and_typical_mistakes(capsys):
    from backprop_kit.exercises.ch07 import WORDS_W_SHAPE, notes_dW_shape

    assert notes_dW_shape() == (5, 10)  # the chapter's W: on screen, so not what is asked
    assert value_verdict(capsys, "ch07-dW-shape", (5, 10)).startswith(NOT_YET)
    assert value_verdict(capsys, "ch07-dW-shape", WORDS_W_SHAPE).startswith(CORRECT)
    # D's shape, W.T's, X's, D.T's
    for wrong in ((128, 32), (784, 128), (784, 32), (32, 128)):
        out = value_verdict(capsys, "ch07-dW-shape", wrong)
        assert out.startswith(f"{NOT_YET} Hint:")
        assert "(128, 784)" not in out and "128, 784" not in out


def test_dX_reference_and_typical_mistakes(capsys):
    assert verdict(capsys, "ch07-dX", lambda W, dD: W.T @ dD).startswith(CORRECT)
    out = verdict(capsys, "ch07-dX", lambda W, dD: W @ dD)  # right shape when square only
    assert out.startswith(f"{NOT_YET} Hint:")
    assert "W.T @ dD" not in out
    out = verdict(capsys, "ch07-dX", lambda W, dD: dD.T @ W)  # the transpose of the answer
    assert out.startswith(f"{NOT_YET} Hint:")
    assert "W.T @ dD" not in out


@pytest.mark.parametrize("spelling", ["dD @ W.T", "W @ dD", "dD.T @ W"])
def test_dX_on_square_matrices_says_shapes_cannot_decide_and_names_the_product(capsys, spelling):
    wrong = {
        "dD @ W.T": lambda W, dD: dD @ W.T,
        "W @ dD": lambda W, dD: W @ dD,
        "dD.T @ W": lambda W, dD: dD.T @ W,
    }[spelling]
    out = verdict(capsys, "ch07-dX", wrong)
    assert out.startswith(f"{NOT_YET} Hint:") and "right shape" in out
    assert "cannot decide" in out and f"equals {spelling})" in out
    assert "Line up the shapes" not in out


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


@pytest.mark.parametrize(
    "spelling",
    [
        "dD @ X.T",
        "dD@X.T",
        "dD.dot(X.T)",
        "dD @ X.transpose()",
        "np.dot(dD, X.T)",
        "numpy.matmul(dD, np.transpose(X))",
        "dD.dot(X.transpose())",
        "(X @ dD.T).T",
    ],
)
def test_which_product_accepts_equivalent_spellings(capsys, spelling):
    assert value_verdict(capsys, "ch07-which-product", spelling).startswith(CORRECT)


def test_product_form_is_parsed_not_evaluated():
    from backprop_kit.exercises.ch07 import product_form

    assert product_form("A.T.T") == "a"
    assert product_form("(A @ B).T") == ("@", ("T", "b"), ("T", "a"))
    for text in ("__import__('os').system('true')", "dD @", "dD * X.T", "np.dot(dD)", 3):
        assert product_form(text) is None


def test_which_product_reference_and_typical_mistakes(capsys):
    for wrong in (
        "X.T @ dD",
        "dD @ X",
        "W.T @ dD",
        "X @ dD.T",
        "dD.dot(X)",
        "X.dot(dD.T)",
        "dD * X.T",
        "import os",
    ):
        out = value_verdict(capsys, "ch07-which-product", wrong)
        assert out.startswith(f"{NOT_YET} Hint:")
        assert "dd@x.t" not in out.replace(" ", "").lower()
