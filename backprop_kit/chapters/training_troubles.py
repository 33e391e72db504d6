"""Chapter 8: what goes wrong when a network trains, measured on seeded networks and two moons:
:func:`lr_runs` (too high a rate diverges), :func:`accumulation_runs` (never zeroing ``.grad``),
:func:`max_sigmoid_slope` and :func:`gradient_size_per_layer` (σ' ≤ 1/4 shrinks it layer by
layer), :func:`dead_units` (ReLUs at 0 everywhere), :func:`time_steps` (scalar vs arrays)."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backprop_kit.chapters.train_explorer import ALPHA, MAX_STEPS, MAX_WIDTH
from backprop_kit.nn import net as nn
from backprop_kit.nn.data import two_moons
from backprop_kit.nn.dimensions import as_list, check_seed, whole_number
from backprop_kit.nn.net import MLP, ArrayMLP

if TYPE_CHECKING:
    import numpy as np

__all__ = (
    "AccumulationRuns accumulation_runs dead_units gradient_size_per_layer lr_runs "
    "max_sigmoid_slope time_steps"
).split()

MAX_RUNS = 10  # learning rates one lr_runs trains at
MAX_ACCUMULATION_STEPS = 200  # scalar steps of accumulation_runs (each run ~25 ms a step)
MAX_DEPTH = 100  # hidden layers of gradient_size_per_layer
MAX_GRID = 1_000_001  # points of max_sigmoid_slope's grid
MAX_REPEATS = 10  # time_steps: scalar steps timed (~0.25 s each)


def lr_runs(
    lrs: Sequence[float], steps: int = 50, width: int = 16, seed: int = 0
) -> dict[float, list[float]]:
    """Per rate in ``lrs``, the losses of the seeded 2-width-width-1 ReLU network before each step
    and after the last; a run ends before a step that would overflow (``Diverged``)."""
    import numpy as np

    lrs = as_list(lrs, "lr_runs: lrs", "a non-empty list of learning rates", nonempty=True)
    whole_number(len(lrs), "lr_runs: len(lrs), the number of runs,", 1, MAX_RUNS)
    steps = whole_number(steps, "lr_runs: steps", 1, MAX_STEPS)
    width = whole_number(width, "lr_runs: width", 1, MAX_WIDTH)
    (X, y), runs = two_moons(), {}
    for lr in lrs:
        net, losses = ArrayMLP(2, [width, width, 1], seed=check_seed(seed, "lr_runs")), []
        with np.errstate(over="ignore", invalid="ignore"):
            with contextlib.suppress(nn.Diverged):  # the run ends before a step that overflows
                for _ in range(steps):
                    losses.append(net.step(X, y, lr, ALPHA))
            runs[lr] = [*losses, net.loss_and_grads(X, y, ALPHA)[0]]
    return runs


@dataclass(frozen=True)
class AccumulationRuns:
    """Losses and gradient norms per step of the same training, zeroing or not zeroing."""

    zeroed_losses: list[float]
    zeroed_grad_norms: list[float]
    piled_losses: list[float]
    piled_grad_norms: list[float]


def accumulation_runs(steps: int = 8, lr: float = 0.2, seed: int = 0) -> AccumulationRuns:
    """``MLP(2, [8, 1])`` trained twice on 40 points by :func:`adding_loop`, zeroing or never."""
    steps = whole_number(steps, "accumulation_runs: steps", 1, MAX_ACCUMULATION_STEPS)
    X, y = two_moons(40)
    runs = [adding_loop(MLP(2, [8, 1], seed=seed), X, y, steps, lr, zero) for zero in (True, False)]
    return AccumulationRuns(*runs[0], *runs[1])


def adding_loop(
    model: MLP, X: object, y: object, steps: int, lr: float, zero: bool = True
) -> tuple[list[float], list[float]]:
    """``steps`` of descent, adding backward (``zero_grad()`` first if ``zero``): losses and |∇|."""
    losses, norms = [], []
    for _ in range(steps):
        loss = nn.svm_loss(model, X, y)
        if zero:
            model.zero_grad()
        nn.backward_accumulate(loss, model.parameters())
        norms.append(math.sqrt(sum(p.grad**2 for p in model.parameters())))
        nn.sgd_update(model.parameters(), lr)
        losses.append(loss.data)
    return losses, norms


def max_sigmoid_slope(points: int = 100_001) -> float:
    """The largest σ'(x) at ``points`` (odd, so 0 is one) evenly spaced x in [-10, 10]."""
    from backprop_kit.nn import arrays

    np, points = arrays.np, whole_number(points, "max_sigmoid_slope: points", 3, MAX_GRID)
    if points % 2 == 0:
        raise ValueError(f"max_sigmoid_slope: points must be odd (0 on the grid), got {points}")
    x = np.linspace(-10, 10, points)
    _, cache = arrays.sigmoid(x)
    return float(arrays.sigmoid_backward(np.ones_like(x), cache).max())


def gradient_size_per_layer(
    depth: int = 8, width: int = 8, activation: str = "sigmoid", seed: int = 0
) -> list[float]:
    """The mean |∂(mean score)/∂h| over points and units of each of ``depth`` hidden layers of
    ``width`` units, input side first: what the layers alone do to a gradient on its way back."""
    import numpy as np

    depth = whole_number(depth, "gradient_size_per_layer: depth", 1, MAX_DEPTH)
    width = whole_number(width, "gradient_size_per_layer: width", 1, MAX_WIDTH)
    X, _y = two_moons()
    net = ArrayMLP(2, [width] * depth + [1], activation=activation, seed=seed)
    scores, caches = net.forward(X)
    collected: list[np.ndarray] = []
    net.backward(np.full(scores.shape, 1.0 / len(X)), caches, hidden_grads=collected)
    return [float(np.abs(g).mean()) for g in reversed(collected)]


def dead_units(net: ArrayMLP, X: np.ndarray) -> list[int]:
    """Per hidden layer of a ReLU ``net``, the units at 0 on every row of X: relu' = 0."""
    if not isinstance(net, ArrayMLP) or net.activation != "relu":
        got = net.activation if isinstance(net, ArrayMLP) else type(net).__name__
        raise ValueError(f"dead_units: counts dead ReLU units of an ArrayMLP, got {got!r}")
    _, caches = net.forward(X, "dead_units")
    return [int((~(c.X > 0).any(axis=0)).sum()) for _, c in caches[:-1]]  # the ReLU inputs


def time_steps(repeats: int = 3, seed: int = 0) -> tuple[float, float]:
    """Seconds per step of ``MLP(2, [16, 16, 1])`` (best of ``repeats``) and of its ``ArrayMLP``
    twin (mean of ``100 * repeats``) on the 100 points."""
    repeats = whole_number(repeats, "time_steps: repeats", 1, MAX_REPEATS)
    (X, y), model = two_moons(), MLP(2, [16, 16, 1], seed=seed)
    net = ArrayMLP.from_mlp(model)
    scalar = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        nn.train_step(model, X, y, 0.05, ALPHA)
        scalar.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(100 * repeats):
        net.step(X, y, 0.05, ALPHA)
    return min(scalar), (time.perf_counter() - t0) / (100 * repeats)
