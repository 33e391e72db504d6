"""Chapter 9's network and data where numpy cannot be imported (a browser-only Python): the
scalar MLP, its loss and training step, and two_moons() give the very numbers they give with
numpy, bit for bit."""

from __future__ import annotations

import json
import struct

import pytest

from backprop_kit.chapters.train_explorer import ALPHA, DEFAULT_LR
from backprop_kit.nn import data
from backprop_kit.nn import net as nn
from tests.pure_python import run_without_numpy


def bits(xs) -> list[str]:
    """Each float's exact bits, as hex (equal floats with other bits, -0.0 and 0.0, differ)."""
    return [struct.pack("<d", float(x)).hex() for x in xs]


def test_the_stored_two_moons_are_the_numpy_ones_bit_for_bit():
    X, y = data.two_moons()  # numpy's, drawn now
    stored_X, stored_y = data.stored_moons()
    assert bits(X.ravel()) == bits(v for row in stored_X for v in row)
    assert bits(y) == bits(stored_y)
    assert data.STORED == (len(stored_X), 0.1, 1337) and all(len(r) == 2 for r in stored_X)


CHAPTER_9 = """
import json, struct
import backprop_kit.nn.net as nn
from backprop_kit.chapters.train_explorer import ALPHA, DEFAULT_LR
from backprop_kit.nn.data import two_moons

bits = lambda xs: [struct.pack("<d", float(x)).hex() for x in xs]
X, y = two_moons()
model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
start = bits(p.data for p in model.parameters())
losses = [nn.train_step(model, X, y, DEFAULT_LR, ALPHA) for _ in range(3)]
try:
    two_moons(50)
    other = None
except ImportError as error:
    other = str(error)
print(json.dumps({
    "X": bits(v for row in X for v in row), "y": bits(y), "start": start,
    "losses": bits(losses), "end": bits(p.data for p in model.parameters()), "other": other,
    "types": [type(X).__name__, type(y).__name__],
}))
"""


def test_chapter_9s_data_network_and_training_are_the_same_without_numpy():
    got = json.loads(run_without_numpy(CHAPTER_9))
    X, y = data.two_moons()
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    start = bits(p.data for p in model.parameters())
    losses = [nn.train_step(model, X, y, DEFAULT_LR, ALPHA) for _ in range(3)]
    assert got["X"] == bits(X.ravel()) and got["y"] == bits(y)
    assert got["start"] == start
    assert got["losses"] == bits(losses)
    assert got["end"] == bits(p.data for p in model.parameters())
    assert got["types"] == ["list", "list"]
    assert "needs numpy" in got["other"] and "two_moons()" in got["other"]


def test_the_nn_modules_import_without_numpy_and_check_their_arguments():
    out = run_without_numpy(
        """
        import backprop_kit.nn.net as nn, backprop_kit.nn.data, backprop_kit.nn.dimensions
        import backprop_kit.chapters.train_explorer
        model = nn.MLP(3, [4, 1], seed=12)
        score = model([1.0, 2.0, 3.0])
        score.backward()
        nn.sgd_update(model.parameters(), 0.1)
        try:
            nn.MLP(2, [10**9, 1])
        except ValueError as error:
            print(error)
        """
    )
    assert "nouts[0] (a layer size) must be a whole number in 1..50,000, got 1000000000" in out


@pytest.mark.parametrize("seed", [0, 1, 7, 1337, 2**40 + 3])
def test_an_mlp_starts_from_the_same_weights_as_its_array_twin(seed):
    model, net = nn.MLP(2, [5, 3, 1], seed=seed), nn.ArrayMLP(2, [5, 3, 1], seed=seed)
    assert bits(p.data for p in model.parameters()) == bits(net.flat())
