"""Array gates for chapter 7 (``D = W @ X``), checkable against numerical gradients.

Every gate is a pair of functions in the CS231n ``layers.py`` style::

    out, cache = matmul(W, X)              # forward: compute, remember what backward needs
    dW, dX = matmul_backward(dD, cache)    # backward: upstream gradient in, gradients out

The upstream gradient (``dD``, ``dout``) always has the shape of the forward output, and
each returned gradient has the shape of the input it belongs to. Caches are small named
tuples that *reference* the inputs (no copies), so forward and backward cost what the
NumPy expressions in their docstrings cost.

Input conventions, for every gate and helper here:

* float arrays (float16/32/64) are used as they are, never copied;
* integer arrays, Python numbers and (nested) lists/tuples of numbers are converted to
  float64 with ``np.asarray``;
* bool, complex, text (str/bytes) and object arrays, and masked arrays, are rejected with
  ``TypeError``: booleans would silently become 0/1 (write ``mask.astype(float)`` if you
  mean that), a real-valued loss has no complex gradient, and a mask would be dropped;
* shapes are checked before any arithmetic; every error is a single line that names the
  shapes involved and what would be allowed;
* NaN and inf are not rejected: they flow through to the output, where you can see them.

Gradients returned by a backward function may share memory with the upstream gradient
(``bias_add_backward`` returns ``dout`` itself as ``dX``): copy before editing in place.

Checking: :func:`numerical_grad_array` computes the same vector-Jacobian product by central
differences (its ``x`` must be a float64 ndarray, since it is nudged in place), and
:func:`grad_check_array` compares the two with CS231n's relative error.

Also here: :func:`dimension_analysis` (from :mod:`dimensions`), which shows
why shapes force ``dD @ X.T`` and ``W.T @ dD``, and :func:`linear_weight_grad`, which shows
weight gradients growing k-fold when the inputs are scaled by k (chapter 6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from backprop_kit.core import switch
from backprop_kit.core.gates import sigmoid_of
from backprop_kit.core.numeric import GRAD_CHECK_PASS, grade_rel_error, rel_error
from backprop_kit.nn.dimensions import (
    DimensionAnalysis,
    dimension_analysis,
    matmul_mismatch_message,
    short_repr,
)

__all__ = [
    "AffineCache",
    "ArrayGradCheck",
    "BiasAddCache",
    "DimensionAnalysis",
    "MatmulCache",
    "MultiplyCache",
    "ReluCache",
    "SigmoidCache",
    "SumCache",
    "SvmLossCache",
    "TanhCache",
    "affine",
    "affine_backward",
    "bias_add",
    "bias_add_backward",
    "dimension_analysis",
    "grad_check_array",
    "linear_weight_grad",
    "matmul",
    "matmul_backward",
    "multiply",
    "multiply_backward",
    "numerical_grad_array",
    "rel_error",
    "relu",
    "relu_backward",
    "sigmoid",
    "sigmoid_backward",
    "sum_all",
    "sum_all_backward",
    "svm_loss",
    "svm_loss_backward",
    "tanh",
    "tanh_backward",
]

# --------------------------------------------------------------------------- validation

_KIND_NAMES = {
    "b": "bool",
    "c": "complex",
    "U": "text",
    "S": "bytes",
    "O": "object",
    "V": "structured",
    "M": "datetime",
    "m": "timedelta",
}
_ALLOWED = (
    "allowed are real numbers: float or int arrays, Python numbers, or lists of numbers "
    "(not bool, complex, text or object)"
)


def _as_real_array(value: object, name: str, func: str, ndim: int | None = None) -> np.ndarray:
    """Return ``value`` as a real float array, or raise a one-line TypeError/ValueError.

    A float ndarray comes back as the very same object (no copy); ints, Python numbers and
    lists of numbers become float64. ``ndim``, when given, is the required number of
    dimensions.
    """
    if type(value) is np.ndarray and value.dtype.kind == "f":
        array = value  # the fast path: nothing to convert, nothing copied
    elif isinstance(value, np.ma.MaskedArray):  # np.asarray would drop the mask silently
        raise TypeError(f"{func}: {name} is a masked array; use {name}.filled(value) first")
    else:
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "inhomogeneous" in reason:
                reason = "a nested list whose rows have different lengths"
            raise ValueError(
                f"{func}: {name} could not be made into an array ({reason}); {_ALLOWED}"
            ) from None
        kind = array.dtype.kind
        if kind in "iu":
            array = array.astype(np.float64)
        elif kind != "f":
            described = _KIND_NAMES.get(kind, "non-numeric")
            dtype = (
                str(array.dtype)
                if str(array.dtype) == described
                else (f"{array.dtype} ({described})")
            )
            hint = "; for a 0/1 mask use mask.astype(float)" if kind == "b" else ""
            raise TypeError(f"{func}: {name} has dtype {dtype}; {_ALLOWED}{hint}")
    if ndim is not None and array.ndim != ndim:
        got = (
            "a 0-d array (a single number)"
            if array.ndim == 0
            else (f"a {array.ndim}-d array of shape {array.shape}")
        )
        what = {1: "a 1-d array (a vector)", 2: "a 2-d array (a matrix)"}.get(ndim, f"{ndim}-d")
        raise ValueError(f"{func}: {name} must be {what}, got {got}")
    return array


def _check_upstream(
    dout: object, expected: tuple[int, ...], name: str, func: str, of_what: str
) -> np.ndarray:
    """Validate an upstream gradient: real numbers, exactly the forward output's shape."""
    dout = _as_real_array(dout, name, func)
    expected = tuple(expected)
    if dout.shape != expected:
        if not expected:
            raise ValueError(
                f"{func}: {name} has shape {dout.shape} but must be a single number "
                f"(shape ()), like {of_what}"
            )
        raise ValueError(
            f"{func}: {name} has shape {dout.shape} but must have shape {expected}, "
            f"the shape of {of_what}"
        )
    return dout


