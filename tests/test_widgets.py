"""The circuit explorer, driven headless: sliders, step-through, nudge, typed formulas."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest

from backprop_kit import Value, numerical_grad
from backprop_kit.core.circuits import chain_rule_example, sigmoid_neuron
from backprop_kit.explorers.circuit import CircuitExplorer, explore, slider_range

SVG = "{http://www.w3.org/2000/svg}"


def picture(w: CircuitExplorer, role: str | None = None) -> list[str]:
    """The texts of the explorer's SVG picture (optionally of one role: value, grad, note…)."""
    root = ET.fromstring(w.picture.value)
    return [t.text for t in root.iter(SVG + "text") if role in (None, t.get("class"))]


def readout(w: CircuitExplorer) -> dict[str, float]:
    """{'f': …, 'x': ∂f/∂x, …} parsed from the readout line (nan and inf too)."""
    text = re.sub(r"<[^>]+>", "", w.readout.value).replace("&nbsp;", " ")
    out = {m[0] or "f": float(m[1]) for m in re.findall(r"(?:∂f/∂(\w+)|f) = (\S+)", text)}
    return out


@pytest.fixture
def chain():
    return explore("(x + y) * z", x=-2, y=5, z=-4)


def test_starts_with_values_gradients_and_the_whole_picture(chain):
    assert readout(chain) == {"f": -12.0, "x": -4.0, "y": -4.0, "z": 3.0}
    assert list(chain.sliders) == ["x", "y", "z"]
    assert "-12.00" in picture(chain, "value")
    assert sorted(picture(chain, "grad")) == sorted(["-4.00", "-4.00", "3.00", "-4.00", "1.00"])
    assert chain.step is None and "All 2 gates done" in chain.step_line.value


def test_moving_a_slider_recomputes_and_redraws(chain):
    chain.sliders["x"].value = 1.0
    assert readout(chain) == {"f": -24.0, "x": -4.0, "y": -4.0, "z": 6.0}  # (1 + 5)·(−4)
    assert "-24.00" in picture(chain, "value") and "6.00" in picture(chain, "grad")
    chain.sliders["z"].value = 0.5
    assert readout(chain)["f"] == 3.0 and "3.00" in picture(chain, "value")


def test_next_walks_the_backward_pass_in_order(chain):
    chain.next_button.click()
    assert chain.step == 0
    assert picture(chain, "grad") == ["1.00"]  # only the output's gradient is known
    assert "Step 0 of 2" in chain.step_line.value
    chain.next_button.click()  # the * gate: upstream 1, locals z and q
    notes = picture(chain, "note")
    assert "*" in notes and "to z: 1.00 × 3.00 = 3.00" in notes
    assert "to x + y: 1.00 × -4.00 = -4.00" in notes
    assert sorted(picture(chain, "grad")) == ["-4.00", "1.00", "3.00"]  # x, y not reached yet
    assert "Step 1 of 2 · gate *" in chain.step_line.value
    chain.next_button.click()  # the + gate
    assert "to x: -4.00 × 1.00 = -4.00" in picture(chain, "note")
    assert picture(chain, "grad").count("-4.00") == 3  # q, x, y
    chain.next_button.click()  # past the last gate: the whole pass, nothing marked
    assert chain.step is None and picture(chain, "note") == [
        "Press Next to walk the backward pass one gate at a time (2 gates)."
    ]


def test_back_reset_and_all(chain):
    chain.back_button.click()
    assert chain.step == 2  # from the whole pass back to the last gate
    chain.back_button.click()
    assert chain.step == 1
    chain.reset_button.click()
    assert chain.step == 0 and chain.back_button.disabled
    chain.back_button.click()
    assert chain.step == 0
    chain.all_button.click()
    assert chain.step is None and len(picture(chain, "grad")) == 5


def test_a_slider_keeps_the_step(chain):
    chain.next_button.click()
    chain.next_button.click()
    chain.sliders["y"].value = 1.0  # q = -1
    assert chain.step == 1
    assert "to z: 1.00 × -1.00 = -1.00" in picture(chain, "note")


def test_every_input_gets_its_gradient_at_the_end_of_the_pass():
    w = explore(sigmoid_neuron())
    for _ in range(1 + 8):
        w.next_button.click()
    assert w.step == 8
    grads = picture(w, "grad")
    for g in ("-0.20", "0.39", "-0.39", "-0.59", "0.20"):
        assert g in grads


def test_nudge_compares_delta_f_with_h_times_gradient(chain):
    chain.nudge_input.value = "z"
    chain.nudge_h.value = 0.001
    text = chain.nudge_line.value
    delta = float(re.search(r"= (-?[\d.e-]+) &nbsp; vs", text).group(1))
    linear = float(re.search(r"= (-?[\d.e-]+)$", text).group(1))
    assert delta == pytest.approx(0.003) and linear == pytest.approx(0.003)
    assert readout(chain)["f"] == -12.0  # the nudge did not move the circuit


