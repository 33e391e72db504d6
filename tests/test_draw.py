"""draw(): the notes' three figures with their numbers, readable layouts, SVG twin, lazy import."""

from __future__ import annotations

import base64
import html
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter

import pytest
from hypothesis import given, settings
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from backprop_kit import Value, describe
from backprop_kit.core.circuits import (
    chain_rule_example,
    patterns_example,
    sigmoid_neuron,
    staged_example,
)
from backprop_kit.pictures.drawing import CircuitFigure, draw
from backprop_kit.pictures.layout import LABEL_GAP, _mid
from backprop_kit.pictures.style import DESCENT, FS_NAME, FS_VALUE, text_width
from backprop_kit.pictures.svg import to_svg
from backprop_kit.pictures.view import CircuitView
from tests.strategies import random_circuits

SVG = "{http://www.w3.org/2000/svg}"


def texts(fig: Figure, role: str | None = None) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts if role in (None, t.get_gid())]


def inputs_shown(f: Value, **options) -> dict[str, tuple[str, str | None]]:
    """{input name: (value text, gradient text)} read off the picture by position."""
    scene = CircuitView(f, **options).scene()
    out = {}
    for name in (t for t in scene.texts if t.role == "name"):
        wire = name.y - _mid(FS_NAME)
        on_wire = [t for t in scene.texts if t.x > name.x and t.role in ("value", "grad")]
        value = min(
            (t for t in on_wire if t.role == "value"),
            key=lambda t: abs(t.y + LABEL_GAP + DESCENT * FS_VALUE - wire) + t.x / 1e6,
        )
        grads = [t for t in on_wire if t.role == "grad" and abs(t.x - value.x) < 0.01]
        grad = min(grads, key=lambda t: abs(t.y - wire)) if grads else None
        out[name.text] = (value.text, grad.text if grad else None)
    return out


def rendered_boxes(fig: Figure):
    """(texts with their pixel boxes, gate boxes), as Agg lays them out (no pixels painted)."""
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    boxes = [(t, t.get_window_extent(renderer)) for t in ax.texts]
    gates = [p.get_window_extent(renderer) for p in ax.patches if p.get_gid() == "gate"]
    return boxes, gates


def assert_readable(fig: Figure) -> None:
    """No two texts overlap; no text but a gate's own symbol overlaps a gate."""
    boxes, gates = rendered_boxes(fig)
    for i, (t, a) in enumerate(boxes):
        for u, b in boxes[i + 1 :]:
            assert not _overlaps(a, b), f"{t.get_text()!r} overlaps {u.get_text()!r}"
        for g in gates:
            own = t.get_gid() == "gate" and g.contains(*a.get_points().mean(axis=0))
            assert own or not _overlaps(a, g), f"{t.get_text()!r} overlaps a gate"


def _overlaps(a, b, tol: float = 0.5) -> bool:
    return (
        a.x0 + tol < b.x1 - tol
        and b.x0 + tol < a.x1 - tol
        and a.y0 + tol < b.y1 - tol
        and b.y0 + tol < a.y1 - tol
    )


# --- the notes' figures, numbers included -------------------------------------------------------
def test_chain_rule_figure():
    f = chain_rule_example()
    f.backward()
    fig = draw(f)
    assert Counter(texts(fig, "value")) == Counter(["-2.00", "5.00", "-4.00", "q = 3.00", "-12.00"])
    assert Counter(texts(fig, "grad")) == Counter(["-4.00", "-4.00", "3.00", "-4.00", "1.00"])
    assert inputs_shown(f) == {
        "x": ("-2.00", "-4.00"),
        "y": ("5.00", "-4.00"),
        "z": ("-4.00", "3.00"),
    }
    assert sorted(texts(fig, "gate")) == ["*", "+"]
    assert texts(fig, "output") == ["f"]


