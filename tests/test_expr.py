"""Tests for backprop_kit.core.parse: typed formulas become the same circuits as hand-built ones."""

from __future__ import annotations

import ast
import math
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop_kit.core.parse as expr_module
from backprop_kit.core.engine import Value, maximum
from backprop_kit.core.gates import GATES
from backprop_kit.core.parse import (
    MAX_DEPTH,
    MAX_LENGTH,
    Expression,
    ExpressionError,
    functions,
    parse,
)

# --- helpers -----------------------------------------------------------------------------------


def circuit(out: Value, variables: tuple[str, ...] = ()) -> list[tuple]:
    """The circuit behind ``out`` as comparable rows: gate, constant, data, parents, label.

    Floats are compared through repr, so equal means bit-for-bit equal (and nan equals nan).
    Labels are compared only on the named inputs.
    """
    order = out.topological_order()
    index = {id(n): i for i, n in enumerate(order)}
    return [
        (
            n.op,
            None if n.const is None else repr(float(n.const)),
            repr(n.data),
            tuple(index[id(p)] for p in n.parents),
            n.label if n.label in variables else None,
        )
        for n in order
    ]


def assert_same(parsed: Expression, hand_built: Value, inputs: dict[str, Value], **values: float):
    """parse + call builds the hand-built circuit: same gates, data and gradients."""
    out, parsed_inputs = parsed.build(**values)
    assert circuit(out, parsed.variables) == circuit(hand_built, parsed.variables)
    out.backward()
    hand_built.backward()
    assert repr(out.data) == repr(hand_built.data)
    for name in parsed.variables:
        assert parsed_inputs[name].label == name
        assert repr(parsed_inputs[name].grad) == repr(inputs[name].grad), name


def one_line_error(text: object) -> str:
    with pytest.raises(ExpressionError) as info:
        parse(text)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message and message.strip() == message and message
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__
    return message


# --- the notes' examples -------------------------------------------------------------------


def test_sum_times_z_matches_hand_built_and_notes_numbers():
    x, y, z = Value(-2, "x"), Value(5, "y"), Value(-4, "z")
    expr = parse("(x + y) * z")
    assert expr.variables == ("x", "y", "z")
    assert_same(expr, (x + y) * z, {"x": x, "y": y, "z": z}, x=-2, y=5, z=-4)
    f, inputs = expr.build(x=-2, y=5, z=-4)
    f.backward()
    assert (f.data, inputs["x"].grad, inputs["y"].grad, inputs["z"].grad) == (-12, -4, -4, 3)


def test_sigmoid_neuron_matches_hand_built_and_notes_numbers():
    w0, w1, w2 = Value(2.0, "w0"), Value(-3.0, "w1"), Value(-3.0, "w2")
    x0, x1 = Value(-1.0, "x0"), Value(-2.0, "x1")
    expr = parse("sigmoid(w0*x0 + w1*x1 + w2)")
    assert expr.variables == ("w0", "x0", "w1", "x1", "w2")
    inputs = {"w0": w0, "w1": w1, "w2": w2, "x0": x0, "x1": x1}
    values = {name: v.data for name, v in inputs.items()}
    assert_same(expr, (w0 * x0 + w1 * x1 + w2).sigmoid(), inputs, **values)
    f, ins = expr.build(**values)
    f.backward()
    assert f.op == "sigmoid" and f"{f.data:.2f}" == "0.73"
    got = [f"{ins[n].grad:.2f}" for n in ("w0", "w1", "w2", "x0", "x1")]
    assert got == ["-0.20", "-0.39", "0.20", "0.39", "-0.59"]


def test_sigmoid_fraction_matches_hand_built():
    x, y = Value(3.0, "x"), Value(-4.0, "y")
    expr = parse("(x + sigmoid(y)) / (sigmoid(x) + (x + y)**2)")
    assert expr.variables == ("x", "y")
    hand = (x + y.sigmoid()) / (x.sigmoid() + (x + y) ** 2)
    assert_same(expr, hand, {"x": x, "y": y}, x=3, y=-4)


def test_max_example_matches_hand_built():
    x, y, z, w = Value(3, "x"), Value(-4, "y"), Value(2, "z"), Value(-1, "w")
    expr = parse("2 * (x*y + max(z, w))")
    assert expr.variables == ("x", "y", "z", "w")
    hand = 2 * (x * y + maximum(z, w))
    assert_same(expr, hand, {"x": x, "y": y, "z": z, "w": w}, x=3, y=-4, z=2, w=-1)
    f, ins = expr.build(x=3, y=-4, z=2, w=-1)
    f.backward()
    assert (f.data, ins["z"].grad, ins["w"].grad) == (-20, 2, 0)


