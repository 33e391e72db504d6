"""Array gates (chapters 6-8), CS231n ``layers.py`` style: ``out, cache = matmul(W, X)`` then
``dW, dX = matmul_backward(dD, cache)``, each gradient of its input's shape, caches referencing
the inputs. Float arrays are used as they are, ints and lists become float64; bool, complex,
text, object and masked arrays are refused; shapes are checked first, in one line; NaN and inf
flow through. Caps: ``MAX_WORK``, ``MAX_ENTRIES``, ``MAX_CHECKED``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from numbers import Real
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from backprop_kit.core import switch
from backprop_kit.core.gates import sigmoid_of
from backprop_kit.core.numeric import GRAD_CHECK_PASS, grade_rel_error, rel_error  # noqa: F401
from backprop_kit.nn.dimensions import (  # noqa: F401
    DimensionAnalysis,
    check_labels,
    dimension_analysis,
    matmul_mismatch_message,
    real_number,
    short_repr,
    within,
)

__all__ = (
    "AffineCache ArrayGradCheck DimensionAnalysis MatmulCache ReluCache SigmoidCache "
    "SvmLossCache TanhCache affine affine_backward dimension_analysis grad_check_array "
    "linear_weight_grad matmul matmul_backward numerical_grad_array rel_error relu "
    "relu_backward sigmoid sigmoid_backward svm_loss svm_loss_backward tanh tanh_backward"
).split()

MAX_WORK = 10**9  # multiply-adds of one product (about a second)
MAX_ENTRIES = 10**7  # numbers one product (or one network's outputs) may make: 80 MB
MAX_CHECKED = 10_000  # entries numerical_grad_array nudges (2 calls of f each)

# --------------------------------------------------------------------------- validation

_KIND_NAMES = {"b": "bool", "c": "complex", "U": "text", "S": "bytes", "O": "object"}
_KIND_NAMES |= {"V": "structured", "M": "datetime", "m": "timedelta"}
_ALLOWED = (
    "allowed are real numbers: float or int arrays, Python numbers, or lists of numbers "
    "(not bool, complex, text or object)"
)


def _as_real_array(value: object, name: str, func: str, ndim: int | None = None) -> np.ndarray:
    """``value`` as a real float array (a float ndarray is itself), ``ndim``-d if given."""
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
            dtype = f"{array.dtype}" + ("" if str(array.dtype) == described else f" ({described})")
            hint = "; for a 0/1 mask use mask.astype(float)" if kind == "b" else ""
            raise TypeError(f"{func}: {name} has dtype {dtype}; {_ALLOWED}{hint}")
    if ndim is not None and array.ndim != ndim:
        got = "a 0-d array (a single number)" if array.ndim == 0 else None
        got = got or f"a {array.ndim}-d array of shape {array.shape}"
        what = {1: "a 1-d array (a vector)", 2: "a 2-d array (a matrix)"}.get(ndim, f"{ndim}-d")
        raise ValueError(f"{func}: {name} must be {what}, got {got}")
    return array


def _check_upstream(
    dout: object, expected: tuple[int, ...], name: str, func: str, of_what: str
) -> np.ndarray:
    """An upstream gradient: real numbers of exactly the forward output's shape."""
    dout = _as_real_array(dout, name, func)
    if dout.shape != tuple(expected):
        must = f"have shape {tuple(expected)}, the shape of" if expected else None
        must = must or "be a single number (shape ()), like"
        raise ValueError(f"{func}: {name} has shape {dout.shape} but must {must} {of_what}")
    return dout


def _backward_cache(cache: object, kind: type, func: str, forward: str) -> Any:
    """Every array backward's entry: refused while autodiff is off, then ``cache`` checked."""
    switch.refuse(func)
    if not isinstance(cache, kind):
        got = type(cache).__name__
        raise TypeError(
            f"{func}: cache must be the {kind.__name__} returned by {forward}, got a {got}"
        )
    return cache