def test_sigmoid_neuron_figure_draws_every_elementary_gate():
    f = sigmoid_neuron()
    f.backward()
    fig = draw(f)
    assert texts(fig, "gate") == ["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]
    assert inputs_shown(f) == {
        "w0": ("2.00", "-0.20"),
        "x0": ("-1.00", "0.39"),
        "w1": ("-3.00", "-0.39"),
        "x1": ("-2.00", "-0.59"),
        "w2": ("-3.00", "0.20"),
    }
    assert "0.73" in texts(fig, "value")
    # the notes' numbers along the σ chain: 1.00 → -1.00 → 0.37 → 1.37 → 0.73
    values = texts(fig, "value")
    for v in ("1.00", "-1.00", "0.37", "1.37", "0.73"):
        assert v in values
    for g in ("-0.53", "-0.20", "0.20", "1.00"):
        assert g in texts(fig, "grad")


def test_sigma_gate_drawn_expanded_shows_the_expanded_numbers():
    one = sigmoid_neuron(expanded=False)
    one.backward()
    before = [(v.data, v.grad) for v in one.topological_order()]
    four = sigmoid_neuron(expanded=True)
    four.backward()
    drawn = draw(one, sigmoid="expanded")
    assert texts(drawn, "gate") == texts(draw(four), "gate")
    assert Counter(texts(drawn, "value")) == Counter(texts(draw(four), "value"))
    assert Counter(texts(drawn, "grad")) == Counter(texts(draw(four), "grad"))
    assert "σ" in texts(draw(one), "gate")
    assert [(v.data, v.grad) for v in one.topological_order()] == before  # nothing changed


def test_patterns_figure():
    f = patterns_example()
    f.backward()
    fig = draw(f)
    assert inputs_shown(f) == {
        "x": ("3.00", "-8.00"),
        "y": ("-4.00", "6.00"),
        "z": ("2.00", "2.00"),
        "w": ("-1.00", "0.00"),
    }
    assert sorted(texts(fig, "gate")) == ["*", "*2", "+", "max"]
    assert "-20.00" in texts(fig, "value")


@pytest.mark.parametrize(
    "build", [chain_rule_example, sigmoid_neuron, patterns_example, staged_example]
)
def test_figures_save_as_svg_and_png_and_are_readable(build, tmp_path):
    f = build()
    f.backward()
    fig = draw(f)
    fig.savefig(tmp_path / "c.svg")
    fig.savefig(tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert ET.parse(tmp_path / "c.svg").getroot().tag == SVG + "svg"
    assert_readable(fig)
    assert_readable(draw(f, step=1))


# --- options -----------------------------------------------------------------------------------
def test_gradients_show_only_after_backward():
    f = chain_rule_example()
    assert texts(draw(f), "grad") == []
    assert "gradients show after backward()" in texts(draw(f), "legend")
    f.backward()
    assert len(texts(draw(f), "grad")) == 5
    assert texts(draw(f, show_grad=False), "grad") == []
    assert any("gradient" in t for t in texts(draw(f), "legend"))


def test_highlight_writes_upstream_times_local():
    f = chain_rule_example()
    f.backward()
    q = f.parents[0]
    by_value, by_number = draw(f, highlight=q), draw(f, highlight=2)
    notes = texts(by_value, "note")
    assert notes == texts(by_number, "note")
    assert "+" in notes and "step 2 of 2 · upstream × local = downstream" in notes
    assert "to x: -4.00 × 1.00 = -4.00" in notes and "to y: -4.00 × 1.00 = -4.00" in notes
    top = texts(draw(f, highlight=f), "note")
    assert "to q: 1.00 × -4.00 = -4.00" in top and "to z: 1.00 × 3.00 = 3.00" in top


def test_step_shows_gradients_only_where_the_pass_has_reached():
    f = sigmoid_neuron()
    f.backward()
    assert texts(draw(f, step=0), "grad") == ["1.00"]
    assert Counter(texts(draw(f, step=1), "grad")) == Counter(["1.00", "-0.53"])
    assert Counter(texts(draw(f, step=8), "grad")) == Counter(texts(draw(f), "grad"))
    assert f.grad == 1.0 and f.parents[0].grad != 0  # nothing was changed by drawing


def test_highlighting_a_sigma_drawn_expanded_marks_its_last_gate():
    f = sigmoid_neuron(expanded=False)
    f.backward()
    notes = texts(draw(f, sigmoid="expanded", highlight=f), "note")
    assert notes[0] == "1/x" and "step 1 of 8 · upstream × local = downstream" in notes
    assert texts(draw(f, highlight=f), "note")[0] == "σ"


def test_staged_example_and_names_option():
    f = staged_example()
    f.backward()
    assert inputs_shown(f) == {"x": ("3.00", "2.06"), "y": ("-4.00", "1.59")}
    values = texts(draw(f), "value")
    assert "xpysqr = 1.00" in values and "invden = 0.51" in values
    assert "1.00" in texts(draw(f, names=False), "value")
    assert not any("=" in v for v in texts(draw(f, names=False), "value"))


def test_fmt_option():
    f = chain_rule_example()
    f.backward()
    assert "-12.000" in texts(draw(f, fmt="{:.3f}"), "value")
    assert "-1.2e+01" in texts(draw(f, fmt="{:.1e}"), "value")


def test_constant_inputs_are_drawn_as_inputs():
    x = Value(-1.5, "x")
    from backprop_kit import maximum

    f = maximum(x, 0)
    f.backward()
    assert inputs_shown(f) == {"x": ("-1.50", "0.00"), "0": ("0.00", "1.00")}


def test_draw_into_given_axes():
    fig = Figure(figsize=(8, 3))
    ax = fig.add_subplot()
    f = chain_rule_example()
    f.backward()
    assert draw(f, ax=ax) is fig
    assert "-12.00" in [t.get_text() for t in ax.texts]
    assert max(t.get_fontsize() for t in ax.texts) < 20


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"fmt": "{:d}"}, "fmt must be a format string"),
        ({"fmt": 2}, "fmt must be a format string"),
        ({"sigmoid": "folded"}, "sigmoid must be 'gate' or 'expanded'"),
        ({"highlight": 3}, "highlight must be a step number between 1 and 2"),
        ({"highlight": Value(1.0)}, "is not a gate of this circuit"),
        ({"step": 5}, "step must be an int between 0 and 2"),
        ({"step": 1, "highlight": 1}, "either step="),
        ({"show_grad": "yes"}, "show_grad must be None"),
    ],
)
def test_bad_options_say_what_is_allowed(kwargs, error):
    f = chain_rule_example()
    with pytest.raises((ValueError, TypeError), match=error.replace("(", r"\(")):
        draw(f, **kwargs)


