"""The chapter-8 training explorer, driven without a front-end."""

from __future__ import annotations

import base64
import html
import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit.chapters.train_explorer import ALPHA, TrainExplorer, accuracy, train_explorer
from backprop_kit.nn import net as nn
from backprop_kit.nn.data import two_moons


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


@pytest.mark.slow
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


@pytest.mark.slow
def test_too_high_a_learning_rate_is_reported_not_hidden():
    ex = train_explorer(width=16, lr=10.0, steps=30)
    ex.train(30)
    assert ex.loss > 100 * ex.losses[0] or not math.isfinite(ex.loss)
    assert "loss" in ex.readout.value


def test_bad_arguments_are_one_line_errors():
    for kwargs, message in (
        ({"width": 0}, "width must be a whole number in 1..64, got 0"),
        ({"lr": -1.0}, "lr must be between 0.001 and 31.6228, got -1.0"),
        ({"lr": 100.0}, "lr must be between 0.001 and 31.6228, got 100.0"),  # was clamped
        ({"steps": 10**6}, "steps must be a whole number in 1..1,000, got 1000000"),
        ({"seed": -1}, "seed must be a whole number in 0..18,446,744,073,709,551,615, got -1"),
    ):
        with pytest.raises(ValueError, match=message):
            TrainExplorer(**kwargs)


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


# --- a Stop (KeyboardInterrupt) anywhere leaves readout, progress bar and picture at one step


class StopAt:
    """A trace function that raises KeyboardInterrupt at the k-th line the kit runs, as the
    kernel's Stop button can between any two bytecodes; it counts lines only in the kit."""

    def __init__(self, k: int) -> None:
        self.k, self.lines = k, 0

    def __call__(self, frame, event, arg):
        return self.line if "backprop_kit" in frame.f_code.co_filename else None

    def line(self, frame, event, arg):
        if event == "line":
            self.lines += 1
            if self.lines == self.k:
                raise KeyboardInterrupt
        return self.line


def the_same_training(steps: int, width: int = 4) -> nn.ArrayMLP:
    X, y = two_moons()
    net = nn.ArrayMLP(2, [width, width, 1], seed=0)
    for _ in range(steps):
        net.step(X, y, 0.3, ALPHA)
    return net


def assert_one_step_everywhere(ex) -> None:
    """Readout, picture (its alt text and its image), progress bar, network, losses and
    buttons all tell of the same step of the same run: the committed record's."""
    rec, n = ex.record, ex.steps_taken
    assert f"after {n} steps" in ex.readout.value
    alt = html.unescape(ex.picture.value).split('alt="')[1]
    assert f"after each of {n} steps" in alt and f"after {n} steps:" in alt
    if ex.png.startswith(b"step "):  # the test's stand-in picture says which step it shows
        assert ex.png == f"step {n}".encode()
    assert ex.progress.value == n - rec.start and ex.progress.max == max(rec.run, 1)
    reference = the_same_training(n, ex.width)
    np.testing.assert_array_equal(ex.net.flat(), reference.flat())
    assert len(ex.losses) == n + 1
    assert ex.loss == reference.loss_and_grads(ex.X, ex.y, ALPHA)[0]
    assert not any(b.disabled for b in (ex.step_button, ex.train_button, ex.reset_button))


@pytest.fixture(scope="module")
def small():
    """A small explorer whose pictures are stand-ins naming their step (drawing is slow)."""
    ex = TrainExplorer(width=4, steps=3)
    ex.figure = lambda: ex.steps_taken
    return ex


def interrupted(ex, action: str, k: int) -> int:
    """After a reset and 2 steps, ``action`` with a Stop at the k-th line the kit runs; how
    many lines it ran."""
    from backprop_kit.pictures import drawing

    run = {"train": lambda: ex.train(3), "step": ex.step_button.click, "reset": ex.reset}
    stop = StopAt(k)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(drawing, "png_bytes", lambda step, scale: (f"step {step}".encode(), None))
        ex.reset()
        ex.train(2)  # some history, so that a stop can land anywhere between two records
        sys.settrace(stop)
        try:
            run[action]()
        except KeyboardInterrupt:
            pass
        finally:
            sys.settrace(None)
    return stop.lines


@settings(max_examples=40, deadline=None)
@given(k=st.integers(1, 3200), action=st.sampled_from(["train", "train", "step", "reset"]))
def test_a_stop_anywhere_leaves_readout_progress_and_picture_at_one_step(small, k, action):
    interrupted(small, action, k)
    assert_one_step_everywhere(small)


def test_the_stops_cover_every_line_of_a_short_run(small):
    assert interrupted(small, "train", 10**9) < 3200  # so k in 1..3200 reaches every line


@pytest.mark.slow
def test_a_stop_at_step_47_of_100_shows_step_47_everywhere(monkeypatch):
    ex = TrainExplorer(width=4, steps=100)
    real_step, calls = nn.ArrayMLP.step, []

    def step(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 48:  # the case: interrupted during step 48
            raise KeyboardInterrupt
        return real_step(self, *args, **kwargs)

    monkeypatch.setattr(nn.ArrayMLP, "step", step)
    with pytest.raises(KeyboardInterrupt):
        ex.train(100)
    assert ex.steps_taken == 47 and ex.progress.value == 47
    assert "stopped at step 47 of 100" in ex.readout.value
    assert_one_step_everywhere(ex)


@pytest.mark.slow
def test_a_diverging_run_says_so_in_short_numbers():
    ex = TrainExplorer(width=16, lr=31.6, steps=200)
    ex.train(200)  # the issue: a loss of 39 digits, and no word of divergence
    assert "diverged: lower the learning rate and press Reset" in ex.readout.value
    assert "the loss grew from 1.005 to " in ex.readout.value
    assert len(ex.readout.value) < 200