def check_product(func: str, rows: int, inner: int, cols: int) -> None:
    """One line unless a (rows, inner) @ (inner, cols) product is within the caps."""
    within(rows * inner * cols, MAX_WORK, f"{func}: the product's multiply-adds (MAX_WORK)")
    within(rows * cols, MAX_ENTRIES, f"{func}: the product's entries (MAX_ENTRIES)")


# --------------------------------------------------------------------------- gates
# what each backward needs: the forward's inputs (references), or its output (sigmoid, tanh)
class MatmulCache(NamedTuple):
    W: np.ndarray
    X: np.ndarray


class SigmoidCache(NamedTuple):
    out: np.ndarray


class TanhCache(NamedTuple):
    out: np.ndarray


class ReluCache(NamedTuple):
    X: np.ndarray


class AffineCache(NamedTuple):
    X: np.ndarray
    W: np.ndarray


class SvmLossCache(NamedTuple):
    y: np.ndarray
    margins: np.ndarray


def matmul(W: ArrayLike, X: ArrayLike) -> tuple[np.ndarray, MatmulCache]:
    """``D = W @ X``, ``D[i, j] = sum_k W[i, k] X[k, j]``. Shapes: W (M, K), X (K, N) -> D (M, N)
    (for rows-are-examples data call ``matmul(X, W)``)."""
    W = _as_real_array(W, "W", "matmul", ndim=2)
    X = _as_real_array(X, "X", "matmul", ndim=2)
    if W.shape[1] != X.shape[0]:
        raise ValueError(matmul_mismatch_message("matmul", "W", W.shape, "X", X.shape))
    check_product("matmul", W.shape[0], W.shape[1], X.shape[1])
    return W @ X, MatmulCache(W, X)


def matmul_backward(dD: ArrayLike, cache: MatmulCache) -> tuple[np.ndarray, np.ndarray]:
    """``dW = dD @ X.T``, ``dX = W.T @ dD``: ``dW[i, k] = sum_j dD[i, j] X[k, j]``, ``dX[k, j]
    = sum_i W[i, k] dD[i, j]``. Shapes: dD (M, N) -> dW (M, K), dX (K, N)."""
    W, X = _backward_cache(cache, MatmulCache, "matmul_backward", "matmul(W, X)")
    dD = _check_upstream(dD, (W.shape[0], X.shape[1]), "dD", "matmul_backward", "D = W @ X")
    return dD @ X.T, W.T @ dD


def sigmoid(X: ArrayLike) -> tuple[np.ndarray, SigmoidCache]:
    """``out = 1 / (1 + exp(-X))`` entry by entry, in [0, 1]. Shapes: out like X."""
    X = _as_real_array(X, "X", "sigmoid")
    out = sigmoid_of(X)  # X < -709 gives out = 0, correctly, without a warning
    return out, SigmoidCache(out)


def sigmoid_backward(dout: ArrayLike, cache: SigmoidCache) -> np.ndarray:
    """``dX = dout * s * (1 - s)``, s = sigmoid(X). Shapes: dout, dX like X."""
    (out,) = _backward_cache(cache, SigmoidCache, "sigmoid_backward", "sigmoid(X)")
    dout = _check_upstream(dout, out.shape, "dout", "sigmoid_backward", "out = sigmoid(X)")
    return dout * out * (1.0 - out)


def tanh(X: ArrayLike) -> tuple[np.ndarray, TanhCache]:
    """``out = tanh(X)`` entry by entry, in [-1, 1]. Shapes: out like X."""
    X = _as_real_array(X, "X", "tanh")
    out = np.tanh(X)
    return out, TanhCache(out)


def tanh_backward(dout: ArrayLike, cache: TanhCache) -> np.ndarray:
    """``dX = dout * (1 - t²)``, t = tanh(X). Shapes: dout, dX like X."""
    (out,) = _backward_cache(cache, TanhCache, "tanh_backward", "tanh(X)")
    dout = _check_upstream(dout, out.shape, "dout", "tanh_backward", "out = tanh(X)")
    return dout * (1.0 - out * out)