def _backward_cache(cache: object, kind: type, func: str, forward: str) -> Any:
    """The entry of every array backward ``func``: it refuses while autodiff is off (see
    :mod:`~backprop_kit.core.switch`), then makes sure ``cache`` is what the forward returned."""
    switch.refuse(func)
    if not isinstance(cache, kind):
        got = type(cache).__name__
        raise TypeError(
            f"{func}: cache must be the {kind.__name__} returned by {forward}, got a {got}"
        )
    return cache


# --------------------------------------------------------------------------- caches


class MatmulCache(NamedTuple):
    """What :func:`matmul_backward` needs: the two inputs (references, not copies)."""

    W: np.ndarray
    X: np.ndarray


class BiasAddCache(NamedTuple):
    """What :func:`bias_add_backward` needs: the inputs (only their shapes are used)."""

    X: np.ndarray
    b: np.ndarray


class MultiplyCache(NamedTuple):
    """What :func:`multiply_backward` needs: the two factors."""

    A: np.ndarray
    B: np.ndarray


class SigmoidCache(NamedTuple):
    """What :func:`sigmoid_backward` needs: the forward *output* s = sigmoid(X)."""

    out: np.ndarray


class ReluCache(NamedTuple):
    """What :func:`relu_backward` needs: the forward input X."""

    X: np.ndarray


class SumCache(NamedTuple):
    """What :func:`sum_all_backward` needs: the input (only its shape and dtype)."""

    X: np.ndarray


# --------------------------------------------------------------------------- gates


def matmul(W: ArrayLike, X: ArrayLike) -> tuple[np.ndarray, MatmulCache]:
    """Matrix-multiply gate: ``D = W @ X``.

    Math: ``D[i, j] = sum_k W[i, k] * X[k, j]``.

    Shapes: ``W`` (M, K), ``X`` (K, N) -> ``D`` (M, N). The names follow chapter 7; any two
    matrices work (for rows-are-examples data call ``matmul(X, W)``).

    Returns ``(D, cache)``; ``cache`` references ``W`` and ``X`` (no copies).
    Raises ``ValueError`` if either is not 2-d or the inner dimensions K differ, and
    ``TypeError`` for non-real dtypes.
    """
    W = _as_real_array(W, "W", "matmul", ndim=2)
    X = _as_real_array(X, "X", "matmul", ndim=2)
    if W.shape[1] != X.shape[0]:
        raise ValueError(matmul_mismatch_message("matmul", "W", W.shape, "X", X.shape))
    return W @ X, MatmulCache(W, X)


