"""The engine checker and chapter 9's exercises: a correct engine passes (the chapter's own
solution, micrograd's Value), every bug of the catalogue and the bugs a learner writes are caught
on a tiny circuit with a hint naming their cause, and the learner's code runs only in the
sandbox, within its time limit."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit import Value, numerical_grad
from backprop_kit.chapters import engine_check
from backprop_kit.chapters.engine_check import (
    BUGS,
    Case,
    EngineNotAttempted,
    check_engine,
    demo_engine,
    first_failure,
    numbers_of,
    operations,
    random_case,
    reference,
    tiny_cases,
)
from backprop_kit.core import gates
from backprop_kit.exercises import CORRECT, NOT_ATTEMPTED, NOT_YET
from tests.solutions import BorrowedEngine, chapter_engine
from tests.verdicts import value_verdict, verdict

CH09_STEPS = ("ch09-add", "ch09-graph", "ch09-local", "ch09-topo", "ch09-backward", "ch09-engine")


def learner(code: str) -> type:
    """The chapter's engine, then ``code`` (a learner's ``class Value(Value): ...``)."""
    return chapter_engine("class Value(Value):\n" + code)


# --- correct engines pass -----------------------------------------------------------------------


def test_the_chapters_solution_passes_every_step_with_nothing_left_out(capsys):
    engine = chapter_engine()
    report = check_engine(engine)
    assert report.ok, report.summary()
    texts = {op.text() for op in report.checked}
    assert {"x + y", "x * y", "x ** 2", "x.tanh()", "x.relu()", "x.exp()", "x / y"} <= texts
    assert {"2 - x", "2 / x", "2 * x", "2 + x", "1 / x"} <= texts
    for step in CH09_STEPS:
        out = verdict(capsys, step, engine)
        assert out.startswith(CORRECT) and "Left out" not in out, (step, out)


def test_micrograd_value_passes_on_the_operations_it_has():
    import micrograd.engine  # in the test extra: this must run, not skip

    report = check_engine(micrograd.engine.Value, resets=False)  # it adds up the passes
    assert report.ok, report.summary()
    assert "again" in check_engine(micrograd.engine.Value).failure.kind
    assert "x.tanh() (no tanh)" in report.cannot()
    assert {"x.relu()", "2 / x", "x ** 2"} <= {op.text() for op in report.checked}


@settings(max_examples=30)
@given(st.integers(0, 10**6))
def test_random_cases_agree_between_the_chapters_engine_and_the_kit(seed):
    engine = chapter_engine()
    case = random_case(random.Random(seed), operations(engine_check_gates()))
    if case is not None:
        assert first_failure(case, *numbers_of(engine, case)) is None, case.formula()


def engine_check_gates() -> list[str]:
    return ["add", "mul", "addc", "scale", "neg", "sub", "div", "inv", "powc", "tanh", "exp"]


@settings(max_examples=30)
@given(st.integers(0, 10**6))
def test_the_kits_gradients_on_random_cases_match_finite_differences(seed):
    case = random_case(random.Random(seed), [op for op in operations() if op.kink is None])
    if case is None:
        return
    right = reference(case)
    assert right is not None
    if any(
        reference(Case(tuple(x + d for x in case.inputs), case.steps)) is None
        for d in (-1e-4, 1e-4)
    ):
        return  # too near the edge of a gate's domain for a finite difference

    def f(*xs):
        return reference(Case(tuple(x.data for x in xs), case.steps))["value"][-1]

    num = numerical_grad(f, *case.inputs)
    assert right["grad"][: len(num)] == pytest.approx(num, rel=1e-4, abs=1e-4)


# --- every bug is caught small, and named ------------------------------------------------------

NAMED = {  # bug -> words of its hint
    "fork": "fork lost a contribution",
    "set": "fork lost a contribution",
    "swap": "swapped multiply rule",
    "upstream": "missing upstream factor",
    "eq": "counted as one",
    "levels": "level by level",
    "order": "Visited out of order",
    "seed": "output's own gradient to 1",
    "tanh": "local gradient rule of x.tanh()",
    "wipe": "leave every .data as it was",
    "accumulate": "reset every gradient",
}


@pytest.mark.parametrize("bug", sorted(BUGS))
def test_each_classic_bug_is_caught_on_at_most_three_gates_with_its_cause(bug):
    report = check_engine(demo_engine(bug))
    f = report.failure
    assert f is not None and f.kind in ("grad", "after", "again")
    assert len(f.case.steps) <= 3, f.case.formula()
    assert all(float(x).is_integer() and abs(x) <= 4 for x in f.case.inputs)
    assert NAMED[bug] in report.hint, report.hint
    assert bug == "levels" or "level by level" not in report.hint
    assert "\n" not in report.line and report.line.startswith("On f = ")
    assert set(NAMED) == set(BUGS)


# The same bugs as a learner writes them, on the chapter's own engine: not the catalogue's code.
LEARNERS_BUGS = {
    "levels": (
        "    def backward(self):\n"
        "        order, seen, level = [], {self}, [self]\n"
        "        while level:\n"
        "            order += level\n"
        "            nxt = []\n"
        "            for v in level:\n"
        "                for p in v._parents:\n"
        "                    if p not in seen:\n"
        "                        seen.add(p)\n"
        "                        nxt.append(p)\n"
        "            level = nxt\n"
        "        for v in order:\n"
        "            v.grad = 0.0\n"
        "        self.grad = 1.0\n"
        "        for v in order:\n"
        "            for p, local in zip(v._parents, v._local_grads()):\n"
        "                p.grad += local * v.grad\n"
    ),
    "eq": (
        "    def __eq__(self, other):\n"
        "        return isinstance(other, Value) and self.data == other.data\n"
        "    def __hash__(self):\n"
        "        return hash(self.data)\n"
    ),
    "wipe": (
        "    def backward(self):\n"
        "        super().backward()\n"
        "        for v in self._topo():\n"
        "            v.data = 0.0\n"
    ),
    "accumulate": (
        "    def backward(self):\n"
        "        self.grad = 1.0\n"
        "        for v in reversed(self._topo()):\n"
        "            for p, local in zip(v._parents, v._local_grads()):\n"
        "                p.grad += local * v.grad\n"
    ),
}


@pytest.mark.parametrize("bug", sorted(LEARNERS_BUGS))
def test_bugs_written_by_a_learner_are_caught_small_and_named(bug, capsys):
    engine = learner(LEARNERS_BUGS[bug])
    report = check_engine(engine)
    assert not report.ok and len(report.failure.case.steps) <= 3, report.line
    assert NAMED[bug] in report.hint, report.hint
    out = verdict(capsys, "ch09-engine", engine)
    assert out.startswith(NOT_YET) and NAMED[bug] in out


def test_the_first_failure_is_the_smallest_one():
    """The search goes smallest first: every tiny case smaller than the reported one passes."""
    for bug in ("order", "upstream", "levels"):
        engine = demo_engine(bug)
        report = check_engine(engine)
        found = report.failure.case
        smaller = [c for c in tiny_cases(tuple(report.checked)) if c.size() < found.size()]
        assert smaller and not [
            c.formula() for c in smaller if first_failure(c, *numbers_of(engine, c))
        ]


def test_formulas_keep_the_circuits_grouping():
    ops = {op.form: op for op in operations()}
    mul, rdiv, sub, neg, add = (
        ops[f] for f in ("{a} * {b}", "{c} / {a}", "{a} - {b}", "-{a}", "{a} + {b}")
    )
    e = Case((3.0,), ((mul, (0, 0), None), (rdiv, (1,), 2.0), (mul, (2, 0), None)))
    assert e.formula() == "2 / (a * a) * a"
    e = Case((3.0, 1.0), ((sub, (0, 1), None), (neg, (2,), None), (add, (3, 3), None)))
    assert e.formula() == "p + p (where p = -(a - b))"
    e = Case((3.0, 1.0, 2.0), ((add, (1, 2), None), (add, (0, 3), None)))
    assert e.formula() == "a + (b + c)"


def test_the_figure_writes_the_learners_gradient_beside_the_right_one():
    report = check_engine(demo_engine("fork"))
    texts: dict = {}
    for t in report.figure().axes[0].texts:
        texts.setdefault(t.get_gid(), []).append(t.get_text())
    assert "yours 1 ✗" in texts["second"] and "2" in texts["grad"]
    assert any("your engine's gradient" in s for s in texts["legend"])
    assert "✗" in report.table() and "(wrong)" in report.alt_text()


# --- what the learner's code may do -----------------------------------------------------------


def test_an_exception_in_the_learners_code_is_one_line_naming_the_operation():
    report = check_engine(learner("    def __mul__(self, other):\n        return self.data.oops\n"))
    assert not report.ok and report.failure.kind == "error"
    assert "your __mul__" in report.line and "AttributeError" in report.line
    assert "\n" not in report.summary()


def test_only_the_operations_written_so_far_are_used():
    early = learner(
        "    def tanh(self):\n        raise NotImplementedError()\n"
        "    def __truediv__(self, other):\n        raise NotImplementedError()\n"
    )
    report = check_engine(early)
    assert report.ok, report.summary()
    assert {"x.tanh() (not written yet)", "x / y (not written yet)"} <= set(report.cannot())
    assert "tanh" not in report.gates
    assert report.left_out().startswith("Left out, as the class cannot do them: ")


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


def test_the_graph_steps_ask_for_an_ordered_tuple_and_a_value(capsys):
    out = verdict(capsys, "ch09-graph", demo_engine("set"))
    assert out.startswith(f"{NOT_YET} Hint: _parents must be a tuple")
    returns_a_float = learner("    def __add__(self, other):\n        return self.data + 1.0\n")
    out = verdict(capsys, "ch09-add", returns_a_float)
    assert "should return a new Value" in out and ".data should be" not in out


def test_first_time_slips_get_hints_that_name_them(capsys):
    engine = chapter_engine()
    out = verdict(capsys, "ch09-add", engine(2.0))
    assert out.endswith("not one of its Values: drop the brackets")
    kits = learner(
        "    def __add__(self, other):\n        from backprop_kit import Value as Kit\n"
        "        return Kit(self.data + 1.0)\n"
    )
    assert "returned one of the kit's Values" in verdict(capsys, "ch09-add", kits)
    minus = learner(
        "    def backward(self):\n        order = self._topo()\n        for v in order:\n"
        "            v.grad = 0.0\n        self.grad = 1.0\n        for v in reversed(order):\n"
        "            for p, local in zip(v._parents, v._local_grads()):\n"
        "                p.grad -= local * v.grad\n"
    )
    out = verdict(capsys, "ch09-backward", minus)
    assert "A sign: your ∂f/∂a is the right one, 2, with the opposite sign" in out


def test_backward_must_reset_before_a_second_pass(capsys):
    out = verdict(capsys, "ch09-backward", demo_engine("accumulate"))
    assert out.startswith(NOT_YET) and "reset every gradient" in out


def test_a_topological_order_may_be_a_tuple(capsys):
    as_tuple = "    def _topo(self):\n        return tuple(super()._topo())\n"
    assert verdict(capsys, "ch09-topo", learner(as_tuple)).startswith(CORRECT)


def test_a_looping_backward_is_stopped_by_the_time_limit_alone():
    """Called directly, without an exercise: the sandbox's alarm stops the loop."""
    endless = learner("    def backward(self):\n        while True:\n            pass\n")
    report = check_engine(endless, time_limit=0.5)
    assert not report.ok and report.line.startswith("The check was stopped after 0.5 s")
    assert "loop forever" in report.line and "\n" not in report.line


