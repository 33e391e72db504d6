"""The explorer under hostile use: never a stale number, bad arguments as one line, no leaks."""

from __future__ import annotations

import math
import warnings

import ipywidgets
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit import Value, parse
from backprop_kit.explorers.circuit import explore
from tests.test_widgets import picture, readout

CANNOT_EVALUATE = "cannot evaluate here"  # what the explorer says (the words)

# Formulas with places where they cannot be evaluated (1/0, log of a non-positive number).
FORMULAS = ["1/z + y", "log(z) * y", "y / (z - 1)", "max(1/z, y) + z ** y"]


def fresh(formula: str, values: dict[str, float]) -> dict[str, float] | None:
    """f and every ∂f/∂input evaluated from scratch, or None where it cannot be evaluated."""
    try:
        f, inputs = parse(formula).build(**values)
    except (ArithmeticError, ValueError):
        return None
    f.backward()
    return {"f": f.data, **{n: v.grad for n, v in inputs.items()}}


def shown(w) -> dict[str, float] | None:
    """What the explorer's readout shows (None: it says it cannot evaluate here)."""
    return None if CANNOT_EVALUATE in w.readout.value else readout(w)


def assert_shows_a_fresh_evaluation(w, formula: str) -> None:
    values = {n: s.value for n, s in w.sliders.items()}
    want = fresh(formula, values)
    got = shown(w)
    if want is None:
        assert got is None, (values, got)
        assert CANNOT_EVALUATE in w.message.value and not any(picture(w, "value"))
        assert not any(picture(w, "grad")) and w.nudge_line.value == ""
        return
    assert got is not None and set(got) == set(want), (values, got, want)
    for k in want:
        if math.isnan(want[k]):
            assert math.isnan(got[k])
        else:  # the readout shows 4 decimals (6 significant digits from a million up)
            assert got[k] == pytest.approx(want[k], rel=1e-5, abs=6e-5), (values, k)
    assert w.view.number(want["f"]) in picture(w, "value")


def test_moving_another_slider_after_a_failure_shows_no_stale_number():
    """The issue's case: z to 0 (1/0), then y to 2: the old code showed f at z = 4."""
    w = explore("1/z + y", z=4, y=1)
    w.sliders["z"].value = 0.0
    w.sliders["y"].value = 2.0
    assert w.sliders["z"].value == 0.0
    assert shown(w) is None and CANNOT_EVALUATE in w.message.value
    assert "z = 0" in w.message.value and not any(picture(w, "value"))
    w.sliders["z"].value = 0.5  # back where it can be evaluated: 1/0.5 + 2
    assert shown(w) == {"f": 4.0, "z": -4.0, "y": 1.0} and w.message.value == ""


def test_steps_and_nudge_while_it_cannot_evaluate():
    w = explore("1/z + y", z=4, y=1)
    w.next_button.click()
    w.sliders["z"].value = 0.0
    w.next_button.click()  # the step buttons keep working, with no numbers
    assert CANNOT_EVALUATE in w.step_line.value and not any(picture(w, "value"))
    w.nudge_input.value = "y"
    assert w.nudge_line.value == ""
    w.sliders["z"].value = 2.0
    assert w.step == 1 and "Step 1 of 2" in w.step_line.value


@settings(max_examples=40)
@given(
    st.sampled_from(FORMULAS),
    st.lists(
        st.tuples(
            st.sampled_from(["y", "z"]),
            st.one_of(st.sampled_from([0.0, 1.0, -1.0, 0.5]), st.floats(-5, 5)),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_the_readout_is_always_a_fresh_evaluation_at_the_sliders(formula, moves):
    w = explore(formula, z=2.0, y=1.5)
    for name, value in moves:
        w.sliders[name].value = value
        assert_shows_a_fresh_evaluation(w, formula)
    w.close()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_start_value_no_slider_can_show_is_one_line(bad):
    with pytest.raises(ValueError, match="a slider needs a finite number") as err:
        explore("x*2", x=bad)
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="finite"):
        explore(Value(bad, "x") * 2)


def test_a_large_start_value_gets_a_slider_that_holds_it():
    w = explore("x*2", x=1e6)
    assert w.sliders["x"].value == 1e6 and shown(w)["f"] == 2e6


def test_lookalike_names_are_refused():
    latin, cyrillic = "x", "\u0445"
    with pytest.raises(ValueError, match="look alike") as err:
        explore(f"{latin} * {cyrillic}")
    assert "CYRILLIC SMALL LETTER HA" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ValueError, match="look alike"):
        explore(Value(1.0, latin) * Value(2.0, cyrillic))
    with pytest.raises(ValueError, match="look alike"):
        parse("\u0391 + A")  # Greek capital alpha and Latin A
    # Python's parser reads the full-width ｘ as x (NFKC): refused, not silently x²
    with pytest.raises(ValueError, match="look alike"):
        explore("x * \uff58")


def test_slider_names_map_one_to_one_to_inputs():
    x1, x2, x_2 = Value(1.0, "x"), Value(2.0, "x"), Value(3.0, "x_2")
    f = x1 * 10 + x2 * 100 + x_2 * 1000
    w = explore(f, x_2=5.0)  # the input labelled x_2, not the second x
    assert set(w.sliders) == {"x", "x_3", "x_2"}
    assert {n: s.value for n, s in w.sliders.items()} == {"x": 1.0, "x_3": 2.0, "x_2": 5.0}
    assert readout(w) == {"f": 5210.0, "x": 10.0, "x_3": 100.0, "x_2": 1000.0}
    w.sliders["x_2"].value = 0.0
    assert readout(w)["f"] == 210.0


@pytest.mark.parametrize("bad", [0.5, True, "1", 99, -1])
def test_go_with_a_bad_step_is_one_line_and_the_explorer_keeps_working(bad):
    w = explore("(x + y) * z", x=-2, y=5, z=-4)
    with pytest.raises(ValueError, match="step must be None or a whole number") as err:
        w.go(bad)
    assert "\n" not in str(err.value) and w.step is None
    w.sliders["x"].value = 1.0
    assert readout(w)["f"] == -24.0
    w.next_button.click()
    assert w.step == 0


def open_widgets() -> int:
    """How many widgets the kernel holds (ipywidgets 8 deprecates the registry's name)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return len(ipywidgets.Widget.widgets)


def test_rebuilding_and_closing_free_every_child_widget():
    before = open_widgets()
    w = explore("x * y + z", x=1, y=2, z=3)
    w.build("x * y")
    built = open_widgets()
    for k in range(20):
        w.build("x * y + z" if k % 2 else "x * y")
    w.build("x * y")
    assert open_widgets() == built  # no Build leaves a widget behind
    w.close()
    assert open_widgets() == before
