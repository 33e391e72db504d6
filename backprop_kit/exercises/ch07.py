"""Chapter 7 exercises: gradients of the matrix product D = W @ X, found by their shapes.

Every expected answer is computed here by the kit (the array gates and the dimension analysis)
when the check runs; nothing is typed in.
"""

from __future__ import annotations

import numpy as np

from backprop_kit.arrays import matmul, matmul_backward
from backprop_kit.dimensions import dimension_analysis
from backprop_kit.exercises import function_exercise, value_exercise

# The notes' example: W (5, 10) and X (10, 3).
W_SHAPE = (5, 10)
X_SHAPE = (10, 3)


def notes_dW_shape() -> tuple[int, int]:
    """The shape of dW for the notes' W and X, from an actual backward pass."""
    rng = np.random.default_rng(0)
    W, X = rng.normal(size=W_SHAPE), rng.normal(size=X_SHAPE)
    D, cache = matmul(W, X)
    dW, _dX = matmul_backward(rng.normal(size=D.shape), cache)
    return tuple(int(n) for n in dW.shape)


def dX_from(W: np.ndarray, dD: np.ndarray) -> np.ndarray:
    """dX for D = W @ X, given W (M, K) and dD (M, N), from the kit's matmul_backward.

    dX does not depend on X's values, so any X of shape (K, N) will do.
    """
    _D, cache = matmul(W, np.zeros((W.shape[1], dD.shape[1])))
    return matmul_backward(dD, cache)[1]


def _dX_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """Seeded (W, dD) pairs; the square one comes first, where a wrong product still fits."""
    rng = np.random.default_rng(2)
    cases = []
    for M, K, N in ((2, 2, 2), (2, 3, 4), (3, 2, 1)):
        W = rng.integers(-3, 4, size=(M, K)).astype(float)
        dD = rng.integers(-3, 4, size=(M, N)).astype(float)
        cases.append((W, dD))
    return cases


value_exercise(
    "ch07-dW-shape",
    "W has shape (5, 10) and X has shape (10, 3). What is the shape of dW? Answer a tuple.",
    expected=notes_dW_shape,
    hint=(
        "each entry dW[i, j] says how the loss changes when W[i, j] changes: there is one such "
        "number for every entry of one particular array."
    ),
    explanation="A gradient always has the shape of the array it belongs to.",
)

function_exercise(
    "ch07-dX",
    "Write dX for D = W @ X, given W (M, K) and the upstream gradient dD (M, N).",
    reference=dX_from,
    cases=_dX_cases,
    hint=(
        "the gradient dX must have X's shape (K, N). Line up the shapes: which of W or W.T can "
        "multiply dD (M, N) and leave K rows and N columns?"
    ),
    explanation="Only one product of W (maybe transposed) and dD has X's shape.",
)

value_exercise(
    "ch07-which-product",
    "Which product gives dW? Answer a string in NumPy notation, such as 'A @ B.T', "
    "using the names W, X and dD.",
    expected=lambda: dimension_analysis(W_SHAPE, X_SHAPE).dW.chain_rule,
    hint=(
        "the gradient dW must have shape (5, 10), and dD has shape (5, 3); X is (10, 3). Which "
        "one product of dD with X or X.T has 5 rows and 10 columns? Write it with @ and .T."
    ),
    explanation="The shapes force it here; the scalar chain rule confirms it entry by entry.",
)