@pytest.mark.slow
def test_the_time_limit_counts_the_learners_code_only(monkeypatch):
    """A slow checker (its reference engine slowed down) never stops a correct engine."""
    import time

    slow = engine_check.first_failure

    def first_failure_slowly(*args):
        time.sleep(0.03)
        return slow(*args)

    monkeypatch.setattr(engine_check, "first_failure", first_failure_slowly)
    report = check_engine(chapter_engine(), ["add", "mul"], expressions=20, time_limit=1.0)
    assert report.expressions > 40  # 0.03 s each: longer than the limit
    assert report.ok, report.summary()


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
    report = check_engine(scope["Value"], resets=False)
    assert not report.ok and len(report.failure.case.steps) <= 2
    assert cause in report.hint, report.hint


def test_a_wrong_forward_value_is_named_before_any_gradient():
    report = check_engine(learner("    def __neg__(self):\n        return self * 1\n"))
    f = report.failure
    assert f.kind == "value" and f.case.formula() == "-a"
    assert "first wrong value" in report.line and "your __neg__" in report.hint
    assert "your value" in report.table().splitlines()[0]
    legend = [t.get_text() for t in report.figure().axes[0].texts if t.get_gid() == "legend"]
    assert legend == ["value, above the wire", "your engine's value (✗: wrong)"]
    assert "your __neg__" not in report.alt_text() and "(wrong)" in report.alt_text()


