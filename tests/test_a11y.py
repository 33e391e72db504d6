"""Accessibility (WCAG 2.1 AA): contrast of every text on its background, a second cue for
gradients, text alternatives of every picture, names and live regions in the explorers, and
verdicts in words. The browser checks (axe-core, keyboard only) are in test_browser.py."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit import Value, describe, draw, maximum
from backprop_kit.core.circuits import chain_rule_example, patterns_example, sigmoid_neuron
from backprop_kit.explorers.a11y import A11Y_CLASS, HELPER_HTML, LIVE_CLASS
from backprop_kit.pictures import scene as S
from backprop_kit.pictures import style as L
from backprop_kit.pictures.svg import to_svg
from backprop_kit.pictures.view import CircuitView
from tests.test_layout import backward_scene

AA = 4.5
SVG = "{http://www.w3.org/2000/svg}"


def relative_luminance(color: str) -> float:
    """WCAG 2.1 relative luminance of ``#RRGGBB``: 0.2126 R + 0.7152 G + 0.0722 B of the
    linearised channels (c / 12.92 if c ≤ 0.04045, else ((c + 0.055) / 1.055) ** 2.4)."""
    s = color.lstrip("#")
    if len(s) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in s):
        raise ValueError(f"a colour must be written #RRGGBB, got {color!r}")
    lin = []
    for i in (0, 2, 4):
        c = int(s[i : i + 2], 16) / 255
        lin.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio (L_lighter + 0.05) / (L_darker + 0.05), from 1 to 21."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


# --- the contrast formula itself ------------------------------------------------------------
def test_contrast_formula_matches_wcag_reference_points():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert contrast_ratio("#FFFFFF", "#000000") == contrast_ratio("#000000", "#FFFFFF")
    # #767676 is the lightest grey that passes AA on white (4.54:1); #777777 fails (4.48:1)
    assert contrast_ratio("#767676", "#FFFFFF") >= AA > contrast_ratio("#777777", "#FFFFFF")
    # the old gradient colour measured 3.87:1 on white (issue 15)
    assert contrast_ratio("#D55E00", "#FFFFFF") == pytest.approx(3.87, abs=0.01)
    assert relative_luminance("#FF0000") == pytest.approx(0.2126)


def test_contrast_rejects_a_colour_that_is_not_hex():
    with pytest.raises(ValueError, match="#RRGGBB"):
        contrast_ratio("red", "#FFFFFF")


# --- the palette ----------------------------------------------------------------------------
PAIRS = [(fg, bg) for fg, bgs in L.TEXT_BACKGROUNDS.items() for bg in bgs]


@pytest.mark.parametrize(("fg", "bg"), PAIRS)
def test_every_text_colour_passes_aa_on_every_background_it_sits_on(fg, bg):
    ratio = contrast_ratio(fg, bg)
    assert ratio >= AA, f"{fg} on {bg}: {ratio:.2f}:1 < {AA}:1"


def test_values_and_gradients_keep_the_okabe_ito_hues():
    assert L.VALUE_COLOR == "#0072B2"  # Okabe-Ito blue
    # a darker vermillion: red well above green, green above blue (an orange-red hue)
    r, g, b = (int(L.GRAD_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    assert r > 2 * g > 0 and g > b
    assert contrast_ratio(L.VALUE_COLOR, L.GRAD_COLOR) > 1.0


def _background(scene: S.Scene, text: S.Text) -> str:
    """The fill under the centre of ``text``: the last box drawn there, else the card."""
    x0, y0, x1, y1 = text.bbox()
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    fill = L.BACKGROUND
    for b in scene.boxes:
        if b.x <= cx <= b.x + b.w and b.y <= cy <= b.y + b.h:
            fill = b.fill
    return fill


def _scenes():
    """Scenes of every kind the kit draws: values only, all gradients, every step, a marked
    gate with its note, σ expanded, a live explorer's caption band."""
    for build in (chain_rule_example, sigmoid_neuron, patterns_example):
        f = build()
        view = CircuitView(f)
        yield view.scene()
        f.backward()
        yield view.scene()
        for k in range(len(view.steps()) + 1):
            yield view.scene(step=k)
        yield view.scene(highlight=1)
        yield CircuitView(f, sigmoid="expanded").scene(step=2)
        yield CircuitView(f, band_lines=3).scene(caption="Press Next to walk the pass")


def test_every_text_drawn_passes_aa_on_the_fill_it_is_drawn_on():
    seen = set()
    for scene in _scenes():
        for t in scene.texts:
            bg = _background(scene, t)
            seen.add((t.role, bg))
            assert bg in L.TEXT_BACKGROUNDS[t.color], (t.role, t.text, t.color, bg)
            assert contrast_ratio(t.color, bg) >= AA, (t.role, t.text, t.color, bg)
    # the test saw the hard cases: gradients on the step's emphasis, notes on the yellow pill
    assert ("grad", L.EMPH_FILL) in seen and ("note", L.HIGHLIGHT_FILL) in seen


