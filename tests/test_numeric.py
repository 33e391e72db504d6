"""numerical_grad: the limit definition (forward) and the central difference."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit import Value, grad_check, numerical_grad
from backprop_kit.core.numeric import (
    GRAD_CHECK_PASS,
    GRAD_CHECK_THRESHOLDS,
    grade_rel_error,
    threshold_table,
)


def test_forward_and_central_on_x_times_y():
    # f = x·y at x = 4, y = -3: ∇f = [y, x] = [-3, 4]. Both differences are exact up to
    # round-off for a bilinear function.
    fx, fy = numerical_grad(lambda x, y: x * y, 4.0, -3.0, method="forward")
    assert fx == pytest.approx(-3.0, abs=1e-9) and fy == pytest.approx(4.0, abs=1e-9)
    cx, cy = numerical_grad(lambda x, y: x * y, 4.0, -3.0)
    assert cx == pytest.approx(-3.0, abs=1e-9) and cy == pytest.approx(4.0, abs=1e-9)


def test_backward_difference_is_the_slope_from_the_left():
    # relu at 0 has slope 0 from the left and 1 from the right; exp's backward error is ≈ -h/2.
    assert numerical_grad(lambda x: x.relu(), 0.0, method="backward") == (0.0,)
    assert numerical_grad(lambda x: x.relu(), 0.0, method="forward") == (1.0,)
    h = 1e-3
    (bwd,) = numerical_grad(lambda x: x.exp(), 0.0, h=h, method="backward")
    assert bwd - 1.0 == pytest.approx(-h / 2, rel=1e-2)


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


@settings(max_examples=50)
@given(st.floats(-3, 3), st.floats(-3, 3))
def test_grad_check_of_a_smooth_function(x, y):
    check = grad_check(lambda x, y: (x * y).tanh() + (x - y).sigmoid(), x, y)
    assert check.ok, check
    assert [c.name for c in check] == ["x0", "x1"]


def test_grad_check_names_inputs_by_label_and_prints_a_table():
    check = grad_check(lambda a, b: a * b, Value(2.0, "a"), Value(5.0, "b"))
    text = repr(check)
    head = ["input", "analytic", "numerical", "rel_error", "verdict"]
    assert text.splitlines()[0].split() == head
    assert text.splitlines()[1].split()[:2] == ["a", "5.00000000"]
    assert text.splitlines()[1].split()[4] == grade_rel_error(check[0].rel_error) == "excellent"
    assert check[1].analytic == 2.0 and math.isclose(check[1].numerical, 2.0, rel_tol=1e-9)


def test_one_threshold_table_grades_relative_errors_and_sets_both_pass_marks():
    import numpy as np

    from backprop_kit.nn.arrays import grad_check_array

    bounds = [bound for _, bound, _ in GRAD_CHECK_THRESHOLDS]
    assert bounds == sorted(bounds) and math.isinf(bounds[-1])
    names = [name for name, _, _ in GRAD_CHECK_THRESHOLDS]
    assert names == ["excellent", "acceptable", "suspicious", "wrong"]
    for (name, bound, _), below in zip(GRAD_CHECK_THRESHOLDS, [0.0, *bounds[:-1]]):
        assert grade_rel_error(below) == name
        assert math.isinf(bound) or grade_rel_error(bound * 0.999) == name
    assert grade_rel_error(math.nan) == "not finite"
    assert GRAD_CHECK_PASS == dict((n, b) for n, b, _ in GRAD_CHECK_THRESHOLDS)["acceptable"]
    assert len(threshold_table().splitlines()) == len(GRAD_CHECK_THRESHOLDS)
    # grad_check and grad_check_array pass exactly below the table's pass mark
    off = 3 * GRAD_CHECK_PASS
    check = grad_check(lambda v: v * 2.0, Value(1.0))
    assert check.ok and check[0].verdict == "excellent"
    arr = np.array([1.0, 2.0])
    near = grad_check_array(lambda a: 2 * a, arr, np.ones(2), np.full(2, 2.0 * (1 + off)))
    assert not near.passed and "suspicious" in str(near)


def test_rel_error_of_huge_numbers_does_not_overflow_to_a_perfect_score():
    from backprop_kit import rel_error

    assert rel_error(1e308, 1.7e308) == pytest.approx(0.7 / 2.7)
    assert rel_error(1e308, -1e308) == 1.0
    import numpy as np

    assert rel_error(np.array([1e308]), np.array([1.7e308])) == pytest.approx(0.7 / 2.7)


@pytest.mark.parametrize("bad", [None, "1", True, b"1"])
def test_rel_error_refuses_what_is_not_a_number(bad):
    from backprop_kit import Value, rel_error

    with pytest.raises(TypeError, match="rel_error needs numbers or arrays"):
        rel_error(bad, 1.0)
    with pytest.raises(TypeError, match="pass its .data"):
        rel_error(Value(1.0), 1.0)
    with pytest.raises(ValueError, match="a float can hold"):
        rel_error(10**400, 1)
