"""Every gate's local gradient agrees with the central difference, on random inputs."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_kit import GATES, Value, derivative_table, maximum, rel_error

finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False)
positive = st.floats(0.1, 5, allow_nan=False, allow_infinity=False)
const = st.floats(-3, 3, allow_nan=False, allow_infinity=False).filter(lambda c: abs(c) > 1e-3)

H = 1e-6


def central(fn, *xs: float, i: int) -> float:
    up = list(xs)
    down = list(xs)
    up[i] += H
    down[i] -= H
    return (fn(*up) - fn(*down)) / (2 * H)


def assert_local_matches(name: str, xs: tuple[float, ...], c: float | None = None) -> None:
    gate = GATES[name]
    b = xs[1] if len(xs) == 2 else 0.0

    def forward(*args: float) -> float:
        return gate.forward(args[0], args[1] if len(args) == 2 else 0.0, c)

    out = forward(*xs)
    local = gate.local(out, xs[0], b, c)
    assert len(local) == gate.arity == len(xs)
    for i in range(len(xs)):
        numeric = central(forward, *xs, i=i)
        # A near-zero slope is swamped by the difference's round-off (≈ eps·|f|/h): there,
        # compare absolutely.
        close = abs(local[i] - numeric) < 1e-8 * max(1.0, abs(out))
        assert rel_error(local[i], numeric) < 1e-6 or close, (name, xs, c, i, local[i], numeric)


@settings(max_examples=60, deadline=None)
@given(finite, finite)
def test_two_input_gates(a: float, b: float) -> None:
    for name in ("add", "mul", "sub"):
        assert_local_matches(name, (a, b))
    assume(abs(a - b) > 1e-3)  # max has a kink at a == b
    assert_local_matches("max", (a, b))


@settings(max_examples=60, deadline=None)
@given(finite, finite.filter(lambda b: abs(b) > 0.1))
def test_div_gate(a: float, b: float) -> None:
    assert_local_matches("div", (a, b))


@settings(max_examples=60, deadline=None)
@given(positive, st.floats(-3, 3))
def test_pow_gate(a: float, b: float) -> None:
    assert_local_matches("pow", (a, b))


@settings(max_examples=60, deadline=None)
@given(finite, const)
def test_gates_with_a_constant(a: float, c: float) -> None:
    assert_local_matches("addc", (a,), c)
    assert_local_matches("scale", (a,), c)
    assume(abs(a) > 0.1)
    assert_local_matches("powc", (abs(a),), c)


@settings(max_examples=60, deadline=None)
@given(finite)
def test_one_input_gates(a: float) -> None:
    for name in ("exp", "sigmoid", "neg", "tanh"):
        assert_local_matches(name, (a,))
    assume(abs(a) > 1e-3)
    assert_local_matches("relu", (a,))
    assume(abs(a) > 0.1)
    assert_local_matches("inv", (a,))
    assert_local_matches("log", (abs(a),))


def test_every_gate_is_tested_above() -> None:
    tested = {"add", "mul", "sub", "max", "div", "pow", "addc", "scale", "powc"}
    tested |= {"exp", "sigmoid", "neg", "tanh", "relu", "inv", "log"}
    assert set(GATES) == tested


def test_the_notes_gates_exist_under_their_symbols() -> None:
    symbols = {
        GATES[n].label(c)
        for n, c in [
            ("add", None),
            ("mul", None),
            ("max", None),
            ("exp", None),
            ("inv", None),
            ("addc", 1.0),
            ("scale", -1.0),
            ("sigmoid", None),
        ]
    }
    assert symbols == {"+", "*", "max", "exp", "1/x", "+1", "*-1", "σ"}


def test_derivative_table_is_the_notes_table() -> None:
    lines = derivative_table().splitlines()
    assert lines == [GATES[n].formula for n in ("inv", "addc", "exp", "scale")]
    assert "−1/x²" in lines[0] and "df/dx = 1" in lines[1] and "eˣ" in lines[2]
    with pytest.raises(ValueError, match="unknown gate 'sin'"):
        derivative_table(("sin",))


def test_max_tie_sends_the_gradient_to_both_inputs() -> None:
    a, b = Value(2.0), Value(2.0)
    m = maximum(a, b)
    m.backward()
    assert (a.grad, b.grad) == (1.0, 1.0)


def test_max_routes_to_the_larger_input() -> None:
    a, b = Value(2.0), Value(-1.0)
    m = maximum(a, b)
    m.backward()
    assert (a.grad, b.grad) == (1.0, 0.0)
    assert m.data == 2.0


def test_overflow_gives_inf_not_an_exception() -> None:
    assert Value(1000.0).exp().data == math.inf
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert (Value(10.0) ** 400).data == math.inf
