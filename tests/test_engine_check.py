"""The engine checker and chapter 9's exercises: a correct engine passes (the chapter's own
solution, micrograd's Value, the demo engine), every classic bug is caught on a tiny circuit with
a hint naming it, and the learner's code is only ever called through its class."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit import Value, numerical_grad
from backprop_kit.chapters.engine_check import (
    OPS,
    EngineNotAttempted,
    Expr,
    Gate,
    available_ops,
    check_engine,
    compare,
    random_expr,
    reference,
    simulate,
    tiny_exprs,
)
from backprop_kit.exercises import CORRECT, NOT_ATTEMPTED, NOT_YET
from backprop_kit.exercises.ch09 import BUGS, demo_engine
from tests.solutions import BorrowedEngine, chapter_engine
from tests.verdicts import value_verdict, verdict

# --- correct engines pass -----------------------------------------------------------------------


CH09_STEPS = ("ch09-add", "ch09-graph", "ch09-local", "ch09-topo", "ch09-backward", "ch09-engine")


def test_the_chapters_solution_passes_every_step(capsys):
    engine = chapter_engine()
    report = check_engine(engine)
    assert report.ok, report.summary()
    assert {"x + y", "x * y", "x ** 2", "x.tanh()", "x.relu()", "x.exp()", "x / y"} <= set(
        report.checked
    )
    for step in CH09_STEPS:
        assert verdict(capsys, step, engine).startswith(CORRECT), step


def test_micrograd_value_passes_on_the_operations_it_has():
    import micrograd.engine  # in the test extra: this must run, not skip

    report = check_engine(micrograd.engine.Value)
    assert report.ok, report.summary()
    assert "x.tanh()" not in report.checked and "x.tanh()" in report.missing
    assert "x.relu()" in report.checked and "2 / x" in report.checked


@settings(max_examples=40)
@given(st.integers(0, 10**6))
def test_random_expressions_agree_between_two_correct_engines(seed):
    import random

    engine = demo_engine()
    expr = random_expr(random.Random(seed), available_ops(engine)[0])
    if expr is None:
        return
    assert compare(expr, engine) is None, expr.formula()


@settings(max_examples=40)
@given(st.integers(0, 10**6))
def test_the_kits_gradients_on_random_expressions_match_finite_differences(seed):
    import random

    expr = random_expr(random.Random(seed), [n for n in OPS if n != "relu"])
    if expr is None:
        return
    right = reference(expr)
    assert right is not None

    def f(*xs):
        return reference(Expr(tuple(x.data for x in xs), expr.gates)).values[-1]

    if any(
        reference(Expr(tuple(x + d for x in expr.inputs), expr.gates)) is None
        for d in (-1e-4, 1e-4)
    ):
        return  # too close to the edge of a gate's domain for a finite difference
    num = numerical_grad(f, *expr.inputs)
    for got, want in zip(right.grads, num):
        assert got == pytest.approx(want, rel=1e-4, abs=1e-4)


# --- every classic bug is caught small, and named ----------------------------------------------

NAMED = {
    "fork": "fork lost a contribution",
    "set": "fork lost a contribution",
    "swap": "swapped multiply rule",
    "upstream": "missing upstream factor",
    "order": "out of order",
    "seed": "output's own gradient to 1",
    "tanh": "local gradient rule of x.tanh()",
}


@pytest.mark.parametrize("bug", sorted(set(BUGS) - {"accumulate"}))
def test_each_classic_bug_is_caught_on_at_most_three_gates_with_its_cause(bug):
    report = check_engine(demo_engine(bug))
    assert not report.ok
    m = report.mismatch
    assert m is not None and m.kind == "grad"
    assert len(m.expr.gates) <= 3, m.expr.formula()
    assert all(float(x).is_integer() and abs(x) <= 4 for x in m.expr.inputs)
    assert NAMED[bug] in report.hint, report.hint
    assert "\n" not in report.line and report.line.startswith("On f = ")
    assert "first wrong gradient" in report.line


@pytest.mark.parametrize("bug", ["order", "upstream"])
def test_no_smaller_expression_fails(bug):
    """These need two gates; the shrunk expression is as small as any failing one."""
    engine = demo_engine(bug)
    found = check_engine(engine).mismatch.expr
    smaller = [e for e in tiny_exprs(available_ops(engine)[0]) if e.size()[0] < found.size()[0]]
    assert smaller  # the search space is not empty
    assert [e.formula() for e in smaller if compare(e, engine) is not None] == []


def test_formulas_keep_the_circuits_grouping():
    e = Expr((3.0,), (Gate("mul", (0, 0)), Gate("rdiv", (1,), 2.0), Gate("mul", (2, 0))))
    assert e.formula() == "2 / (a * a) * a"
    e = Expr((3.0, 1.0), (Gate("sub", (0, 1)), Gate("neg", (2,)), Gate("add", (3, 3))))
    assert e.formula() == "p + p (where p = -(a - b))"


def test_a_simulated_mistake_is_the_engine_with_that_mistake():
    expr = Expr((2.0, -3.0), (Gate("mul", (0, 1)), Gate("mulc", (2,), 2.0)))
    for bug, mistake in (
        ("upstream", {"upstream": False}),
        ("order", {"forward_order": True}),
        ("swap", {"swap_mul": True}),
    ):
        from backprop_kit.chapters.engine_check import evaluate

        assert evaluate(expr, demo_engine(bug)).grads == pytest.approx(simulate(expr, **mistake)), (
            bug
        )


def test_the_figure_writes_the_learners_gradient_beside_the_right_one():
    report = check_engine(demo_engine("fork"))
    fig = report.figure()
    texts = {t.get_gid(): [] for t in fig.axes[0].texts}
    for t in fig.axes[0].texts:
        texts[t.get_gid()].append(t.get_text())
    assert "yours 1 ✗" in texts["second"] and "yours 1" in texts["second"]
    assert "2" in texts["grad"]
    assert any("your engine's gradient" in s for s in texts["legend"])
    assert "a" in report.table() and "✗" in report.table()


# --- what the learner's code may do -----------------------------------------------------------


def test_an_exception_in_the_learners_code_is_one_line_naming_the_operation():
    Broken = demo_engine()

    def __mul__(self, other):
        return self.data.undefined  # AttributeError inside the learner's __mul__

    Broken.__mul__ = __mul__
    report = check_engine(Broken)
    assert not report.ok and report.mismatch.kind == "error"
    assert "__mul__" in report.line and "AttributeError" in report.line
    assert "\n" not in report.summary()


def test_only_the_operations_written_so_far_are_used():
    Early = demo_engine()

    def not_yet(self, *other):
        raise NotImplementedError()

    Early.tanh = Early.__truediv__ = not_yet
    report = check_engine(Early)
    assert report.ok
    assert "x.tanh()" in report.missing and "x / y (__truediv__)" in report.missing
    assert "x.tanh()" not in report.checked
    # the summary says why they were left out, and which method makes each
    said = "Left out, as the class cannot do them: "
    assert said in report.summary() and "x / y (__truediv__)" in report.summary()


def test_an_engine_with_nothing_written_is_not_attempted(capsys):
    class Stub:
        def __init__(self, data):
            raise NotImplementedError()

        def __add__(self, other):
            raise NotImplementedError()

        def backward(self):
            raise NotImplementedError()

    with pytest.raises(EngineNotAttempted):
        check_engine(Stub)
    for step in CH09_STEPS:
        assert verdict(capsys, step, Stub) == NOT_ATTEMPTED, step


def test_answers_are_judged_by_type_first(capsys):
    assert verdict(capsys, "ch09-engine", 3).startswith(f"{NOT_YET} Hint: Pass your class")
    assert verdict(capsys, "ch09-engine", "Value").startswith(f"{NOT_YET} Hint: Pass your class")

    class OnTheKits(Value):
        pass

    out = verdict(capsys, "ch09-engine", OnTheKits)
    assert out.startswith(NOT_YET) and "kit's Value" in out


def test_the_graph_step_asks_for_an_ordered_tuple_with_repeats(capsys):
    assert verdict(capsys, "ch09-graph", demo_engine("set")).startswith(
        f"{NOT_YET} Hint: _parents must be a tuple"
    )
    assert verdict(capsys, "ch09-graph", demo_engine()).startswith(CORRECT)


def test_backward_must_reset_before_a_second_pass(capsys):
    accumulates = demo_engine("accumulate")  # micrograd's habit: no reset, zero_grad() instead
    assert check_engine(accumulates).ok  # one pass on a fresh circuit cannot tell
    out = verdict(capsys, "ch09-backward", accumulates)
    assert out.startswith(NOT_YET) and "reset every gradient" in out


@pytest.mark.slow
def test_train_step_is_judged_on_the_trained_weights(capsys):
    from backprop_kit.exercises.ch09 import TRAIN_STEPS, train_model

    engine = chapter_engine()
    model, losses = train_model(engine)
    assert len(losses) == TRAIN_STEPS and losses[-1] < losses[0]
    assert value_verdict(capsys, "ch09-train", (model, losses)).startswith(CORRECT)
    untrained, _ = train_model(engine, 0)
    assert "have not moved" in value_verdict(capsys, "ch09-train", (untrained, []))
    short, _ = train_model(engine, TRAIN_STEPS - 1)
    assert "differ from the kit's" in value_verdict(capsys, "ch09-train", (short, []))
    assert "pair (model, losses)" in value_verdict(capsys, "ch09-train", model)


@pytest.mark.slow
def test_an_endless_loop_in_the_learners_engine_is_stopped(capsys):
    Endless = demo_engine()  # a new class each call: patching it touches nothing else

    def backward(self):
        while True:
            pass

    Endless.backward = backward
    out = verdict(capsys, "ch09-engine", Endless)
    assert out.startswith(f"{NOT_YET} Hint: The check was stopped after")
    assert "loop forever" in out and "\n" not in out


def test_an_engine_that_borrows_the_kits_backward_is_refused(capsys):
    out = verdict(capsys, "ch09-engine", BorrowedEngine)
    assert out.startswith(NOT_YET) and "your backward() raised AutodiffRefused" in out
    assert check_engine(BorrowedEngine).ok  # outside the exercise, the kit's autodiff is allowed


MICROGRAD_BUGS = {  # micrograd's own engine with one line changed, and the cause to be named
    "fork": (
        (
            "self.grad += out.grad\n            other.grad += out.grad",
            "self.grad = out.grad\n            other.grad = out.grad",
        ),
        "fork lost a contribution",
    ),
    "swap": (
        (
            "self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
            "self.grad += self.data * out.grad\n            other.grad += other.data * out.grad",
        ),
        "swapped multiply rule",
    ),
    "upstream": (
        (
            "self.grad += other.data * out.grad\n            other.grad += self.data * out.grad",
            "self.grad += other.data\n            other.grad += self.data",
        ),
        "missing upstream factor",
    ),
    "order": (("for v in reversed(topo):", "for v in topo:"), "out of order"),
}


@pytest.mark.parametrize("bug", sorted(MICROGRAD_BUGS))
def test_bugs_in_a_closure_style_engine_are_named_too(bug):
    import inspect

    import micrograd.engine

    (old, new), cause = MICROGRAD_BUGS[bug]
    source = inspect.getsource(micrograd.engine)
    assert old in source
    scope: dict = {}
    exec(compile(source.replace(old, new), "micrograd_with_a_bug", "exec"), scope)
    report = check_engine(scope["Value"])
    assert not report.ok and len(report.mismatch.expr.gates) <= 2
    assert cause in report.hint, report.hint


def test_a_wrong_forward_value_is_named_before_any_gradient():
    engine = demo_engine()
    engine.__neg__ = lambda self: self * 1  # forgot the minus
    report = check_engine(engine)
    m = report.mismatch
    assert m.kind == "value" and len(m.expr.gates) == 1 and m.expr.gates[0].op == "neg"
    assert "first wrong value" in report.line and "your __neg__" in report.hint
    assert "your value" in report.table().splitlines()[0]
    legend = [t.get_text() for t in report.figure().axes[0].texts if t.get_gid() == "legend"]
    assert legend == ["value, above the wire", "your engine's value (✗: wrong)"]
    assert "your __neg__" not in report.alt_text() and "(wrong)" in report.alt_text()


def test_bad_arguments_to_the_checker_are_one_line_errors():
    for bad in (["mul", "matmul"], "add"):
        with pytest.raises(ValueError, match="ops must be a list of operation names"):
            check_engine(demo_engine(), bad)
    with pytest.raises(ValueError, match="expressions must be an int"):
        check_engine(demo_engine(), expressions=-1)
    with pytest.raises(TypeError, match="pass your class itself"):
        check_engine(demo_engine()(2.0))
    with pytest.raises(ValueError, match="unknown bug 'typo'; known bugs: fork"):
        demo_engine("typo")


def test_relu_at_its_kink_follows_the_chapters_rule():
    """The chapter asks for 𝟙(x > 0): a relu that passes the gradient back at x = 0 is caught
    on relu(0) itself (random expressions almost never hit 0 exactly)."""
    import micrograd.engine as micrograd  # in the test extra

    class TieAtZero(micrograd.Value):
        def relu(self):
            out = TieAtZero(max(0.0, self.data), (self,), "ReLU")

            def _backward():
                self.grad += (self.data >= 0) * out.grad

            out._backward = _backward
            return out

    report = check_engine(TieAtZero)
    assert not report.ok and report.mismatch.expr.formula() == "a.relu()"
    assert "a = 0" in report.line and "relu" in report.hint
    assert check_engine(micrograd.Value).ok


@pytest.mark.slow
def test_train_step_hints_name_the_slip(capsys):
    """A loss without the L2 term, steps uphill, and a losses list with extra entries each get
    a hint that names the slip; the right answer is correct."""
    from backprop_kit.chapters.train_explorer import DEFAULT_LR
    from backprop_kit.exercises import CORRECT, NOT_YET
    from backprop_kit.exercises.ch09 import demo_engine, train_model
    from backprop_kit.nn import net as nn

    Mine = demo_engine()  # a correct engine written the chapter's way

    def verdict_of(answer):
        from tests.verdicts import value_verdict

        return value_verdict(capsys, "ch09-train", answer)

    assert verdict_of(train_model(Mine)).startswith(CORRECT)
    no_l2 = verdict_of(train_model(Mine, alpha=0.0))
    assert no_l2.startswith(NOT_YET) and "ALPHA" in no_l2
    from backprop_kit.chapters.train_explorer import ALPHA
    from backprop_kit.nn.data import two_moons

    X, y = two_moons()
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0, value_cls=Mine)
    for _ in range(8):  # every step uphill
        loss = nn.svm_loss(model, X, y, ALPHA)
        loss.backward()
        for p in model.parameters():
            p.data += DEFAULT_LR * p.grad
    uphill = verdict_of((model, []))
    assert uphill.startswith(NOT_YET) and "against the gradient" in uphill
    model, losses = train_model(Mine)
    doubled = verdict_of((model, losses + [nn.Value(x) for x in losses]))
    assert doubled.startswith(NOT_YET) and "numbers" in doubled


def _engine_with_data(prop):
    """A small correct engine whose number is shown through the ``data`` property given."""

    class V:
        def __init__(self, data, _c=()):
            self._data, self.grad, self._c, self._b = data, 0.0, _c, lambda: None

        def __add__(self, o):
            o = o if isinstance(o, V) else V(o)
            out = V(self._data + o._data, (self, o))

            def b():
                self.grad += out.grad
                o.grad += out.grad

            out._b = b
            return out

        def backward(self):
            topo, seen = [], set()

            def visit(v):
                if v not in seen:
                    seen.add(v)
                    for c in v._c:
                        visit(c)
                    topo.append(v)

            visit(self)
            self.grad = 1.0
            for v in reversed(topo):
                v._b()

    V.data = prop
    return V


def verdict_text(exercise_id, answer):
    import contextlib
    import io

    from backprop_kit.exercises import check

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        check(exercise_id, answer)
    return buf.getvalue().strip()


@pytest.mark.slow
def test_attributes_that_fail_are_one_line_and_bounded_in_time():
    """.data is read like any call into the learner's class: a property that raises, returns
    an int too big for a float, or loops, gives one line (the loop within the time limit)."""
    good = _engine_with_data(property(lambda s: s._data))
    assert check_engine(good, ["add"]).ok

    def boom(s):
        raise ValueError("boom")

    report = check_engine(_engine_with_data(property(boom)), ["add"], expressions=5)
    assert "reading .data of a raised ValueError: boom" in report.line
    report = check_engine(_engine_with_data(property(lambda s: 10**400)), ["add"], expressions=5)
    assert "too large for a float" in report.line

    def forever(s):
        while True:
            pass

    # through the exercise's runner, which stops learner code (check_engine alone cannot)
    from backprop_kit.exercises import NOT_YET

    out = verdict_text("ch09-engine", _engine_with_data(property(forever)))
    assert out.startswith(NOT_YET) and "stopped after" in out


@pytest.mark.parametrize("bad", [float("nan"), -1, 0, "5", True])
def test_a_bad_time_limit_is_one_line(bad):
    good = _engine_with_data(property(lambda s: s._data))
    with pytest.raises(ValueError, match="time_limit must be a number of seconds > 0"):
        check_engine(good, ["add"], time_limit=bad)


def test_ch09_local_hints_say_what_is_wrong(capsys):
    def local(body: str) -> type:
        """The chapter's engine with ``_local_grads`` written as ``body``."""
        code = "class Value(Value):\n    def _local_grads(self):\n"
        return chapter_engine(code + "\n".join("        " + line for line in body.split("\n")))

    no_return = local(
        'if self._op == "+":\n    return (1.0, 1.0)\nif self._op == "*":\n'
        "    return (self._parents[1].data, self._parents[0].data)"
    )
    out = verdict(capsys, "ch09-local", no_return)
    assert "_local_grads() of an input returned None" in out and "TypeError" not in out
    values = local(
        'if self._op == "*":\n    return tuple(reversed(self._parents))\n'
        "return (1.0,) * len(self._parents)"
    )
    assert "use .data of a Value" in verdict(capsys, "ch09-local", values)
    not_swapped = local("return tuple(p.data if self._op == '*' else 1.0 for p in self._parents)")
    out = verdict(capsys, "ch09-local", not_swapped)
    assert "right count, wrong slopes" in out and "one number per parent" not in out


