"""Every explorer stands on one base: the same display bundle, close() frees every widget it
holds, and a step of the circuit explorer computes the backward pass once."""

from __future__ import annotations

import base64
import html

import pytest
import traitlets

from backprop_kit.chapters.scale_explorer import scale_explorer
from backprop_kit.chapters.shapes_explorer import shapes_explorer
from backprop_kit.chapters.train_explorer import train_explorer
from backprop_kit.core import steps as stepper
from backprop_kit.explorers.base import Explorer, HeldExplorer
from backprop_kit.explorers.circuit import explore
from tests.test_explorer_faults import open_widgets

BUILDERS = {
    "circuit": lambda: explore("(x + y) * z", x=-2, y=5, z=-4),
    "scale": lambda: scale_explorer(k=1000, rule="lr/k"),
    "shapes": lambda: shapes_explorer(4, 4, 2),
    "train": lambda: train_explorer(steps=5),
}
REPRS = {
    "circuit": "CircuitExplorer('(x + y) * z', x=-2.0, y=5.0, z=-4.0)",
    "scale": "ScaleExplorer(k=1000, lr=0.5, rule='lr/k')",
    "shapes": "ShapesExplorer(M=4, K=4, N=2)",
    "train": "TrainExplorer(width=16, lr=0.3, steps=5, seed=0)",
}
MOVES = {  # a change after which the live picture is another one
    "circuit": lambda w: setattr(w.sliders["x"], "value", 1.0),
    "scale": lambda w: setattr(w.k_slider, "value", 10),
    "shapes": lambda w: setattr(w.n_slider, "value", 9),
    "train": lambda w: w.train(1),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_every_explorer_shares_the_base_and_shows_its_first_picture_without_widgets(name):
    w = BUILDERS[name]()
    assert isinstance(w, Explorer)
    first, first_meta = w._repr_mimebundle_()
    alt = first_meta["image/png"]["alt"]
    assert alt.strip() and f'alt="{html.escape(alt)}"' in first["text/html"]
    assert base64.b64decode(first["image/png"]).startswith(b"\x89PNG")
    if isinstance(w, HeldExplorer):
        assert alt == w.alt_text()
    MOVES[name](w)
    data, meta = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data  # the live view
    assert data["text/plain"] == repr(w) == REPRS[name]  # stable: no memory address
    assert (data["image/png"], meta) == (first["image/png"], first_meta)  # the first picture
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


def test_sizes_the_sliders_cannot_show_are_refused_before_any_slider_moves():
    w = shapes_explorer()
    table = w.readout.value
    for bad in ((4, "b", 3), ("a", 3, 4), (0, 3, 3), (200, 3, 3)):
        with pytest.raises(ValueError) as e:
            w.set_sizes(*bad)
        assert "\n" not in str(e.value)
        assert w.sizes == (5, 10, 3) and w.readout.value == table
    w.m_slider.value = 7  # every slider is still observed: the table follows
    assert w.analysis.dW.required_shape == (7, 10) and w.readout.value != table
    w.close()


def test_a_refused_value_leaves_the_control_observed():
    w = scale_explorer()
    with pytest.raises(traitlets.TraitError):  # a text for a float slider
        w.set_quietly([(w.k_slider, "x")], w._on_change)
    w.k_slider.value = 100.0
    assert w.run.k == 100.0  # recomputed: the observer came back
    w.close()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: scale_explorer(k=0), "k must be between 0.001 and 1000, got 0.0"),
        (lambda: scale_explorer(k=-1), "k must be between 0.001 and 1000"),
        (lambda: scale_explorer(k=1e10), "k must be between 0.001 and 1000"),  # was run at 1000
        (lambda: scale_explorer(lr=1e5), "lr must be between 0.0001 and 10"),
        (lambda: scale_explorer(k=float("nan")), "k must be between"),
        (lambda: scale_explorer(k="2"), "k needs a real number"),
        (lambda: train_explorer(lr=100.0), "lr must be between 0.001 and 31.6228"),
        (lambda: explore("x * y", fmt="bad"), "fmt must be a format string"),
        (lambda: explore("(("), ""),
        (lambda: explore("x * y", q=1), "no variable 'q'"),
        (lambda: explore("x * y", x=float("nan")), "finite"),
        (lambda: explore(3), "explore needs a formula"),
        (lambda: explore("x * y", sigmoid="nope"), "sigmoid must be"),
    ],
)
def test_a_refused_start_is_one_line_and_leaves_no_widget(build, message):
    before = open_widgets()
    with pytest.raises((ValueError, TypeError)) as e:
        build()
    assert message in str(e.value) and "\n" not in str(e.value)
    assert open_widgets() == before


@pytest.mark.parametrize("name", BUILDERS)
def test_a_closed_explorer_shows_its_picture_and_no_dead_widget(name):
    w = BUILDERS[name]()
    w.close()
    data, meta = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" not in data
    assert data["text/plain"] == repr(w) and data["image/png"] and meta["image/png"]["alt"]


@pytest.mark.slow
def test_explorers_alive_at_exit_print_nothing():
    import subprocess
    import sys

    code = (
        "from backprop_kit.explorers.circuit import explore\n"
        "from backprop_kit.chapters.scale_explorer import scale_explorer\n"
        "a, b = explore('x * y'), scale_explorer()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0 and run.stderr == ""


def test_a_formula_that_is_not_drawn_stays_said_while_sliders_move():
    w = explore("z + y", z=0.0, y=1.0)
    w.formula.value = "1/z + y"  # cannot be built at z = 0
    said = html.unescape(w.message.value)
    assert "'1/z + y' is not drawn" in said and "shown: z + y" in said
    w.sliders["y"].value = 2.0
    assert said == html.unescape(w.message.value)  # the readout is z + y's, and says so
    assert "<title>circuit of z + y</title>" in w.picture.value
    w.formula.value = "z * y"  # a formula that builds clears the note
    assert w.message.value == "" and "<title>circuit of z * y</title>" in w.picture.value
    w.close()


def test_two_inputs_with_one_label_are_told_apart_everywhere():
    from backprop_kit import Value

    a, b = Value(1.0, label="x"), Value(3.0, label="x")
    w = explore((a * b).named("f"))
    assert list(w.sliders) == ["x", "x_2"]
    w.go(1)
    assert "to x:" in w.step_line.value and "to x_2:" in w.step_line.value
    assert "x = 1.00" in w.view.describe() and "x_2 = 3.00" in w.view.describe()
    assert a.label == b.label == "x"  # the learner's own Values are not touched
    w.close()
