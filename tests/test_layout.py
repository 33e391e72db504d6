"""Circuit layout: columns, order, and a picture in which nothing collides (pure geometry)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_kit import Value
from backprop_kit.core.circuits import (
    chain_rule_example,
    patterns_example,
    sigmoid_neuron,
    staged_example,
)
from backprop_kit.pictures.layout import R, Structure, _pack
from backprop_kit.pictures.scene import Scene
from backprop_kit.pictures.style import text_width
from backprop_kit.pictures.view import CircuitView
from tests.strategies import random_circuits

NOTES = {
    "chain": chain_rule_example,
    "neuron": sigmoid_neuron,
    "neuron-sigma-gate": lambda: sigmoid_neuron(expanded=False),
    "patterns": patterns_example,
    "staged": staged_example,
}


# --- geometry helpers -----------------------------------------------------------------------------
def _overlap(a, b, shrink=0.3) -> bool:
    return (
        a[0] + shrink < b[2] - shrink
        and b[0] + shrink < a[2] - shrink
        and a[1] + shrink < b[3] - shrink
        and b[1] + shrink < a[3] - shrink
    )


def _point_segment(p, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    L = dx * dx + dy * dy
    t = 0.0 if L == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def _segments_cross(p1, p2, q1, q2) -> bool:
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


def _segment_distance(p1, p2, q1, q2) -> float:
    if _segments_cross(p1, p2, q1, q2):
        return 0.0
    return min(
        _point_segment(p1, q1, q2),
        _point_segment(p2, q1, q2),
        _point_segment(q1, p1, p2),
        _point_segment(q2, p1, p2),
    )


def _segment_hits_box(p, q, box, shrink=0.5) -> bool:
    """Does segment pq pass through the rectangle (x0, y0, x1, y1), shrunk a little?"""
    x0, y0, x1, y1 = box[0] + shrink, box[1] + shrink, box[2] - shrink, box[3] - shrink
    if x0 >= x1 or y0 >= y1:
        return False
    t0, t1 = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
        else:
            t = qk / pk
            if pk < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
    return t0 < t1


def _apart(a, b) -> bool:
    """Are the boxes (x0, y0, x1, y1) a and b disjoint? (a quick test before an exact one)"""
    return a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]


def collisions(scene: Scene) -> list[str]:
    """Every collision in a scene: texts overlapping texts, gates or wires; wires through gates;
    anything outside the picture."""
    problems = []
    texts = [(t, t.bbox()) for t in scene.texts]
    gates = [b for b in scene.boxes if b.role == "gate"]
    by_x = sorted(range(len(texts)), key=lambda i: texts[i][1][0])
    for k, i in enumerate(by_x):
        for j in by_x[k + 1 :]:
            if texts[j][1][0] >= texts[i][1][2]:  # this one and all after start right of i's end
                break
            if _overlap(texts[i][1], texts[j][1]):
                t, u = texts[min(i, j)][0], texts[max(i, j)][0]
                problems.append(f"text {t.text!r} overlaps text {u.text!r}")
    for t, a in texts:
        if a[0] < 0 or a[1] < 0 or a[2] > scene.width or a[3] > scene.height:
            problems.append(f"text {t.text!r} sticks out of the picture")
        for g in gates:
            gb = (g.x, g.y, g.x + g.w, g.y + g.h)
            inside = gb[0] <= (a[0] + a[2]) / 2 <= gb[2] and gb[1] <= (a[1] + a[3]) / 2 <= gb[3]
            if t.role == "gate" and inside:
                continue  # a gate's own symbol
            if _overlap(a, gb):
                problems.append(f"text {t.text!r} overlaps a gate")
    for line in scene.lines:
        if line.role not in ("wire", "leader"):
            continue
        for p, q in zip(line.points, line.points[1:]):
            seg = (min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))
            for g in gates:
                cy = g.y + g.h / 2
                if _apart(seg, (g.x, cy - g.r, g.x + g.w, cy + g.r)):  # farther than r: clear
                    continue
                core = ((g.x + g.r, cy), (g.x + g.w - g.r, cy))
                if _segment_distance(p, q, *core) < g.r - 0.5:
                    problems.append(f"a wire {p}→{q} runs through a gate at {core[0]}")
            for t, a in texts:
                if not _apart(seg, a) and _segment_hits_box(p, q, a):
                    problems.append(f"a wire {p}→{q} runs through the text {t.text!r}")
    return problems


def backward_scene(f: Value) -> Scene:
    """The picture of ``f`` after ``f.backward()``: values and gradients."""
    f.backward()
    return CircuitView(f).scene()


def scenes_of(f: Value) -> Iterator[Scene]:
    """The pictures a learner meets, made one by one: plain, without gradients, each step of the
    backward pass, and the live explorer's (σ expanded) before and after the pass."""
    view = CircuitView(f)
    yield view.scene()
    yield view.scene(show_grad=False)
    for k in range(len(view.steps()) + 1):
        yield view.scene(step=k)
    try:
        live = CircuitView(f, band_lines=3, reserve=-88.888, sigmoid="expanded")
        yield live.scene(caption="Press Next")
        yield live.scene(step=len(live.steps()))
    except ValueError as e:  # σ expanded made a random circuit too large to draw: refused, fine
        assume("can be drawn readably" not in str(e))
        raise


# --- the notes' circuits --------------------------------------------------------------------
@pytest.mark.parametrize("name", NOTES)
def test_notes_circuits_have_no_collisions(name):
    f = NOTES[name]()
    f.backward()
    for scene in scenes_of(f):
        assert collisions(scene) == []