# --- which gate each piece of text becomes ------------------------------------------------


# text | the gate it becomes | its constant ("-": none)
GATE_OF_TEXT = """
x * 2 | scale | 2      2 * x | scale | 2     x / 4 | divc | 4      1 / x | inv | -
x ** 2 | powc | 2      x ** -1 | powc | -1   x ** y | pow | -      2 ** x | pow | -
max(x, y) | max | -    sigmoid(x) | sigmoid | -   exp(x) | exp | -   log(x) | log | -
tanh(x) | tanh | -     relu(x) | relu | -    x + 1 | addc | 1      x - 1 | addc | -1
x - y | sub | -        x / y | div | -       -x | neg | -          x * -relu(-3) | scale | 0
2 * 3 * x | scale | 6      x * (4 - 1) | scale | 3      x * (6 / 4) | scale | 1.5
x * 2 ** 3 | scale | 8     max(2, 5) * x | scale | 5    x / 0.1 | divc | 0.1
"""  # the constant part (2 * 3, 6 / 4, max(2, 5)) is worked out first, as in Python


def _gate_cases() -> list[tuple[str, str, float | None]]:
    cells = [c.split("|") for line in GATE_OF_TEXT.strip().splitlines() for c in line.split("   ")]
    rows = [[p.strip() for p in c] for c in cells if c != [""]]
    return [(t, op, None if c == "-" else float(c)) for t, op, c in rows]


@pytest.mark.parametrize("text, op, const", _gate_cases())
def test_each_operation_becomes_the_kits_gate(text, op, const):
    out = parse(text)(**{n: 2.0 for n in parse(text).variables})
    assert out.op == op
    assert out.const == const


def test_unary_plus_adds_no_gate_and_a_bare_variable_is_its_own_input():
    out, inputs = parse("+x").build(x=1.5)
    assert out is inputs["x"] and out.op == "" and out.label == "x"


def test_constant_on_the_left_of_minus_and_divide_follows_the_kit():
    out = parse("2 - x")(x=5)
    assert (out.op, out.const, out.parents[0].op, out.data) == ("addc", 2.0, "neg", -3.0)
    out = parse("3 / x")(x=2)
    assert (out.op, out.const, out.parents[0].op, out.data) == ("scale", 3.0, "inv", 1.5)


def test_variables_in_order_of_first_appearance():
    assert parse("z * y + x * z + y").variables == ("z", "y", "x")
    assert parse("max(b, a) ** c - b").variables == ("b", "a", "c")
    assert parse("θ * 2 + exp(rate)").variables == ("θ", "rate")


def test_every_call_builds_a_fresh_circuit():
    expr = parse("x * y")
    f1, in1 = expr.build(x=2, y=3)
    f2, in2 = expr.build(x=2, y=3)
    assert f1 is not f2 and in1["x"] is not in2["x"]
    f1.backward()
    assert in1["x"].grad == 3 and in2["x"].grad == 0
    assert list(in1) == ["x", "y"] and in1["y"].label == "y"


def test_text_repr_and_str():
    expr = parse("  (x + y) * z ")
    assert expr.text == "  (x + y) * z "
    assert repr(parse("(x + y) * z")) == "Expression('(x + y) * z')"
    assert str(parse("x*y")) == "x*y"
    assert parse(expr) is expr
    assert Expression("x * y").variables == ("x", "y")


def test_depth_and_length_limits_are_exact():
    assert parse("-" * (MAX_DEPTH - 1) + "x")(x=1.0).data == -1.0  # 99 odd negations + x
    message = one_line_error("-" * MAX_DEPTH + "x")
    assert f"nested {MAX_DEPTH + 1} levels deep" in message and "at most 100" in message
    assert parse("x" * MAX_LENGTH).variables == ("x" * MAX_LENGTH,)
    message = one_line_error("x" * (MAX_LENGTH + 1))
    assert "501 characters" in message and "at most 500" in message


def test_variable_exponent_is_allowed_and_constant_exponent_at_the_limit_too():
    assert parse("x ** y")(x=2, y=3).data == 8
    assert parse("x ** 100")(x=1.0).data == 1.0
    assert parse("x ** -100")(x=1.0).data == 1.0