def test_matplotlib_and_svg_paint_the_scene_colours():
    from matplotlib.colors import to_hex

    f = sigmoid_neuron()
    f.backward()
    scene = CircuitView(f).scene(step=3)
    fig = draw(f, step=3)
    drawn = {(t.get_text(), to_hex(t.get_color()).upper()) for t in fig.axes[0].texts}
    assert drawn == {(t.text, t.color.upper()) for t in scene.texts}
    root = ET.fromstring(to_svg(scene))
    svg = {(t.text, t.get("fill").upper()) for t in root.iter(SVG + "text")}
    assert svg == drawn


# --- a second cue besides colour ----------------------------------------------------------------
def test_gradients_are_italic_below_the_wire_and_the_legend_says_so():
    f = chain_rule_example()
    scene = backward_scene(f)
    values = [t for t in scene.texts if t.role == "value"]
    grads = [t for t in scene.texts if t.role == "grad"]
    assert grads and all(t.italic for t in grads) and not any(t.italic for t in values)
    # each wire's gradient sits below its value (same column, larger y)
    for v in values:
        below = [g for g in grads if abs(g.x - v.x) < 0.01 and g.y > v.y]
        assert below, v.text
    legend = " ".join(scene.texts_with("legend"))
    assert "above" in legend and "below in italics" in legend
    root = ET.fromstring(to_svg(scene))
    for t in root.iter(SVG + "text"):
        assert (t.get("font-style") == "italic") == (
            t.get("class") in ("grad", "name", "output") or "italics" in (t.text or "")
        )
    fig = draw(f)
    styles = {t.get_gid(): t.get_style() for t in fig.axes[0].texts if t.get_gid() == "grad"}
    assert styles == {"grad": "italic"}


# --- describe(f): the text version of a circuit -------------------------------------------------
def test_describe_lists_inputs_then_gates_in_forward_order():
    f = chain_rule_example()
    text = describe(f)
    assert "values only" in text and "gradient -" not in text  # before backward(): values
    f.backward()
    text = describe(f)
    assert text.index("x = -2.00, gradient -4.00") < text.index("gate 1, + of x and y")
    assert text.index("q = 3.00, gradient -4.00") < text.index("gate 2, * of q and z")
    assert text.endswith("f = -12.00, gradient 1.00.")


def test_describe_names_unnamed_gates_by_number_and_follows_the_steps():
    x, y = Value(2.0, label="x"), Value(-1.0, label="y")
    f = (maximum(x * y, y) + x).named("out")
    f.backward()
    text = describe(f)
    assert "gate 2, max of gate 1 and y" in text and "gate 3, + of gate 2 and x: out" in text
    partial = describe(f, step=1)
    assert "after step 1 of 3" in partial and "gradient not reached yet" in partial
    assert describe(f, step=3).count("not reached") == 0


finite = st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 2))


@settings(max_examples=30)
@given(finite, finite, finite)
def test_describe_carries_every_value_and_gradient_drawn(a, b, c):
    x, y, z = Value(a, label="x"), Value(b, label="y"), Value(c, label="z")
    f = ((x * y).named("p") + z.tanh()).named("f")
    f.backward()
    view = CircuitView(f)
    text = view.describe()
    scene = view.scene()
    for t in scene.texts:
        if t.role in ("value", "grad"):
            number = t.text.split(" = ")[-1]
            assert number in text, (t.role, t.text)
    assert text.count("gradient ") == len(scene.texts_with("grad"))


def test_describe_is_the_alt_text_of_every_picture_of_a_circuit():
    f = sigmoid_neuron()
    f.backward()
    assert draw(f).alt_text == describe(f)
    assert draw(f, step=2).alt_text == describe(f, step=2)
    assert draw(f, sigmoid="expanded").alt_text == describe(f, sigmoid="expanded")
    scene = CircuitView(f).scene()
    root = ET.fromstring(to_svg(scene, title="neuron", desc=describe(f)))
    assert root.get("role") == "img"
    assert root.get("aria-label") == f"neuron. {describe(f)}"
    assert root.find(SVG + "title").text == "neuron"
    assert root.find(SVG + "desc").text == describe(f)


def test_figure_files_carry_title_and_description(tmp_path):
    from backprop_kit.tools.figures import FIGURES, TITLES, save_figures

    save_figures(tmp_path)
    for name, build in FIGURES.items():
        f = build()
        f.backward()
        root = ET.parse(tmp_path / f"{name}.svg").getroot()
        assert root.get("role") == "img"
        assert root.find(SVG + "title").text == TITLES[name]
        assert root.find(SVG + "desc").text == describe(f)
        png = (tmp_path / f"{name}.png").read_bytes()
        assert b"Description" in png and describe(f).split(",")[0].encode() in png


