"""Every gate's local gradient agrees with the central difference, on random inputs."""

from __future__ import annotations

import ast
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import backprop_kit
from backprop_kit import GATES, Value, derivative_table, maximum, rel_error
from backprop_kit.core.gates import sigmoid_of
from backprop_kit.nn import arrays

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


@settings(max_examples=60)
@given(finite, finite)
def test_two_input_gates(a: float, b: float) -> None:
    for name in ("add", "mul", "sub"):
        assert_local_matches(name, (a, b))
    assume(abs(a - b) > 1e-3)  # max has a kink at a == b
    assert_local_matches("max", (a, b))


@settings(max_examples=60)
@given(finite, finite.filter(lambda b: abs(b) > 0.1))
def test_div_gate(a: float, b: float) -> None:
    assert_local_matches("div", (a, b))


@settings(max_examples=60)
@given(positive, st.floats(-3, 3))
def test_pow_gate(a: float, b: float) -> None:
    assert_local_matches("pow", (a, b))


@settings(max_examples=60)
@given(finite, const)
def test_gates_with_a_constant(a: float, c: float) -> None:
    assert_local_matches("addc", (a,), c)
    assert_local_matches("scale", (a,), c)
    if abs(c) > 0.1:
        assert_local_matches("divc", (a,), c)
    assume(abs(a) > 0.1)
    assert_local_matches("powc", (abs(a),), c)


@settings(max_examples=60)
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
    tested = {"add", "mul", "sub", "max", "div", "pow", "addc", "scale", "divc", "powc"}
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


# --- the one σ: gates.sigmoid_of, for a number and for an array -----------------------------

wide = st.floats(-1000, 1000, allow_nan=False)  # beyond ±709, where e⁻ˣ overflows


@given(wide)
def test_the_sigma_gate_computes_what_its_staged_code_prints(x: float) -> None:
    # bit for bit: staged programs, micrograd and the stored outputs depend on it
    overflows = -x > math.log(sys.float_info.max)  # e⁻ˣ is inf: σ is 0 (math.exp would raise)
    staged = "0.0" if overflows else GATES["sigmoid"].code.format(a=repr(x))
    assert GATES["sigmoid"].forward(x, 0.0, None) == sigmoid_of(x) == eval(staged)


@given(st.lists(wide, min_size=1, max_size=40), st.sampled_from([(-1,), (1, -1), (-1, 1)]))
def test_sigmoid_of_an_array_is_the_number_rule_on_each_entry(xs: list, shape: tuple) -> None:
    X = np.array(xs).reshape(shape)
    out = sigmoid_of(X)
    assert out.shape == X.shape
    each = np.array([sigmoid_of(x) for x in xs]).reshape(shape)
    # np.exp is not libm's exp: measured here, it differs from math.exp in the last bit on
    # about 4% of inputs; σ then differs by at most an ulp or so, never more
    np.testing.assert_array_max_ulp(out, each, maxulp=2)
    assert np.array_equal(arrays.sigmoid(X)[0], out)


def test_sigmoid_far_out_is_0_and_1_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow RuntimeWarning would fail here
        assert sigmoid_of(-1000.0) == 0.0 and sigmoid_of(1000.0) == 1.0
        out = sigmoid_of(np.array([-1000.0, -710.0, 0.0, 1000.0]))
        assert out.tolist() == [0.0, 0.0, 0.5, 1.0]
        assert arrays.sigmoid(np.array([-1000.0]))[0].tolist() == [0.0]


def _is(node: ast.AST, value: float) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def _calls(node: ast.AST, names: tuple[str, ...]) -> bool:
    func = getattr(node, "func", None)
    return getattr(func, "attr", getattr(func, "id", None)) in names


def _is_sigma_formula(node: ast.AST) -> bool:
    """``1/(1 + …)``, ``0.5*(1 + tanh(…))``, ``(1 + tanh(…))/2`` or a call of expit/logistic."""
    if _calls(node, ("expit", "logistic")):
        return True
    if not isinstance(node, ast.BinOp):
        return False

    def one_plus(n: ast.AST, what=lambda _: True) -> bool:
        return (
            isinstance(n, ast.BinOp)
            and isinstance(n.op, ast.Add)
            and any(_is(x, 1) and what(y) for x, y in ((n.left, n.right), (n.right, n.left)))
        )

    def tanh(n: ast.AST) -> bool:
        return _calls(n, ("tanh",))

    a, b = node.left, node.right
    if isinstance(node.op, ast.Div):
        return (_is(a, 1) and one_plus(b)) or (one_plus(a, tanh) and _is(b, 2))
    return isinstance(node.op, ast.Mult) and any(
        _is(x, 0.5) and one_plus(y, tanh) for x, y in ((a, b), (b, a))
    )


def sigma_formulas(package: Path) -> list[str]:
    """``file:function`` of every σ formula in the code of ``package`` (strings don't count)."""
    found = []

    def visit(node: ast.AST, file: str, where: str) -> None:
        if _is_sigma_formula(node):
            found.append(f"{file}:{where}")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            where = node.name
        for child in ast.iter_child_nodes(node):
            visit(child, file, where)

    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        visit(tree, str(path.relative_to(package)), "<module>")
    return found


def test_the_package_writes_the_sigma_formula_once() -> None:
    # Value.sigmoid(expanded=True) writes 1/(1 + e⁻ˣ) with Values: it builds σ's four gates
    # (*-1, exp, +1, 1/x), the circuit a drawing expands, not a second rule for σ's value
    assert sigma_formulas(Path(backprop_kit.__file__).parent) == [
        "core/engine.py:sigmoid",
        "core/gates.py:sigmoid_of",
    ]


def test_the_sigma_finder_sees_each_way_of_writing_sigma(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "def f(z):\n    return 0.5 * (1.0 + np.tanh(0.5 * z))\n"
        "def g(z):\n    return 1 / (np.exp(-z) + 1)\n"
        "h = lambda z: (1 + tanh(z / 2)) / 2\n"
        "def k(z):\n    return scipy.special.expit(z)\n"
        "def no(z):\n    return 2 / (1 + z), 0.5 * (2 + tanh(z)), '1 / (1 + exp(-z))'\n",
        encoding="utf-8",
    )
    assert sigma_formulas(tmp_path) == ["a.py:f", "a.py:g", "a.py:<module>", "a.py:k"]
