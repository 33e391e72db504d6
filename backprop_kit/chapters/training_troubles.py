"""Chapter 8: what goes wrong when a network trains, each measured on the chapter's network.

* :func:`lr_runs` — the same network trained at several learning rates: too high diverges.
* :func:`accumulation_runs` — a loop that never zeroes its gradients, in an engine that adds
  to ``.grad`` (as micrograd and PyTorch do), against the loop done right.
* :func:`gradient_size_per_layer` — the mean size of the weight gradient in each layer of a
  deep stack: with sigmoid it shrinks layer after layer towards the input (σ' ≤ 1/4).
* :func:`dead_units` — ReLU units that output 0 for every data point, so no gradient ever
  reaches their weights again.
* :func:`time_steps` — the scalar network's step against the array network's, side by side.

All numbers come from seeded networks (:mod:`backprop_kit.nn.net`) on
:func:`~backprop_kit.nn.data.two_moons`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from backprop_kit.nn import arrays
from backprop_kit.nn.data import two_moons
from backprop_kit.nn.net import MLP, ArrayMLP, backward_accumulate, sgd_update, svm_loss, train_step

__all__ = [
    "AccumulationRuns",
    "accumulation_runs",
    "dead_units",
    "gradient_size_per_layer",
    "lr_runs",
    "max_sigmoid_slope",
    "time_steps",
]

ALPHA = 1e-4


def lr_runs(
    lrs: Sequence[float], steps: int = 50, width: int = 16, seed: int = 0
) -> dict[float, list[float]]:
    """The loss before each step and after the last, for the 2-width-width-1 ReLU network
    trained from the same seeded start at each learning rate in ``lrs``."""
    X, y = two_moons()
    runs = {}
    for lr in lrs:
        net = ArrayMLP(2, [width, width, 1], seed=seed)
        with np.errstate(over="ignore", invalid="ignore"):
            losses = [net.step(X, y, lr, ALPHA) for _ in range(steps)]
            losses.append(net.loss_and_grads(X, y, ALPHA)[0])
        runs[lr] = losses
    return runs


@dataclass(frozen=True)
class AccumulationRuns:
    """Losses and gradient norms per step of the same training, zeroing or not zeroing."""

    zeroed_losses: list[float]
    zeroed_grad_norms: list[float]
    piled_losses: list[float]
    piled_grad_norms: list[float]


def accumulation_runs(steps: int = 8, lr: float = 0.2, seed: int = 0) -> AccumulationRuns:
    """Train the scalar ``MLP(2, [8, 1])`` twice on 40 points with an adding backward
    (:func:`~backprop_kit.nn.net.backward_accumulate`): once calling ``zero_grad()`` before each
    backward, once never. ``*_grad_norms[t]`` is ``|∇|`` (all parameters) used at step t."""
    X, y = two_moons(40)
    out: dict[bool, tuple[list[float], list[float]]] = {}
    for zero in (True, False):
        model = MLP(2, [8, 1], seed=seed)
        losses, norms = [], []
        for _ in range(steps):
            loss = svm_loss(model, X, y)
            if zero:
                model.zero_grad()
            backward_accumulate(loss, model.parameters())
            norms.append(math.sqrt(sum(p.grad**2 for p in model.parameters())))
            sgd_update(model.parameters(), lr)
            losses.append(loss.data)
        out[zero] = (losses, norms)
    return AccumulationRuns(*out[True], *out[False])


def max_sigmoid_slope(points: int = 100_001) -> float:
    """The largest σ'(x) = σ(x)(1 - σ(x)) on a fine grid of [-10, 10] (it is 1/4, at 0),
    from the kit's sigmoid gate."""
    x = np.linspace(-10, 10, points)
    out, cache = arrays.sigmoid(x)
    return float(arrays.sigmoid_backward(np.ones_like(x), cache).max())


def gradient_size_per_layer(
    depth: int = 8, width: int = 8, activation: str = "sigmoid", seed: int = 0
) -> list[float]:
    """How large the gradient is on each hidden layer's output, input side first.

    The network has ``depth`` hidden layers of ``width`` units (seeded start); the upstream
    gradient is that of the mean score over the two moons (1/N on every score), so the
    numbers show only what the layers themselves do to a gradient on its way back. Each entry
    is the mean |∂(mean score)/∂h| over the points and units of one layer.
    """
    X, _y = two_moons()
    net = ArrayMLP(2, [width] * depth + [1], activation=activation, seed=seed)
    scores, caches = net.forward(X)
    collected: list[np.ndarray] = []
    net.backward(np.full(scores.shape, 1.0 / len(X)), caches, hidden_grads=collected)
    return [float(np.abs(g).mean()) for g in reversed(collected)]


def dead_units(net: ArrayMLP, X: np.ndarray) -> list[int]:
    """For each hidden layer of a ReLU ``net``, how many units output 0 for every row of X.

    Such a unit passes no gradient back (relu' = 0 wherever its input is ≤ 0), so its
    incoming weights never change again: it is dead for good.
    """
    if net.activation != "relu":
        raise ValueError(f"dead_units: counts dead ReLU units, the net uses {net.activation!r}")
    counts = []
    h = np.asarray(X, dtype=float)
    n_layers = len(net.params) // 2
    for i in range(n_layers - 1):
        h = np.maximum(h @ net.params[2 * i] + net.params[2 * i + 1], 0.0)
        counts.append(int(np.sum(~np.any(h > 0, axis=0))))
    return counts


def time_steps(repeats: int = 3, seed: int = 0) -> tuple[float, float]:
    """Seconds per training step of the scalar ``MLP(2, [16, 16, 1])`` and of its
    ``ArrayMLP`` twin on the 100 points (best of ``repeats`` for the scalar one, of
    ``100 * repeats`` steps for the array one)."""
    X, y = two_moons()
    model = MLP(2, [16, 16, 1], seed=seed)
    net = ArrayMLP.from_mlp(model)
    scalar = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        train_step(model, X, y, 0.05, ALPHA)
        scalar.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(100 * repeats):
        net.step(X, y, 0.05, ALPHA)
    vector = (time.perf_counter() - t0) / (100 * repeats)
    return min(scalar), vector
