"""Bounded cost and one-line errors: circuits too big to draw, huge numbers, deep pickles,
a finite-difference step that leaves the function's domain."""

from __future__ import annotations

import copy
import pickle
import tracemalloc

import pytest

from backprop_kit import Value, grad_check, numerical_grad
from backprop_kit.explorers.circuit import explore
from backprop_kit.pictures.drawing import DPI, draw
from backprop_kit.pictures.layout import MAX_COLUMNS, MAX_PARTS, MAX_SIZE


def chain_sum(n: int) -> Value:
    xs = [Value(1.0, f"x{i}") for i in range(n)]
    f = xs[0]
    for x in xs[1:]:
        f = f + x
    return f


def tree_sum(n: int) -> Value:
    xs = [Value(1.0, f"x{i}") for i in range(n)]
    while len(xs) > 1:
        xs = [xs[i] + xs[i + 1] if i + 1 < len(xs) else xs[i] for i in range(0, len(xs), 2)]
    return xs[0]


def one_line_error(call) -> str:
    with pytest.raises(ValueError) as err:
        call()
    text = str(err.value)
    assert "\n" not in text
    return text


@pytest.mark.parametrize(
    ("circuit", "limit"),
    [
        (lambda: chain_sum(200), f"at most {MAX_COLUMNS}"),  # the sum of 200 inputs
        (lambda: tree_sum(500), f"at most {MAX_PARTS}"),  # about 500 gates, 10 columns
        (lambda: tree_sum(200), f"at most {MAX_SIZE:.0f}"),  # too tall
        (lambda: Value(1.0, "x" * 3000) * 2, f"at most {MAX_SIZE:.0f}"),  # too wide
    ],
    ids=["sum-of-200", "500-gates", "too-tall", "too-wide"],
)
def test_a_circuit_too_big_to_draw_is_one_line_in_bounded_memory(circuit, limit):
    f = circuit()
    f.backward()
    tracemalloc.start()
    try:
        message = one_line_error(lambda: draw(f))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message.startswith("draw: ") and limit in message
    assert peak < 20e6  # the old code took 4.65 GB for the sum of 200 inputs
    with pytest.raises(ValueError, match="drawn readably"):
        explore(f)  # the explorer draws too: the same one line


def test_the_largest_circuit_allowed_gives_a_figure_within_the_cap():
    f = chain_sum(MAX_COLUMNS)
    f.backward()
    w, h = draw(f).get_size_inches() * DPI
    assert max(w, h) <= MAX_SIZE * DPI / 72 + 1


def test_value_of_a_huge_int_is_one_line():
    message = one_line_error(lambda: Value(10**400))
    assert "401 digits" in message and "float" in message
    with pytest.raises(ValueError, match="float can hold"):
        Value(1.0) * 10**400


# copy.deepcopy (of a model's loss, say) copies a circuit of any depth without recursion;
# pickle is Python's own protocol (nothing a learner does pickles a circuit): shallow ones only.


@pytest.mark.parametrize(("how", "gates"), [("pickle", 20), ("deepcopy", 200_000)])
def test_circuits_pickle_and_copy_with_identity_kept(how, gates):
    x = Value(0.5, "x")
    f = x
    for _ in range(gates // 2):
        f = f * 1.0 + x
    g, y = pickle.loads(pickle.dumps((f, x))) if how == "pickle" else copy.deepcopy((f, x))
    order = g.topological_order()
    assert len(order) == len(f.topological_order()) and order[0] is y  # identity kept
    assert g.data == f.data and y.label == "x"
    g.backward()
    f.backward()
    assert y.grad == x.grad  # a separate circuit that computes the same
    x.grad = 0.0
    assert y.grad != 0.0


def test_small_circuits_keep_shared_wires_when_copied():
    x = Value(2.0, "x")
    q = x * x
    f = q + x
    g, y = copy.deepcopy((f, x))
    assert g.parents[1] is y and g.parents[0].parents == (y, y)
    assert copy.copy(f).parents[0] is q  # a shallow copy shares the parents


def test_grad_check_says_the_step_crossed_out_of_the_domain():
    message = one_line_error(lambda: grad_check(lambda x: x.log(), 1e-6))
    assert "- h" in message and "h = 1e-05" in message and "domain" in message
    assert "log(-9e-06)" in message  # the gate's own reason stays
    message = one_line_error(lambda: numerical_grad(lambda x: (x - 1).log(), 1.0 + 5e-6))
    assert "domain" in message
    with pytest.raises(ValueError, match=r"log\(-1.0\) is undefined") as err:
        grad_check(lambda x: x.log(), -1.0)  # not h's fault: the point itself
    assert "domain" not in str(err.value)
    assert grad_check(lambda x: x.log(), 1e-3, h=1e-7).ok  # a smaller h works
