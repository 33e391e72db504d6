"""Bad input gets a clear, one-line error that names the problem and what is allowed."""

from __future__ import annotations

import math

import pytest

from backprop_kit import Value, grad_check, maximum, numerical_grad, rel_error, staged


def one_line(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text and text, text
    return text


@pytest.mark.parametrize(
    ("bad", "type_name"),
    [("3", "str"), (None, "NoneType"), ([1.0], "list"), (1 + 2j, "complex"), (True, "bool")],
)
def test_value_rejects_non_numbers(bad, type_name):
    with pytest.raises(TypeError) as err:
        Value(bad)
    msg = one_line(err)
    assert type_name in msg and "real number" in msg and "int or float" in msg


def test_value_rejects_a_value_and_a_bad_label():
    with pytest.raises(TypeError, match="got a Value"):
        Value(Value(1.0))
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)


def test_operators_reject_non_numbers():
    with pytest.raises(TypeError) as err:
        Value(1.0) + "2"
    assert "str" in one_line(err)
    with pytest.raises(TypeError) as err:
        maximum(Value(1.0), None)
    assert "NoneType" in one_line(err)
    with pytest.raises(TypeError) as err:  # the type is the mistake, not the 0 it divides
        "a" / Value(0.0)
    assert "got str 'a'" in one_line(err)


def test_numpy_floats_become_plain_floats_on_every_wire():
    np = pytest.importorskip("numpy")
    f = Value(np.float64(2.0)) * np.float64(3.0) + np.float32(0.5)
    assert {type(v.data) for v in f.topological_order()} == {float}
    assert all(type(v.const) is float for v in f.topological_order() if v.const is not None)
    assert repr(f.data) == "6.5"


def test_a_step_lost_in_rounding_is_a_one_line_error_not_a_zero_slope():
    with pytest.raises(ValueError) as err:
        numerical_grad(lambda x: x * x, 1e12)
    assert "h = 1e-05 is lost in rounding" in one_line(err) and "at least 1e+04" in one_line(err)
    with pytest.raises(ValueError, match="lost in rounding"):
        grad_check(lambda x: x * x, 1e12)


def test_log_of_non_positive():
    for x in (0.0, -2.0):
        with pytest.raises(ValueError) as err:
            Value(x).log()
        msg = one_line(err)
        assert "log" in msg and repr(x) in msg and "> 0" in msg


def test_inverse_and_division_at_zero():
    with pytest.raises(ZeroDivisionError) as err:
        Value(0.0).inv()
    assert "1/x" in one_line(err) and "0" in str(err.value)
    with pytest.raises(ZeroDivisionError) as err:
        1.0 / Value(0.0)
    assert "1/x" in one_line(err)
    with pytest.raises(ZeroDivisionError) as err:
        Value(3.0) / Value(0.0)
    assert "div" in one_line(err) and "3.0" in str(err.value)
    with pytest.raises(ZeroDivisionError) as err:
        Value(3.0) / 0
    assert "div" in one_line(err)


def test_negative_base_to_non_integer_exponent():
    with pytest.raises(ValueError) as err:
        Value(-8.0) ** Value(0.5)
    msg = one_line(err)
    assert "pow" in msg and "-8.0" in msg and "0.5" in msg and "non-integer" in msg
    with pytest.raises(ValueError):
        Value(-8.0) ** 0.5
    assert (Value(-2.0) ** Value(3.0)).data == -8.0  # an integer exponent is fine
    with pytest.raises(ZeroDivisionError) as err:
        Value(0.0) ** -1
    assert "pow" in one_line(err)


def test_nan_and_inf_propagate():
    assert math.isnan((Value(math.nan) * 2).data)
    assert (Value(math.inf) + 1).data == math.inf


def test_grad_check_reports_non_finite_gradients():
    # A NaN in the circuit: a small rel_error would be a lie.
    check = grad_check(lambda x: x * math.nan + x, 1.0)
    assert math.isnan(check[0].rel_error) and not check.ok
    assert "not finite" in check[0].problem and "not finite" in repr(check)
    check = grad_check(lambda x: (x * 1000.0).exp(), 1.0)
    assert math.isnan(check.max_rel_error) and not check.ok


def test_rel_error_definition_and_errors():
    assert rel_error(1.0, 1.0) == 0.0
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert rel_error(0.0, 0.0) == 0.0 and rel_error(0.0, 1e-9) == pytest.approx(0.1)
    assert math.isnan(rel_error(math.inf, math.inf)) and math.isnan(rel_error(1.0, math.nan))
    assert rel_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 4.2)
    with pytest.raises(ValueError) as err:
        rel_error([1.0, 2.0], [1.0])
    assert "shapes differ" in one_line(err)


def test_numerical_grad_argument_errors():
    with pytest.raises(ValueError) as err:
        numerical_grad(lambda x: x, 1.0, method="sideways")
    assert "'central' or 'forward' (or 'backward')" in one_line(err)
    with pytest.raises(ValueError) as err:
        numerical_grad(lambda x: x, 1.0, h=0.0)
    assert "positive" in one_line(err)
    with pytest.raises(TypeError) as err:
        numerical_grad(3.0, 1.0)
    assert "function" in one_line(err)
    with pytest.raises(ValueError) as err:
        numerical_grad(lambda: 1.0)
    assert "at least one input" in one_line(err)
    with pytest.raises(TypeError) as err:
        grad_check(lambda x: 3.0, 1.0)
    assert "not a Value" in one_line(err)


def test_staged_needs_a_value():
    with pytest.raises(TypeError) as err:
        staged(3.0)
    assert "needs a Value" in one_line(err)


def test_numerical_gradients_cap_the_number_of_inputs():
    assert len(numerical_grad(lambda *xs: sum(xs), *range(500))) == 500
    with pytest.raises(ValueError) as err:
        grad_check(lambda *xs: sum(xs), *range(501))
    assert "at most 500 inputs" in one_line(err)