# --- errors when calling ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, values, fragment",
    [
        ((), {"x": 1, "y": 2}, "needs a value for 'z'"),
        ((), {"x": 1, "y": 2, "z": 3, "q": 4}, "no variable 'q'"),
        ((), {"x": "1", "y": 2, "z": 3}, "variable 'x' needs a real number"),
        ((), {"x": 1, "y": None, "z": 3}, "variable 'y' needs a real number"),
        ((), {"x": 1, "y": 2, "z": True}, "variable 'z' needs a real number"),
        ((1, 2, 3), {}, "by name only"),
    ],
)
def test_bad_call_is_a_one_line_type_error_listing_the_names(args, values, fragment):
    expr = parse("(x + y) * z")
    with pytest.raises(TypeError) as info:
        expr(*args, **values)
    message = str(info.value)
    assert "\n" not in message
    assert fragment in message
    assert "expected names: x, y, z" in message


def test_a_variable_called_self_works():
    assert parse("self * 2")(self=4).data == 8


def test_gate_errors_at_call_time_are_the_kits_own():
    with pytest.raises(ValueError, match="log gate"):
        parse("log(x)")(x=-1)
    with pytest.raises(ZeroDivisionError, match="1/x gate"):
        parse("1 / x")(x=0)


# --- what parse refuses -----------------------------------------------------------------------

FORBIDDEN = [
    ("x.data", "attribute access"),
    ("().__class__", "attribute access"),
    ("x[0]", "subscripts"),
    ("x[1:2]", "subscripts"),
    ("__import__('os')", "'__import__'"),
    ("__builtins__", "'__builtins__'"),
    ("_x + 1", "starting with '_'"),
    ("lambda: x", "lambda"),
    ("[x for x in y]", "comprehensions"),
    ("{x: 1 for x in y}", "comprehensions"),
    ("sum(x for x in y)", "unknown function 'sum'"),
    ("(x for x in y)", "generator expressions"),
    ("'abc' * x", "strings"),
    ("b'abc' * x", "bytes"),
    ("f'{x}'", "f-strings"),
    ("exp(x=1)", "keyword arguments"),
    ("max(*x)", "starred arguments"),
    ("foo(x)", "unknown function 'foo'"),
    ("eval('1')", "unknown function 'eval'"),
    ("x.exp()", "calling a method (a.f()) is not allowed"),
    ("(x)(2)", "unknown function 'x'"),
    ("(lambda: 1)()", "calling anything but a function name"),
    ("x < y", "comparisons"),
    ("x == 1", "comparisons"),
    ("x and y", "and/or"),
    ("not x", "not"),
    ("x if y else z", "conditional expressions"),
    ("(y := x)", "assignment expressions"),
    ("{x}", "sets"),
    ("[x]", "lists"),
    ("{x: 1}", "dicts"),
    ("x, y", "tuples"),
    ("x // 2", "floor division //"),
    ("x % 2", "remainder operator %"),
    ("x @ y", "matrix operator @"),
    ("x | y", "bitwise operator |"),
    ("x & y", "bitwise operator &"),
    ("x ^ y", "bitwise operator ^"),
    ("x << 1", "shift operator <<"),
    ("~x", "bitwise operator ~"),
    ("x ** 1000", "exponents above 100 are not allowed"),
    ("x ** -101", "exponents above 100 are not allowed"),
    ("x ** (50 * 3)", "exponents above 100 are not allowed"),
    ("True * x", "True is not allowed"),
    ("None", "None is not allowed"),
    ("2j * x", "complex numbers"),
    ("... + x", "Ellipsis is not allowed"),
    ("exp + x", "'exp' is a function name"),
    ("x * max", "'max' is a function name"),
    ("max(x)", "max takes 2 arguments, got 1"),
    ("exp(x, y)", "exp takes 1 argument, got 2"),
    ("x / 0", "division by the constant 0"),
    ("x / (2 - 2)", "division by the constant 0"),
    ("log(-1) * x", "log(-1.0) is undefined"),
    ("exp(1000) * x", "constant part is inf"),
    ("1e999 * x", "number is too large"),
    ("9" * 400 + " * x", "number is too large"),
    ("3 + 4", "needs at least one variable"),
    ("2 ** 10", "needs at least one variable"),
    ("", "empty"),
    ("  \n\t ", "empty"),
    ("x +* 2", "syntax error at column 4"),
    ("(x + y", "syntax error at column 1: '(' was never closed"),
    ("  x +* y", "syntax error at column 6"),
    ("x = 1", "syntax error"),
    ("import os", "syntax error"),
    ("x\x00", "null bytes"),
    ("\ud800", "surrogates"),
    ("(" * 10_000, "10000 characters long"),
    ("(" * 240 + "x" + ")" * 240, "too many nested parentheses"),
    ("x" + "+x" * 120, "nested 121 levels deep"),
]


