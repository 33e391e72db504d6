"""Hand-written solutions of the exercises whose answer is code, and "dodges": versions that
call the kit's autodiff instead of writing the rule. Shared by the exercise tests."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
import numpy as np

from backprop_kit import Value, maximum, numerical_grad
from backprop_kit.core.numeric import backprop_grads
from backprop_kit.exercises import ch02, ch03, ch05, ch06, ch07, ch08
from backprop_kit.nn import net as nn
from backprop_kit.nn.arrays import (
    bias_add,
    bias_add_backward,
    matmul,
    matmul_backward,
    relu,
    relu_backward,
)
from tests.scalar_solutions import SCALAR_SOLUTIONS


def block_backward(dY, X, W1, b1, W2, b2):
    A = W1 @ X + b1
    H = np.maximum(A, 0.0)
    dW2, db2 = dY @ H.T, dY.sum(axis=1, keepdims=True)
    dA = (W2.T @ dY) * (A > 0)
    return dW2, db2, dA @ X.T, dA.sum(axis=1, keepdims=True), W1.T @ dA


def block_backward_by_kit(dY, X, W1, b1, W2, b2):
    A1, c1 = matmul(W1, X)
    A, c2 = bias_add(A1, b1)
    H, c3 = relu(A)
    Y1, c4 = matmul(W2, H)
    _, c5 = bias_add(Y1, b2)
    dY1, db2 = bias_add_backward(dY, c5)
    dW2, dH = matmul_backward(dY1, c4)
    dA1, db1 = bias_add_backward(relu_backward(dH, c3), c2)
    dW1, dX = matmul_backward(dA1, c1)
    return dW2, db2, dW1, db1, dX


def sgd_by_hand(parameters, lr):
    for p in parameters:
        p.data -= lr * p.grad


CHAPTER_9 = Path(__file__).resolve().parents[1] / "notebooks" / "09_your_own_engine.ipynb"


def chapter_engine(then: str = "") -> type:
    """Chapter 9's reference solution: the notebook's class cells (``class Value``), in order,
    then the code ``then`` in the same namespace (a learner's later ``class Value(Value)``,
    which the earlier methods then build on, as in the notebook)."""
    nb = nbformat.read(CHAPTER_9, as_version=4)
    scope: dict = {"math": math}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.lstrip().startswith("class Value"):
            source = cell.source.split("\ncheck(")[0]
            exec(compile(source, str(CHAPTER_9), "exec"), scope)
    exec(compile(then, "learner", "exec"), scope)
    return scope["Value"]


class BorrowedEngine:
    """A chapter 9 engine that dodges the work: every number is secretly one of the kit's
    Values, and backward() calls the kit's."""

    def __init__(self, data, inner=None):
        self.inner = inner if inner is not None else Value(data)

    data = property(lambda self: self.inner.data)
    grad = property(lambda self: self.inner.grad)

    def __add__(self, other):
        other = other if isinstance(other, BorrowedEngine) else BorrowedEngine(other)
        return BorrowedEngine(0, self.inner + other.inner)

    def __mul__(self, other):
        other = other if isinstance(other, BorrowedEngine) else BorrowedEngine(other)
        return BorrowedEngine(0, self.inner * other.inner)

    def backward(self):
        self.inner.backward()


def borrowed_local_grads() -> type:
    """Chapter 9's engine whose _local_grads() asks the kit's autodiff."""
    engine = chapter_engine()

    def _local_grads(self):
        if not self._parents:
            return ()
        xs = [p.data for p in self._parents]
        gate = (lambda a, b: a + b) if self._op == "+" else (lambda a, b: a * b)
        return tuple(backprop_grads(gate, *xs))

    engine._local_grads = _local_grads
    return engine


#: exercise id -> a hand-written solution (an answer for ``check``).
SOLUTIONS = {
    **SCALAR_SOLUTIONS,
    "ch07-dX": lambda W, dD: W.T @ dD,
    "ch07-affine-relu": block_backward,
    "ch08-affine-backward": lambda dout, X, W: (dout @ W.T, X.T @ dout, dout.sum(axis=0)),
    "ch08-update": sgd_by_hand,
    "ch09-local": chapter_engine(),
    "ch09-backward": chapter_engine(),
    "ch09-engine": chapter_engine(),
}


def train_loop_by_hand(model, X, y, steps, lr):
    losses = []
    for _ in range(steps):
        loss = nn.svm_loss(model, X, y)
        model.zero_grad()
        nn.backward_accumulate(loss, model.parameters())
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
    return losses


SOLUTIONS["ch08-train-loop"] = train_loop_by_hand


#: code exercises whose point needs the kit's autodiff and has no dodge: the training loop
#: backpropagates with the kit (its backward() resets .grad, nn.backward_accumulate adds).
USES_AUTODIFF: set[str] = {"ch08-train-loop"}

#: exercise id -> an answer that calls the kit's autodiff instead of writing the rule.
DODGES = {
    "ch01-multiply-grads": lambda x, y: backprop_grads(lambda a, b: a * b, x, y),
    "ch01-max-grads": lambda x, y: backprop_grads(maximum, x, y),
    "ch02-partials": ch02.chain_rule_partials,
    "ch02-square-chain": ch02.square_chain,
    "ch03-multiply-backward": ch03.multiply_backward,
    "ch03-divide-backward": ch03.divide_backward,
    "ch04-sigmoid-slope": lambda z: numerical_grad(lambda v: v.sigmoid(), z)[0],
    "ch04-tanh-gate": (
        math.tanh,
        lambda out, dout: numerical_grad(lambda v: v.tanh(), math.atanh(out))[0] * dout,
    ),
    "ch05-dden": lambda den, d: numerical_grad(lambda v: 1 / v, den)[0] * d,
    "ch05-staged-backward": ch05.new_staged_gradients,
    "ch05-bug-hunt": {name: reference for name, (reference, _) in ch05.BUGS.items()},
    "ch06-patterns-backward": ch06.pattern_backward,
    "ch07-dX": ch07.dX_from,
    "ch07-affine-relu": block_backward_by_kit,
    "ch08-affine-backward": ch08.affine_grads,
    "ch08-update": nn.sgd_update,
    "ch09-local": borrowed_local_grads(),
    "ch09-backward": BorrowedEngine,
    "ch09-engine": BorrowedEngine,
}
