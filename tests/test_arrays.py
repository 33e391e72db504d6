"""Array gates: every backward against closed forms and against numerical gradients.

How the property tests compare an analytic gradient ``a`` with a numerical one ``n``:
entrywise ``|a - n| <= 1e-7 * (|a| + |n|) + floor``. The ``floor`` is the rounding noise
of central differences: each evaluation of ``f`` is off by up to a few dozen ulps of the
magnitude ``M`` of what was summed into each output, and that noise is divided by ``2h``.
A gradient entry smaller than the floor (hypothesis finds such entries, e.g. 1e-5 next
to 8.0 in the same row) is pure noise in the numerical estimate, so only there the
relative test is relaxed. A real mistake (a missing transpose, a wrong sum axis, a
wrong derivative) is off by about the size of the gradient itself and fails.
The plain CS231n ``rel_error < 1e-7`` is asserted on fixed random data at the end.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_kit.nn import arrays as A
from tests.strategies import any_shape, arrays, away_from_zero, dims

EPS = np.finfo(np.float64).eps
H = 1e-5
FAST = settings(max_examples=40)


def assert_matches_numeric(analytic, numeric, df, magnitude, rtol=1e-7):
    """``analytic`` equals ``numeric`` up to ``rtol`` or the rounding floor (module doc)."""
    assert analytic.shape == numeric.shape
    floor = 64 * EPS * float(np.sum(np.abs(df) * magnitude)) / (2 * H)
    error = np.abs(analytic - numeric)
    bound = rtol * (np.abs(analytic) + np.abs(numeric)) + floor
    worst = np.unravel_index(np.argmax(error - bound), error.shape)
    assert np.all(error <= bound), (
        f"entry {worst}: analytic {analytic[worst]!r}, numeric {numeric[worst]!r}, "
        f"floor {floor:.1e}"
    )


# --------------------------------------------------------------------------- matmul


@st.composite
def matmul_case(draw):
    m, k, n = draw(dims), draw(dims), draw(dims)
    return draw(arrays((m, k))), draw(arrays((k, n))), draw(arrays((m, n)))


@FAST
@given(matmul_case())
def test_matmul_backward_is_exactly_the_closed_form(case):
    W, X, dD = case
    D, cache = A.matmul(W, X)
    dW, dX = A.matmul_backward(dD, cache)
    assert np.array_equal(D, W @ X)
    assert np.array_equal(dW, dD @ X.T)
    assert np.array_equal(dX, W.T @ dD)
    assert dW.shape == W.shape and dX.shape == X.shape


@FAST
@given(matmul_case())
def test_matmul_backward_matches_numerical_gradient(case):
    W, X, dD = case
    dW, dX = A.matmul_backward(dD, A.matmul(W, X)[1])
    magnitude = np.abs(W) @ np.abs(X)
    numeric_W = A.numerical_grad_array(lambda W_: A.matmul(W_, X)[0], W, dD)
    numeric_X = A.numerical_grad_array(lambda X_: A.matmul(W, X_)[0], X, dD)
    assert_matches_numeric(dW, numeric_W, dD, magnitude)
    assert_matches_numeric(dX, numeric_X, dD, magnitude)


def test_matmul_cache_references_inputs_and_keeps_float32():
    W = np.ones((2, 3), dtype=np.float32)
    X = np.ones((3, 4), dtype=np.float32)
    D, cache = A.matmul(W, X)
    assert cache.W is W and cache.X is X
    assert D.dtype == np.float32


def test_lists_and_int_arrays_become_float64():
    D, cache = A.matmul([[1, 2]], np.array([[3], [4]]))
    assert D.dtype == np.float64 and D.tolist() == [[11.0]]
    assert cache.W.dtype == np.float64 and cache.X.dtype == np.float64


# --------------------------------------------------------------------------- elementwise


@FAST
@given(data=st.data(), shape=any_shape)
def test_sigmoid_backward_matches_numerical_gradient(data, shape):
    X, dout = data.draw(arrays(shape)), data.draw(arrays(shape))
    out, cache = A.sigmoid(X)
    np.testing.assert_allclose(out, 1.0 / (1.0 + np.exp(-X)), rtol=1e-15)
    dX = A.sigmoid_backward(dout, cache)
    numeric = A.numerical_grad_array(lambda X_: A.sigmoid(X_)[0], X, dout)
    assert_matches_numeric(dX, numeric, dout, np.ones(shape))


def test_sigmoid_saturates_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, cache = A.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
        dX = A.sigmoid_backward(np.ones(3), cache)
    assert out.tolist() == [0.0, 0.5, 1.0]
    assert dX.tolist() == [0.0, 0.25, 0.0]


@FAST
@given(data=st.data(), shape=any_shape)
def test_relu_backward_matches_numerical_gradient_away_from_the_kink(data, shape):
    X, dout = data.draw(arrays(shape, away_from_zero)), data.draw(arrays(shape))
    out, cache = A.relu(X)
    dX = A.relu_backward(dout, cache)
    assert np.array_equal(out, np.where(X > 0, X, 0.0))
    assert np.all(dX[X < 0] == 0) and np.array_equal(dX[X > 0], dout[X > 0])
    numeric = A.numerical_grad_array(lambda X_: A.relu(X_)[0], X, dout)
    assert_matches_numeric(dX, numeric, dout, np.abs(X))


def test_relu_uses_zero_at_the_kink():
    _, cache = A.relu(np.array([0.0, -0.0]))
    assert A.relu_backward(np.array([3.0, 3.0]), cache).tolist() == [0.0, 0.0]


# --------------------------------------------------------------------------- composition


def two_layer_loss(X, W1, b1, W2, columns):
    """L = sum(W2 @ A.relu(W1 @ X + b1)) (columns are examples: matmul, b1 (H, 1) added) or the
    row-wise mirror L = sum(A.relu(affine(X, W1, b1)) @ W2); returns L, the pre-activation and the
    caches."""
    if columns:
        z, c_first = A.matmul(W1, X)
        a = z + b1
    else:
        a, c_first = A.affine(X, W1, b1)
    h, c_relu = A.relu(a)
    s, c_mm2 = A.matmul(W2, h) if columns else A.matmul(h, W2)
    return float(s.sum()), a, (c_first, c_relu, c_mm2, s.shape)


def two_layer_backward(caches, columns):
    c_first, c_relu, c_mm2, s_shape = caches
    ds = np.ones(s_shape)  # the gradient of a sum: 1 on every entry
    dh = A.matmul_backward(ds, c_mm2)[1 if columns else 0]
    dW2 = A.matmul_backward(ds, c_mm2)[0 if columns else 1]
    da = A.relu_backward(dh, c_relu)
    if columns:
        (dW1, dX), db1 = A.matmul_backward(da, c_first), da.sum(axis=1, keepdims=True)
    else:
        dX, dW1, db1 = A.affine_backward(da, c_first)
    return {"X": dX, "W1": dW1, "b1": db1, "W2": dW2}


@pytest.mark.parametrize("columns", [True, False], ids=["columns-are-examples", "rows"])
@settings(max_examples=30)
@given(data=st.data())
def test_two_layer_composition_matches_numerical_gradient_end_to_end(columns, data):
    n, d, hidden, c = (data.draw(dims) for _ in range(4))
    if columns:  # X (D, N), W1 (H, D), b1 (H, 1), W2 (C, H)
        shapes = {"X": (d, n), "W1": (hidden, d), "b1": (hidden, 1), "W2": (c, hidden)}
    else:  # X (N, D), W1 (D, H), b1 (H,), W2 (H, C)
        shapes = {"X": (n, d), "W1": (d, hidden), "b1": (hidden,), "W2": (hidden, c)}
    p = {name: data.draw(arrays(shape), label=name) for name, shape in shapes.items()}
    L, a, caches = two_layer_loss(p["X"], p["W1"], p["b1"], p["W2"], columns)
    # A nudge of h moves a pre-activation by at most 1e-4; stay clear of relu's kink.
    assume(np.all(np.abs(a) > 1e-3))
    grads = two_layer_backward(caches, columns)
    abs_p = {name: np.abs(v) for name, v in p.items()}
    magnitude = two_layer_loss(abs_p["X"], abs_p["W1"], abs_p["b1"], abs_p["W2"], columns)[0]
    for name, value in p.items():
        numeric = A.numerical_grad_array(
            lambda _: two_layer_loss(p["X"], p["W1"], p["b1"], p["W2"], columns)[0], value, 1.0
        )
        assert grads[name].shape == value.shape, name
        assert_matches_numeric(grads[name], numeric, 1.0, magnitude)


# --------------------------------------------------------------------------- CS231n's criterion


def gate_checks(seed):
    """grad_check_array for every gate on generic random data of the notes' sizes."""
    rng = np.random.default_rng(seed)
    W, X, dD = rng.normal(size=(5, 10)), rng.normal(size=(10, 3)), rng.normal(size=(5, 3))
    Z, W2, b, dout = (rng.normal(size=shape) for shape in ((4, 6), (6, 3), 3, (4, 3)))
    dW, dX = A.matmul_backward(dD, A.matmul(W, X)[1])
    dZ, dW2, db = A.affine_backward(dout, A.affine(Z, W2, b)[1])
    checks = [
        A.grad_check_array(lambda W_: A.matmul(W_, X)[0], W, dD, dW, name="dW"),
        A.grad_check_array(lambda X_: A.matmul(W, X_)[0], X, dD, dX, name="dX"),
        A.grad_check_array(lambda Z_: A.affine(Z_, W2, b)[0], Z, dout, dZ, name="dX(affine)"),
        A.grad_check_array(lambda W_: A.affine(Z, W_, b)[0], W2, dout, dW2, name="dW(affine)"),
        A.grad_check_array(lambda b_: A.affine(Z, W2, b_)[0], b, dout, db, name="db(affine)"),
    ]
    for gate in ("sigmoid", "tanh", "relu"):
        forward, backward, up = getattr(A, gate), getattr(A, f"{gate}_backward"), Z[::-1]
        grad = backward(up, forward(Z)[1])
        f = lambda Z_, forward=forward: forward(Z_)[0]  # noqa: E731
        checks.append(A.grad_check_array(f, Z, up, grad, name=gate))
    return checks


def test_every_gate_passes_cs231n_rel_error_on_random_data():
    errors = []
    for seed in range(5):
        for check in gate_checks(seed):
            assert check.passed and check.rel_error < 1e-7, str(check)
            assert check.rel_error == A.rel_error(check.analytic, check.numeric)
            errors.append(check.rel_error)
    # The docstring's claim: in float64 a correct backward gives ~1e-9 or smaller.
    assert np.median(errors) < 1e-9