@pytest.mark.parametrize("text, fragment", FORBIDDEN)
def test_forbidden_construct_gives_one_line_error_naming_it(text, fragment):
    message = one_line_error(text)
    assert fragment in message


@pytest.mark.parametrize(
    "text", ["x.data", "x // 2", "lambda: x", "x < y", "'abc' * x", "[x]", "x if y else z"]
)
def test_error_for_a_forbidden_node_also_says_what_is_allowed(text):
    message = one_line_error(text)
    assert "allowed are numbers, variable names, + - * / **" in message
    assert "max (2 arguments)" in message


def test_error_points_at_the_offending_part():
    message = one_line_error("(x + y) * z.data")
    assert "column 11" in message and "'z.data'" in message


@pytest.mark.parametrize("name", list(functions()))
def test_function_names_cannot_be_variables(name):
    assert "function name" in one_line_error(f"x * {name}")


def test_non_str_input_is_a_type_error():
    for bad in (5, None, b"x + y", ["x"]):
        with pytest.raises(TypeError, match="needs the formula as a str"):
            parse(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("error", [RecursionError, MemoryError])
def test_parser_crashes_become_expression_errors(monkeypatch, error):
    def crash(*args, **kwargs):
        raise error("maximum recursion depth exceeded during compilation")

    monkeypatch.setattr(expr_module.ast, "parse", crash)
    message = one_line_error("x + y")
    assert "cannot be read as a formula" in message


def test_the_module_never_runs_code():
    """No call to eval/exec/compile/__import__ in expr.py; ast.parse only in eval mode."""
    tree = ast.parse(Path(expr_module.__file__).read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    names = {getattr(c.func, "id", None) or getattr(c.func, "attr", None) for c in calls}
    assert not names & {"eval", "exec", "compile", "__import__", "execfile", "literal_eval"}
    parses = [c for c in calls if getattr(c.func, "attr", None) == "parse"]
    assert len(parses) == 1
    modes = {k.arg: k.value.value for k in parses[0].keywords if isinstance(k.value, ast.Constant)}
    assert modes == {"mode": "eval"}


# --- properties ------------------------------------------------------------------------------


def parse_or_refuse(text: str) -> None:
    """parse either returns an Expression that builds a circuit, or raises ExpressionError."""
    try:
        expr = parse(text)
    except ExpressionError as e:
        assert "\n" not in str(e)
        return
    assert isinstance(expr, Expression)
    try:
        out = expr(**{n: 0.75 for n in expr.variables})
    except (ValueError, ArithmeticError):  # the gates' own errors (log of a negative, 1/0)
        return
    assert isinstance(out, Value)


@settings(max_examples=300)
@given(st.text(alphabet=string.printable, max_size=60))
def test_random_printable_text_parses_or_is_refused(text):
    parse_or_refuse(text)


@settings(max_examples=150)
@given(st.text(max_size=30))
def test_random_unicode_text_parses_or_is_refused(text):
    parse_or_refuse(text)


TOKENS = ["x", "y", "(", ")", "+", "-", "*", "**", "/", "1e308", "2", "0", "exp", "max", "log"]
TOKENS += ["sigmoid", "_", ".", "[", "]", ",", "lambda", ":", "__class__", "'", "=", "1e999"]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(TOKENS), max_size=40), st.sampled_from(["", " "]))
def test_random_token_sequences_parse_or_are_refused(tokens, sep):
    parse_or_refuse(sep.join(tokens))


@settings(max_examples=40)
@given(st.sampled_from(["(", "-", "exp(", "x+", "(x*", "+"]), st.integers(90, 700))
def test_long_repetitions_parse_or_are_refused(piece, n):
    parse_or_refuse(piece * n + "x" + ")" * (n * piece.count("(")))


# A small grammar: each example is (text, build) where build(env) makes the same thing by hand.
Build = Callable[[dict], object]


class ConstantError(Exception):
    """A constant part that parse documents as refused (fails, or is not finite)."""


