"""One number formatter for the whole kit: style.format_number."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop_kit import Value, draw
from backprop_kit.core.text import NUMBER_STYLES, check_fmt, format_number

STYLES = ("{:.2f}", "{:.3g}", *NUMBER_STYLES)


@pytest.mark.parametrize(
    ("x", "fmt", "text"),
    [
        (2.5, "{:.2f}", "2.50"),
        (math.exp(100), "{:.2f}", "2.688e+43"),  # too long for a wire: 4 significant digits
        (-1.23456, "readout", "-1.2346"),
        (12345678.9, "readout", "1.23457e+07"),
        (0.693147, "about3", "0.693"),
        (1250.4, "about3", "1,250"),
        (3.93e-4, "about3", "0.000393"),
        (5e-7, "about3", "5e-07"),
        (1.0, "exact", "1"),
        (0.5, "exact", "0.5"),
        (-1.0, "exact", "-1"),
        (1e20, "exact", "1e+20"),
        (0.1, "exact", "0.1"),
        (123456789.0, "g", "1.23457e+08"),
        (None, "g", "None"),
    ],
)
def test_each_style_writes_numbers_as_its_docstring_says(x, fmt, text):
    assert format_number(x, fmt) == text


@given(st.floats(-1e-3, 1e-3), st.sampled_from(STYLES))
def test_a_number_that_shows_as_zero_never_has_a_minus_sign(x, fmt):
    s = format_number(x, fmt)
    assert not (s.startswith("-") and float(s.replace(",", "")) == 0.0)


@pytest.mark.parametrize("fmt", STYLES)
def test_nan_and_infinities_are_words(fmt):
    assert [format_number(x, fmt) for x in (math.nan, math.inf, -math.inf)] == [
        "nan",
        "inf",
        "-inf",
    ]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_exact_reads_back_as_the_same_float(x):
    assert float(format_number(x, "exact")) == x or x == 0.0


@pytest.mark.parametrize("bad", ["abc", "{}{}", "{:d}", 3, None, "{0[1]}"])
def test_a_fmt_that_cannot_show_its_number_is_one_line(bad):
    with pytest.raises(ValueError, match="fmt must be a format string") as e:
        check_fmt(bad)
    assert "\n" not in str(e.value)


def test_draw_refuses_a_fmt_without_a_place_for_the_number():
    x = Value(2.0, label="x")
    with pytest.raises(ValueError, match="fmt must be"):
        draw(x * x, fmt="value")  # once silently drew "value" on every wire


@pytest.mark.parametrize(
    ("x", "fmt", "text"),
    [
        (-0.004, "{:.2f}%", "0.00%"),  # zero with a suffix: no minus sign either
        (-0.0, "{:.1f} m", "0.0 m"),
        (2.0, "{:e}", "2.000000e+00"),
        (-2.0, "{:e}", "-2.000000e+00"),  # a minus sign does not make it "too long"
        (1e15, "exact", "1000000000000000"),
        (True, "g", "1"),
    ],
)
def test_edges_a_hostile_review_found(x, fmt, text):
    assert format_number(x, fmt) == text


@pytest.mark.parametrize(
    ("x", "fmt", "error"),
    [
        ("2.5", "{:.2f}", TypeError),
        (10**400, "{:.2f}", ValueError),
        (1.5, "%.2f", ValueError),
        (1.5, "", ValueError),
        (1.5, "EXACT", ValueError),
    ],
)
def test_format_number_refuses_what_it_cannot_write_in_one_line(x, fmt, error):
    with pytest.raises(error) as e:
        format_number(x, fmt)
    assert "\n" not in str(e.value)


def test_the_fmt_error_names_the_styles():
    with pytest.raises(ValueError, match="'readout', 'about3', 'exact', 'g'"):
        check_fmt("EXACT")


def test_describe_checks_show_grad_as_draw_does():
    from backprop_kit import describe

    x = Value(2.0, label="x")
    with pytest.raises(ValueError, match="show_grad must be None"):
        describe(x * x, show_grad="yes")
