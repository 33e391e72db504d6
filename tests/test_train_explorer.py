"""The chapter-8 training explorer, driven without a front-end."""

from __future__ import annotations

import base64
import math

import numpy as np
import pytest

from backprop_kit.chapters.train_explorer import ALPHA, accuracy, train_explorer
from backprop_kit.nn import net as nn


@pytest.fixture(scope="module")
def explorer():
    return train_explorer(width=8, steps=20)


def test_step_train_and_reset(explorer):
    explorer.reset()
    start = list(explorer.net.flat())
    first_picture = explorer.png
    explorer.step_button.click()
    assert explorer.steps_taken == 1 and len(explorer.losses) == 2
    explorer.train_button.click()
    assert explorer.steps_taken == 21 and explorer.progress.value == explorer.progress.max == 20
    assert explorer.losses[-1] < explorer.losses[0]
    assert explorer.png != first_picture
    assert "after 21 steps" in explorer.readout.value
    assert not any(b.disabled for b in (explorer.step_button, explorer.train_button))
    explorer.reset_button.click()
    assert explorer.steps_taken == 0 and list(explorer.net.flat()) == start


def test_the_explorer_trains_the_same_network_as_arrays_by_hand(explorer):
    explorer.reset()
    explorer.lr_slider.value = 0.3
    explorer.train(5)
    net = nn.ArrayMLP(2, [8, 8, 1], seed=explorer.seed)
    for _ in range(5):
        net.step(explorer.X, explorer.y, 0.3, ALPHA)
    np.testing.assert_array_equal(net.flat(), explorer.net.flat())
    assert explorer.loss == net.loss_and_grads(explorer.X, explorer.y, ALPHA)[0]
    assert f"{accuracy(net, explorer.X, explorer.y):.0%}" in explorer.readout.value


def test_width_slider_builds_a_new_network(explorer):
    explorer.width_slider.value = 3
    assert explorer.net.sizes == (2, 3, 3, 1) and explorer.steps_taken == 0
    explorer.width_slider.value = 8


def test_too_high_a_learning_rate_is_reported_not_hidden():
    ex = train_explorer(width=16, lr=10.0, steps=30)
    ex.train(30)
    assert ex.loss > 100 * ex.losses[0] or not math.isfinite(ex.loss)
    assert "loss" in ex.readout.value


def test_bad_arguments_are_one_line_errors():
    for kwargs, message in (
        ({"width": 0}, "width must be an int"),
        ({"lr": -1.0}, "lr must be between 0.001 and 31.6228, got -1.0"),
        ({"lr": 100.0}, "lr must be between 0.001 and 31.6228, got 100.0"),  # was clamped
        ({"steps": 10**6}, "steps must be an int"),
    ):
        with pytest.raises(ValueError, match=message):
            train_explorer(**kwargs)


def test_display_bundle_is_stable_and_has_the_first_picture():
    ex = train_explorer(width=4, steps=5)
    first, _ = ex._repr_mimebundle_()
    first_alt = ex.alt_text()
    ex.train(5)
    bundle, meta = ex._repr_mimebundle_()
    assert bundle["text/plain"] == repr(ex) == "TrainExplorer(width=4, lr=0.3, steps=5, seed=0)"
    assert bundle["image/png"] == first["image/png"]
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert meta["image/png"]["alt"] == first_alt  # the initial picture's alt text
    assert "0 steps" in first_alt and "after 5 steps" in ex.alt_text()  # the alt follows


def test_picture_has_words_and_the_readout_is_announced():
    from backprop_kit.explorers.a11y import A11Y_CLASS, LIVE_CLASS

    ex = train_explorer(width=4, steps=3)
    ex.train(3)
    assert f'alt="{ex.alt_text()}"' in ex.picture.value.replace("&#x27;", "'")
    assert "loss after each of 3 steps" in ex.alt_text()
    assert LIVE_CLASS in ex.readout._dom_classes and A11Y_CLASS in ex.widget._dom_classes


def test_importing_nn_and_the_explorer_loads_neither_matplotlib_nor_ipywidgets():
    import subprocess
    import sys

    code = (
        "import sys, backprop_kit.nn.net, backprop_kit.chapters.train_explorer, "
        "backprop_kit.nn.data; "
        "assert 'ipywidgets' not in sys.modules and 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