@pytest.mark.parametrize("name", NOTES)
def test_columns_follow_the_longest_path(name):
    f = NOTES[name]()
    s = Structure(f)
    col = {id(s.nodes[p.node]): p.col for p in s.parts if p.kind != "waypoint"}
    for v in s.nodes:
        if v.parents:
            assert col[id(v)] == 1 + max(col[id(p)] for p in v.parents)
        else:
            assert col[id(v)] == 0
    assert col[id(f)] == s.n_columns - 1
    # the output is alone in the last column
    assert len(s.columns[-1]) == 1


def test_the_notes_circuits_are_drawn_without_crossings():
    for name in ("chain", "neuron", "patterns"):
        assert Structure(NOTES[name]()).crossings() == 0, name


def test_inputs_keep_the_order_of_the_formula():
    s = Structure(sigmoid_neuron())
    ys = {s.nodes[p.node].label: p.y for p in s.parts if p.kind == "input"}
    assert sorted(ys, key=ys.get) == ["w0", "x0", "w1", "x1", "w2"]


@pytest.mark.parametrize("first_is_x", [True, False])
def test_operand_order_is_kept(first_is_x):
    x, y = Value(1.0, "x"), Value(2.0, "y")
    f = x - y if first_is_x else y - x
    s = Structure(f)
    y_of = {s.nodes[p.node].label: p.y for p in s.parts if p.kind == "input"}
    first, second = (y_of["x"], y_of["y"]) if first_is_x else (y_of["y"], y_of["x"])
    assert first < second  # the first operand enters at the upper port


def test_a_plus_a_is_two_wires_from_one_split():
    a = Value(3.0, "a")
    f = a + a
    f.backward()
    s = Structure(f)
    links_into_f = [link for link in s.links if s.parts[link.dst].node == s.index[id(f)]]
    assert sorted(link.port for link in links_into_f) == [0, 1]
    scene = CircuitView(f).scene()
    assert len(scene.dots) == 1  # the split point of a's wire
    assert scene.texts_with("grad").count("2.00") == 1  # a.grad = 2, once, on its wire
    assert collisions(scene) == []


def test_a_long_wire_passes_waypoints_not_gates():
    f = chain_rule_example()  # z skips the column of the + gate
    s = Structure(f)
    z = s.index[id(next(v for v in s.nodes if v.label == "z"))]
    waypoints = [p for p in s.parts if p.kind == "waypoint" and p.node == z]
    assert [p.col for p in waypoints] == [1]


def test_fan_out_draws_one_value_and_the_total_gradient():
    f = staged_example()  # x feeds three gates, y two
    scene = backward_scene(f)
    x = next(v for v in f.topological_order() if v.label == "x")
    assert scene.texts_with("value").count("3.00") == 1
    assert f"{x.grad:.2f}" in scene.texts_with("grad")
    assert len(scene.dots) == 2


def test_layout_is_the_same_for_other_numbers():
    """A live picture must not jump: the shape decides heights; widths keep a reserve."""
    a, b = chain_rule_example(), chain_rule_example(x=1.0, y=2.5, z=0.25)
    sa, sb = Structure(a), Structure(b)
    assert [p.y for p in sa.parts] == [p.y for p in sb.parts]
    va = CircuitView(a, reserve=-88.888).scene()
    vb = CircuitView(b, reserve=-88.888).scene()
    assert (va.width, va.height) == (vb.width, vb.height)


@settings(max_examples=60)
@given(random_circuits())
def test_random_circuits_have_no_collisions(f):
    for scene in itertools.islice(scenes_of(f), 4):  # plain, no gradients, steps 0 and 1
        assert collisions(scene) == []


@settings(max_examples=40)
@given(random_circuits())
def test_random_circuits_keep_columns_and_clearances(f):
    s = Structure(f)
    for column in s.columns:
        ys = [s.parts[n].y for n in column]
        for (n0, y0), (n1, y1) in zip(zip(column, ys), zip(column[1:], ys[1:])):
            assert y1 - y0 >= s._gap(n0, n1) - 1e-9
    for link in s.links:
        assert s.parts[link.dst].col == s.parts[link.src].col + 1


@given(
    st.lists(st.floats(-100, 100), min_size=1, max_size=12).flatmap(
        lambda w: st.tuples(
            st.just(w), st.lists(st.floats(0, 30), min_size=len(w) - 1, max_size=len(w) - 1)
        )
    )
)
def test_pack_keeps_gaps_and_is_least_squares(args):
    wishes, gaps = args
    y = _pack(wishes, gaps)
    for i, g in enumerate(gaps):
        assert y[i + 1] - y[i] >= g - 1e-6
    cost = sum((a - b) ** 2 for a, b in zip(y, wishes))
    # moving everything up or down cannot help (a least-squares fit is centred)
    for shift in (-0.5, 0.5):
        assert cost <= sum((a + shift - b) ** 2 for a, b in zip(y, wishes)) + 1e-6
    if all(wishes[i + 1] - wishes[i] >= g for i, g in enumerate(gaps)):
        assert y == pytest.approx(wishes)


def test_text_width_grows_with_text_and_size():
    assert text_width("-12.00", 9) > text_width("3.00", 9) > 0
    assert text_width("x", 18) == pytest.approx(2 * text_width("x", 9))
    # unknown characters are counted as a full em: never under-estimated
    assert text_width("漢", 10) == pytest.approx(10.6)


def test_gate_symbols_fit_their_gates():
    scene = backward_scene(sigmoid_neuron())
    gates = [b for b in scene.boxes if b.role == "gate"]
    symbols = [t for t in scene.texts if t.role == "gate"]
    assert len(gates) == len(symbols) == 8
    for g, t in zip(gates, symbols):
        x0, y0, x1, y1 = t.bbox()
        assert g.x < x0 and x1 < g.x + g.w and g.h == 2 * R
