"""numerical_grad_array, grad_check_array, dimension_analysis and linear_weight_grad."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backprop_kit.nn.arrays import (
    dimension_analysis,
    grad_check_array,
    linear_weight_grad,
    matmul,
    matmul_backward,
    numerical_grad_array,
    rel_error,
)
from tests.strategies import dims, values

# --------------------------------------------------------------------------- numerical_grad_array


def test_numerical_grad_array_is_the_vector_jacobian_product():
    rng = np.random.default_rng(1)
    x, df = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    g = numerical_grad_array(lambda x_: x_**3, x, df)
    np.testing.assert_allclose(g, 3 * x**2 * df, rtol=1e-7, atol=1e-8)
    # a scalar f with a scalar df; f may mix entries (the VJP sums over outputs)
    g = numerical_grad_array(lambda x_: float(np.sum(x_) ** 2), x, 0.5)
    np.testing.assert_allclose(g, np.full(x.shape, 0.5 * 2 * x.sum()), rtol=1e-8)
    M = rng.normal(size=(2, 3))
    g = numerical_grad_array(lambda x_: M @ x_, x, df[:2])
    np.testing.assert_allclose(g, M.T @ df[:2], rtol=1e-7)


def test_numerical_grad_array_restores_x_bit_for_bit():
    x = np.array([[0.1, -2.7, 3e-7], [1e10, 0.0, -0.0]])
    before = x.copy()
    numerical_grad_array(lambda x_: np.sin(x_), x, np.ones_like(x))
    assert np.array_equal(x, before) and np.array_equal(np.signbit(x), np.signbit(before))


def test_numerical_grad_array_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    calls = []

    def f(x_):
        calls.append(x_.copy())
        if len(calls) == 4:  # second entry, nudged by +h
            raise RuntimeError("boom")
        return x_ * 2

    with pytest.raises(RuntimeError, match="boom"):
        numerical_grad_array(f, x, np.ones(3))
    assert calls[3][1] != before[1]  # f really saw the nudged entry
    assert np.array_equal(x, before)


def test_numerical_grad_array_copies_an_output_that_aliases_x():
    x = np.array([1.0, -4.0])
    df = np.array([2.0, 3.0])
    np.testing.assert_allclose(numerical_grad_array(lambda x_: x_, x, df), df, rtol=1e-9)
    np.testing.assert_allclose(
        numerical_grad_array(lambda x_: x_[::-1], x, df), df[::-1], rtol=1e-9
    )


# --------------------------------------------------------------------------- rel_error, checks


def test_rel_error_is_cs231n_definition():
    assert rel_error([1.0, 0.0], [1.1, 0.0]) == pytest.approx(0.1 / 2.1)
    assert rel_error(1e-10, 0.0) == pytest.approx(1e-2)  # the 1e-8 floor of the denominator
    assert rel_error(np.ones((2, 2)), np.ones((2, 2))) == 0.0
    assert np.isnan(rel_error([1.0, np.nan], [1.0, 1.0]))
    with pytest.raises(ValueError, match=r"\(2,\) and \(3,\)"):
        rel_error(np.ones(2), np.ones(3))


def notes_case(seed=0):
    rng = np.random.default_rng(seed)
    W, X, dD = rng.normal(size=(5, 10)), rng.normal(size=(10, 3)), rng.normal(size=(5, 3))
    dW, dX = matmul_backward(dD, matmul(W, X)[1])
    return W, X, dD, dW, dX


def test_grad_check_array_passes_a_correct_gradient_with_a_readable_summary():
    W, X, dD, dW, _ = notes_case()
    check = grad_check_array(lambda W_: matmul(W_, X)[0], W, dD, dW, name="dW")
    assert check.passed and check.rel_error < 1e-8 and check.problem is None
    assert check.shape == (5, 10) and check.name == "dW"
    assert re.fullmatch(
        r"dW \(5, 10\): rel_error = \d\.\de-\d\d excellent, ok \(< 1e-05\)", str(check)
    )
    assert re.fullmatch(
        r"ArrayGradCheck\(name='dW', shape=\(5, 10\), rel_error=\d\.\de-\d\d, passed=True\)",
        repr(check),
    )


@pytest.mark.parametrize(
    "mistake",
    [
        lambda dW: 2 * dW,
        lambda dW: -dW,
        lambda dW: np.roll(dW, 1, axis=1),
        lambda dW: dW + 1e-3 * np.abs(dW).max() * (np.arange(dW.size) == 7).reshape(dW.shape),
    ],
    ids=["factor-2", "sign", "wrong-entries", "one-entry-off"],
)
def test_grad_check_array_catches_a_wrong_gradient(mistake):
    W, X, dD, dW, _ = notes_case()
    check = grad_check_array(lambda W_: matmul(W_, X)[0], W, dD, mistake(dW), name="dW")
    assert not check.passed and check.rel_error > 1e-5
    text = str(check)
    assert "FAILED" in text and "worst entry" in text
    assert check.worst_index is not None and len(check.worst_index) == 2


def test_grad_check_array_reports_nan_and_inf_instead_of_a_small_error():
    W, X, dD, dW, _ = notes_case()
    bad = dW.copy()
    bad[0, 0], bad[1, 1] = np.nan, np.inf
    check = grad_check_array(lambda W_: matmul(W_, X)[0], W, dD, bad, name="dW")
    assert np.isnan(check.rel_error) and not check.passed
    assert check.problem == "analytic gradient has 2 NaN/inf entries"
    assert "rel_error = nan FAILED: analytic gradient has 2 NaN/inf entries" in str(check)

    x = np.array([1e-5, 1.0])  # f(x - h e_0) divides by zero: one numeric entry is not finite
    with np.errstate(divide="ignore", invalid="ignore"):
        check = grad_check_array(lambda x_: 1.0 / x_[0], x, 1.0, np.array([-1e10, 0.0]))
    assert np.isnan(check.rel_error) and not check.passed
    assert check.problem == "numeric gradient has 1 NaN/inf entry"


# --------------------------------------------------------------------------- dimension_analysis


def test_dimension_analysis_picks_the_transposes_for_the_notes_shapes():
    result = dimension_analysis((5, 10), (10, 3))
    assert result.D_shape == (5, 3)
    assert result.dW.required_shape == (5, 10) and result.dX.required_shape == (10, 3)
    assert result.dW.matching == ("dD @ X.T",) and result.dX.matching == ("W.T @ dD",)
    assert not result.dW.ambiguous and not result.dX.ambiguous
    assert "force" in result.dW.verdict
    text = str(result)
    assert "dD @ X.T    (5, 10)    matches  <- chain rule" in text
    assert "W.T @ dD    (10, 3)    matches  <- chain rule" in text
    assert "X @ dD.T    (10, 5)" in text  # the right numbers, the wrong shape
    assert "inner dimensions 3 and 10 differ" in text


def test_dimension_analysis_says_when_shape_does_not_decide():
    result = dimension_analysis((4, 4), (4, 4))
    assert result.dW.ambiguous and result.dX.ambiguous
    assert len(result.dW.matching) == 8
    assert "shape alone does not decide" in result.dW.verdict
    assert "dW[i,j] = sum_k dD[i,k] * X[j,k] picks dD @ X.T" in result.dW.verdict
    assert "picks W.T @ dD" in result.dX.verdict
    assert "shape alone does not decide" in str(result)


@settings(max_examples=60)
@given(m=dims, k=dims, n=dims)
def test_dimension_analysis_agrees_with_numpy_and_the_chain_rule(m, k, n):
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    W, X, dD = rng.normal(size=(m, k)), rng.normal(size=(k, n)), rng.normal(size=(m, n))
    dW, dX = matmul_backward(dD, matmul(W, X)[1])
    result = dimension_analysis(W.shape, X.shape)
    for analysis, names, truth in (
        (result.dW, {"dD": dD, "X": X}, dW),
        (result.dX, {"W": W, "dD": dD}, dX),
    ):
        assert len(analysis.candidates) == 8
        assert analysis.chain_rule in analysis.matching
        assert analysis.ambiguous == (len(analysis.matching) > 1)
        for candidate in analysis.candidates:
            left, right = (_operand(part, names) for part in candidate.expression.split(" @ "))
            if left.shape[1] != right.shape[0]:
                assert candidate.shape is None and "differ" in candidate.reason
                continue
            product = left @ right
            assert candidate.shape == product.shape
            assert candidate.matches == (product.shape == truth.shape)
            # Only the chain-rule product equals the true gradient (the data are generic).
            # With a dimension of 1 a 1x1 operand or result equals its own transpose, so
            # a transposed variant is right as well: check the claim where that cannot be.
            if min(m, k, n) >= 2:
                same = product.shape == truth.shape and np.allclose(product, truth)
                assert same == candidate.chain_rule, candidate.expression


def _operand(text, names):
    name, _, transposed = text.partition(".")
    return names[name].T if transposed else names[name]


@pytest.mark.parametrize(
    "W_shape, X_shape, words",
    [
        ((5, 10), (3, 10), ["(5, 10)", "(3, 10)", "2nd dimension (10)", "1st dimension (3)"]),
        ((5,), (5, 3), ["W_shape", "pair of positive integers", "(5,)"]),
        ((5, 0), (0, 3), ["W_shape", "(5, 0)"]),
        ((5, 10), (10, -3), ["X_shape", "(10, -3)"]),
        ((5.0, 10), (10, 3), ["W_shape", "(5.0, 10)"]),
        ((True, 2), (2, 3), ["W_shape"]),
        ("ab", (2, 3), ["W_shape", "'ab'"]),
        ((5, 10, 1), (10, 3), ["W_shape", "(5, 10, 1)"]),
    ],
)
def test_dimension_analysis_rejects_bad_shapes_in_one_line(W_shape, X_shape, words):
    with pytest.raises(ValueError) as info:
        dimension_analysis(W_shape, X_shape)
    message = str(info.value)
    assert "\n" not in message and message.startswith("dimension_analysis:")
    for word in words:
        assert word in message


# --------------------------------------------------------------------------- data scale


@settings(max_examples=40)
@given(data=st.data(), n=dims, d=dims, k=st.sampled_from([2.0, 0.5, 1024.0, -8.0]))
def test_weight_gradient_grows_exactly_k_fold(data, n, d, k):
    X = data.draw(hnp.arrays(np.float64, (n, d), elements=values))
    w = data.draw(hnp.arrays(np.float64, (d,), elements=values))
    dw1 = linear_weight_grad(X, w)
    np.testing.assert_allclose(dw1, X.sum(axis=0), rtol=1e-12, atol=1e-12)  # L = sum(s)
    # powers of two scale floats exactly, so the growth is exact to the last bit
    assert np.array_equal(linear_weight_grad(X, w, k), k * dw1)


@settings(max_examples=40)
@given(data=st.data(), n=dims, d=dims, c=st.integers(0, 4), k=st.floats(1e-3, 1e3))
def test_weight_gradient_is_k_times_larger_and_matches_numeric(data, n, d, c, k):
    X = data.draw(hnp.arrays(np.float64, (n, d), elements=values))
    w = data.draw(hnp.arrays(np.float64, (d, c) if c else (d,), elements=values))
    dout = data.draw(hnp.arrays(np.float64, (n, c) if c else (n,), elements=values))
    dw1, dwk = linear_weight_grad(X, w, 1.0, dout), linear_weight_grad(X, w, k, dout)
    assert dwk.shape == w.shape
    scale = np.abs(X).T @ np.abs(dout)  # what is summed into each entry; bounds rounding
    assert np.all(np.abs(dwk - k * dw1) <= 1e-13 * k * scale)
    numeric = numerical_grad_array(lambda w_: (k * X) @ w_, w, dout)
    # rounding floor of central differences, as in test_arrays.assert_matches_numeric
    floor = 64 * np.finfo(np.float64).eps * np.sum(np.abs(dout) * (np.abs(k * X) @ np.abs(w)))
    floor /= 2 * 1e-5
    assert np.all(np.abs(numeric - dwk) <= 1e-7 * (np.abs(dwk) + np.abs(numeric)) + floor)


def test_thousand_fold_inputs_mean_thousand_fold_gradients():
    rng = np.random.default_rng(0)
    X, w = rng.normal(size=(20, 5)), rng.normal(size=5)
    ratio = linear_weight_grad(X, w, k=1000.0) / linear_weight_grad(X, w)
    np.testing.assert_allclose(ratio, 1000.0, rtol=1e-12)