# --- plots of the chapters ----------------------------------------------------------------------
def _figure_texts_pass_aa(fig) -> list[str]:
    from matplotlib.colors import to_hex
    from matplotlib.text import Text

    fig.canvas.draw()  # creates the tick labels
    background = to_hex(fig.get_facecolor()).upper()
    texts = [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    assert texts
    for t in texts:
        colour = to_hex(t.get_color()).upper()
        assert contrast_ratio(colour, background) >= AA, (t.get_text(), colour)
    return [t.get_text() for t in texts]


def test_error_plot_has_alt_text_and_readable_texts():
    from IPython.core.formatters import DisplayFormatter

    from backprop_kit.chapters.sensitivity import difference_errors, plot_difference_errors

    table = difference_errors(lambda v: v.exp(), 1.0)
    fig = plot_difference_errors(table)
    _figure_texts_pass_aa(fig)
    _, meta = DisplayFormatter().format(fig)
    alt = meta["image/png"]["alt"]
    assert "x = 1" in alt and "forward difference" in alt and "central difference" in alt
    assert f"at h = {table.best_h('central'):.0e}" in alt


def test_explorer_plots_have_alt_texts_in_their_img_and_in_the_static_picture():
    from backprop_kit.chapters.scale_explorer import scale_explorer
    from backprop_kit.chapters.shapes_explorer import shapes_explorer

    for ex, words in ((scale_explorer(k=1000), "overshoots"), (shapes_explorer(), "dW (5×10)")):
        alt = ex.alt_text()
        assert words in alt
        img = re.search(r'<img [^>]*alt="([^"]*)"', ex.picture.value)
        assert img and img.group(1) == alt.replace("'", "&#x27;")
        _, meta = ex._repr_mimebundle_()
        assert meta["image/png"]["alt"] == alt
        _figure_texts_pass_aa(ex.figure())  # titles, labels, ticks, legends
        assert LIVE_CLASS in ex.readout._dom_classes and A11Y_CLASS in ex.widget._dom_classes
        assert "color:" not in ex.readout.value  # verdicts and rows are words, not colours


def test_a_static_picture_without_alt_text_is_refused():
    from backprop_kit.explorers.base import with_static_picture

    with pytest.raises(ValueError, match="alt text"):
        with_static_picture({}, "x", b"\x89PNG", {"alt": " "})


# --- the circuit explorer ----------------------------------------------------------------------
def test_explorer_has_live_regions_a_described_picture_and_errors_in_words():
    from backprop_kit.explorers.circuit import explore

    w = explore("(x + y) * z", x=-2, y=5, z=-4)
    assert A11Y_CLASS in w._dom_classes
    assert LIVE_CLASS in w.readout._dom_classes and LIVE_CLASS in w.step_line._dom_classes
    assert any(getattr(c, "value", None) == HELPER_HTML for c in w.children)
    root = ET.fromstring(w.picture.value)
    assert root.find(SVG + "desc").text == w.view.describe()
    w.next_button.click()
    assert ET.fromstring(w.picture.value).find(SVG + "desc").text == w.view.describe(step=0)
    w.build("(x + ")
    assert "Error:" in w.message.value and "color" not in w.message.value
    _, meta = w._repr_mimebundle_()
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    f = ((x + y) * z).named("f")
    f.backward()
    assert meta["image/png"]["alt"] == describe(f)


def test_the_helper_script_names_sliders_and_marks_live_regions():
    assert "aria-label" in HELPER_HTML and "aria-live" in HELPER_HTML
    assert f".{LIVE_CLASS}" in HELPER_HTML and f".{A11Y_CLASS} .widget-slider" in HELPER_HTML
    assert ":focus-visible" in HELPER_HTML
    assert "'" not in HELPER_HTML.split("onerror=")[1].split('"')[0]  # attribute is escaped


# --- exercise verdicts are words ---------------------------------------------------------------
def test_verdicts_are_words_a_screen_reader_says():
    from backprop_kit.exercises import CORRECT, NOT_ATTEMPTED, NOT_YET

    for constant, words in (
        (CORRECT, "Correct"),
        (NOT_YET, "Not yet"),
        (NOT_ATTEMPTED, "Not attempted yet"),
    ):
        assert words in constant


def test_every_picture_stored_in_a_notebook_has_words():
    """Every image/png output of every chapter (both editions) carries an alt text, and the
    same PNG comes as an <img> with that alt (JupyterLab shows the HTML, nbconvert the alt)."""
    import json
    from html import unescape
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "notebooks"
    missing = []
    for path in sorted(root.glob("*.ipynb")) + sorted(root.glob("learner/*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            for out in cell.get("outputs", []):
                if "image/png" not in out.get("data", {}):
                    continue
                alt = out.get("metadata", {}).get("image/png", {}).get("alt", "")
                html = out["data"].get("text/html", "")
                html = "".join(html) if isinstance(html, list) else html
                img = re.search(r'<img [^>]*alt="([^"]*)"', html)
                if not alt.strip() or not img or unescape(img.group(1)) != alt:
                    missing.append(f"{path.relative_to(root)} cell {i}")
    assert missing == [], f"pictures without alt text: {missing}"


def test_a_kit_figure_without_alt_text_is_refused():
    from backprop_kit.pictures.drawing import DescribedFigure

    fig = DescribedFigure()
    with pytest.raises(ValueError, match="alt text"):
        fig._repr_mimebundle_()
