"""Bad input to the array gates: one-line errors that name the shapes and what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_kit.core import switch
from backprop_kit.nn import arrays
from backprop_kit.nn.arrays import (
    grad_check_array,
    linear_weight_grad,
    matmul,
    matmul_backward,
    numerical_grad_array,
    relu,
    relu_backward,
    sigmoid,
    tanh,
)


def raised(error_type, call, *args, **kwargs):
    """Call, expect ``error_type``, check the message is one line, and return it."""
    with pytest.raises(error_type) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert message and "\n" not in message, message
    return message


# --------------------------------------------------------------------------- shapes


def test_matmul_names_the_dimensions_that_disagree():
    message = raised(ValueError, matmul, np.ones((5, 10)), np.ones((3, 10)))
    assert message == (
        "matmul: W has shape (5, 10) and X has shape (3, 10); "
        "W's 2nd dimension (10) must equal X's 1st dimension (3)"
    )


@pytest.mark.parametrize(
    "bad, got",
    [
        (np.float64(3.0), "0-d"),
        (np.ones(4), "1-d array of shape (4,)"),
        (np.ones((2, 3, 4)), "3-d array of shape (2, 3, 4)"),
    ],
)
def test_matmul_needs_matrices(bad, got):
    message = raised(ValueError, matmul, bad, np.ones((3, 3)))
    assert "W must be a 2-d array" in message and got in message
    message = raised(ValueError, matmul, np.ones((3, 3)), bad)
    assert "X must be a 2-d array" in message and got in message


def test_matmul_backward_names_expected_and_received_shape_of_dD():
    _, cache = matmul(np.ones((5, 10)), np.ones((10, 3)))
    message = raised(ValueError, matmul_backward, np.ones((3, 5)), cache)
    assert message.startswith("matmul_backward: dD has shape (3, 5)")
    assert "must have shape (5, 3)" in message


@pytest.mark.parametrize(
    "forward, backward, inputs",
    [
        (arrays.affine, arrays.affine_backward, (np.ones((4, 2)), np.ones((2, 3)), np.ones(3))),
        (sigmoid, arrays.sigmoid_backward, (np.ones((4, 3)),)),
        (tanh, arrays.tanh_backward, (np.ones((4, 3)),)),
        (relu, relu_backward, (np.ones((4, 3)),)),
    ],
)
def test_backward_rejects_dout_of_the_wrong_shape(forward, backward, inputs):
    _, cache = forward(*inputs)
    message = raised(ValueError, backward, np.ones((3, 4)), cache)
    assert "dout has shape (3, 4)" in message and "must have shape (4, 3)" in message
    # a broadcastable dout would give a silently wrong gradient: it must be refused too
    raised(ValueError, backward, np.ones((1, 3)), cache)


def test_svm_loss_backward_needs_a_single_number():
    _, cache = arrays.svm_loss(np.ones(3), np.ones(3))
    message = raised(ValueError, arrays.svm_loss_backward, np.ones(3), cache)
    assert "dL has shape (3,)" in message and "single number" in message


def test_affine_needs_a_matrix_X_and_a_bias_per_column():
    assert "X must be a 2-d array" in raised(
        ValueError, arrays.affine, np.ones(3), np.ones((3, 2)), np.ones(2)
    )
    message = raised(ValueError, arrays.affine, np.ones((2, 3)), np.ones((3, 2)), np.ones((1, 2)))
    assert "b must be a 1-d array" in message and "(1, 2)" in message


def test_backward_refuses_the_cache_of_another_gate():
    _, cache = sigmoid(np.ones(3))
    message = raised(TypeError, relu_backward, np.ones(3), cache)
    assert "ReluCache" in message and "SigmoidCache" in message
    message = raised(TypeError, matmul_backward, np.ones((2, 2)), (np.ones((2, 2)),) * 2)
    assert "MatmulCache" in message and "tuple" in message


# --------------------------------------------------------------------------- dtypes

BAD_DTYPES = [
    (np.array([["a", "b"]]), "<U1 (text)"),
    (np.array([[b"a", b"b"]]), "(bytes)"),
    (np.array([[1.0, None]], dtype=object), "dtype object"),
    (np.array([[1 + 2j, 3.0]]), "complex128 (complex)"),
    (np.array([[True, False]]), "dtype bool"),
    ([["1", "2"]], "(text)"),
    ([[1.0, None]], "dtype object"),
]


@pytest.mark.parametrize("bad, dtype_words", BAD_DTYPES)
@pytest.mark.parametrize(
    "call",
    [
        lambda bad: matmul(bad, np.ones((2, 2))),
        lambda bad: matmul(np.ones((1, 1)), bad),
        lambda bad: arrays.affine(bad, np.ones((2, 2)), np.ones(2)),
        lambda bad: arrays.affine(np.ones((1, 2)), np.ones((2, 2)), bad[0]),
        lambda bad: arrays.svm_loss(bad[0], np.ones(2)),
        sigmoid,
        relu,
        tanh,
        lambda bad: matmul_backward(bad, matmul(np.ones((1, 1)), np.ones((1, 2)))[1]),
    ],
    ids=[
        "matmul-W",
        "matmul-X",
        "affine-X",
        "affine-b",
        "svm-scores",
        "sigmoid",
        "relu",
        "tanh",
        "matmul_backward-dD",
    ],
)
def test_non_real_input_is_a_type_error_naming_the_dtype(call, bad, dtype_words):
    message = raised(TypeError, call, bad)
    assert dtype_words in message
    assert "allowed are real numbers" in message


def test_bool_error_suggests_the_conversion():
    assert "astype(float)" in raised(TypeError, relu, np.array([True, False]))


def test_masked_array_is_refused_rather_than_unmasked_silently():
    message = raised(TypeError, relu, np.ma.array([1.0, 2.0], mask=[False, True]))
    assert "masked array" in message and "filled" in message


def test_ragged_nested_list_is_a_value_error():
    message = raised(ValueError, matmul, [[1.0, 2.0], [3.0]], np.ones((2, 2)))
    assert "W could not be made into an array" in message
    assert "rows have different lengths" in message


# --------------------------------------------------------------------------- checking helpers


def test_numerical_grad_array_needs_a_writeable_float64_array():
    message = raised(TypeError, numerical_grad_array, np.sin, np.ones(3, np.float32), np.ones(3))
    assert "float64" in message and "float32" in message
    assert "got list" in raised(TypeError, numerical_grad_array, np.sin, [1.0], np.ones(1))
    x = np.ones(3)
    x.flags.writeable = False
    assert "read-only" in raised(ValueError, numerical_grad_array, np.sin, x, np.ones(3))


@pytest.mark.parametrize("h", [0, -1e-5, float("nan"), float("inf"), True, "1e-5"])
def test_numerical_grad_array_rejects_a_bad_step(h):
    assert "h must be a positive finite number" in raised(
        ValueError, numerical_grad_array, np.sin, np.ones(2), np.ones(2), h=h
    )


def test_numerical_grad_array_needs_df_of_the_output_shape():
    message = raised(ValueError, numerical_grad_array, np.sin, np.ones(3), np.ones((1, 3)))
    assert "df has shape (1, 3)" in message and "f(x) returned shape (3,)" in message


def test_numerical_grad_array_rejects_non_numeric_output():
    message = raised(TypeError, numerical_grad_array, lambda x: "loss", np.ones(2), 1.0)
    assert "f(x) has dtype" in message


def test_grad_check_array_needs_analytic_of_x_shape():
    message = raised(
        ValueError, grad_check_array, np.sin, np.ones(3), np.ones(3), np.ones(4), name="dW"
    )
    assert "analytic (dW) has shape (4,)" in message and "x has shape (3,)" in message


def test_linear_weight_grad_names_the_mismatch():
    message = raised(ValueError, linear_weight_grad, np.ones((4, 3)), np.ones(5))
    assert "X has shape (4, 3) and w has shape (5,)" in message
    assert "k must be a finite real number" in raised(
        ValueError, linear_weight_grad, np.ones((4, 3)), np.ones(3), k=float("nan")
    )
    message = raised(ValueError, linear_weight_grad, np.ones((4, 3)), np.ones(3), 2.0, np.ones(3))
    assert "dout has shape (3,)" in message and "(4,)" in message
    assert "w must be 1-d" in raised(ValueError, linear_weight_grad, np.ones((4, 3)), 1.0)


@pytest.mark.parametrize("name", [n for n in arrays.__all__ if n.endswith("_backward")])
def test_every_array_backward_refuses_first_while_autodiff_is_off(name: str) -> None:
    # the refusal is the first thing each backward does, before its arguments are looked at
    with pytest.raises(switch.AutodiffRefused, match=f"the kit's {name} is switched off"):
        switch.run_with_autodiff_off("test-id", getattr(arrays, name), None, None)
    with pytest.raises(TypeError, match=f"^{name}: cache must be the"):
        getattr(arrays, name)(None, None)  # autodiff on again: the cache check speaks