def relu(X: ArrayLike) -> tuple[np.ndarray, ReluCache]:
    """``out = max(X, 0)`` entry by entry. Shapes: out like X."""
    X = _as_real_array(X, "X", "relu")
    return np.maximum(X, 0.0), ReluCache(X)


def relu_backward(dout: ArrayLike, cache: ReluCache) -> np.ndarray:
    """``dX = dout`` where X > 0, else 0 (at the kink too: check at |x| >> h). Shapes: like X."""
    (X,) = _backward_cache(cache, ReluCache, "relu_backward", "relu(X)")
    dout = _check_upstream(dout, X.shape, "dout", "relu_backward", "out = relu(X)")
    return np.where(X > 0, dout, 0.0)


def affine(X: ArrayLike, W: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, AffineCache]:
    """A fully connected layer, rows are examples: ``out[n, j] = sum_d X[n, d] W[d, j] + b[j]``.
    Shapes: X (N, D), W (D, H), b (H,) -> out (N, H)."""
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
    check_product("affine", X.shape[0], X.shape[1], W.shape[1])
    out = X @ W
    out += b
    return out, AffineCache(X, W)


def affine_backward(
    dout: ArrayLike, cache: AffineCache, *, input_grad: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """``dX = dout @ W.T``, ``dW = X.T @ dout``, ``db = dout.sum(axis=0)`` (b is added to every
    row); ``input_grad=False``: dX is None. Shapes: dout (N, H) -> dX (N, D), dW (D, H), db (H,)."""
    X, W = _backward_cache(cache, AffineCache, "affine_backward", "affine(X, W, b)")
    dout = _check_upstream(
        dout, (X.shape[0], W.shape[1]), "dout", "affine_backward", "out = X @ W + b"
    )
    return (dout @ W.T if input_grad else None), X.T @ dout, dout.sum(axis=0)


def svm_loss(scores: ArrayLike, y: ArrayLike) -> tuple[float, SvmLossCache]:
    """micrograd's max-margin ``L = mean_n max(0, 1 - y_n s_n)``. Shapes: scores, y (N,) -> L."""
    s = _as_real_array(scores, "scores", "svm_loss", ndim=1)
    y = _as_real_array(y, "y", "svm_loss", ndim=1)
    if s.shape != y.shape or not s.size:
        raise ValueError(
            f"svm_loss: scores has shape {s.shape} and y has shape {y.shape}; need one label "
            f"per score, at least one"
        )
    if not np.all(np.abs(y) == 1.0):
        check_labels(y.tolist(), "svm_loss")
    margins = 1.0 - y * s
    return float(np.maximum(margins, 0.0).mean()), SvmLossCache(y, margins)


def svm_loss_backward(dL: float | ArrayLike, cache: SvmLossCache) -> np.ndarray:
    """``ds_n = dL * (-y_n / N)`` where ``1 - y_n s_n > 0``, else 0 (0 at the kink).
    Shapes: dL a single number (1.0 for the loss itself) -> ds (N,)."""
    y, margins = _backward_cache(cache, SvmLossCache, "svm_loss_backward", "svm_loss(scores, y)")
    if type(dL) is not float:
        dL = float(_check_upstream(dL, (), "dL", "svm_loss_backward", "L = svm_loss(scores, y)"))
    return np.where(margins > 0, y * (-dL / y.shape[0]), 0.0)


# --------------------------------------------------------------------------- checking
def numerical_grad_array(
    f: Callable[[np.ndarray], ArrayLike], x: np.ndarray, df: ArrayLike, h: float = 1e-5
) -> np.ndarray:
    """``g[i] = sum(df * (f(x + h e_i) - f(x - h e_i))) / (2 h)``, the vector-Jacobian product
    a backward returns, by central differences. Shapes: x any (a writeable float64 ndarray of at
    most ``MAX_CHECKED`` entries, nudged in place and put back bit for bit), df like f(x)."""
    switch.refuse("numerical_grad_array")
    func = "numerical_grad_array"
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        use = "use np.asarray(x, dtype=np.float64)"
        raise TypeError(
            f"{func}: x must be a float64 ndarray (it is nudged in place), got {got}; {use}"
        )
    if not x.flags.writeable:
        raise ValueError(f"{func}: x must be writeable (it is nudged in place), got read-only")
    h = real_number(h, f"{func}: h")
    within(x.size, MAX_CHECKED, f"{func}: the entries of x (MAX_CHECKED)")
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
    """What :func:`grad_check_array` found; ``print()`` it for one line. ``rel_error`` is
    CS231n's (max over entries, at ``worst_index``); ``problem`` names NaN/inf entries (then
    the errors are NaN and ``passed`` is False)."""

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
        """``rel_error < tol`` (False for NaN)."""
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
        fields = f"name={self.name!r}, shape={self.shape}, rel_error={self.rel_error:.1e}"
        return f"ArrayGradCheck({fields}, passed={self.passed})"


def grad_check_array(
    f: Callable[[np.ndarray], ArrayLike], x: np.ndarray, df: ArrayLike, analytic: ArrayLike,
    *, name: str = "dx", h: float = 1e-5, tol: float = GRAD_CHECK_PASS,
) -> ArrayGradCheck:  # fmt: skip
    """Your backward's ``analytic`` gradient against :func:`numerical_grad_array` ``n``: ``max
    |a - n| / max(1e-8, |a| + |n|)``, graded by the kit's one table; passed below ``tol``. Shapes:
    x any, analytic like x, df like f(x). ``print(grad_check_array(lambda W_: matmul(W_, X)[0],
    W, dD, dW, name="dW"))`` prints ``dW (5, 10): rel_error = 2.3e-11 excellent, ok (< 1e-05)``."""
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
        problem, nan = "; ".join(problems), float("nan")
        return ArrayGradCheck(name, shape, nan, nan, None, tol, problem, analytic, numeric)
    abs_err = np.abs(analytic - numeric)
    rel = abs_err / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))  # as rel_error's
    if rel.size == 0:
        return ArrayGradCheck(name, shape, 0.0, 0.0, None, tol, None, analytic, numeric)
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(rel), rel.shape))
    return ArrayGradCheck(
        name, shape, float(rel[worst]), float(abs_err.max()), worst, tol, None, analytic, numeric
    )


