"""One table of operations: a gate added in one place (``gates.register``) is built by the
engine, printed as a formula, parsed, drawn, staged and described like any other."""

from __future__ import annotations

import math

import pytest

from backprop_kit import Value, describe, parse, staged
from backprop_kit.core import gates
from backprop_kit.core.engine import apply
from backprop_kit.core.graph import build, copy_circuit, formula
from backprop_kit.core.numeric import grad_check
from backprop_kit.pictures.svg import to_svg
from backprop_kit.pictures.view import CircuitView

SIN = gates.Gate(
    "sin",
    "sin",
    1,
    lambda a, b, c: math.sin(a),
    lambda out, a, b, c: (math.cos(a),),
    "math.sin({a})",
    ("math.cos({a})",),
    "f(x) = sin x  →  df/dx = cos x",
    ("sin({a})",),
)


@pytest.fixture
def sin_gate():
    gates.register(SIN)
    try:
        yield SIN
    finally:
        gates.unregister("sin")


def test_a_registered_gate_is_parsed_built_and_differentiated(sin_gate):
    f = parse("sin(x) * y")(x=0.5, y=2.0)
    f.backward()
    x, y = (v for v in f.topological_order() if not v.parents)
    assert f.data == math.sin(0.5) * 2.0
    assert x.grad == math.cos(0.5) * 2.0 and y.grad == math.sin(0.5)
    assert formula(f.parents[0]) == "sin(x)"
    assert [c.rel_error < 1e-7 for c in grad_check(lambda a: apply("sin", a), 0.3)] == [True]


def test_a_registered_gate_is_staged_and_runs_bit_for_bit(sin_gate):
    x = Value(0.7, "x")
    f = apply("sin", x) * x
    f.backward()
    program = staged(f)
    assert "math.sin(x)" in str(program) and "math.cos(x)" in str(program)
    assert program.run()["dx"] == x.grad


def test_a_registered_gate_is_drawn_copied_and_described(sin_gate):
    f = parse("sin(x) + x")(x=1.0)
    f.backward()
    svg = to_svg(CircuitView(f).scene())
    assert ">sin<" in svg
    assert "sin" in describe(f)
    assert copy_circuit(f)[0].parents[0].op == "sin"


def test_a_registered_gate_is_built_on_another_engines_class(sin_gate):
    class Other:  # a learner's engine: only what the form needs
        def __init__(self, x):
            self.x = x

        def sin(self):
            return Other(math.sin(self.x))

    assert build(SIN.python[0], Other(0.5)).x == math.sin(0.5)


def test_unregister_takes_it_out_and_built_ins_stay():
    gates.register(SIN)
    gates.unregister("sin")
    assert "sin" not in gates.GATES
    with pytest.raises(Exception, match="unknown function 'sin'"):
        parse("sin(x)")
    with pytest.raises(ValueError, match="built-in"):
        gates.unregister("mul")
    with pytest.raises(ValueError, match="already"):
        gates.register(gates.GATES["mul"])


def test_the_table_forms_build_each_gate_on_the_kits_value():
    """python[0] of every gate builds exactly that gate (how formulas print it is its truth)."""
    a, b = Value(1.7, "a"), Value(0.6, "b")
    for g in gates.GATES.values():
        c = g.consts[0] if g.consts else None
        out = build(g.python[0], a, b, c)
        assert out.op == g.name and out.const == c, g.name
        assert out.data == g.forward(1.7, 0.6 if g.arity == 2 else 0.0, c)


def test_a_negative_base_is_bracketed_so_the_formula_reads_back():
    x = Value(2.0, "x")
    for f in (parse("(-2) ** x")(x=2.0), (-2.0) ** x, Value(-3.0) ** x):
        text = formula(f)
        assert text.startswith("(-"), text
        names = {v.label: v.data for v in f.topological_order() if not v.parents and v.label}
        assert parse(text)(**{n: names[n] for n in parse(text).variables}).data == f.data


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"python": ()}, "Python forms"),
        ({"name": ""}, "identifier"),
        ({"arity": True}, "1 or 2 inputs"),
        ({"python": ("max({a})",)}, "already writes another gate"),
        ({"local_code": ()}, "one local_code each"),
        ({"local": lambda out, a, b, c: (1.0, 2.0)}, "local gave 2 slopes"),
    ],
)
def test_register_refuses_a_row_that_would_break_the_table(change, words):
    import dataclasses

    before = dict(gates.GATES)
    with pytest.raises(ValueError, match=words):
        gates.register(dataclasses.replace(SIN, **change))
    assert gates.GATES == before
    assert parse("max(x, 1) + 1")(x=2.0).data == 3.0  # the table still works


def test_a_formula_writes_every_digit_and_refuses_a_circuit_too_deep_to_write():
    text = formula(Value(0.123456789) * Value(1.0, "y") + 3.0)
    assert text == "0.123456789 * y + 3" and parse(text)(y=1.0).data == 0.123456789 + 3
    f = Value(1.0, "x")
    for _ in range(400):
        f = f + 1.0
    with pytest.raises(ValueError, match="up to 300 wires; this one has 401"):
        formula(f)