def test_bad_arguments_to_the_checker_are_one_line_errors():
    engine = chapter_engine()
    for bad in (["mul", "matmul"], "add"):
        with pytest.raises(ValueError, match="ops must be a list of gate names"):
            check_engine(engine, bad)
    for bad in (-1, 10**9, 2.5, True):
        with pytest.raises(ValueError, match="expressions must be an int, 0 to 10000"):
            check_engine(engine, expressions=bad)
    for bad in (float("nan"), -1, 0, "5", True, 1e9):
        with pytest.raises(ValueError, match="time_limit must be seconds"):
            check_engine(engine, ["add"], time_limit=bad)
    with pytest.raises(TypeError, match="pass your own class"):
        check_engine(engine(2.0))
    with pytest.raises(ValueError, match="unknown bug 'typo'; known bugs: fork"):
        demo_engine("typo")
    with pytest.raises(TypeError):
        demo_engine()  # type: ignore[call-arg]  # no bug-free engine is handed over


def test_relu_at_its_kink_follows_the_chapters_rule():
    """The chapter asks for 𝟙(x > 0): relu(0) is one of the tiny cases."""
    import micrograd.engine as micrograd  # in the test extra

    class TieAtZero(micrograd.Value):
        def relu(self):
            out = TieAtZero(max(0.0, self.data), (self,), "ReLU")

            def _backward():
                self.grad += (self.data >= 0) * out.grad

            out._backward = _backward
            return out

    report = check_engine(TieAtZero, resets=False)
    assert not report.ok and report.failure.case.formula() == "relu(a)"
    assert "a = 0" in report.line and "relu" in report.hint


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
            for v in topo:
                v.grad = 0.0
            self.grad = 1.0
            for v in reversed(topo):
                v._b()

    V.data = prop
    return V