def matmul_backward(dD: ArrayLike, cache: MatmulCache) -> tuple[np.ndarray, np.ndarray]:
    """Backward of :func:`matmul`: ``dW = dD @ X.T`` and ``dX = W.T @ dD``.

    Math (chain rule, entry by entry): ``dW[i, k] = sum_j dD[i, j] * X[k, j]`` and
    ``dX[k, j] = sum_i W[i, k] * dD[i, j]``.

    Shapes: ``dD`` (M, N) -> ``dW`` (M, K), ``dX`` (K, N), where ``W`` (M, K) and ``X``
    (K, N) are the cached inputs. ``.T`` is a view, so this is exactly two BLAS calls.
    Raises ``ValueError`` if ``dD`` does not have the shape (M, N) of ``D``.
    """
    W, X = _backward_cache(cache, MatmulCache, "matmul_backward", "matmul(W, X)")
    dD = _check_upstream(dD, (W.shape[0], X.shape[1]), "dD", "matmul_backward", "D = W @ X")
    return dD @ X.T, W.T @ dD


def bias_add(X: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, BiasAddCache]:
    """Bias-add gate with broadcasting: ``out = X + b``.

    Two layouts; pick the one that matches where your examples are:

    * rows are examples: ``X`` (N, D), ``b`` (D,) or (1, D) -> ``out`` (N, D),
      ``out[n, d] = X[n, d] + b[d]`` (the usual one; the same ``b`` is added to every row);
    * columns are examples (chapter 7's ``D = W @ X``): ``X`` (M, N), ``b`` (M, 1) ->
      ``out`` (M, N), ``out[m, n] = X[m, n] + b[m, 0]``.

    In general ``b`` is 1-d with length ``X.shape[1]``, or 2-d with each dimension equal
    to ``X``'s or 1. Returns ``(out, cache)``.
    Raises ``ValueError`` if ``X`` is not 2-d or ``b`` does not fit one of these layouts.
    """
    X = _as_real_array(X, "X", "bias_add", ndim=2)
    b = _as_real_array(b, "b", "bias_add")
    if b.ndim == 1:
        if b.shape[0] != X.shape[1]:
            raise ValueError(
                f"bias_add: X has shape {X.shape} and b has shape {b.shape}; a 1-d b needs "
                f"length X.shape[1] = {X.shape[1]} (for one bias per row use b of shape "
                f"({X.shape[0]}, 1))"
            )
    elif b.ndim == 2:
        if any(nb not in (1, nx) for nb, nx in zip(b.shape, X.shape, strict=True)):
            raise ValueError(
                f"bias_add: X has shape {X.shape} and b has shape {b.shape}; each dimension "
                f"of a 2-d b must equal X's or be 1, e.g. (1, {X.shape[1]}) or "
                f"({X.shape[0]}, 1)"
            )
    else:
        raise ValueError(
            f"bias_add: b must be 1-d of shape ({X.shape[1]},) or 2-d like "
            f"(1, {X.shape[1]}) or ({X.shape[0]}, 1), got shape {b.shape}"
        )
    return X + b, BiasAddCache(X, b)


def bias_add_backward(dout: ArrayLike, cache: BiasAddCache) -> tuple[np.ndarray, np.ndarray]:
    """Backward of :func:`bias_add`: ``dX = dout`` and ``db`` = ``dout`` summed over the
    axes along which ``b`` was broadcast.

    Math: each ``b`` entry feeds many outputs, and gradients add where a value fans out:
    for ``b`` (D,), ``db[d] = sum_n dout[n, d]``; for ``b`` (M, 1),
    ``db[m, 0] = sum_n dout[m, n]``. ``dX`` is ``dout`` itself (the same object, no copy).

    Shapes: ``dout`` (like ``out``, i.e. like ``X``) -> ``dX`` (like ``X``), ``db`` (like
    ``b``). Raises ``ValueError`` if ``dout`` does not have ``X``'s shape.
    """
    X, b = _backward_cache(cache, BiasAddCache, "bias_add_backward", "bias_add(X, b)")
    dout = _check_upstream(dout, X.shape, "dout", "bias_add_backward", "out = X + b")
    if b.ndim == 1:
        db = dout.sum(axis=0)
    else:
        broadcast_axes = tuple(axis for axis in (0, 1) if b.shape[axis] == 1)
        db = dout.sum(axis=broadcast_axes, keepdims=True) if broadcast_axes else dout
    return dout, db


