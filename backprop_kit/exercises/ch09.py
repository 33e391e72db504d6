"""Chapter 9 exercises: the learner builds a small engine of their own, step by step.

The learner's class has micrograd's shape (``Value(data)``, ``.data``, ``.grad``, operators,
``tanh/relu/exp``, ``backward()``) and, inside, the chapter's choices:

* ``_parents`` — the gate's inputs as a **tuple in operand order** (``a + a`` keeps ``(a, a)``),
* ``_op`` — the gate's name (``"+"``, ``"*"``, ``"**"``, ``"tanh"``, …; ``""`` for an input),
* ``_local_grads()`` — ∂self/∂parent for each parent, in operand order,
* ``_topo()`` — every wire of the circuit, each after its parents, ``self`` last,
* ``backward()`` — resets every gradient of the circuit, sets 1 on the output, and visits the
  gates in reverse topological order, *adding* ``local × upstream`` to each parent.

The exercises, one per step (each receives the class itself, except the last):

* ``ch09-add`` — ``__add__`` alone: value, parents in operand order, the op's name;
* ``ch09-graph`` — the forward graph of ``+`` and ``*`` (``a + a``, ``a * 4`` included);
* ``ch09-local`` — the local-gradient rules of ``+`` and ``*``;
* ``ch09-topo`` — the topological order;
* ``ch09-backward`` — ``backward()`` on circuits of ``+`` and ``*`` (random expressions, see
  :mod:`backprop_kit.chapters.engine_check`), and a second call gives the same gradients;
* ``ch09-engine`` — the whole engine, on every operation it has (the kit's engine checker);
* ``ch09-train`` — ``(model, losses)``: chapter 8's network trained TRAIN_STEPS steps with the
  learner's engine; right when every weight equals the kit's after the same steps.

Each judge that calls into the learner's class runs as learner code (the exercise runner: time
limit, the kit's autodiff switched off); the engine checks pass that runner to
:func:`~..chapters.engine_check.check_engine`, so only the learner's calls are limited and the
kit's reference engine runs freely.

:func:`demo_engine` builds an engine of this shape with one classic bug (or none), for the
chapter to show what the checker says and for the tests.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from backprop_kit.chapters import engine_check
from backprop_kit.core.engine import Value as KitValue
from backprop_kit.exercises import (
    TIME_LIMIT,
    Exercise,
    LearnerTimeout,
    RightWithNote,
    custom_exercise,
    is_number,
    run_learner_code,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BASIC_OPS = ("add", "mul", "addc", "mulc")
"""The operations of the first steps: ``+`` and ``*``, a plain number on the right allowed."""


# --- an engine with the chapter's shape, with a bug to order ---------------------------------

BUGS = {
    "fork": "= instead of += when a gate passes gradient to its inputs",
    "swap": "the multiply rule gives each input its own value, not the other's",
    "upstream": "the local gradient is passed on without the upstream factor",
    "order": "backward() visits the gates in topological order, not reversed",
    "seed": "backward() never sets the output's gradient to 1",
    "tanh": "tanh's local gradient is 1 - t instead of 1 - t**2",
    "set": "the parents are kept in a set, which loses order and duplicates",
    "accumulate": "backward() adds to the gradients of an earlier pass instead of resetting them",
}


def demo_engine(bug: str | None = None) -> type:
    """A micrograd-shaped engine written the chapter's way, with the classic ``bug`` (a key
    of :data:`BUGS`) or none. Each call returns a new class."""
    if bug is not None and bug not in BUGS:
        raise ValueError(f"unknown bug {bug!r}; known bugs: {', '.join(BUGS)}")

    class Value:
        def __init__(self, data, parents=(), op=""):
            self.data = float(data)
            self.grad = 0.0
            self._parents = set(parents) if bug == "set" else tuple(parents)
            self._op = op
            self._k = None

        def __repr__(self):
            return f"Value(data={self.data:g}, grad={self.grad:g})"

        def __add__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data + other.data, (self, other), "+")

        def __mul__(self, other):
            other = other if isinstance(other, Value) else Value(other)
            return Value(self.data * other.data, (self, other), "*")

        def __pow__(self, k):
            out = Value(self.data**k, (self,), "**")
            out._k = k
            return out

        def tanh(self):
            return Value(math.tanh(self.data), (self,), "tanh")

        def exp(self):
            return Value(math.exp(self.data), (self,), "exp")

        def relu(self):
            return Value(max(0.0, self.data), (self,), "relu")

        def __neg__(self):
            return self * -1

        def __sub__(self, other):
            return self + (-other)

        def __truediv__(self, other):
            return self * other**-1

        def __radd__(self, other):
            return self + other

        def __rmul__(self, other):
            return self * other

        def _local_grads(self):
            ps = tuple(self._parents)
            if not ps:
                return ()
            if self._op == "+":
                return tuple(1.0 for _ in ps)
            if self._op == "*":
                a, b = ps if len(ps) == 2 else (ps[0], ps[0])
                return (a.data, b.data) if bug == "swap" else (b.data, a.data)
            x = ps[0].data
            if self._op == "**":
                return (self._k * x ** (self._k - 1),)
            if self._op == "tanh":
                return (1 - self.data,) if bug == "tanh" else (1 - self.data**2,)
            if self._op == "exp":
                return (self.data,)
            return (1.0 if x > 0 else 0.0,)  # relu

        def _topo(self):
            order, seen = [], set()

            def visit(v):
                if v not in seen:
                    seen.add(v)
                    for p in v._parents:
                        visit(p)
                    order.append(v)

            visit(self)
            return order

        def backward(self):
            order = self._topo()
            if bug != "accumulate":
                for v in order:
                    v.grad = 0.0
            if bug != "seed":
                self.grad = 1.0
            for v in order if bug == "order" else reversed(order):
                for p, local in zip(v._parents, v._local_grads()):
                    g = local if bug == "upstream" else local * v.grad
                    if bug == "fork":
                        p.grad = g
                    else:
                        p.grad += g

    Value.__qualname__ = Value.__name__ = "Value" if bug is None else f"Value_{bug}"
    return Value


# --- the judges ---------------------------------------------------------------------------------


def _inputs(cls: type, *xs: float) -> list[Any]:
    return [cls(x) for x in xs]


def _same(got: object, want: float) -> bool:
    """``got`` is a number (judged by type first) equal to ``want`` up to rounding."""
    return is_number(got) and engine_check.close(float(got), want)  # type: ignore[arg-type]


def _is_str(got: object, want: str) -> bool:
    """``got`` is the string ``want`` (type first: a learner's object is never asked ``==``)."""
    return isinstance(got, str) and got == want


def _kit_local(op: str, x: float, y: float) -> tuple[float, ...]:
    """The kit's own local gradients (the reference: computed with the refusal lifted, since
    the whole judge runs as learner code)."""
    a, b = KitValue(x), KitValue(y)
    out = a + b if op == "+" else a * b
    return out.local_grads()


def _need_class(cls: object) -> str | None:
    if not isinstance(cls, type):
        return f"pass your class itself (Value, without brackets), not a {type(cls).__name__}"
    if issubclass(cls, KitValue):
        return "build your own class: one built on the kit's Value only checks the kit"
    return None


def _own_class(judge: Callable[..., str | None]) -> Callable[..., str | None]:
    """``judge(cls, ...)``, run only when ``cls`` is a class of the learner's own; else why not."""

    @functools.wraps(judge)
    def checked(cls: object, *args: Any) -> str | None:
        return _need_class(cls) or judge(cls, *args)

    return checked


_TUPLE_HINT = (
    "_parents must be a tuple (in operand order), got {}: a set forgets which input "
    "came first and keeps a + a's input once"
)


@_own_class
def judge_graph(cls: type, ops: str = "+*") -> str | None:
    """The forward graph: values, ``_parents`` as an ordered tuple, ``_op``, grads at 0;
    for the operators in ``ops`` (``"+"`` alone, or ``"+*"``)."""
    a, b = _inputs(cls, 2.0, -3.0)
    if not _same(getattr(a, "data", None), 2.0) or not _same(getattr(a, "grad", None), 0.0):
        return "Value(2.0) should have .data == 2.0 and .grad == 0.0"
    if not isinstance(getattr(a, "_parents", None), tuple):
        return _TUPLE_HINT.format(type(getattr(a, "_parents", None)).__name__)
    if a._parents != () or not _is_str(getattr(a, "_op", None), ""):
        return "an input, Value(2.0), has no parents: _parents == () and _op == ''"
    cases = [
        ("+", -1.0, (a, b)),
        ("+", -1.0, (b, a)),
        ("+", 4.0, (a, a)),
        ("*", -6.0, (a, b)),
        ("*", -6.0, (b, a)),
        ("*", 9.0, (b, b)),
    ]
    for op, want, parents in cases:
        if op not in ops:
            continue
        x, y = parents
        out = x + y if op == "+" else x * y
        shown = f"{'a' if parents[0] is a else 'b'} {op} {'a' if parents[1] is a else 'b'}"
        if not _same(getattr(out, "data", None), want):
            return f"with a = 2 and b = -3, ({shown}).data should be {want:g}"
        ps = getattr(out, "_parents", None)
        if not isinstance(ps, tuple):
            return _TUPLE_HINT.format(type(ps).__name__)
        if len(ps) != 2 or ps[0] is not parents[0] or ps[1] is not parents[1]:
            return (
                f"({shown})._parents should hold the two operands themselves, in the order "
                "they were written (a + a holds a twice)"
            )
        if not _is_str(getattr(out, "_op", None), op):
            return f"({shown})._op should be {op!r}"
    for op in ops:
        c = a + 4 if op == "+" else a * 4
        ps = getattr(c, "_parents", ())
        if (
            not isinstance(ps, tuple)
            or len(ps) != 2
            or not isinstance(ps[1], cls)
            or not _same(getattr(ps[1], "data", None), 4.0)
        ):
            return (
                f"a {op} 4 should wrap the plain number 4 in a Value of its own (its second parent)"
            )
    return None


@_own_class
def judge_local(cls: type) -> str | None:
    """``_local_grads()`` of ``+`` and ``*``: ∂out/∂parent in operand order."""
    (x0,) = _inputs(cls, 5.0)
    own = x0._local_grads()
    if not isinstance(own, (tuple, list, np.ndarray)) or len(own) != 0:
        return (
            f"_local_grads() of an input returned {own!r:.40}; an input has no parents, so it "
            "must return () (does your method end without a return for an input?)"
        )
    for x, y in ((2.0, -3.0), (-1.5, 4.0), (0.5, 0.5)):
        a, b = _inputs(cls, x, y)
        for op, out in (("+", a + b), ("*", a * b)):
            got = out._local_grads()
            want = _kit_local(op, x, y)
            said = f"for a {op} b with a = {x:g}, b = {y:g}, _local_grads() returned {got!r:.60}"
            if not isinstance(got, (tuple, list, np.ndarray)) or len(got) != 2:
                return f"{said}: it must be (∂out/∂a, ∂out/∂b), one number per parent"
            if not all(is_number(g) for g in got):
                return f"{said}: the slopes are plain numbers (use .data of a Value)"
            if not all(_same(g, w) for g, w in zip(got, want)):
                return (
                    f"{said}: right count, wrong slopes; what does out = a {op} b change by "
                    "when a moves by 1, and when b does?"
                )
    return None


@_own_class
def judge_topo(cls: type) -> str | None:
    """``_topo()``: every wire once, each after its parents, the output last."""
    circuits: list[tuple[str, Callable[[list[Any]], Any]]] = [
        ("a * b", lambda v: v[0] * v[1]),
        ("(a + b) * (a + c)", lambda v: (v[0] + v[1]) * (v[0] + v[2])),
        ("a + a", lambda v: v[0] + v[0]),
        ("q * q + a, q = a * b", lambda v: (lambda q: q * q + v[0])(v[0] * v[1])),
        ("((a * b) * c + a) * b", lambda v: ((v[0] * v[1]) * v[2] + v[0]) * v[1]),
    ]
    for name, make in circuits:
        ins = _inputs(cls, 2.0, 3.0, -1.0)
        out = make(ins)
        every = _reachable(out)
        order = out._topo()
        if not isinstance(order, list):
            return f"_topo() should return a list, got {type(order).__name__}"
        ids = [id(v) for v in order]
        if len(set(ids)) != len(ids):
            return f"on {name}, _topo() lists a wire twice: remember which wires you visited"
        if set(ids) != set(every):
            return f"on {name}, _topo() should list all {len(every)} wires of the circuit"
        if order[-1] is not out:
            return f"on {name}, the output should come last"
        pos = {i: n for n, i in enumerate(ids)}
        for v in order:
            if any(pos[id(p)] > pos[id(v)] for p in v._parents):
                return f"on {name}, a wire comes before one of its parents"
    return None


def _reachable(out: Any) -> dict[int, Any]:
    """Every wire that ``out`` depends on (itself included), found from ``_parents``."""
    seen, stack = {id(out): out}, [out]
    while stack:
        for p in stack.pop()._parents:
            if id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return seen


def _engine_judge(
    exercise_id: str, ops: tuple[str, ...] | None, twice: bool, required: tuple[str, ...] = ()
) -> Callable[[object], str | None]:
    """The judge of a whole engine: ``check_engine`` on ``ops`` (None: all it has); the
    operations in ``required`` (the exercise's own) must be there and written."""

    @_own_class
    def judge(cls: type) -> str | None:
        try:
            report = engine_check.check_engine(cls, ops, run=_runner(exercise_id))
        except TypeError as err:
            return str(err)
        if not report.ok:
            _show(report)
            return report.summary()
        _, absent = engine_check.available_ops(cls, required) if required else ((), [])
        if required and len(absent) == len(required):
            raise NotImplementedError  # none of the exercise's rules written: not attempted
        if absent:
            return (
                f"your class cannot do {', '.join(absent)} yet: write their local gradient "
                "rules in _local_grads (this exercise is about them)"
            )
        if twice:
            first, again = run_learner_code(_two_passes, cls, autodiff_off=exercise_id)
            if not (_same(again[0], first[0]) and _same(again[1], first[1])):
                return (
                    f"calling f.backward() twice on f = a * b + a gave ∂f/∂a = {first[0]:g} "
                    f"then {again[0]:g}: backward() must first reset every gradient of the "
                    "circuit to 0"
                )
        if report.missing:
            return RightWithNote(report.left_out())
        return None

    return judge


def _two_passes(cls: type) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """(∂f/∂a, ∂f/∂b) after one and after two calls of ``f.backward()``, f = a·b + a."""
    a, b = _inputs(cls, 2.0, -3.0)
    f = a * b + a
    f.backward()
    first = (a.grad, b.grad)
    f.backward()
    return first, (a.grad, b.grad)


def _show(report: engine_check.EngineReport) -> None:
    """In a notebook, show the failing circuit and the table of gradients."""
    fig = report.figure()
    if fig is not None and _display(fig):
        print(report.table())


def _runner(exercise_id: str) -> engine_check.Runner:
    """The exercise runner (time limit, the kit's autodiff off) in the engine checker's terms:
    a learner's call that runs too long raises TimeoutError."""

    def run(fn: Callable[[], Any], seconds: float) -> Any:
        try:
            return run_learner_code(fn, seconds=seconds, autodiff_off=exercise_id)
        except LearnerTimeout:
            raise TimeoutError(f"stopped after {seconds:g} s") from None

    return run


def _custom(
    exercise_id: str,
    question: str,
    judge: Callable[[Any], str | None],
    explanation: str,
    learner_code: bool = True,
) -> Exercise:
    """Register a chapter 9 exercise. With ``learner_code``, the whole judge runs as learner
    code (it calls the learner's class throughout): under the time limit, autodiff off."""
    if not learner_code:
        return custom_exercise(exercise_id, question, judge, explanation)

    def judged(answer: Any) -> str | None:
        return run_learner_code(judge, answer, seconds=TIME_LIMIT, autodiff_off=exercise_id)

    return custom_exercise(exercise_id, question, judged, explanation)


_custom(
    "ch09-add",
    "Complete __add__: a new Value holding the sum, its parents (self, other) and the op '+'. "
    "(Structure, not a gradient rule.)",
    lambda cls: judge_graph(cls, "+"),
    "Your sum remembers where it came from.",
)
_custom(
    "ch09-graph",
    "Complete __mul__ like __add__: every Value keeps .data, .grad = 0, its parents as a tuple "
    "in operand order (_parents) and its gate's name (_op). (Structure, not a gradient rule.)",
    judge_graph,
    "Your Values remember the circuit that made them.",
)
_custom(
    "ch09-local",
    "Write _local_grads() for + and *: one local gradient per parent, in operand order.",
    judge_local,
    "Add copies, multiply swaps.",
)
_custom(
    "ch09-topo",
    "List the wires in _topo(): every wire of the circuit once, each after its parents, the "
    "output last. (Structure, not a gradient rule.)",
    judge_topo,
    "A depth-first search lists each wire after everything it depends on.",
)
_custom(
    "ch09-backward",
    "Write backward(): reset, set 1 on the output, and in reverse topological order add "
    "local × upstream to each parent.",
    _engine_judge("ch09-backward", BASIC_OPS, twice=True),
    "Your engine agrees with the kit's on every circuit of + and * it was given.",
    learner_code=False,
)
_custom(
    "ch09-engine",
    "Write the local gradient rules of **, tanh, exp and relu; the kit compares your engine "
    "with its own on random expressions of every operation it has.",
    _engine_judge("ch09-engine", None, twice=False, required=("pow", "tanh", "exp", "relu")),
    "Your engine agrees with the kit's on every value and gradient it was checked on.",
    learner_code=False,
)


# --- training chapter 8's network with the learner's engine ----------------------------------

TRAIN_STEPS = 8
"""Steps of gradient descent the two engines are compared on (the chapter's run, kept short:
the learner's engine is pure Python)."""


def curve_figure(theirs: list[float], kit: list[float]) -> Figure:
    """Both loss curves on one small plot (a Figure that shows itself as a PNG in a notebook,
    not registered with pyplot)."""
    from backprop_kit.pictures.drawing import CircuitFigure
    from backprop_kit.pictures.style import GRAD_COLOR, VALUE_COLOR

    fig = CircuitFigure(figsize=(4.8, 2.6), dpi=100)
    ax = fig.add_subplot()
    steps = range(len(kit))
    ax.plot(steps, kit, color=VALUE_COLOR, linewidth=4, alpha=0.5, label="the kit's Value")
    ax.plot(
        steps,
        theirs,
        color=GRAD_COLOR,
        linestyle="--",
        marker="o",
        markersize=3,
        label="your Value",
    )
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    ax.legend(frameon=False)
    fig.tight_layout()
    same = len(theirs) == len(kit) and all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(theirs, kit)
    )
    fig.alt_text = (
        (
            f"Two loss curves over {len(kit)} training steps: the kit's Value from "
            f"{kit[0]:.4g} to {kit[-1]:.4g}, yours from {theirs[0]:.4g} to {theirs[-1]:.4g}; "
            + ("they lie on top of each other." if same else "they differ.")
        )
        if kit and theirs
        else "Two loss curves, one of them empty."
    )
    return fig


