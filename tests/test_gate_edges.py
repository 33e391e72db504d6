"""Edge cases of the gate table (NaN, x⁰, aᵇ for a < 0, σ expanded far left): engine, staged
program, drawing and explorer readout give the same answer, the one documented in gates.py."""

from __future__ import annotations

import math

import pytest

from backprop_kit import Value, maximum, staged
from backprop_kit.explorers.circuit import explore
from backprop_kit.pictures.drawing import draw
from tests.test_draw import texts
from tests.test_widgets import picture, readout

NAN = math.nan


def grads(f: Value, *inputs: Value) -> list[float]:
    f.backward()
    return [v.grad for v in inputs]


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def assert_staged_agrees(f: Value, *inputs: Value) -> None:
    """The staged program computes the same output and input gradients as backward()."""
    f.backward()
    run = staged(f).run()
    program = staged(f)
    assert same(run[program.output], f.data)
    for v in inputs:
        assert same(run["d" + program.names[id(v)]], v.grad), (v.label, v.grad)


@pytest.mark.parametrize("order", ["nan first", "nan second"])
def test_max_propagates_nan_from_either_side(order):
    x, y = Value(NAN, "x"), Value(1.0, "y")
    f = maximum(x, y) if order == "nan first" else maximum(y, x)
    assert math.isnan(f.data)
    assert all(math.isnan(g) for g in grads(f, x, y))  # never a silent 0 or 1
    assert_staged_agrees(f, x, y)


def test_max_without_nan_is_unchanged():
    x, y = Value(2.0, "x"), Value(2.0, "y")
    f = maximum(x, y)
    assert f.data == 2.0 and grads(f, x, y) == [1.0, 1.0]  # a tie: both (the notes' rule)
    assert_staged_agrees(maximum(Value(3.0, "a"), Value(-math.inf, "b")))


def test_relu_of_nan_is_nan():
    x = Value(NAN, "x")
    f = x.relu()
    assert math.isnan(f.data) and math.isnan(grads(f, x)[0])
    assert_staged_agrees(f, x)
    z = Value(-0.0, "z")
    assert z.relu().data == 0.0 and grads(z.relu(), z) == [0.0]


def test_x_to_the_zero_has_slope_zero_also_at_zero():
    x = Value(0.0, "x")
    assert grads(x**0, x) == [0.0]
    f = x**0 + x
    assert f.data == 1.0 and grads(f, x) == [1.0]
    b = Value(0.0, "b")
    assert grads(x**b, x, b)[0] == 0.0  # the two-input ** with exponent 0


def test_slope_in_the_exponent_of_a_negative_base_is_nan():
    a, b = Value(-2.0, "a"), Value(2.0, "b")
    f = a**b
    da, db = grads(f, a, b)
    assert f.data == 4.0 and da == -4.0 and math.isnan(db)
    assert_staged_agrees(a**b, a, b)
    z = Value(0.0, "z")
    assert grads(z**b, z, b) == [0.0, 0.0]  # at a = 0 (b > 0): flat in b


def test_expanded_sigmoid_far_left_drawing_readout_and_engine_agree():
    one, four = Value(-800.0, "x"), Value(-800.0, "x")
    f, g = one.sigmoid(), four.sigmoid(expanded=True)
    assert grads(f, one) == [0.0]  # the one-gate σ: the true slope
    assert math.isnan(grads(g, four)[0])  # 0·∞ in the expanded form, as in PyTorch
    drawn = texts(draw(f, sigmoid="expanded"), "grad")
    assert "nan" in drawn and drawn == texts(draw(g), "grad")
    assert "nan" not in texts(draw(f), "grad")
    w = explore(f, sigmoid="expanded")
    assert math.isnan(readout(w)["x"]) and "nan" in picture(w, "grad")  # readout = picture
    w.sliders["x"].value = -5.0  # where nothing overflows, both forms agree
    assert readout(w)["x"] == pytest.approx(math.exp(-5) / (1 + math.exp(-5)) ** 2, abs=1e-4)
    assert readout(explore(f))["x"] == 0.0
