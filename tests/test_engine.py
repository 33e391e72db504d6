"""The Value graph and backward(): the notes' worked examples, fan-out, random compositions."""

from __future__ import annotations

import gc
import math
import weakref

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_kit import Value, grad_check, maximum, numerical_grad, rel_error
from backprop_kit.core.gates import GATES
from backprop_kit.core.steps import backward_walk
from tests.strategies import near_a_kink, programs, run_program


def f_staged(x, y):
    """The notes' staged example f(x, y) = (x + σ(y)) / (σ(x) + (x + y)²)."""
    return (x + y.sigmoid()) / (x.sigmoid() + (x + y) ** 2)


def sigma(z: float) -> float:
    return 1 / (1 + math.exp(-z))


# --- the worked examples of the notes ------------------------------------------------------


def test_chain_rule_example():
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    q = x + y
    f = q * z
    f.backward()
    assert (q.data, f.data) == (3.0, -12.0)
    assert (x.grad, y.grad, z.grad, q.grad) == (-4.0, -4.0, 3.0, -4.0)
    assert grad_check(lambda x, y, z: (x + y) * z, -2.0, 5.0, -4.0).max_rel_error < 1e-9


def neuron(w0, x0, w1, x1, w2, expanded):
    return (w0 * x0 + w1 * x1 + w2).sigmoid(expanded=expanded)


@pytest.mark.parametrize("expanded", [False, True])
def test_sigmoid_neuron_example(expanded):
    ins = [Value(v) for v in (2.0, -1.0, -3.0, -2.0, -3.0)]  # w0, x0, w1, x1, w2
    f = neuron(*ins, expanded)
    f.backward()
    w0, x0, w1, x1, w2 = ins
    assert f.data == pytest.approx(sigma(1.0), abs=1e-15)
    s = sigma(1.0)
    local = (1 - s) * s  # ≈ 0.196612
    assert [w0.grad, w1.grad, w2.grad] == pytest.approx([-local, -2 * local, local], abs=1e-15)
    assert [x0.grad, x1.grad] == pytest.approx([2 * local, -3 * local], abs=1e-15)
    assert [round(g, 2) for g in (w0.grad, w1.grad, w2.grad, x0.grad, x1.grad)] == [
        -0.20,
        -0.39,
        0.20,
        0.39,
        -0.59,
    ]
    check = grad_check(lambda *v: neuron(*v, expanded), 2.0, -1.0, -3.0, -2.0, -3.0)
    assert check.ok and check.max_rel_error < 1e-8


def test_sigmoid_one_gate_and_expanded_give_identical_gradients():
    for z0 in (-3.0, 0.0, 0.5, 4.0):
        a, b = Value(z0), Value(z0)
        fa, fb = a.sigmoid(), b.sigmoid(expanded=True)
        fa.backward()
        fb.backward()
        assert fa.data == pytest.approx(fb.data, rel=1e-15)
        assert a.grad == pytest.approx(b.grad, rel=1e-12)
        assert [n.op for n in fb.topological_order() if n.op] == ["scale", "exp", "addc", "inv"]


def test_staged_example_values_and_gradients():
    x, y = Value(3.0, "x"), Value(-4.0, "y")
    f = f_staged(x, y)
    f.backward()
    want = (3 + sigma(-4)) / (sigma(3) + 1.0)
    assert f.data == pytest.approx(want, rel=1e-15)
    dx, dy = numerical_grad(f_staged, 3.0, -4.0)
    assert rel_error(x.grad, dx) < 1e-9 and rel_error(y.grad, dy) < 1e-9
    assert (round(x.grad, 4), round(y.grad, 4)) == (2.0596, 1.5922)


def test_patterns_example():
    x, y, z, w = Value(3.0), Value(-4.0), Value(2.0), Value(-1.0)
    f = 2 * (x * y + maximum(z, w))
    f.backward()
    assert f.data == -20.0
    assert (x.grad, y.grad, z.grad, w.grad) == (-8.0, 6.0, 2.0, 0.0)


# --- fan-out and repeated backward ----------------------------------------------------------


def test_a_plus_a_keeps_two_edges():
    a = Value(3.0)
    f = a + a
    assert f.parents == (a, a)
    f.backward()
    assert a.grad == 2.0


def test_a_times_a():
    a = Value(3.0)
    f = a * a
    f.backward()
    assert a.grad == 6.0


def test_value_used_by_three_gates():
    a = Value(1.5)
    f = a * 2.0 + a.exp() + a**2
    f.backward()
    assert a.grad == pytest.approx(2.0 + math.exp(1.5) + 3.0, rel=1e-15)


def test_backward_twice_gives_the_same_numbers():
    x, y = Value(3.0), Value(-4.0)
    f = f_staged(x, y)
    f.backward()
    first = (x.grad, y.grad)
    f.backward()
    assert (x.grad, y.grad) == first
    f.backward(2.0)
    assert (x.grad, y.grad) == (2 * first[0], 2 * first[1])


def test_operand_order_is_kept():
    a, b = Value(1.0), Value(2.0)
    assert (a - b).parents == (a, b) and (b - a).parents == (b, a)
    assert (a - b).data == -1.0 and (b / a).data == 2.0