def multiply(A: ArrayLike, B: ArrayLike) -> tuple[np.ndarray, MultiplyCache]:
    """Elementwise multiply gate: ``out = A * B``.

    Math: ``out[i] = A[i] * B[i]`` for every index ``i``.

    Shapes: ``A`` and ``B`` must have the same shape (any number of dimensions; no
    broadcasting), and ``out`` has it too. Returns ``(out, cache)``.
    Raises ``ValueError`` if the shapes differ.
    """
    A = _as_real_array(A, "A", "multiply")
    B = _as_real_array(B, "B", "multiply")
    if A.shape != B.shape:
        raise ValueError(
            f"multiply: A has shape {A.shape} and B has shape {B.shape}; the elementwise "
            f"product needs equal shapes (no broadcasting)"
        )
    return A * B, MultiplyCache(A, B)


def multiply_backward(dout: ArrayLike, cache: MultiplyCache) -> tuple[np.ndarray, np.ndarray]:
    """Backward of :func:`multiply`: ``dA = dout * B`` and ``dB = dout * A``.

    Math: ``d(A[i] * B[i]) / dA[i] = B[i]``, so each input's gradient is the upstream
    gradient times the *other* input ("the multiply gate swaps its inputs").

    Shapes: ``dout``, ``dA``, ``dB`` all have the shape of ``A`` and ``B``.
    Raises ``ValueError`` if ``dout`` has another shape.
    """
    A, B = _backward_cache(cache, MultiplyCache, "multiply_backward", "multiply(A, B)")
    dout = _check_upstream(dout, A.shape, "dout", "multiply_backward", "out = A * B")
    return dout * B, dout * A


def sigmoid(X: ArrayLike) -> tuple[np.ndarray, SigmoidCache]:
    """Elementwise sigmoid gate: ``out = 1 / (1 + exp(-X))``.

    Shapes: ``X`` any shape -> ``out`` the same shape, every entry in [0, 1].
    Returns ``(out, cache)``; the cache keeps ``out``, which is all the backward needs.
    """
    X = _as_real_array(X, "X", "sigmoid")
    out = sigmoid_of(X)  # X < -709 gives out = 0, correctly, without a warning
    return out, SigmoidCache(out)


def sigmoid_backward(dout: ArrayLike, cache: SigmoidCache) -> np.ndarray:
    """Backward of :func:`sigmoid`: ``dX = dout * s * (1 - s)`` with ``s = sigmoid(X)``.

    Math: ``d sigmoid(x) / dx = sigmoid(x) * (1 - sigmoid(x))``.

    Shapes: ``dout`` and ``dX`` have the shape of ``X``.
    Raises ``ValueError`` if ``dout`` has another shape.
    """
    (out,) = _backward_cache(cache, SigmoidCache, "sigmoid_backward", "sigmoid(X)")
    dout = _check_upstream(dout, out.shape, "dout", "sigmoid_backward", "out = sigmoid(X)")
    return dout * out * (1.0 - out)


def relu(X: ArrayLike) -> tuple[np.ndarray, ReluCache]:
    """Elementwise ReLU gate: ``out = max(X, 0)``.

    Shapes: ``X`` any shape -> ``out`` the same shape. Returns ``(out, cache)``.
    """
    X = _as_real_array(X, "X", "relu")
    return np.maximum(X, 0.0), ReluCache(X)


def relu_backward(dout: ArrayLike, cache: ReluCache) -> np.ndarray:
    """Backward of :func:`relu`: ``dX = dout`` where ``X > 0``, else 0.

    Math: ``d max(x, 0) / dx`` is 1 for ``x > 0`` and 0 for ``x < 0``; at the kink
    ``x = 0`` we use 0 (a valid subgradient). Numerical checks are only meaningful away
    from the kink: keep ``|x|`` well above the step ``h``.

    Shapes: ``dout`` and ``dX`` have the shape of ``X``.
    Raises ``ValueError`` if ``dout`` has another shape.
    """
    (X,) = _backward_cache(cache, ReluCache, "relu_backward", "relu(X)")
    dout = _check_upstream(dout, X.shape, "dout", "relu_backward", "out = relu(X)")
    return np.where(X > 0, dout, 0.0)


