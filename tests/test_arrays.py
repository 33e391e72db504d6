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

from backprop_kit.nn.arrays import (
    bias_add,
    bias_add_backward,
    grad_check_array,
    matmul,
    matmul_backward,
    multiply,
    multiply_backward,
    numerical_grad_array,
    rel_error,
    relu,
    relu_backward,
    sigmoid,
    sigmoid_backward,
    sum_all,
    sum_all_backward,
)
from tests.strategies import any_shape, arrays, away_from_zero, dims, values

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
    D, cache = matmul(W, X)
    dW, dX = matmul_backward(dD, cache)
    assert np.array_equal(D, W @ X)
    assert np.array_equal(dW, dD @ X.T)
    assert np.array_equal(dX, W.T @ dD)
    assert dW.shape == W.shape and dX.shape == X.shape


@FAST
@given(matmul_case())
def test_matmul_backward_matches_numerical_gradient(case):
    W, X, dD = case
    dW, dX = matmul_backward(dD, matmul(W, X)[1])
    magnitude = np.abs(W) @ np.abs(X)
    numeric_W = numerical_grad_array(lambda W_: matmul(W_, X)[0], W, dD)
    numeric_X = numerical_grad_array(lambda X_: matmul(W, X_)[0], X, dD)
    assert_matches_numeric(dW, numeric_W, dD, magnitude)
    assert_matches_numeric(dX, numeric_X, dD, magnitude)


def test_matmul_cache_references_inputs_and_keeps_float32():
    W = np.ones((2, 3), dtype=np.float32)
    X = np.ones((3, 4), dtype=np.float32)
    D, cache = matmul(W, X)
    assert cache.W is W and cache.X is X
    assert D.dtype == np.float32


def test_lists_and_int_arrays_become_float64():
    D, cache = matmul([[1, 2]], np.array([[3], [4]]))
    assert D.dtype == np.float64 and D.tolist() == [[11.0]]
    assert cache.W.dtype == np.float64 and cache.X.dtype == np.float64


# --------------------------------------------------------------------------- bias add

# layout name -> (shape of b given X's shape (R, C), axes of X that b is broadcast over)
BIAS_LAYOUTS = {
    "row vector (C,)": (lambda r, c: (c,), (0,)),
    "row (1, C)": (lambda r, c: (1, c), (0,)),
    "column (R, 1)": (lambda r, c: (r, 1), (1,)),
    "scalar-like (1, 1)": (lambda r, c: (1, 1), (0, 1)),
    "full (R, C)": (lambda r, c: (r, c), ()),
}


@pytest.mark.parametrize("layout", list(BIAS_LAYOUTS))
@FAST
@given(data=st.data())
def test_bias_add_gradient_is_the_sum_over_the_broadcast_axes(layout, data):
    make_b_shape, broadcast_axes = BIAS_LAYOUTS[layout]
    r, c = data.draw(dims), data.draw(dims)
    X = data.draw(arrays((r, c)))
    b = data.draw(arrays(make_b_shape(r, c)))
    dout = data.draw(arrays((r, c)))
    out, cache = bias_add(X, b)
    dX, db = bias_add_backward(dout, cache)
    # forward, entry by entry
    b2 = b.reshape(1, -1) if b.ndim == 1 else b
    for i in range(r):
        for j in range(c):
            assert out[i, j] == X[i, j] + b2[min(i, b2.shape[0] - 1), min(j, b2.shape[1] - 1)]
    # backward: dX passes dout through; db adds up dout over the rows / columns b was copied to
    assert dX is dout
    assert db.shape == b.shape
    expected = dout
    for axis in broadcast_axes:
        expected = sum(np.take(expected, [i], axis=axis) for i in range(expected.shape[axis]))
    np.testing.assert_allclose(db, expected.reshape(b.shape), rtol=1e-12, atol=1e-12)
    magnitude = np.abs(X) + np.abs(b)
    assert_matches_numeric(
        db, numerical_grad_array(lambda b_: bias_add(X, b_)[0], b, dout), dout, magnitude
    )
    assert_matches_numeric(
        dX, numerical_grad_array(lambda X_: bias_add(X_, b)[0], X, dout), dout, magnitude
    )


# --------------------------------------------------------------------------- elementwise


@FAST
@given(data=st.data(), shape=any_shape)
def test_multiply_backward_swaps_the_inputs(data, shape):
    A, B, dout = (data.draw(arrays(shape)) for _ in range(3))
    out, cache = multiply(A, B)
    dA, dB = multiply_backward(dout, cache)
    assert np.array_equal(out, A * B)
    assert np.array_equal(dA, dout * B) and np.array_equal(dB, dout * A)
    magnitude = np.abs(A * B)
    assert_matches_numeric(
        dA, numerical_grad_array(lambda A_: multiply(A_, B)[0], A, dout), dout, magnitude
    )
    assert_matches_numeric(
        dB, numerical_grad_array(lambda B_: multiply(A, B_)[0], B, dout), dout, magnitude
    )


@FAST
@given(data=st.data(), shape=any_shape)
def test_sigmoid_backward_matches_numerical_gradient(data, shape):
    X, dout = data.draw(arrays(shape)), data.draw(arrays(shape))
    out, cache = sigmoid(X)
    np.testing.assert_allclose(out, 1.0 / (1.0 + np.exp(-X)), rtol=1e-15)
    dX = sigmoid_backward(dout, cache)
    numeric = numerical_grad_array(lambda X_: sigmoid(X_)[0], X, dout)
    assert_matches_numeric(dX, numeric, dout, np.ones(shape))


