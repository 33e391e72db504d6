"""Chapter 8's measurements of what goes wrong: each shows what the chapter says it shows."""

from __future__ import annotations

import math

import numpy as np
import pytest

from backprop_kit.chapters import training_troubles as troubles
from backprop_kit.nn import net as nn
from backprop_kit.nn.data import two_moons


def test_too_high_a_learning_rate_diverges_where_a_moderate_one_learns():
    runs = troubles.lr_runs([0.3, 10.0], steps=20)
    assert runs[0.3][-1] < 0.5 * runs[0.3][0]
    assert runs[10.0][-1] > 100 * runs[10.0][0] or not math.isfinite(runs[10.0][-1])


def test_unzeroed_gradients_pile_up():
    runs = troubles.accumulation_runs(steps=4)
    assert runs.zeroed_losses[:2] == runs.piled_losses[:2]
    assert runs.piled_grad_norms[0] == runs.zeroed_grad_norms[0]
    assert runs.piled_grad_norms[1] > 1.5 * runs.zeroed_grad_norms[1]
    assert runs.piled_losses[-1] > runs.zeroed_losses[-1]


def test_sigmoid_slope_is_at_most_a_quarter_and_deep_sigmoids_vanish():
    assert troubles.max_sigmoid_slope() == pytest.approx(0.25, abs=1e-9)
    sizes = troubles.gradient_size_per_layer(depth=6, width=8, activation="sigmoid")
    assert len(sizes) == 6
    assert all(a < b for a, b in zip(sizes, sizes[1:]))  # smaller towards the input
    assert sizes[-1] / sizes[0] > 4**2  # at least a factor 1/4 per layer would give 4**5


def test_gradient_sizes_are_what_backward_sends_to_each_layer():
    # one hidden layer: the gradient on its output is the output weights times 1/N per point
    X, _ = two_moons()
    net = nn.ArrayMLP(2, [5, 1], activation="tanh", seed=0)
    (size,) = troubles.gradient_size_per_layer(depth=1, width=5, activation="tanh")
    assert size == pytest.approx(np.abs(net.params[2]).mean() / len(X), rel=1e-12)


def test_dead_units_are_counted_on_every_point():
    X, _ = two_moons()
    net = nn.ArrayMLP(2, [3, 2, 1], seed=0)
    net.params[1][:] = [-100.0, 0.0, 0.0]  # unit 0 of layer 1: negative input everywhere
    net.params[3][:] = [-100.0, -100.0]  # both units of layer 2
    assert troubles.dead_units(net, X) == [1, 2]
    with pytest.raises(ValueError, match="counts dead ReLU units"):
        troubles.dead_units(nn.ArrayMLP(2, [3, 1], activation="tanh"), X)