def sum_all(X: ArrayLike) -> tuple[float, SumCache]:
    """Sum gate: ``L = sum of all entries of X``, a Python float.

    Shapes: ``X`` any shape -> ``L`` a scalar. Typically the last gate, turning an array
    into a loss. Returns ``(L, cache)``.
    """
    X = _as_real_array(X, "X", "sum_all")
    return float(np.sum(X)), SumCache(X)


def sum_all_backward(dL: float | ArrayLike, cache: SumCache) -> np.ndarray:
    """Backward of :func:`sum_all`: ``dX`` = an array of ``X``'s shape filled with ``dL``.

    Math: ``dL/dX[i] = 1`` for every entry, so ``dX[i] = dL * 1``.

    Shapes: ``dL`` a scalar (Python number or 0-d array; 1.0 when ``L`` is the loss) ->
    ``dX`` the shape of ``X``. Raises ``ValueError`` if ``dL`` is not a single number.
    """
    (X,) = _backward_cache(cache, SumCache, "sum_all_backward", "sum_all(X)")
    dL = _check_upstream(dL, (), "dL", "sum_all_backward", "L = sum_all(X)")
    return np.full(X.shape, dL, dtype=np.result_type(X, dL))


class TanhCache(NamedTuple):
    """What :func:`tanh_backward` needs: the forward *output* t = tanh(X)."""

    out: np.ndarray


def tanh(X: ArrayLike) -> tuple[np.ndarray, TanhCache]:
    """Elementwise tanh gate: ``out = tanh(X)``.

    Shapes: ``X`` any shape -> ``out`` the same shape, every entry in [-1, 1].
    Returns ``(out, cache)``; the cache keeps ``out``, which is all the backward needs.
    """
    X = _as_real_array(X, "X", "tanh")
    out = np.tanh(X)
    return out, TanhCache(out)


def tanh_backward(dout: ArrayLike, cache: TanhCache) -> np.ndarray:
    """Backward of :func:`tanh`: ``dX = dout * (1 - t²)`` with ``t = tanh(X)``.

    Shapes: ``dout`` and ``dX`` have the shape of ``X``.
    Raises ``ValueError`` if ``dout`` has another shape.
    """
    (out,) = _backward_cache(cache, TanhCache, "tanh_backward", "tanh(X)")
    dout = _check_upstream(dout, out.shape, "dout", "tanh_backward", "out = tanh(X)")
    return dout * (1.0 - out * out)


class AffineCache(NamedTuple):
    """What :func:`affine_backward` needs: the input ``X`` and the weights ``W``."""

    X: np.ndarray
    W: np.ndarray


def affine(X: ArrayLike, W: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, AffineCache]:
    """Affine (fully connected) layer: ``out = X @ W + b``, i.e. :func:`matmul` then
    :func:`bias_add`, as one gate.

    Math: ``out[n, j] = sum_d X[n, d] W[d, j] + b[j]``. Rows are examples.
    Shapes: ``X`` (N, D), ``W`` (D, H), ``b`` (H,) -> ``out`` (N, H).
    Raises ``ValueError`` for shapes that do not fit, ``TypeError`` for non-real dtypes.
    """
    X = _as_real_array(X, "X", "affine", ndim=2)
    W = _as_real_array(W, "W", "affine", ndim=2)
    b = _as_real_array(b, "b", "affine", ndim=1)
    if X.shape[1] != W.shape[0]:
        raise ValueError(matmul_mismatch_message("affine", "X", X.shape, "W", W.shape))
    if b.shape[0] != W.shape[1]:
        raise ValueError(
            f"affine: W has shape {W.shape} and b has shape {b.shape}; b needs one entry per "
            f"column of W, shape ({W.shape[1]},)"
        )
    out = X @ W
    out += b
    return out, AffineCache(X, W)