def test_attributes_that_fail_are_one_line_and_bounded_in_time():
    """.data is read like any call into the learner's class: a property that raises, returns
    an int too big for a float, a string, or loops, gives one line (the loop within the limit)."""
    assert check_engine(_engine_with_data(property(lambda s: s._data)), ["add"]).ok

    def boom(s):
        raise ValueError("boom")

    said = {
        boom: "reading .data of a raised ValueError: boom",
        lambda s: 10**400: ".data of a is a number too large for a float",
        lambda s: "2": ".data of a is a str, expected a number",
    }
    for prop, line in said.items():
        report = check_engine(_engine_with_data(property(prop)), ["add"], expressions=5)
        assert line in report.line, report.line

    def forever(s):
        while True:
            pass

    report = check_engine(_engine_with_data(property(forever)), ["add"], time_limit=0.3)
    assert report.line.startswith("The check was stopped after 0.3 s")


def test_ch09_local_hints_say_what_is_wrong(capsys):
    no_return = learner(
        '    def _local_grads(self):\n        if self._op == "+":\n            return (1.0, 1.0)\n'
        '        if self._op == "*":\n'
        "            return (self._parents[1].data, self._parents[0].data)\n"
    )
    out = verdict(capsys, "ch09-local", no_return)
    assert "_local_grads() of an input returned None" in out and "TypeError" not in out
    values = learner(
        '    def _local_grads(self):\n        if self._op == "*":\n'
        "            return tuple(reversed(self._parents))\n"
        "        return (1.0,) * len(self._parents)\n"
    )
    assert "use .data of a Value" in verdict(capsys, "ch09-local", values)
    not_swapped = learner(
        "    def _local_grads(self):\n"
        "        return tuple(p.data if self._op == '*' else 1.0 for p in self._parents)\n"
    )
    out = verdict(capsys, "ch09-local", not_swapped)
    assert "right count, wrong slopes" in out and "one number per parent" not in out


def test_ch09_local_takes_numpy_numbers(capsys):
    as_array = (
        "    def _local_grads(self):\n        import numpy as np\n"
        "        return np.array(super()._local_grads(), dtype=np.float32)\n"
    )
    assert verdict(capsys, "ch09-local", learner(as_array)).startswith(CORRECT)


def test_a_right_engine_that_cannot_do_the_chapters_gates_is_told_what_was_left_out(capsys):
    out = verdict(capsys, "ch09-engine", learner("    __rmul__ = __rsub__ = None\n"))
    assert out.startswith(CORRECT)
    assert "Left out, as the class cannot do them: 2 - x (no __rsub__), 2 * x (no __rmul__)" in out


def test_ch09_engine_requires_the_rules_it_asks_for(capsys):
    """An engine whose ** tanh exp relu rules still raise NotImplementedError is not right."""

    def skipping(ops: str) -> type:
        return learner(
            f"    def _local_grads(self):\n        if self._op in {ops}:\n"
            "            raise NotImplementedError()\n        return super()._local_grads()\n"
        )

    out = verdict(capsys, "ch09-engine", skipping("('tanh', 'exp', 'relu')"))
    assert out.startswith(f"{NOT_YET} Hint: Your class cannot do x.exp() (not written yet)")
    assert (
        verdict(capsys, "ch09-engine", skipping("('tanh', 'exp', '**', 'relu')")) == NOT_ATTEMPTED
    )


