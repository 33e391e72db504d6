"""Staged programs: the notes' listing, and exactly backward()'s gradients."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_kit import Value, staged
from backprop_kit.core.circuits import staged_example
from tests.strategies import programs, run_program


def notes_example():
    """The notes' eight named stages at x = 3, y = -4, and the two inputs."""
    f = staged_example()
    wires = {v.label: v for v in f.topological_order()}
    return wires["x"], wires["y"], f


def test_notes_listing_forward_lines():
    x, y, f = notes_example()
    program = staged(f)
    lines = [line.split("#")[0].strip() for line in program.forward_lines]
    assert lines == [
        "x = 3.0",
        "y = -4.0",
        "sigy = 1.0 / (1.0 + math.exp(-y))",
        "num = x + sigy",
        "sigx = 1.0 / (1.0 + math.exp(-x))",
        "xpy = x + y",
        "xpysqr = xpy ** 2",
        "den = sigx + xpysqr",
        "invden = 1.0 / den",
        "f = num * invden",
    ]
    assert program.forward_lines[-1].endswith("# (8)")


def test_notes_listing_backward_lines_use_plus_equals_at_forks():
    x, y, f = notes_example()
    lines = [line.split("#")[0].strip() for line in staged(f).backward_lines]
    assert lines[0] == "df = 1.0"
    assert "dden = (-1.0 / (den * den)) * dinvden" in lines
    assert "dx = 1 * dxpy" in lines and "dy = 1 * dxpy" in lines
    assert "dx += ((1.0 - sigx) * sigx) * dsigx" in lines
    assert "dx += 1 * dnum" in lines
    assert lines[-1] == "dy += ((1.0 - sigy) * sigy) * dsigy"
    assert sum(line.startswith("dx ") for line in lines) == 3  # one '=' and two '+='
    assert sum(line.startswith("dx =") for line in lines) == 1


def test_running_the_program_gives_exactly_backwards_gradients():
    x, y, f = notes_example()
    f.backward()
    out = staged(f).run()
    assert out["f"] == f.data
    assert out["dx"] == x.grad and out["dy"] == y.grad


def test_unlabelled_wires_get_fresh_names_and_stages_are_numbered():
    a = Value(2.0)
    f = (a * a + a).exp()
    program = staged(f)
    assert [s.number for s in program.stages] == [1, 2, 3]
    assert program.output == "f" and program.inputs == ["x1 = 2.0"]
    text = str(program)
    assert "t1 = x1 * x1" in text and "f = math.exp(t2)" in text
    f.backward()
    assert program.run()["dx1"] == a.grad


def test_labels_that_are_not_identifiers_or_collide_are_renamed():
    a, b = Value(1.0, "my input"), Value(2.0, "x")
    c = Value(3.0, "dx")  # would collide with x's gradient name
    f = a * b + c
    program = staged(f)
    names = set(program.names.values())
    assert "x" in names and "dx" not in names and "my input" not in names
    f.backward()
    out = program.run()
    assert out["dx"] == b.grad


@settings(max_examples=80)
@given(programs(), st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_staged_program_reproduces_backward_bit_for_bit(steps, xs):
    inputs = [Value(v, label) for v, label in zip(xs, "abc")]
    f = run_program(steps, *inputs)
    assume(math.isfinite(f.data))
    f.backward()
    program = staged(f)
    out = program.run()
    for node in f.topological_order():
        name = program.names[id(node)]
        assert out[name] == node.data or (math.isnan(out[name]) and math.isnan(node.data))
        assert out["d" + name] == node.grad, (name, str(program))


@pytest.mark.parametrize("power", ["x ** 0", "x ** y"])
def test_a_staged_power_at_zero_gives_the_engines_slope(power):
    """x⁰ is flat, also at x = 0: the staged text used to raise ZeroDivisionError there
    (0.0 ** -1) where the engine gives 0."""
    x, y = Value(0.0, label="x"), Value(0.0, label="y")
    f = (x**0 if power == "x ** 0" else x**y).named("f")
    f.backward()
    run = staged(f).run()
    assert run["dx"] == x.grad == 0.0


def test_labels_python_would_fold_into_another_name_get_names_of_their_own():
    """Python reads ｘ as x and ﬂoat as float: as names they would merge with x, or shadow float."""
    a, b = Value(2.0, "x"), Value(3.0, "\uff58")
    f = a * b
    f.backward()
    run = staged(f).run()
    assert (
        run["f"] == 6.0
        and run["x"] == 2.0
        and sorted(run.values()) == sorted([2.0, 3.0, 6.0, 1.0, 3.0, 2.0])
    )
    assert staged(Value(2.0, "\ufb02oat").relu()).run()["f"] == 2.0