def test_sigmoid_saturates_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, cache = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
        dX = sigmoid_backward(np.ones(3), cache)
    assert out.tolist() == [0.0, 0.5, 1.0]
    assert dX.tolist() == [0.0, 0.25, 0.0]


@FAST
@given(data=st.data(), shape=any_shape)
def test_relu_backward_matches_numerical_gradient_away_from_the_kink(data, shape):
    X, dout = data.draw(arrays(shape, away_from_zero)), data.draw(arrays(shape))
    out, cache = relu(X)
    dX = relu_backward(dout, cache)
    assert np.array_equal(out, np.where(X > 0, X, 0.0))
    assert np.all(dX[X < 0] == 0) and np.array_equal(dX[X > 0], dout[X > 0])
    numeric = numerical_grad_array(lambda X_: relu(X_)[0], X, dout)
    assert_matches_numeric(dX, numeric, dout, np.abs(X))


def test_relu_uses_zero_at_the_kink():
    _, cache = relu(np.array([0.0, -0.0]))
    assert relu_backward(np.array([3.0, 3.0]), cache).tolist() == [0.0, 0.0]


@FAST
@given(data=st.data(), shape=any_shape, dL=values)
def test_sum_all_backward_fills_the_input_shape_with_dL(data, shape, dL):
    X = data.draw(arrays(shape))
    L, cache = sum_all(X)
    assert type(L) is float
    assert L == pytest.approx(sum(X.ravel().tolist()), rel=1e-12, abs=1e-12)
    dX = sum_all_backward(dL, cache)
    assert dX.shape == X.shape and np.all(dX == dL)
    numeric = numerical_grad_array(lambda X_: sum_all(X_)[0], X, dL)
    assert_matches_numeric(dX, numeric, dL, np.sum(np.abs(X)))


# --------------------------------------------------------------------------- composition


def two_layer_loss(X, W1, b1, W2, columns):
    """L = sum(W2 @ relu(W1 @ X + b1)) (columns are examples) or the row-wise mirror
    L = sum(relu(X @ W1 + b1) @ W2); returns L, the pre-activation and the caches."""
    z, c_mm1 = matmul(W1, X) if columns else matmul(X, W1)
    a, c_bias = bias_add(z, b1)
    h, c_relu = relu(a)
    s, c_mm2 = matmul(W2, h) if columns else matmul(h, W2)
    L, c_sum = sum_all(s)
    return L, a, (c_mm1, c_bias, c_relu, c_mm2, c_sum)


def two_layer_backward(caches, columns):
    c_mm1, c_bias, c_relu, c_mm2, c_sum = caches
    ds = sum_all_backward(1.0, c_sum)
    if columns:
        dW2, dh = matmul_backward(ds, c_mm2)
    else:
        dh, dW2 = matmul_backward(ds, c_mm2)
    da = relu_backward(dh, c_relu)
    dz, db1 = bias_add_backward(da, c_bias)
    if columns:
        dW1, dX = matmul_backward(dz, c_mm1)
    else:
        dX, dW1 = matmul_backward(dz, c_mm1)
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
        numeric = numerical_grad_array(
            lambda _: two_layer_loss(p["X"], p["W1"], p["b1"], p["W2"], columns)[0], value, 1.0
        )
        assert grads[name].shape == value.shape, name
        assert_matches_numeric(grads[name], numeric, 1.0, magnitude)


# --------------------------------------------------------------------------- CS231n's criterion


def gate_checks(seed):
    """grad_check_array for every gate on generic random data of the notes' sizes."""
    rng = np.random.default_rng(seed)
    W, X, dD = rng.normal(size=(5, 10)), rng.normal(size=(10, 3)), rng.normal(size=(5, 3))
    A, B, dout = (rng.normal(size=(4, 6)) for _ in range(3))
    b = rng.normal(size=6)
    dW, dX = matmul_backward(dD, matmul(W, X)[1])
    dA, dB = multiply_backward(dout, multiply(A, B)[1])
    dXb, db = bias_add_backward(dout, bias_add(A, b)[1])
    return [
        grad_check_array(lambda W_: matmul(W_, X)[0], W, dD, dW, name="dW"),
        grad_check_array(lambda X_: matmul(W, X_)[0], X, dD, dX, name="dX"),
        grad_check_array(lambda A_: multiply(A_, B)[0], A, dout, dA, name="dA"),
        grad_check_array(lambda B_: multiply(A, B_)[0], B, dout, dB, name="dB"),
        grad_check_array(lambda b_: bias_add(A, b_)[0], b, dout, db, name="db"),
        grad_check_array(lambda A_: bias_add(A_, b)[0], A, dout, dXb, name="dX(bias)"),
        grad_check_array(
            lambda A_: sigmoid(A_)[0],
            A,
            dout,
            sigmoid_backward(dout, sigmoid(A)[1]),
            name="dX(sigmoid)",
        ),
        grad_check_array(
            lambda A_: relu(A_)[0], A, dout, relu_backward(dout, relu(A)[1]), name="dX(relu)"
        ),
        grad_check_array(
            lambda A_: sum_all(A_)[0],
            A,
            0.5,
            sum_all_backward(0.5, sum_all(A)[1]),
            name="dX(sum)",
        ),
    ]


def test_every_gate_passes_cs231n_rel_error_on_random_data():
    errors = []
    for seed in range(5):
        for check in gate_checks(seed):
            assert check.passed and check.rel_error < 1e-7, str(check)
            assert check.rel_error == rel_error(check.analytic, check.numeric)
            errors.append(check.rel_error)
    # The docstring's claim: in float64 a correct backward gives ~1e-9 or smaller.
    assert np.median(errors) < 1e-9