# --- ch09-train: the learner's own loop, judged by the weights -----------------------------------


def test_chapter_9_trains_with_chapter_8s_settings():
    from backprop_kit.chapters import train_explorer
    from backprop_kit.exercises import ch09

    assert (ch09.LR, ch09.ALPHA) == (train_explorer.DEFAULT_LR, train_explorer.ALPHA)
    assert ch09.WIDTH == train_explorer.DEFAULT_WIDTH


def train(engine: type, steps: int = 8, lr: float | None = None, alpha: float | None = None):
    """Chapter 8's network of ``engine``'s Values, trained by a learner's loop."""
    from backprop_kit.chapters.train_explorer import ALPHA, DEFAULT_LR
    from backprop_kit.nn.data import two_moons
    from backprop_kit.nn.net import MLP, svm_loss

    X, y = two_moons()
    model = MLP(2, [16, 16, 1], activation="relu", seed=0, value_cls=engine)
    losses = []
    for _ in range(steps):
        loss = svm_loss(model, X, y, ALPHA if alpha is None else alpha)
        loss.backward()
        for p in model.parameters():
            p.data -= (DEFAULT_LR if lr is None else lr) * p.grad
        losses.append(loss.data)
    return model, losses


@pytest.mark.slow
def test_ch09_train_is_judged_on_the_weights_of_the_learners_loop(capsys):
    import numpy as np

    from backprop_kit.exercises import ch09

    model, losses = train(chapter_engine())
    for ok in ((model, losses), (model, tuple(losses)), (model, np.array(losses))):
        assert value_verdict(capsys, "ch09-train", ok).startswith(CORRECT)
    assert "pair (model, losses)" in value_verdict(capsys, "ch09-train", model)
    doubled = value_verdict(capsys, "ch09-train", (model, losses + [Value(x) for x in losses]))
    assert doubled.startswith(NOT_YET) and "numbers" in doubled
    assert not hasattr(ch09, "train_model") and not hasattr(ch09, "demo_engine")


def test_a_model_whose_parameters_loop_is_stopped(capsys, monkeypatch):
    from backprop_kit.exercises import ch09

    monkeypatch.setattr(ch09, "TIME_LIMIT", 0.3)

    class Looping:
        def parameters(self):
            while True:
                pass

    out = value_verdict(capsys, "ch09-train", (Looping(), [1.0] * 8))
    assert out.startswith(NOT_YET) and "stopped after" in out


@pytest.mark.slow
def test_ch09_train_hints_name_the_slip(capsys):
    """Not moved, uphill, too few steps, no L2 term: each gets a hint naming the slip."""
    engine = chapter_engine()

    def said(answer):
        return value_verdict(capsys, "ch09-train", answer)

    assert "have not moved" in said((train(engine, 0)[0], []))
    assert "differ from the kit's" in said((train(engine, 7)[0], []))
    assert "ALPHA" in said(train(engine, alpha=0.0))
    model, losses = train(engine, lr=-0.3)  # along the gradient: uphill
    assert said((model, losses)).startswith(f"{NOT_YET} Hint: Your loss grew from")


def test_a_gate_registered_in_the_table_is_checked_too():
    from tests.test_table import SIN

    def with_sin(rule: str) -> type:
        return learner(
            "    def sin(self):\n        return Value(math.sin(self.data), (self,), 'sin')\n"
            "    def _local_grads(self):\n"
            f"        if self._op == 'sin':\n            return ({rule},)\n"
            "        return super()._local_grads()\n"
        )

    gates.register(SIN)
    try:
        report = check_engine(with_sin("math.cos(self._parents[0].data)"))
        assert report.ok and "sin" in report.gates, report.summary()
        wrong = check_engine(with_sin("-math.cos(self._parents[0].data)"))
        assert wrong.failure.case.formula() == "sin(a)"
        assert "local gradient rule of x.sin()" in wrong.hint
    finally:
        gates.unregister("sin")
    assert "sin" not in {op.gate for op in operations()}


def test_ops_given_as_a_generator_are_read_once_and_an_empty_list_is_refused():
    report = check_engine(chapter_engine(), (name for name in ["add", "mul"]))
    assert report.ok, report.summary()
    with pytest.raises(ValueError, match="ops must be a list of gate names"):
        check_engine(chapter_engine(), [])