def test_draw_needs_a_value():
    with pytest.raises(TypeError, match="draw needs a Value"):
        draw(3.0)


# --- readable on random circuits ----------------------------------------------------------------
@pytest.mark.slow  # ~1 s a circuit to draw; test_layout checks the same layouts (estimated
# text boxes, 60 circuits) and test_text_width_estimate_is_safe_and_close the estimate
@settings(max_examples=12)
@given(random_circuits())
def test_random_circuits_render_readably(f):
    assert_readable(draw(f))


def test_text_width_estimate_is_safe_and_close():
    fig = Figure()
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    for s in [
        "-12.00",
        "0.73",
        "q = 3.00",
        "xpysqr = 1.00",
        "w0",
        "a_long_name",
        "σ",
        "1/x",
        "gradient ∂f/∂wire (backward pass)",
        "to x: -4.00 × 1.00 = -4.00",
    ]:
        t = fig.text(0, 0, s, fontsize=9, family="DejaVu Sans")
        actual = t.get_window_extent(renderer).width * 72 / fig.dpi
        # Agg snaps extents to whole pixels (0.72 pt at 100 DPI): allow one pixel
        assert actual - 0.75 <= text_width(s, 9) <= 1.15 * actual + 1, s


# --- the SVG twin and the notebook display -----------------------------------------------------
def test_svg_has_the_same_texts_as_the_figure():
    f = staged_example()
    f.backward()
    view = CircuitView(f)
    svg = ET.fromstring(to_svg(view.scene(step=4)))
    svg_texts = [t.text for t in svg.iter(SVG + "text")]
    assert Counter(svg_texts) == Counter(texts(draw(f, step=4)))


def test_svg_escapes_names():
    x = Value(1.0, label="<b>&'x\"")
    f = (x * 2).named("</svg>")
    f.backward()
    svg = to_svg(CircuitView(f).scene())
    root = ET.fromstring(svg)  # well-formed XML despite the names
    assert {"<b>&'x\"", "</svg>"} <= {t.text for t in root.iter(SVG + "text")}


def test_figure_shows_as_a_png_with_alt_text_and_a_stable_text():
    from IPython.core.formatters import DisplayFormatter
    from matplotlib._pylab_helpers import Gcf

    f = chain_rule_example()
    fig = draw(f)
    assert isinstance(fig, CircuitFigure)
    data, meta = DisplayFormatter().format(fig)
    assert set(data) == {"image/png", "text/html", "text/plain"}
    png = base64.b64decode(data["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # JupyterLab ignores the metadata's alt: the same PNG as an <img> with alt, in text/html
    assert data["text/html"].startswith(f'<img src="data:image/png;base64,{data["image/png"]}"')
    assert f'alt="{html.escape(describe(f))}"' in data["text/html"]
    assert meta["image/png"] == {
        "width": round(fig.get_figwidth() * 100),
        "height": round(fig.get_figheight() * 100),
        "alt": describe(f),
    }
    assert "0x" not in data["text/plain"] and data["text/plain"].startswith("<CircuitFigure")
    assert Gcf.get_num_fig_managers() == 0  # not registered with pyplot: nothing leaks


def test_import_backprop_kit_loads_neither_matplotlib_nor_ipywidgets():
    # the explorer modules too: they load the libraries only when a widget is built
    code = (
        "import sys, backprop_kit, backprop_kit.chapters.scale_explorer, "
        "backprop_kit.chapters.shapes_explorer; "
        "assert 'matplotlib.pyplot' not in sys.modules and 'ipywidgets' not in sys.modules "
        "and 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_top_level_draw_and_explore_exist():
    import backprop_kit
    from backprop_kit.explorers.circuit import explore

    assert (backprop_kit.draw, backprop_kit.explore) == (draw, explore)
    with pytest.raises(AttributeError, match="no attribute 'drew'"):
        backprop_kit.drew  # noqa: B018