def train_model(
    value_cls: type, steps: int = TRAIN_STEPS, lr: float | None = None, alpha: float | None = None
) -> tuple[Any, list[float]]:
    """Chapter 8's network trained ``steps`` steps by the kit's loop, and its loss curve (the
    chapter's learning rate and L2 strength unless ``lr``/``alpha`` say otherwise)."""
    from backprop_kit.chapters.train_explorer import ALPHA, DEFAULT_LR, DEFAULT_WIDTH
    from backprop_kit.nn.data import two_moons
    from backprop_kit.nn.net import MLP, train_step

    X, y = two_moons()
    model = MLP(
        2, [DEFAULT_WIDTH, DEFAULT_WIDTH, 1], activation="relu", seed=0, value_cls=value_cls
    )
    lr = DEFAULT_LR if lr is None else lr
    alpha = ALPHA if alpha is None else alpha
    return model, [train_step(model, X, y, lr, alpha) for _ in range(steps)]


def _why_weights_differ(ps: list[Any]) -> str:
    """The likely slip behind trained weights that differ from the kit's, found by training
    the kit's engine with each slip and comparing."""
    # a loss without the L2 term is the one slip that trains to other weights quietly
    slipped = train_model(KitValue, alpha=0.0)[0].parameters()
    if all(_same(p.data, q.data) for p, q in zip(ps, slipped)):
        return (
            "they match a loss without the L2 term: compute the loss as "
            "svm_loss(model, X, y, ALPHA), with ALPHA"
        )
    return ""