def linear_weight_grad(
    X: ArrayLike, w: ArrayLike, k: float = 1.0, dout: ArrayLike | None = None
) -> np.ndarray:
    """``dw = (k X).T @ dout`` of the linear scores ``s = (k X) @ w`` (chapter 6), ``dout =
    dL/ds`` (all ones if None): inputs scaled by k make dw, and a step, k times larger.
    Shapes: X (N, D), w (D,) or (D, C), dout like s, (N,) or (N, C) -> dw like w."""
    func = "linear_weight_grad"
    X = _as_real_array(X, "X", func, ndim=2)
    w = _as_real_array(w, "w", func)
    if w.ndim not in (1, 2):
        raise ValueError(f"{func}: w must be 1-d (D,) or 2-d (D, C), got shape {w.shape}")
    if X.shape[1] != w.shape[0]:
        raise ValueError(matmul_mismatch_message(func, "X", X.shape, "w", w.shape))
    if isinstance(k, bool) or not isinstance(k, Real) or not np.isfinite(k):
        raise ValueError(f"{func}: k must be a finite real number, got {short_repr(k)}")
    check_product(func, X.shape[0], X.shape[1], 1 if w.ndim == 1 else w.shape[1])
    s_shape = (X.shape[0],) + w.shape[1:]
    dout = np.ones(s_shape) if dout is None else dout
    dout = _check_upstream(dout, s_shape, "dout", func, "s = (k X) @ w")
    return (k * X).T @ dout
