"""micrograd's demo network and training step, written once for any scalar ``Value`` class.

The network is the kit's ``nn.MLP`` (micrograd's ``nn.py`` shape: a neuron is
``sum((wi*xi for wi, xi in zip(self.w, x)), self.b)`` followed by ``.relu()``) built over the
``Value`` class given, with its initial weights from one seeded NumPy generator, so every
engine starts from the same numbers. The step is the one of
micrograd's ``demo.ipynb``: forward over the whole batch, SVM max-margin loss plus L2
regularisation, zero the gradients, backward, SGD update.

Used by ``benchmarks/engine.py``; the same module also holds the two-moons data set and the
hand-written NumPy version of the same step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backprop_kit.nn import net as nn
from backprop_kit.nn.data import two_moons

SEED = 1337
N_POINTS = 100
SIZES = (2, 16, 16, 1)
ALPHA = 1e-4  # L2 regularisation strength of micrograd's demo


def make_moons(n: int = N_POINTS, noise: float = 0.1, seed: int = SEED) -> tuple[list, list]:
    """The kit's two-moons data set (:func:`backprop_kit.nn.data.two_moons`) as plain Python
    floats, ``X`` (n lists of 2) and ``y`` (n of -1.0/+1.0), so that no NumPy scalar ever
    enters a scalar engine."""
    X, y = two_moons(n, noise, seed)
    return X.tolist(), y.tolist()


def initial_weights(sizes: tuple[int, ...] = SIZES, seed: int = SEED) -> list[list[list[float]]]:
    """weights[layer][neuron] = that neuron's input weights, uniform in [-1, 1) (biases are 0):
    the numbers ``nn.MLP(..., seed=seed)`` starts from."""
    return [w.tolist() for w in nn.initial_weights(sizes, seed)]


def model(Value: type) -> nn.MLP:
    """The demo network (2-16-16-1, relu) on ``Value``, from the seeded initial weights."""
    return nn.MLP(SIZES[0], list(SIZES[1:]), activation="relu", seed=SEED, value_cls=Value)


def loss(Value: type, model: nn.MLP, X: list, y: list) -> Any:
    """SVM max-margin loss over the batch plus ALPHA · (sum of squared parameters).

    The inputs enter as ``Value``s, as in micrograd's demo.
    """
    inputs = [[Value(xi) for xi in row] for row in X]
    scores = [model(row) for row in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def train_step(Value: type, model: nn.MLP, X: list, y: list, k: int = 0) -> Any:
    """One step of the demo: forward, loss, zero grads, backward, SGD update. Returns the loss."""
    total = loss(Value, model, X, y)
    model.zero_grad()
    total.backward()
    nn.sgd_update(model.parameters(), 1.0 - 0.9 * k / 100)
    return total


# --- the same step, vectorised in NumPy ----------------------------------------------------


def numpy_params(weights: list[list[list[float]]]) -> list[np.ndarray]:
    """[W1, b1, W2, b2, ...]: W of shape (n_in, n_out), column j = neuron j; b of shape (n_out,)."""
    params = []
    for w in weights:
        W = np.array(w).T.copy()
        params += [W, np.zeros(W.shape[1])]
    return params


def numpy_loss_and_grads(
    params: list[np.ndarray], X: np.ndarray, y: np.ndarray
) -> tuple[float, list[np.ndarray]]:
    """The demo's loss on arrays and its gradient on every array of ``params``.

    Shapes: X (N, 2), y (N,), hidden activations (N, 16), scores s (N,).
    Forward: h = relu(h_prev @ W + b) on hidden layers, s = h @ W + b on the last;
    loss = mean(relu(1 - y*s)) + ALPHA * Σ p² over every weight and bias.
    Backward: ∂loss/∂s = -y/N where the margin 1 - y*s is > 0, else 0; a layer with
    upstream dz (N, n_out) sends dW = h_prevᵀ @ dz, db = Σ_rows dz, dh_prev = dz @ Wᵀ;
    relu lets dh through where its input was > 0; the L2 term adds 2·ALPHA·p.
    """
    n_layers = len(params) // 2
    acts = [X]  # the input of each layer
    pre = []  # each layer's h_prev @ W + b
    h = X
    for i in range(n_layers):
        z = h @ params[2 * i] + params[2 * i + 1]
        pre.append(z)
        h = np.maximum(z, 0.0) if i < n_layers - 1 else z
        acts.append(h)
    s = h[:, 0]
    margins = 1.0 - y * s
    data_loss = np.maximum(margins, 0.0).mean()
    reg_loss = ALPHA * sum(float((p * p).sum()) for p in params)
    dz = (np.where(margins > 0, -y, 0.0) / len(y))[:, None]
    grads: list[np.ndarray] = [np.empty(0)] * len(params)
    for i in reversed(range(n_layers)):
        W, b = params[2 * i], params[2 * i + 1]
        grads[2 * i] = acts[i].T @ dz + 2 * ALPHA * W
        grads[2 * i + 1] = dz.sum(axis=0) + 2 * ALPHA * b
        if i > 0:
            dz = (dz @ W.T) * (pre[i - 1] > 0)
    return float(data_loss + reg_loss), grads


def numpy_step(params: list[np.ndarray], X: np.ndarray, y: np.ndarray, k: int = 0) -> float:
    """One step of the demo on arrays (SGD update of ``params`` in place); returns the loss."""
    total, grads = numpy_loss_and_grads(params, X, y)
    learning_rate = 1.0 - 0.9 * k / 100
    for p, g in zip(params, grads):
        p -= learning_rate * g
    return total


def numpy_flat_grads(grads: list[np.ndarray]) -> list[float]:
    """The gradients in ``MLP.parameters()`` order: per layer, per neuron, its weights then b."""
    flat: list[float] = []
    for dW, db in zip(grads[::2], grads[1::2]):
        for j in range(dW.shape[1]):
            flat += dW[:, j].tolist() + [float(db[j])]
    return flat
