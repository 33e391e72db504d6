"""numerical_grad: the limit definition (forward) and the central difference."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit import Value, grad_check, numerical_grad


def test_forward_and_central_on_x_times_y():
    # f = x·y at x = 4, y = -3: ∇f = [y, x] = [-3, 4]. Both differences are exact up to
    # round-off for a bilinear function.
    fx, fy = numerical_grad(lambda x, y: x * y, 4.0, -3.0, method="forward")
    assert fx == pytest.approx(-3.0, abs=1e-9) and fy == pytest.approx(4.0, abs=1e-9)
    cx, cy = numerical_grad(lambda x, y: x * y, 4.0, -3.0)
    assert cx == pytest.approx(-3.0, abs=1e-9) and cy == pytest.approx(4.0, abs=1e-9)


def test_central_difference_is_second_order():
    # For exp at 0 the forward error is ≈ h/2 and the central error ≈ h²/6.
    h = 1e-3
    (fwd,) = numerical_grad(lambda x: x.exp(), 0.0, h=h, method="forward")
    (cen,) = numerical_grad(lambda x: x.exp(), 0.0, h=h)
    assert fwd - 1.0 == pytest.approx(h / 2, rel=1e-2)
    assert cen - 1.0 == pytest.approx(h**2 / 6, rel=1e-2)


def test_accepts_values_and_plain_results():
    assert numerical_grad(lambda x: 3.0 * x, Value(2.0)) == pytest.approx((3.0,))
    assert numerical_grad(lambda x: 7.0, 2.0) == (0.0,)


@settings(max_examples=50, deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3))
def test_grad_check_of_a_smooth_function(x, y):
    check = grad_check(lambda x, y: (x * y).tanh() + (x - y).sigmoid(), x, y)
    assert check.ok, check
    assert [c.name for c in check] == ["x0", "x1"]


def test_grad_check_names_inputs_by_label_and_prints_a_table():
    check = grad_check(lambda a, b: a * b, Value(2.0, "a"), Value(5.0, "b"))
    text = repr(check)
    assert text.splitlines()[0].split() == ["input", "analytic", "numerical", "rel_error"]
    assert text.splitlines()[1].split()[:2] == ["a", "5.00000000"]
    assert check[1].analytic == 2.0 and math.isclose(check[1].numerical, 2.0, rel_tol=1e-9)