def test_nudge_on_a_curved_function_is_close_to_linear():
    w = explore("exp(x) * y", x=0.5, y=2.0)
    w.nudge_input.value = "x"
    w.nudge_h.value = 1e-3
    text = w.nudge_line.value
    delta = float(re.search(r"= (-?[\d.e-]+) &nbsp; vs", text).group(1))
    expected = 1e-3 * numerical_grad(lambda x, y: x.exp() * y, 0.5, 2.0)[0]
    assert delta == pytest.approx(expected, rel=1e-3) and delta != pytest.approx(expected, rel=1e-9)


def test_typing_a_formula_rebuilds_the_sliders(chain):
    chain.sliders["x"].value = 3.0
    chain.formula.value = "max(x, w) * 2"
    assert list(chain.sliders) == ["x", "w"]
    assert chain.sliders["x"].value == 3.0 and chain.sliders["w"].value == 1.0  # kept / new
    assert readout(chain) == {"f": 6.0, "x": 2.0, "w": 0.0}
    assert "max" in picture(chain, "gate")
    assert repr(chain) == "CircuitExplorer('max(x, w) * 2', x=3.0, w=1.0)"


def test_a_bad_formula_shows_one_line_and_keeps_the_circuit(chain):
    chain.formula.value = "x +* 2"
    assert "syntax error" in chain.message.value and "\n" not in chain.message.value
    assert list(chain.sliders) == ["x", "y", "z"] and readout(chain)["f"] == -12.0
    chain.build("os.system('ls')")
    assert "not allowed" in chain.message.value
    chain.build_button.click()  # the text box still holds the bad text
    assert chain.message.value
    chain.build("x * y")
    assert chain.message.value == "" and list(chain.sliders) == ["x", "y"]


def test_a_slider_into_a_gate_error_says_so_and_shows_no_number():
    w = explore("log(x) * y", x=2.0, y=1.0)
    w.sliders["x"].value = -1.0
    assert "log" in w.message.value and "cannot evaluate here" in w.message.value
    assert readout(w) == {} and "cannot evaluate here" in w.readout.value
    assert not any(picture(w, "value")) and not any(picture(w, "grad"))
    assert "cannot evaluate here" in " ".join(picture(w, "note"))
    w.sliders["x"].value = 1.0
    assert w.message.value == "" and readout(w)["f"] == 0.0


def test_sliders_contain_their_initial_value():
    assert slider_range(0.3) == (-5.0, 5.0)
    assert slider_range(12.5) == (-5.0, 14.0)
    assert slider_range(-7.0) == (-8.0, 5.0)
    w = explore("x * y", x=12.5)
    s = w.sliders["x"]
    assert s.min <= 12.5 <= s.max and s.value == 12.5 and s.step == 0.01
    assert s.continuous_update


def test_exploring_a_value_copies_it():
    f = chain_rule_example()
    w = explore(f, z=2.0)
    assert readout(w) == {"f": 6.0, "x": 2.0, "y": 2.0, "z": 3.0}
    w.sliders["x"].value = 0.0
    assert f.data == -12.0 and f.grad == 0.0  # the learner's circuit is untouched
    assert repr(w) == "CircuitExplorer(<circuit of 'f', 2 gates>, x=-2.0, y=5.0, z=2.0)"


def test_expanded_sigmoid_in_the_explorer():
    w = explore("sigmoid(w * x + b)", w=2.0, x=-1.0, b=-3.0, sigmoid="expanded")
    assert {"*-1", "exp", "+1", "1/x"} <= set(picture(w, "gate"))
    w.sliders["b"].value = 0.0  # σ(-2) = 0.12
    assert "0.12" in picture(w, "value")


def test_where_no_front_end_runs_a_png_and_a_stable_text_show(chain):
    data, meta = chain._repr_mimebundle_()
    assert data["text/plain"] == "CircuitExplorer('(x + y) * z', x=-2.0, y=5.0, z=-4.0)"
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert "application/vnd.jupyter.widget-view+json" in data
    assert meta["image/png"]["width"] > 100
    chain.sliders["x"].value = 4.0  # the static picture stays the initial one
    assert chain._repr_mimebundle_()[0]["image/png"] == data["image/png"]


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: explore("x * y", z=1.0), "has no variable 'z'"),
        (lambda: explore(3.0), "explore needs a formula"),
        (lambda: explore("x *"), "syntax error"),
        (lambda: explore("x * y", x="a"), "needs a real number"),
        (lambda: explore(Value(1.0, "x") * 2, y=1.0), "has no input named 'y'"),
        (lambda: explore("x * y", fmt="{:q}"), "fmt must be a format string"),
    ],
)
def test_bad_arguments_say_what_is_allowed(call, error):
    with pytest.raises((TypeError, ValueError), match=error):
        call()


def test_hooks_for_browser_tests_follow_the_steps(chain):
    assert "bpk-explorer" in chain._dom_classes and "bpk-readout" in chain.readout._dom_classes

    def marked() -> list[str]:
        root = ET.fromstring(chain.picture.value)
        return [e.get("data-gate") for e in root.iter() if "bpk-highlight" in e.get("class", "")]

    assert marked() == []
    seen = []
    for _ in range(3):
        chain.next_button.click()
        seen.append(marked())
    assert seen == [["0"], ["1"], ["2"]]
