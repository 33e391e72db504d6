"""Chapter 7 exercises, gradients of D = W @ X found by their shapes: the shape of dW, dX as a
function (square cases, where shapes cannot decide), the product that gives dW (any NumPy
spelling) and an affine-ReLU block's backward pass, gradient-checked. Answers by the kit's
array gates and dimension analysis when the check runs."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import numpy as np

from backprop_kit import exercises as ex
from backprop_kit.core.numeric import GRAD_CHECK_PASS, grade_rel_error, rel_error
from backprop_kit.nn.arrays import matmul, matmul_backward, numerical_grad_array
from backprop_kit.nn.dimensions import dimension_analysis

#: The notes' example: W (5, 10) and X (10, 3).
W_SHAPE, X_SHAPE = (5, 10), (10, 3)
#: ``ch07-dW-shape`` asks in words about another layer: X, 32 examples of 784 numbers (one per
#: column), and 128 outputs each.
WORDS_W_SHAPE = (128, 784)
WORDS_X_SHAPE = (784, 32)


def notes_dW_shape(
    w_shape: tuple[int, int] = W_SHAPE, x_shape: tuple[int, int] = X_SHAPE
) -> tuple[int, ...]:
    """The shape of dW for D = W @ X (the notes' shapes by default), from a backward pass."""
    D, cache = matmul(np.ones(w_shape), np.ones(x_shape))
    return tuple(int(n) for n in matmul_backward(np.ones(D.shape), cache)[0].shape)


def dX_from(W: np.ndarray, dD: np.ndarray) -> np.ndarray:
    """dX for D = W @ X from W (M, K) and dD (M, N), by matmul_backward (dX needs no X: zeros)."""
    _D, cache = matmul(W, np.zeros((W.shape[1], dD.shape[1])))
    return matmul_backward(dD, cache)[1]


_NUMPY = ("np", "numpy")


def product_form(text: Any) -> tuple | str | None:
    """A canonical form of a product written in NumPy notation, parsed (never evaluated), or
    None: ``a @ b``, ``a.dot(b)``, ``np.dot``/``np.matmul(a, b)`` are one product; ``a.T``,
    ``a.transpose()``, ``np.transpose(a)`` one transpose; ``a.T.T`` is a, ``(a @ b).T`` is
    ``b.T @ a.T``; names ignore case."""
    if not isinstance(text, str):
        return None
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    return _form(tree)


def _form(node: ast.AST) -> tuple | str | None:
    if isinstance(node, ast.Name):
        return node.id.lower()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return _product(node.left, node.right)
    if isinstance(node, ast.Attribute) and node.attr.upper() == "T":
        return _transpose(_form(node.value))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
        owner, method = node.func.value, node.func.attr
        on_numpy = isinstance(owner, ast.Name) and owner.id in _NUMPY
        args = node.args if on_numpy else [owner, *node.args]  # a.dot(b) is np.dot(a, b)
        if (method == "dot" or (on_numpy and method == "matmul")) and len(args) == 2:
            return _product(*args)
        if method == "transpose" and len(args) == 1:
            return _transpose(_form(args[0]))
    return None


def _product(left: ast.AST, right: ast.AST) -> tuple | None:
    a, b = _form(left), _form(right)
    return None if a is None or b is None else ("@", a, b)


def _transpose(form: tuple | str | None) -> tuple | str | None:
    if isinstance(form, tuple) and form[0] == "T":
        return form[1]
    if isinstance(form, tuple):  # ("@", A, B): (A B)ᵀ = Bᵀ Aᵀ
        return ("@", _transpose(form[2]), _transpose(form[1]))
    return None if form is None else ("T", form)


#: The longest product spelling the checker reads (longer answers get a one-line verdict).
MAX_SPELLING = 200


class ProductSpelling(ex.AnswerKey):
    """Any string that spells the same product (:func:`product_form`) is right."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.form = product_form(text)
        if self.form is None:
            raise ValueError(f"not a product in NumPy notation: {text!r}")

    def compare(self, got: Any) -> ex.Mismatch | None:
        if not isinstance(got, str):
            return ex.Mismatch(
                "type", f"expected a string such as 'A @ B.T', got {ex.describe(got)}"
            )
        if len(got) > MAX_SPELLING:
            raise ex.AnswerTooComplex(f"longer than {MAX_SPELLING} characters")
        return None if product_form(got) == self.form else ex.Mismatch("value")


def _dX_cases() -> list[tuple[np.ndarray, ...]]:
    """Seeded (W, dD) pairs; the square one comes first, where a wrong product still fits."""
    rng = np.random.default_rng(2)
    return [
        tuple(rng.integers(-3, 4, size=shape).astype(float) for shape in ((M, K), (M, N)))
        for M, K, N in ((2, 2, 2), (2, 3, 4), (3, 2, 1))
    ]


ex.value_exercise(
    "ch07-dW-shape",
    "A layer computes D = W @ X for a batch X of 32 examples, one example per column, each "
    "of 784 numbers; D holds 128 numbers per example. What is the shape of dW? Answer a tuple.",
    expected=lambda: notes_dW_shape(WORDS_W_SHAPE, WORDS_X_SHAPE),
    hint=(
        "first work out the shapes of X and D from the words, then W's: W @ X must be defined "
        "and give D. Each entry dW[i, j] says how the loss changes when W[i, j] changes: there "
        "is one such number for every entry of one particular array."
    ),
    explanation="A gradient always has the shape of the array it belongs to.",
)


def _dX_slips(W: np.ndarray, dD: np.ndarray) -> dict[str, np.ndarray]:
    """The other products of W (maybe transposed) and dD that are defined here, by spelling."""
    slips = {}
    for a_name, a in (("W", W), ("W.T", W.T)):
        for b_name, b in (("dD", dD), ("dD.T", dD.T)):
            for spelling, x, y in ((f"{a_name} @ {b_name}", a, b), (f"{b_name} @ {a_name}", b, a)):
                if x.shape[1] == y.shape[0]:
                    slips[spelling] = x @ y
    return slips


def _judge_dX(fn: Any) -> str | None:
    """``fn(W, dD)`` must be dX; a wrong array is named by the product of W and dD it equals."""
    if not callable(fn):
        return ex.PASS_FUNCTION
    for (W, dD), got, want in ex.run_cases("ch07-dX", fn, dX_from, _dX_cases()):
        where = f"at W of shape {W.shape}, dD of shape {dD.shape},"
        m = ex.compare(got, want, 1e-6)
        if m is None:
            continue
        if m.kind != "value":
            return f"{where[:-1]}: {m.text}"
        got = np.asarray(got, dtype=float)
        named = [
            name
            for name, arr in _dX_slips(W, dD).items()
            if arr.shape == got.shape and np.allclose(arr, got) and not np.allclose(arr, want)
        ]
        product = f" (it equals {named[0]})" if named else ""
        return (
            f"{where} your function returned an array of the right shape {got.shape}, but "
            f"the wrong numbers{product}. Here the shapes agree for several products, so "
            "they cannot decide: the order and the transpose can. Go back to one entry: "
            "D[i, j] = Σ_k W[i, k]·X[k, j], so which entries of W and dD reach dX[k, j]?"
        )
    return None


ex.custom_exercise(
    "ch07-dX",
    "Write dX for D = W @ X, given W (M, K) and the upstream gradient dD (M, N).",
    _judge_dX,
    explanation="Only one product of W (maybe transposed) and dD has X's shape in general, "
    "and the chain rule picks it when the shapes are square.",
)

ex.value_exercise(
    "ch07-which-product",
    "Which product gives dW? Answer a string in NumPy notation, such as 'A @ B.T', "
    "using the names W, X and dD ('A.dot(B.T)' and 'np.dot(A, B.transpose())' count too).",
    expected=lambda: ProductSpelling(dimension_analysis(W_SHAPE, X_SHAPE).dW.chain_rule),
    hint=(
        "the gradient dW must have shape (5, 10), and dD has shape (5, 3); X is (10, 3). Which "
        "one product of dD with X or X.T has 5 rows and 10 columns?"
    ),
    explanation="The shapes force it here; the scalar chain rule confirms it entry by entry.",
)


# --- a two-layer affine-ReLU block, backward ---------------------------------------------------

#: Y = W2 @ relu(W1 @ X + b1) + b2 (M, N), X's columns the examples.
BLOCK_SHAPES = {"X": (3, 4), "W1": (5, 3), "b1": (5, 1), "W2": (2, 5), "b2": (2, 1)}
#: The gradients the learner returns, in order, with the hint for each.
BLOCK_HINTS = {
    "dW2": "Y = W2 @ H + b2: dW2 pairs dY with H, and has W2's shape.",
    "db2": "b2 was added to every column: sum dY over the examples' axis, keeping b2's shape.",
    "dW1": "Go back through ReLU first: dA = dH where A = W1 @ X + b1 was positive, else 0.",
    "db1": "like db2, one layer further back: sum dA over the examples' axis.",
    "dX": "X feeds W1 @ X: dX = W1.T @ dA, with X's shape.",
}


def block_forward(
    X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> np.ndarray:
    """Y = W2 @ relu(W1 @ X + b1) + b2 (biases broadcast along the examples' axis)."""
    return W2 @ np.maximum(W1 @ X + b1, 0.0) + b2


def block_case(seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Seeded arrays of BLOCK_SHAPES and an upstream dY, ReLU inputs ≥ 0.1 from the kink."""
    rng = np.random.default_rng(seed)
    while True:
        arrays = {k: rng.normal(size=s) for k, s in BLOCK_SHAPES.items()}
        if np.abs(arrays["W1"] @ arrays["X"] + arrays["b1"]).min() > 0.1:
            break
    dY = rng.normal(size=(BLOCK_SHAPES["W2"][0], BLOCK_SHAPES["X"][1]))
    return arrays, dY


def block_numeric_grads(arrays: dict[str, np.ndarray], dY: np.ndarray) -> dict[str, np.ndarray]:
    """d(each array) of sum(dY * Y), by :func:`~backprop_kit.nn.arrays.numerical_grad_array`."""

    def with_(name: str) -> Callable[[np.ndarray], np.ndarray]:
        return lambda a: block_forward(**{**arrays, name: a})

    return {g: numerical_grad_array(with_(g[1:]), arrays[g[1:]].copy(), dY) for g in BLOCK_HINTS}


def _judge_block(fn: Any) -> str | None:
    """``block_backward(dY, X, W1, b1, W2, b2)``: (dW2, db2, dW1, db1, dX), each grad-checked."""
    if not callable(fn):
        return ex.PASS_FUNCTION
    for seed in (7, 8):
        arrays, dY = block_case(seed)
        want = block_numeric_grads(arrays, dY)
        args = (dY, *(arrays[k] for k in ("X", "W1", "b1", "W2", "b2")))
        got = ex.run_learner("ch07-affine-relu", fn, *args)
        m = ex.compare(got, tuple(want.values()))
        if m is not None and m.kind == "type":  # types and shapes here; values just below
            return f"return the tuple (dW2, db2, dW1, db1, dX): {m.text}"
        for name, g in zip(BLOCK_HINTS, got):
            err = rel_error(np.asarray(g, dtype=float), want[name])
            if not err < GRAD_CHECK_PASS:
                return (
                    f"the gradient {name} fails the array gradient check: rel_error {err:.1e} "
                    f"({grade_rel_error(err)}). " + BLOCK_HINTS[name]
                )
    return None


ex.custom_exercise(
    "ch07-affine-relu",
    "Write block_backward(dY, X, W1, b1, W2, b2) for Y = W2 @ relu(W1 @ X + b1) + b2, "
    "returning (dW2, db2, dW1, db1, dX); checked against the numerical gradient by the array "
    "gradient check (the kit's array backward functions are switched off while it runs).",
    _judge_block,
    explanation="Backward layer by layer: affine, ReLU mask, affine; each gradient in the "
    "shape of its array.",
)
