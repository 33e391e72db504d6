"""backward_steps: the staged program's backward lines with their numbers; run_with_equals: the
same program with '+=' turned into '=' (the fork mistake), computed honestly."""

from __future__ import annotations

import inspect
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_kit import Value, numerical_grad, staged
from backprop_kit.chapters.staged_compare import (
    backward_side_by_side,
    backward_steps,
    forward_steps,
    gradient_statements,
    run_with_equals,
    with_equals,
)
from tests.strategies import programs, run_program
from tests.test_staged import notes_example


def test_forward_steps_are_the_programs_lines_with_the_cached_values():
    x, y, f = notes_example()
    program = staged(f)
    values = program.run()
    steps = forward_steps(f)
    assert [s.stage for s in steps] == list(range(1, 9))
    assert [s.line for s in steps] == [stage.forward for stage in program.stages]
    for step in steps:
        assert step.value == values[step.line.split(" = ")[0]]
    rows = str(steps).splitlines()
    assert rows[0].split() == ["stage", "line", "value"]
    assert rows[7].startswith("(7)") and rows[7].endswith("0.5121")


def test_steps_follow_the_program_line_by_line():
    x, y, f = notes_example()
    steps = backward_steps(f)
    lines = [line.split("#")[0].strip() for line in staged(f).backward_lines[1:]]
    assert len(steps) == len(lines)
    for step, line in zip(steps, lines):
        op = "+=" if step.accumulate else "="
        assert line.startswith(f"{step.target} {op} ")
        assert line.endswith(f"* {step.upstream_name}")
    assert [s.stage for s in steps] == [8, 8, 7, 6, 6, 5, 4, 4, 3, 2, 2, 1]


def test_steps_carry_the_programs_exact_numbers():
    x, y, f = notes_example()
    values = staged(f).run()
    for step in backward_steps(f):
        assert step.upstream == values[step.upstream_name]
        assert step.contribution == step.local * step.upstream
    # after the last line writing each gradient, its total is the program's final value
    last = {s.target: s.total for s in backward_steps(f)}
    assert all(last[name] == values[name] for name in last)


def test_dx_collects_three_contributions_that_add_up():
    x, y, f = notes_example()
    dx_steps = backward_steps(f).for_target("dx")
    assert [s.accumulate for s in dx_steps] == [False, True, True]
    assert [s.upstream_name for s in dx_steps] == ["dxpy", "dsigx", "dnum"]
    assert dx_steps[0].total == dx_steps[0].contribution
    assert dx_steps[1].total == dx_steps[0].contribution + dx_steps[1].contribution
    f.backward()
    assert dx_steps[-1].total == x.grad


def test_table_prints_every_line_with_four_decimals():
    x, y, f = notes_example()
    text = str(backward_steps(f))
    rows = text.splitlines()
    assert len(rows) == 1 + 12
    assert rows[0].split()[:3] == ["stage", "line", "upstream"]
    assert "dx +=" in rows[10] and rows[10].rstrip().endswith("2.0596")


def test_for_target_names_the_known_gradients_when_asked_for_an_unknown_one():
    x, y, f = notes_example()
    with pytest.raises(ValueError, match=r"no backward line writes 'dz'.*dx"):
        backward_steps(f).for_target("dz")


@pytest.mark.parametrize("steps", [forward_steps, backward_steps])
def test_the_step_tables_reject_a_number(steps):
    with pytest.raises(TypeError, match=rf"{steps.__name__}\(\) needs a Value"):
        steps(3.0)


def test_with_equals_changes_only_the_plus_equals_lines():
    x, y, f = notes_example()
    program = staged(f)
    old, new = program.source.splitlines(), with_equals(program).splitlines()
    changed = [(a, b) for a, b in zip(old, new) if a != b]
    assert len(old) == len(new) and len(changed) == 3
    assert all(" += " in a and b == a.replace(" += ", " = ") for a, b in changed)


def test_with_equals_rejects_a_value():
    x, y, f = notes_example()
    with pytest.raises(TypeError, match="StagedProgram"):
        with_equals(f)


def test_equals_keeps_only_the_last_contribution_and_is_wrong():
    x, y, f = notes_example()
    wrong = run_with_equals(staged(f))
    f.backward()
    last = {s.target: s.contribution for s in backward_steps(f)}
    assert wrong["dx"] == last["dx"] and wrong["dy"] == last["dy"]
    assert wrong["f"] == f.data  # the forward pass is untouched
    num_dx, num_dy = numerical_grad(lambda a, b: notes_example_of(a, b), 3.0, -4.0)
    assert abs(wrong["dx"] - num_dx) > 1.0 and abs(x.grad - num_dx) < 1e-8
    assert abs(wrong["dy"] - num_dy) > 1.0 and abs(y.grad - num_dy) < 1e-8


def notes_example_of(x, y):
    return (x + y.sigmoid()) / (x.sigmoid() + (x + y) ** 2)