def fold(gate: str, *args: float) -> float:
    """The documented rule for a constant part: the gate's forward rule, a finite result."""
    a = float(args[0])
    b = float(args[1]) if len(args) == 2 else 0.0
    try:
        value = GATES[gate].forward(a, b, None)
    except (ValueError, ArithmeticError):
        raise ConstantError from None
    if not math.isfinite(value):
        raise ConstantError
    return value


BINARY = {"+": ("add", lambda a, b: a + b), "-": ("sub", lambda a, b: a - b)}
BINARY |= {"*": ("mul", lambda a, b: a * b), "/": ("div", lambda a, b: a / b)}
BINARY |= {"**": ("pow", lambda a, b: a**b)}
UNARY = {
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
}


def binary(op: str, left: Build, right: Build) -> Build:
    gate, on_values = BINARY[op]

    def build(env: dict) -> object:
        a, b = left(env), right(env)
        if isinstance(a, Value) or isinstance(b, Value):
            if op == "/" and not isinstance(b, Value) and b == 0:
                raise ConstantError  # documented: a constant divisor must be non-zero
            return on_values(a, b)
        return fold(gate, a, b)

    return build


def unary(name: str, arg: Build) -> Build:
    def build(env: dict) -> object:
        a = arg(env)
        return UNARY[name](a) if isinstance(a, Value) else fold(name, a)

    return build


def negate(arg: Build) -> Build:
    return lambda env: -arg(env)


def max_of(left: Build, right: Build) -> Build:
    def build(env: dict) -> object:
        a, b = left(env), right(env)
        if isinstance(a, Value) or isinstance(b, Value):
            return maximum(a, b)
        return fold("max", a, b)

    return build


leaves = st.one_of(
    st.sampled_from(["x", "y", "z"]).map(lambda n: (n, lambda env, n=n: env[n])),
    st.sampled_from([1, 2, 3, 4, 0.5, 0]).map(lambda c: (repr(c), lambda env, c=c: c)),
)


def branches(children: st.SearchStrategy) -> st.SearchStrategy:
    ops = st.sampled_from(["+", "-", "*", "/"])
    exponents = st.sampled_from([-2, -1, 0, 1, 2, 3])
    return st.one_of(
        st.tuples(children, ops, children).map(
            lambda t: (f"({t[0][0]} {t[1]} {t[2][0]})", binary(t[1], t[0][1], t[2][1]))
        ),
        st.tuples(children, exponents).map(
            lambda t: (f"({t[0][0]}) ** {t[1]}", binary("**", t[0][1], lambda env, n=t[1]: n))
        ),
        children.map(lambda c: (f"({c[0]}) ** y", binary("**", c[1], lambda env: env["y"]))),
        children.map(lambda c: (f"-{c[0]}", negate(c[1]))),
        st.tuples(st.sampled_from(list(UNARY)), children).map(
            lambda t: (f"{t[0]}({t[1][0]})", unary(t[0], t[1][1]))
        ),
        st.tuples(children, children).map(
            lambda t: (f"max({t[0][0]}, {t[1][0]})", max_of(t[0][1], t[1][1]))
        ),
    )


formulas = st.recursive(leaves, branches, max_leaves=8)
numbers = st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=250)
@given(formulas, numbers, numbers, numbers)
def test_random_formulas_build_the_same_circuit_as_by_hand(formula, xv, yv, zv):
    text, build = formula
    env = {"x": Value(xv, "x"), "y": Value(yv, "y"), "z": Value(zv, "z")}
    try:
        hand = build(env)
    except ConstantError:
        with pytest.raises(ExpressionError):
            parse(text)
        return
    except (ValueError, ArithmeticError) as e:  # a gate refused these inputs: so must parse
        with pytest.raises((ExpressionError, type(e))):
            expr = parse(text)
            expr.build(**{n: env[n].data for n in expr.variables})
        return
    if not isinstance(hand, Value):
        one_line_error(text)  # no variable at all
        return
    expr = parse(text)
    named = [n for n in re.findall(r"[A-Za-z_]\w*", text) if n not in functions()]
    assert expr.variables == tuple(dict.fromkeys(named))
    values = {n: env[n].data for n in expr.variables}
    assert_same(expr, hand, env, **values)


def test_names_python_folds_together_are_refused_as_lookalikes_not_merged():
    """Python's parser reads ｘ (fullwidth) as x: 'ｘ + x' would silently be 2x."""
    with pytest.raises(ExpressionError, match="look alike .*FULLWIDTH LATIN SMALL LETTER X"):
        parse("ｘ + x")
    assert parse("x * 1e5 + y").variables == ("x", "y")