def judge_train(answer: object) -> str | None:
    """``(model, losses)``: chapter 8's network trained TRAIN_STEPS steps with the learner's
    engine, and the loss before each step. Right when every weight equals the kit's after the
    same steps; then both loss curves are drawn."""
    from backprop_kit.nn.net import MLP

    if not (
        isinstance(answer, tuple)
        and len(answer) == 2
        and isinstance(answer[0], MLP)
        and isinstance(answer[1], (list, tuple))
    ):
        return (
            "answer.value should be the pair (model, losses): the trained MLP and the list "
            f"of losses, got {type(answer).__name__}"
        )
    model, losses = answer
    cls = model.value_cls
    if (problem := _need_class(cls)) is not None:
        return f"the model's value_cls: {problem}"
    kit_model, kit = train_model(KitValue)
    ps, want = model.parameters(), kit_model.parameters()
    if len(ps) != len(want) or not all(isinstance(p, cls) for p in ps):
        return "train MLP(2, [16, 16, 1], seed=0, value_cls=Value), chapter 8's network"
    start = train_model(KitValue, 0)[0].parameters()
    if all(_same(p.data, q.data) for p, q in zip(ps, start)):
        return (
            "the weights have not moved: after loss.backward(), step every parameter "
            "p.data -= LR * p.grad"
        )
    grew = len(losses) == len(kit) and all(is_number(t) for t in losses)
    grew = grew and losses[-1] > losses[0] and kit[-1] < kit[0]
    for p, q in zip(ps, want):
        if not _same(p.data, q.data):
            if grew:
                return (
                    f"your loss grew from {losses[0]:.6g} to {losses[-1]:.6g}: is each step "
                    "against the gradient (p.data -= LR * p.grad), and with the chapter's LR?"
                )
            slip = _why_weights_differ(ps)
            if slip:
                return f"after {TRAIN_STEPS} steps your weights differ from the kit's: {slip}"
            return (
                f"after {TRAIN_STEPS} steps your weights differ from the kit's ({p.data:.6g} "
                f"against {q.data:.6g}): take exactly {TRAIN_STEPS} steps, each against "
                "the gradient (p.data -= LR * p.grad) with the loss computed with ALPHA, "
                "and if they still differ run check('ch09-engine', Value)"
            )
    if len(losses) != len(kit) or not all(is_number(t) for t in losses):
        return (
            f"losses should hold {TRAIN_STEPS} numbers, the loss.data of each step before "
            f"its update; got {len(losses)} entries"
            + ("" if all(is_number(t) for t in losses) else ", not all of them numbers")
        )
    if not all(_same(t, k) for t, k in zip(losses, kit)):
        return (
            "the weights are right but the losses are not: append loss.data once per step, "
            "computed before the update"
        )
    _display(curve_figure(losses, kit))
    return None


def _display(fig: Any) -> bool:
    """Show ``fig`` when running in IPython (a notebook); True if it was shown."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return False
    if get_ipython() is None:
        return False
    display(fig)
    return True


_custom(
    "ch09-train",
    "Train chapter 8's network with your engine for TRAIN_STEPS steps, the loss being "
    "svm_loss(model, X, y, ALPHA) (with its L2 term); answer (model, losses).",
    judge_train,
    f"Your engine trains the network: the same loss as the kit's at each of the {TRAIN_STEPS} "
    "steps.",
    learner_code=False,
)
