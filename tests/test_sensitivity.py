"""Finite-difference error tables, one-sided slopes at kinks, and backprop's exact gradients."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit import Value, maximum, numerical_grad
from backprop_kit.chapters.sensitivity import (
    DEFAULT_HS,
    backprop_grads,
    difference_errors,
    one_sided_slopes,
    plot_difference_errors,
)


def cube(x):
    return x * x * x


def test_default_steps_run_from_1e_1_to_1e_15():
    assert len(DEFAULT_HS) == 15
    assert DEFAULT_HS[0] == 0.1 and DEFAULT_HS[-1] == 1e-15
    assert all(a / b == pytest.approx(10.0) for a, b in zip(DEFAULT_HS, DEFAULT_HS[1:]))


def test_backprop_grads_of_product_are_the_switched_inputs():
    assert backprop_grads(lambda x, y: x * y, 4.0, -3.0) == (-3.0, 4.0)


def test_backprop_grads_rejects_bad_calls():
    with pytest.raises(TypeError, match="not a Value"):
        backprop_grads(lambda x: 3.0, 1.0)
    with pytest.raises(TypeError, match="function"):
        backprop_grads(5, 1.0)
    with pytest.raises(ValueError, match="at least one input"):
        backprop_grads(lambda x: x)


def test_table_of_cube_matches_the_textbook_error_formulas():
    t = difference_errors(cube, 1.3)
    assert t.exact == pytest.approx(3 * 1.3**2, abs=1e-14)
    # for x³ the forward error is 3x·h + h² and the central error is exactly h² (before
    # round-off): check both where truncation dominates
    for h, fwd, cen in zip(t.hs, t.forward, t.central):
        if h >= 1e-4:
            assert fwd - t.exact == pytest.approx(3 * 1.3 * h + h * h, rel=1e-6)
            assert cen - t.exact == pytest.approx(h * h, rel=1e-4)


def test_slopes_are_one_and_two_then_round_off_wins():
    t = difference_errors(cube, 1.3)
    assert t.slope("forward") == pytest.approx(1.0, abs=0.05)
    assert t.slope("central") == pytest.approx(2.0, abs=0.05)
    # the best step is a compromise: about sqrt(eps) for forward, eps^(1/3) for central
    assert 1e-10 <= t.best_h("forward") <= 1e-6
    assert 1e-7 <= t.best_h("central") <= 1e-4
    assert t.best_h("central") > t.best_h("forward")
    for method in ("forward", "central"):
        err = t.errors(method)
        assert err[-1] > 1000 * err.min()  # at h = 1e-15 round-off has taken over


@settings(max_examples=30)
@given(st.floats(-2.0, 2.0))
def test_exp_truncation_slopes_on_random_points(x):
    t = difference_errors(lambda v: v.exp(), x)
    assert t.exact == pytest.approx(math.exp(x), rel=1e-15)
    assert t.slope("forward") == pytest.approx(1.0, abs=0.1)
    assert t.slope("central") == pytest.approx(2.0, abs=0.1)


def test_errors_are_distances_from_the_given_exact_value():
    t = difference_errors(lambda v: 3.0 * v * v, 2.0, hs=[0.5, 0.25], exact=12.0)
    np.testing.assert_allclose(t.forward, [(3 * 2.5**2 - 12) / 0.5, (3 * 2.25**2 - 12) / 0.25])
    np.testing.assert_allclose(t.errors("forward"), np.abs(t.forward - 12.0))
    np.testing.assert_allclose(t.errors("central"), np.abs(t.central - 12.0), atol=1e-15)
    assert t.forward[0] == numerical_grad(lambda v: 3.0 * v * v, 2.0, h=0.5, method="forward")[0]


def test_a_function_returning_a_number_needs_exact():
    t = difference_errors(lambda v: v.data**2, 3.0, hs=[1e-3], exact=6.0)
    assert t.central[0] == pytest.approx(6.0)
    with pytest.raises(TypeError, match="not a Value"):
        difference_errors(lambda v: v.data**2, 3.0)


def test_bad_arguments_give_clear_errors():
    t = difference_errors(cube, 1.0, hs=[0.1, 0.01])
    with pytest.raises(ValueError, match="'forward' or 'central'"):
        t.errors("backward")
    with pytest.raises(ValueError, match="at least two steps"):
        t.slope("forward", h_min=0.1, h_max=0.1)
    with pytest.raises(ValueError, match="positive"):
        difference_errors(cube, 1.0, hs=[0.1, -0.01])
    with pytest.raises(ValueError, match="empty"):
        difference_errors(cube, 1.0, hs=[])


def test_table_prints_one_row_per_step():
    text = repr(difference_errors(cube, 1.3))
    lines = text.splitlines()
    assert lines[0] == "exact derivative at x = 1.3: 5.07"
    assert len(lines) == 2 + len(DEFAULT_HS)
    assert lines[2].split()[0] == "1e-01" and lines[-1].split()[0] == "1e-15"


def test_plot_draws_both_methods_and_their_guides():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = difference_errors(cube, 1.3)
    fig, ax = plt.subplots()
    assert plot_difference_errors(t, ax=ax) is fig
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == [
        "forward difference",
        "slope 1 (error ∝ h)",
        "central difference",
        "slope 2 (error ∝ h²)",
    ]
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), t.errors("forward"))
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    plt.close(fig)


def test_plot_leaves_out_exact_zeros():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # f = 2x: the difference quotient at x = 1 with h = 0.5 or 0.25 is exactly 2
    t = difference_errors(lambda v: v * 2.0, 1.0, hs=[0.5, 0.25, 1e-7])
    assert t.errors("forward")[0] == 0.0
    fig = plot_difference_errors(t, guides=False)
    xdata = fig.axes[0].get_lines()[0].get_xdata()
    assert 0.5 not in list(xdata)
    plt.close(fig)


def test_importing_sensitivity_does_not_load_pyplot():
    code = (
        "import backprop_kit.chapters.sensitivity, sys; print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_max_at_a_tie_has_different_left_and_right_slopes():
    table = one_sided_slopes(maximum, 2.0, 2.0, names=["x", "y"])
    for row in table:
        assert row.left == 0.0
        assert row.right == pytest.approx(1.0, abs=1e-6)
        assert row.central == pytest.approx(0.5, abs=1e-6)
        assert row.backprop == 1.0  # the kit's convention: a tie sends the gradient to both
    assert [row.name for row in table] == ["x", "y"]


def test_away_from_a_kink_all_four_slopes_agree():
    table = one_sided_slopes(lambda x, y: x * y + maximum(x, y), 1.5, -0.5)
    (x, y) = table
    assert [x.left, x.right, x.central] == pytest.approx([x.backprop] * 3, abs=1e-5)
    assert [y.left, y.right, y.central] == pytest.approx([y.backprop] * 3, abs=1e-5)
    assert (x.backprop, y.backprop) == (0.5, 1.5)
    assert x.name == "x0" and y.name == "x1"


def test_relu_at_zero_from_both_sides():
    (row,) = one_sided_slopes(lambda v: v.relu(), 0.0)
    assert (row.left, row.right, row.backprop) == (0.0, 1.0, 0.0)


def test_slope_table_prints_and_checks_names():
    text = repr(one_sided_slopes(maximum, 2.0, 2.0, names=["x", "y"]))
    assert text.splitlines() == [
        "input      left     right   central  backprop",
        "x        0.0000    1.0000    0.5000    1.0000",
        "y        0.0000    1.0000    0.5000    1.0000",
    ]
    with pytest.raises(ValueError, match="one per input"):
        one_sided_slopes(maximum, 1.0, 2.0, names=["x"])
    with pytest.raises(ValueError, match="positive"):
        one_sided_slopes(maximum, 1.0, 2.0, h=0.0)


@settings(max_examples=40)
@given(st.floats(-5, 5), st.floats(-5, 5))
def test_backprop_grads_agree_with_central_difference(a, b):
    def f(x, y):
        return (x * y + x).tanh() * y

    exact = backprop_grads(f, a, b)
    numeric = numerical_grad(f, a, b)
    assert exact == pytest.approx(numeric, rel=1e-5, abs=1e-7)


def test_inputs_may_be_values_or_numbers_but_nothing_else():
    assert backprop_grads(lambda x: x * x, 3) == (6.0,)
    assert backprop_grads(lambda x: x * x, Value(3.0)) == (6.0,)
    with pytest.raises(TypeError, match="real number"):
        backprop_grads(lambda x: x * x, "3")