def affine_backward(
    dout: ArrayLike, cache: AffineCache, *, input_grad: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Backward of :func:`affine`: ``dX = dout @ W.T``, ``dW = X.T @ dout``,
    ``db = dout.sum(axis=0)``.

    Math: the matmul rule of chapter 7 (with rows as examples, so the transposes move) and the
    bias-add rule (``b`` is added to every row, so its gradient sums over the rows).
    Shapes: ``dout`` (N, H) -> ``dX`` (N, D), ``dW`` (D, H), ``db`` (H,). With
    ``input_grad=False`` ``dX`` is not computed (returned as None): a network's first layer
    reads the data, whose gradient nobody uses.
    Raises ``ValueError`` if ``dout`` does not have the shape (N, H) of ``out``.
    """
    X, W = _backward_cache(cache, AffineCache, "affine_backward", "affine(X, W, b)")
    dout = _check_upstream(
        dout, (X.shape[0], W.shape[1]), "dout", "affine_backward", "out = X @ W + b"
    )
    return (dout @ W.T if input_grad else None), X.T @ dout, dout.sum(axis=0)


class SvmLossCache(NamedTuple):
    """What :func:`svm_loss_backward` needs: the labels and the margins ``1 - y s``."""

    y: np.ndarray
    margins: np.ndarray


def svm_loss(scores: ArrayLike, y: ArrayLike) -> tuple[float, SvmLossCache]:
    """Max-margin (SVM, hinge) loss of micrograd's demo: ``L = mean_n max(0, 1 - y_n s_n)``.

    ``scores`` (N,) are the network's outputs, ``y`` (N,) the labels, +1 or -1. A point costs
    nothing once it is on the right side with a margin of at least 1. Returns ``(L, cache)``,
    ``L`` a Python float. Raises ``ValueError`` unless both are 1-d of the same length.
    """
    s = _as_real_array(scores, "scores", "svm_loss", ndim=1)
    y = _as_real_array(y, "y", "svm_loss", ndim=1)
    if s.shape != y.shape:
        raise ValueError(
            f"svm_loss: scores has shape {s.shape} and y has shape {y.shape}; need one label "
            f"per score"
        )
    margins = 1.0 - y * s
    return float(np.maximum(margins, 0.0).mean()), SvmLossCache(y, margins)


def svm_loss_backward(dL: float | ArrayLike, cache: SvmLossCache) -> np.ndarray:
    """Backward of :func:`svm_loss`: ``ds_n = dL * (-y_n / N)`` where ``1 - y_n s_n > 0``,
    else 0 (at the kink, margin exactly 0, we use 0).

    Shapes: ``dL`` a single number (1.0 when ``L`` is the loss) -> ``ds`` (N,).
    """
    y, margins = _backward_cache(cache, SvmLossCache, "svm_loss_backward", "svm_loss(scores, y)")
    if type(dL) is not float:
        dL = float(_check_upstream(dL, (), "dL", "svm_loss_backward", "L = svm_loss(scores, y)"))
    return np.where(margins > 0, y * (-dL / y.shape[0]), 0.0)


# --------------------------------------------------------------------------- checking


def numerical_grad_array(
    f: Callable[[np.ndarray], ArrayLike], x: np.ndarray, df: ArrayLike, h: float = 1e-5
) -> np.ndarray:
    """Vector-Jacobian product of ``f`` at ``x`` with ``df``, by central differences.

    Math: ``g[i] = sum(df * (f(x + h e_i) - f(x - h e_i))) / (2 h)``, which approximates
    ``sum_j df[j] * d f(x)[j] / d x[i]`` -- exactly what a backward function returns for
    upstream gradient ``df``. Costs ``2 * x.size`` calls of ``f``.

    Shapes: ``x`` any shape -> ``g`` the shape of ``x``; ``df`` must have the shape of
    ``f(x)`` (a scalar/0-d ``df`` for a scalar ``f``).

    Like CS231n's ``eval_numerical_gradient_array``, ``x`` is nudged *in place* (so ``f``
    may read ``x`` from a closure) and each entry is put back bit for bit right after,
    even if ``f`` raises. ``f``'s output is copied, so ``f`` may return ``x`` or a view.

    Raises ``TypeError`` unless ``x`` is a float64 ndarray (in lower precision ``x + h``
    loses most of ``h``) and ``ValueError`` if ``x`` is read-only, ``h`` is not a positive
    finite number, or ``df`` and ``f(x)`` have different shapes.
    """
    switch.refuse("numerical_grad_array")
    func = "numerical_grad_array"
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(
            f"{func}: x must be a float64 ndarray (it is changed in place), got {got}; "
            f"use np.asarray(x, dtype=np.float64)"
        )
    if not x.flags.writeable:
        raise ValueError(f"{func}: x must be writeable (it is nudged in place), got read-only")
    if isinstance(h, bool) or not isinstance(h, Real) or not (0 < h < np.inf):
        raise ValueError(f"{func}: h must be a positive finite number, got {short_repr(h)}")
    df = _as_real_array(df, "df", func)

    def evaluate() -> np.ndarray:
        value = _as_real_array(f(x), "f(x)", func)
        if value.shape != df.shape:
            raise ValueError(
                f"{func}: df has shape {df.shape} but f(x) returned shape {value.shape}; "
                f"they must be equal"
            )
        return np.array(value, dtype=np.float64)  # a copy: f may return x or a view of it

    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            plus = evaluate()
            x[index] = original - h
            minus = evaluate()
        finally:
            x[index] = original
        grad[index] = np.sum(df * (plus - minus)) / (2.0 * h)
    return grad


@dataclass(frozen=True)
class ArrayGradCheck:
    """The outcome of :func:`grad_check_array`; ``print()`` it for a one-line summary.

    ``rel_error`` is CS231n's (max over entries); ``worst_index`` is the entry where it
    occurs, ``max_abs_error`` the largest ``|analytic - numeric|``. ``passed`` means
    ``rel_error < tol``. If either gradient has NaN or inf entries, ``rel_error`` and
    ``max_abs_error`` are NaN, ``passed`` is False and ``problem`` says which and how many.
    """

    name: str
    shape: tuple[int, ...]
    rel_error: float
    max_abs_error: float
    worst_index: tuple[int, ...] | None
    tol: float
    problem: str | None
    analytic: np.ndarray = field(repr=False, compare=False)
    numeric: np.ndarray = field(repr=False, compare=False)

    @property
    def passed(self) -> bool:
        """True when ``rel_error < tol`` (False for NaN)."""
        return bool(self.rel_error < self.tol)

    def __str__(self) -> str:
        head = f"{self.name} {self.shape}: rel_error = {self.rel_error:.1e}"
        if self.problem is not None:
            return f"{head} FAILED: {self.problem}"
        head = f"{head} {grade_rel_error(self.rel_error)},"
        if self.passed:
            return f"{head} ok (< {self.tol:.0e})"
        a, n = self.analytic[self.worst_index], self.numeric[self.worst_index]
        return (
            f"{head} FAILED (>= {self.tol:.0e}); worst entry {self.worst_index}: "
            f"analytic {a:.6g}, numeric {n:.6g}"
        )

    def __repr__(self) -> str:
        return (
            f"ArrayGradCheck(name={self.name!r}, shape={self.shape}, "
            f"rel_error={self.rel_error:.1e}, passed={self.passed})"
        )


def grad_check_array(
    f: Callable[[np.ndarray], ArrayLike],
    x: np.ndarray,
    df: ArrayLike,
    analytic: ArrayLike,
    *,
    name: str = "dx",
    h: float = 1e-5,
    tol: float = GRAD_CHECK_PASS,
) -> ArrayGradCheck:
    """Compare a backward gradient with :func:`numerical_grad_array` of ``f`` at ``x``.

    ``analytic`` is what your backward returned for upstream gradient ``df``. Shapes:
    ``x`` any shape, ``analytic`` the shape of ``x``, ``df`` the shape of ``f(x)``. The
    comparison uses CS231n's relative error, ``max over entries |a - n| / max(1e-8,
    |a| + |n|)``, where ``n = numerical_grad_array(f, x, df, h)``.

    What a ``rel_error`` means is the kit's one table, :data:`~backprop_kit.core.numeric.
    GRAD_CHECK_THRESHOLDS` (excellent / acceptable / suspicious / wrong); the printed summary
    names the row. ``tol`` (default :data:`~backprop_kit.core.numeric.GRAD_CHECK_PASS`, the
    "acceptable" bound) is the pass mark. Entries whose true gradient is ~0 can show a larger
    error from rounding alone, because of the 1e-8 floor.

    NaN or inf in either gradient is *reported*, never hidden: the result then has
    ``rel_error = nan``, ``passed = False`` and a ``problem`` naming the array and the
    number of bad entries. Shape mismatches raise ``ValueError``.

    Example::

        out, cache = matmul(W, X)
        dW, dX = matmul_backward(dD, cache)
        print(grad_check_array(lambda W_: matmul(W_, X)[0], W, dD, dW, name="dW"))
        # dW (5, 10): rel_error = 2.3e-11 excellent, ok (< 1e-05)
    """
    switch.refuse("grad_check_array")
    analytic = _as_real_array(analytic, "analytic", "grad_check_array")
    if isinstance(x, np.ndarray) and analytic.shape != x.shape:
        raise ValueError(
            f"grad_check_array: analytic ({name}) has shape {analytic.shape} but x has shape "
            f"{x.shape}; a gradient has the shape of its variable"
        )
    numeric = numerical_grad_array(f, x, df, h=h)
    shape = tuple(x.shape)
    problems = [
        f"{label} gradient has {count} NaN/inf entr{'y' if count == 1 else 'ies'}"
        for label, array in (("analytic", analytic), ("numeric", numeric))
        if (count := int(np.size(array) - np.count_nonzero(np.isfinite(array))))
    ]
    if problems:
        nan = float("nan")
        return ArrayGradCheck(
            name, shape, nan, nan, None, tol, "; ".join(problems), analytic, numeric
        )
    abs_err = np.abs(analytic - numeric)
    rel = abs_err / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))  # as rel_error's
    if rel.size == 0:
        return ArrayGradCheck(name, shape, 0.0, 0.0, None, tol, None, analytic, numeric)
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(rel), rel.shape))
    return ArrayGradCheck(
        name, shape, float(rel[worst]), float(abs_err.max()), worst, tol, None, analytic, numeric
    )


# --------------------------------------------------------------------------- data scale


def linear_weight_grad(
    X: ArrayLike, w: ArrayLike, k: float = 1.0, dout: ArrayLike | None = None
) -> np.ndarray:
    """Weight gradient of a linear score on inputs scaled by ``k`` (chapter 6).

    Math: scores ``s = (k X) @ w``, i.e. ``s[n] = sum_d k X[n, d] w[d]``; loss
    ``L = sum(s)`` unless an upstream gradient ``dout = dL/ds`` is given. Then

        ``dw = (k X).T @ dout``,  i.e.  ``dw[d] = k * sum_n X[n, d] dout[n]``.

    ``dw`` does not depend on ``w`` (the score is linear in ``w``) but is proportional to
    ``k``: multiply every input by 1000 and the weight gradient is 1000 times larger, so
    a step ``w -= lr * dw`` is 1000 times larger too, and the learning rate must be
    divided by 1000 to take the same step. (That is why input scale matters, and one
    reason to preprocess data.)

    Shapes: ``X`` (N, D) rows are examples; ``w`` (D,) or (D, C); ``dout`` like ``s``,
    (N,) or (N, C), default all ones -> ``dw`` the shape of ``w``.
    Raises ``ValueError`` for mismatched shapes or a non-finite ``k``.
    """
    func = "linear_weight_grad"
    X = _as_real_array(X, "X", func, ndim=2)
    w = _as_real_array(w, "w", func)
    if w.ndim not in (1, 2):
        raise ValueError(f"{func}: w must be 1-d (D,) or 2-d (D, C), got shape {w.shape}")
    if X.shape[1] != w.shape[0]:
        raise ValueError(matmul_mismatch_message(func, "X", X.shape, "w", w.shape))
    if isinstance(k, bool) or not isinstance(k, Real) or not np.isfinite(k):
        raise ValueError(f"{func}: k must be a finite real number, got {short_repr(k)}")
    scaled = k * X
    s_shape = (X.shape[0],) + w.shape[1:]
    if dout is None:
        dout = np.ones(s_shape)
    dout = _check_upstream(dout, s_shape, "dout", func, "s = (k X) @ w")
    return scaled.T @ dout