def test_without_forks_equals_changes_nothing():
    a, b, c = Value(1.5, "a"), Value(-2.0, "b"), Value(0.5, "c")
    f = (a * b + c).sigmoid()
    f.backward()
    out = run_with_equals(staged(f))
    assert (out["da"], out["db"], out["dc"]) == (a.grad, b.grad, c.grad)


def overwriting_backward(f: Value) -> dict[int, float]:
    """Test oracle: the backward pass in which every gradient write overwrites (no '+=')."""
    grads = {id(f): 1.0}
    for node in reversed([n for n in f.topological_order() if n.parents]):
        for parent, local in zip(node.parents, node.local_grads()):
            grads[id(parent)] = local * grads[id(node)]
    return grads


@settings(max_examples=60)
@given(programs(), st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_random_circuits_totals_are_backward_gradients_and_equals_overwrites(steps, xs):
    inputs = [Value(x, label=n) for x, n in zip(xs, ("a", "b", "c"))]
    try:
        f = run_program(steps, *inputs)
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    assume(f.parents and math.isfinite(f.data))
    rows = backward_steps(f)
    assume(all(math.isfinite(s.total) for s in rows))
    final = {s.target: s.total for s in rows}
    wrong = run_with_equals(staged(f))
    oracle = overwriting_backward(f)
    for v in inputs:
        name = "d" + v.label
        if name in final:
            assert final[name] == v.grad
            assert wrong[name] == oracle[id(v)]


# --- the kit's backward pass next to a hand-written one -------------------------------------

HAND_WRITTEN = """
def by_hand(x, y):
    xpy = x + y
    den = xpy * y       # 'den' is not a gradient: there is no 'en'
    f = 1.0 / den
    dden = (-1.0 / den**2) * 1.0
    dxpy = y * dden     # (2)
    dy = xpy * dden
    dx = dxpy
    dy += dxpy
    return f, dx, dy
"""


def test_gradient_statements_are_the_lines_that_write_d_of_a_name():
    assert gradient_statements(HAND_WRITTEN) == [
        "dden = (-1.0 / den**2) * 1.0",
        "dxpy = y * dden",
        "dy = xpy * dden",
        "dx = dxpy",
        "dy += dxpy",
    ]
    with pytest.raises(ValueError, match="not valid Python"):
        gradient_statements("dx = = 1")


def staged_by_hand(x, y):
    # the notes' example, written the classic way (the `1 *` and `* df` left out)
    sigy = 1.0 / (1 + math.exp(-y))
    num = x + sigy
    sigx = 1.0 / (1 + math.exp(-x))
    xpy = x + y
    xpysqr = xpy**2
    den = sigx + xpysqr
    invden = 1.0 / den
    f = num * invden
    dnum = invden
    dinvden = num
    dden = (-1.0 / den**2) * dinvden
    dsigx = dden
    dxpysqr = dden
    dxpy = (2 * xpy) * dxpysqr
    dx = dxpy
    dy = dxpy
    dx += ((1 - sigx) * sigx) * dsigx
    dx += dnum
    dsigy = dnum
    dy += ((1 - sigy) * sigy) * dsigy
    return f, dx, dy


def test_side_by_side_pairs_each_kit_line_with_the_hand_written_one():
    x, y, f = notes_example()
    program = staged(f)
    rows = backward_side_by_side(program, staged_by_hand).splitlines()
    kit = [line for s in reversed(program.stages) for line in s.backward]
    assert len(rows) == 1 + len(kit) == 13
    assert rows[0].split() == ["stage", "staged(f)", "by", "hand"]
    for row, line, hand in zip(
        rows[1:], kit, gradient_statements(inspect.getsource(staged_by_hand))
    ):
        stage, rest = row.split(maxsplit=1)
        assert rest.startswith(line) and rest.endswith(hand)
        assert stage.strip("()").isdigit()
    # both columns write the same gradient on every row
    for row in rows[1:]:
        targets = [part.split()[0] for part in row[7:].split("  ") if part.strip()]
        assert len(set(targets)) == 1, row
    # the hand-written function is what the table says: it gives the kit's numbers
    values = program.run()
    assert staged_by_hand(3.0, -4.0) == (values["f"], values["dx"], values["dy"])


def test_side_by_side_takes_source_text_and_pads_the_shorter_side():
    x, y, f = notes_example()
    rows = backward_side_by_side(
        staged(f), "x = 3.0\ndx = 1.0\n", titles=("kit", "mine")
    ).splitlines()
    assert rows[0].split() == ["stage", "kit", "mine"]
    assert rows[1].endswith("dx = 1.0") and not rows[2].endswith("dx = 1.0")
    assert len(rows) == 13


def test_side_by_side_bad_input_gets_one_line_errors():
    x, y, f = notes_example()
    with pytest.raises(TypeError, match="needs a StagedProgram"):
        backward_side_by_side(f, staged_by_hand)
    with pytest.raises(TypeError, match="by_hand must be a function or its source text"):
        backward_side_by_side(staged(f), 3)
    with pytest.raises(ValueError, match="writes no gradient"):
        backward_side_by_side(staged(f), "den = 2.0\n")
    with pytest.raises(ValueError, match="cannot read the source"):
        backward_side_by_side(staged(f), print)