def test_numbers_on_either_side():
    a = Value(4.0)
    cases = {
        "a + 1": (a + 1, 5.0, 1.0),
        "1 + a": (1 + a, 5.0, 1.0),
        "a - 1": (a - 1, 3.0, 1.0),
        "1 - a": (1 - a, -3.0, -1.0),
        "a * 3": (a * 3, 12.0, 3.0),
        "3 * a": (3 * a, 12.0, 3.0),
        "a / 2": (a / 2, 2.0, 0.5),
        "2 / a": (2 / a, 0.5, -2 / 16),
        "a ** 2": (a**2, 16.0, 8.0),
        "2 ** a": (2**a, 16.0, 16 * math.log(2)),
        "-a": (-a, -4.0, -1.0),
    }
    for text, (f, value, grad) in cases.items():
        f.backward()
        assert f.data == pytest.approx(value, rel=1e-15), text
        assert a.grad == pytest.approx(grad, rel=1e-15), text


def test_a_value_divided_by_a_number_is_pythons_quotient_to_the_last_digit():
    """x / c is one gate x/c, not x · (1/c): 0.9 / 3 must print 0.3, as Python's float does."""
    for x, c in [(0.9, 3), (1.0, 10), (7.0, 3.0), (1e-310, 0.5), (5e-324, 2)]:
        q = Value(x) / c
        assert q.data == x / c and q.op == "divc", (x, c)
    q = Value(0.9) / 3
    q.backward()
    assert q.parents[0].grad == 1 / 3


def test_the_divisors_slope_stays_finite_where_b_squared_underflows():
    a, b = Value(1e-200), Value(1e-200)
    f = a / b
    f.backward()
    assert f.data == 1.0 and b.grad == -1e200


def test_value_to_a_value_power():
    a, b = Value(2.0), Value(3.0)
    f = a**b
    f.backward()
    assert f.data == 8.0
    assert a.grad == 12.0 and b.grad == pytest.approx(8 * math.log(2), rel=1e-15)


def test_gate_names_symbols_and_local_grads():
    x = Value(2.0)
    s = x.sigmoid(expanded=True)
    gates = [n for n in s.topological_order() if n.op]
    assert [GATES[n.op].label(n.const) for n in gates] == ["*-1", "exp", "+1", "1/x"]
    assert Value(1.0).op == "" and Value(1.0).local_grads() == ()
    m = Value(3.0) * Value(-2.0)
    assert m.local_grads() == (-2.0, 3.0)


# --- a chain of a million gates, and memory --------------------------------------------------


@pytest.mark.slow
def test_a_chain_of_a_million_gates_backprops():
    x = Value(0.5)
    v = x
    for _ in range(500_000):
        v = v * 1.0
        v = v + 0.0
    assert len(v.topological_order()) == 1_000_001
    v.backward()
    assert x.grad == 1.0


def test_graph_is_freed_by_reference_counting_alone():
    gc.disable()
    try:
        x, y = Value(3.0), Value(-4.0)
        f = f_staged(x, y)
        f.backward()
        inner = weakref.ref(f.parents[0])
        out = weakref.ref(f)
        del f
        assert inner() is None and out() is None
    finally:
        gc.enable()


# --- random compositions agree with the numerical gradient -----------------------------------


@settings(max_examples=80)
@given(programs(), st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_random_compositions_agree_with_central_difference(steps, xs):
    out = run_program(steps, *(Value(x) for x in xs))
    assume(math.isfinite(out.data) and abs(out.data) < 1e6 and not near_a_kink(out))
    check = grad_check(lambda a, b, c: run_program(steps, a, b, c), *xs, h=1e-6)
    for c in check:
        scale = max(abs(c.analytic), abs(c.numerical))
        # Tiny gradients are dominated by the difference's round-off; compare absolutely there.
        assert c.rel_error < 1e-6 or abs(c.analytic - c.numerical) < 1e-7 * max(1.0, scale), (
            steps,
            xs,
            check,
        )


@settings(max_examples=60)
@given(programs(), st.lists(st.floats(-2, 2), min_size=3, max_size=3), st.floats(-3, 3))
def test_backward_walk_sums_to_backward_bit_for_bit(steps, xs, seed):
    """backward() inlines backward_walk's loop for speed; the two must give the same floats.

    Summing each gate's downstream values into its parents, in the walk's order, must give
    exactly (==, not approximately) the .grad that backward(seed) leaves on every wire, and
    the walk must leave every .grad untouched.
    """
    inputs = [Value(x) for x in xs]
    out = run_program(steps, *inputs)
    order = out.topological_order()
    for v in order:
        v.grad = -7.0  # a marker the walk must not touch
    walked = dict.fromkeys(order, 0.0)
    walked[out] = seed
    for gate, upstream, local, downstream in backward_walk(out, seed):
        assert upstream == walked[gate]
        assert downstream == tuple(d * upstream for d in local)
        for parent, g in zip(gate.parents, downstream):
            walked[parent] += g
    assert all(v.grad == -7.0 for v in order)
    out.backward(seed)
    for v in order:
        assert (v.grad == walked[v]) or (math.isnan(v.grad) and math.isnan(walked[v])), v