def test_a_right_engine_that_cannot_do_everything_is_told_what_was_left_out(capsys):
    without = "class Value(Value):\n    __rmul__ = __rsub__ = __rtruediv__ = None\n"
    out = verdict(capsys, "ch09-engine", chapter_engine(without))
    assert out.startswith(CORRECT)
    assert "Left out, as the class cannot do them: 2 * x (__rmul__)" in out


def test_training_uphill_with_your_engine_is_named(capsys):
    from backprop_kit.chapters.train_explorer import ALPHA, DEFAULT_LR
    from backprop_kit.exercises.ch09 import TRAIN_STEPS, train_model
    from backprop_kit.nn.data import two_moons
    from backprop_kit.nn.net import svm_loss

    model, _ = train_model(chapter_engine(), steps=0)
    X, y = two_moons()
    losses = []
    for _ in range(TRAIN_STEPS):
        loss = svm_loss(model, X, y, ALPHA)
        loss.backward()
        for p in model.parameters():
            p.data += DEFAULT_LR * p.grad  # along the gradient: uphill
        losses.append(loss.data)
    out = verdict(capsys, "ch09-train", (model, losses))
    assert out.startswith(f"{NOT_YET} Hint: Your loss grew from")


def test_ch09_engine_requires_the_rules_it_asks_for(capsys):
    """An engine whose ** tanh exp relu rules still raise NotImplementedError was called
    right (they were "left out") and passed grade()."""

    def skipping(ops: str) -> type:
        return chapter_engine(
            "class Value(Value):\n    def _local_grads(self):\n"
            f"        if self._op in {ops}:\n"
            "            raise NotImplementedError()\n        return super()._local_grads()\n"
        )

    out = verdict(capsys, "ch09-engine", skipping("('tanh', 'exp', 'relu')"))
    assert out.startswith(f"{NOT_YET} Hint: Your class cannot do x.tanh(), x.exp(), x.relu()")
    out = verdict(capsys, "ch09-engine", skipping("('tanh', 'exp', '**', 'relu')"))
    assert out == NOT_ATTEMPTED  # none of the exercise's rules written


def test_ch09_local_takes_numpy_numbers(capsys):
    as_array = (
        "import numpy as np\nclass Value(Value):\n    def _local_grads(self):\n"
        "        return np.array(super()._local_grads(), dtype=np.float32)\n"
    )
    assert verdict(capsys, "ch09-local", chapter_engine(as_array)).startswith(CORRECT)


def test_ch09_train_takes_the_losses_as_a_tuple(capsys):
    from backprop_kit.exercises.ch09 import train_model

    model, losses = train_model(chapter_engine())
    assert verdict(capsys, "ch09-train", (model, tuple(losses))).startswith(CORRECT)
