"""Every explorer stands on one base: the same display bundle, close() frees every widget it
holds, and a step of the circuit explorer computes the backward pass once."""

from __future__ import annotations

import pytest

from backprop_kit import stepper
from backprop_kit.scale_explorer import scale_explorer
from backprop_kit.shapes_explorer import shapes_explorer
from backprop_kit.static_view import Explorer, HeldExplorer
from backprop_kit.train_explorer import train_explorer
from backprop_kit.widgets import explore
from tests.test_explorer_faults import open_widgets

BUILDERS = {
    "circuit": lambda: explore("(x + y) * z", x=-2, y=5, z=-4),
    "scale": scale_explorer,
    "shapes": shapes_explorer,
    "train": lambda: train_explorer(steps=5),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_every_explorer_shares_the_base_and_shows_a_picture_without_widgets(name):
    w = BUILDERS[name]()
    assert isinstance(w, Explorer)
    data, meta = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data  # the live view
    assert data["text/plain"] == repr(w) and " at 0x" not in repr(w)
    assert data["image/png"] and meta["image/png"]["alt"].strip()
    assert meta["image/png"]["alt"] in data["text/html"] or "alt=" in data["text/html"]
    w.close()


@pytest.mark.parametrize("name", BUILDERS)
def test_close_frees_every_widget_an_explorer_holds(name):
    before = open_widgets()
    w = BUILDERS[name]()
    assert open_widgets() > before
    w.close()
    assert open_widgets() == before


def test_held_explorers_keep_their_first_picture_for_static_viewers():
    w = shapes_explorer()
    assert isinstance(w, HeldExplorer)
    first = w.png
    w.set_sizes(2, 3, 4)
    assert w.png != first  # the live picture moved on
    assert w.static_picture()[0] == first  # what a static viewer sees did not
    w.close()


def test_a_step_of_the_circuit_explorer_computes_the_backward_pass_once(monkeypatch):
    w = explore("(x + y) * z", x=-2, y=5, z=-4)
    built = []
    original = stepper.BackwardSteps.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(stepper.BackwardSteps, "__init__", counting)
    for press in (w.next_button, w.next_button, w.back_button, w.all_button, w.reset_button):
        built.clear()
        press.click()
        assert len(built) == 1, press.description
    built.clear()
    w.sliders["x"].value = 1.0  # a slider keeps the step: one pass, too
    assert len(built) == 1
    w.close()
