"""Chapter 9 exercises: the learner builds an engine of their own, one step at a time, with
micrograd's shape and the chapter's insides: ``_parents`` (a tuple in operand order), ``_op``
(``""`` for an input), ``_local_grads()``, ``_topo()`` (each wire after its parents, self last)
and ``backward()``. Each exercise receives the class (``ch09-add``, ``-graph``, ``-local``,
``-topo``, ``-backward`` and ``-engine``, the engine checker on + and *, then on everything),
but ``ch09-train``: ``(model, losses)``, chapter 8's network trained with the learner's engine
and loop, right when every weight is the kit's. Learner code runs only in the sandbox."""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from backprop_kit.chapters.engine_check import EngineReport, check_engine
from backprop_kit.chapters.sandbox import TIME_LIMIT, run_learner_code
from backprop_kit.core.engine import Value as KitValue
from backprop_kit.exercises import (
    RightWithNote,
    compare,
    custom_exercise,
    describe,
    is_number,
    short,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BASIC_OPS = ("add", "mul", "addc", "scale")
"""The gates of the first steps: ``+`` and ``*``, a plain number allowed on either side."""
CHAPTER_OPS = (*BASIC_OPS, "neg", "sub", "div", "inv", "powc", "tanh", "exp", "relu")
"""The gates the chapter's class has at the end (``-``, ``/`` and the reflected forms given)."""
TRAIN_STEPS = 8
"""Steps of gradient descent compared in ch09-train (kept short: the engine is pure Python)."""
LR, ALPHA, WIDTH = 0.3, 1e-4, 16
"""Chapter 8's learning rate, L2 strength and width (those of ``chapters/train_explorer``, which
needs numpy; a test keeps them equal)."""


def _same(got: object, want: float) -> bool:
    """``got`` is a number (judged by type first) equal to ``want`` up to rounding."""
    return compare(got, want) is None


def _need_class(cls: object) -> str | None:
    if not isinstance(cls, type):
        what = "one of its Values: drop the brackets" if hasattr(cls, "data") else describe(cls)
        return f"pass your class itself (Value, without brackets), not {what}"
    if issubclass(cls, KitValue):
        return "build your own class: one built on the kit's Value only checks the kit"
    return None


Judge = Callable[[Any], "str | None"]


def _register(
    exercise_id: str, question: str, explanation: str, sandboxed: bool = True
) -> Callable[[Judge], Judge]:
    """Register ``judge(cls)`` for the learner's own class, as learner code if ``sandboxed``."""

    def register(judge: Judge) -> Judge:
        def judged(answer: Any) -> str | None:
            if (problem := _need_class(answer)) is not None:
                return problem
            if not sandboxed:
                return judge(answer)
            return run_learner_code(judge, answer, seconds=TIME_LIMIT, autodiff_off=exercise_id)

        custom_exercise(exercise_id, question, judged, explanation)
        return judge

    return register


_TUPLE_HINT = (
    "_parents must be a tuple (in operand order), got a {}: a set forgets which input came "
    "first and keeps a + a's input once"
)


def judge_graph(cls: type, ops: str = "+*") -> str | None:
    """The graph of ``ops``: values, ordered ``_parents``, ``_op``, grad 0, numbers as Values."""
    a, b = cls(2.0), cls(-3.0)
    if not (_same(getattr(a, "data", None), 2.0) and _same(getattr(a, "grad", None), 0.0)):
        return "Value(2.0) should have .data == 2.0 and .grad == 0.0"
    if not isinstance(getattr(a, "_parents", None), tuple):
        return _TUPLE_HINT.format(type(getattr(a, "_parents", None)).__name__)
    if len(a._parents) or not _is_str(getattr(a, "_op", None), ""):
        return "an input, Value(2.0), has no parents: _parents == () and _op == ''"
    cases = [("+", a, b), ("+", b, a), ("+", a, a), ("*", a, b), ("*", b, a), ("*", b, b)]
    for op, x, y in cases:
        if op not in ops:
            continue
        n = {id(a): 2.0, id(b): -3.0}
        out, want = (x + y, n[id(x)] + n[id(y)]) if op == "+" else (x * y, n[id(x)] * n[id(y)])
        shown = f"({'a' if x is a else 'b'} {op} {'a' if y is a else 'b'})"
        if not isinstance(out, cls):
            what = "one of the kit's Values" if isinstance(out, KitValue) else describe(out)
            return (
                f"{shown} returned {what}: it should return a new Value (an object of your "
                "class) holding that number"
            )
        if not _same(getattr(out, "data", None), want):
            return f"with a = 2 and b = -3, {shown}.data should be {want:g}"
        ps = getattr(out, "_parents", None)
        if not isinstance(ps, tuple):
            return _TUPLE_HINT.format(type(ps).__name__)
        if len(ps) != 2 or ps[0] is not x or ps[1] is not y:
            return (
                f"{shown}._parents should hold the two operands themselves, in the order "
                "they were written (a + a holds a twice)"
            )
        if not _is_str(getattr(out, "_op", None), op):
            return f"{shown}._op should be {op!r}"
    for op in ops:
        ps = getattr(a + 4 if op == "+" else a * 4, "_parents", ())
        if not (isinstance(ps, tuple) and len(ps) == 2 and isinstance(ps[1], cls)):
            return (
                f"a {op} 4 should wrap the plain number 4 in a Value of its own (its second parent)"
            )
        if not _same(getattr(ps[1], "data", None), 4.0):
            return f"in a {op} 4, the Value that wraps 4 should hold .data == 4"
    return None


def _is_str(got: object, want: str) -> bool:
    """``got`` is the string ``want`` (type first: a learner's object is never asked ``==``)."""
    return isinstance(got, str) and got == want


def judge_local(cls: type) -> str | None:
    """``_local_grads()`` of ``+`` and ``*``: ∂out/∂parent in operand order, numbers."""
    own = cls(5.0)._local_grads()
    if compare(own, ()) is not None:
        return (
            f"_local_grads() of an input returned {short(own)}; an input has no parents, so it "
            "must return () (does your method end without a return for an input?)"
        )
    for x, y in ((2.0, -3.0), (-1.5, 4.0), (0.5, 0.5)):
        a, b = cls(x), cls(y)
        for op, out in (("+", a + b), ("*", a * b)):
            got, want = out._local_grads(), ((1.0, 1.0) if op == "+" else (y, x))
            said = f"for a {op} b with a = {x:g}, b = {y:g}, _local_grads() returned {short(got)}"
            m = compare(got, want)
            if m is None:
                continue
            if m.kind == "type" and m.text.startswith("entry"):
                return f"{said}: the slopes are plain numbers (use .data of a Value)"
            if m.kind == "type":
                return f"{said}: it must be (∂out/∂a, ∂out/∂b), one number per parent"
            if m.kind == "precision":  # close: a finite difference, or rounded
                return f"{said}: {m.text}"
            return (
                f"{said}: right count, wrong slopes; what does out = a {op} b change by when a "
                "moves by 1, and when b does?"
            )
    return None


def judge_topo(cls: type) -> str | None:
    """``_topo()``: every wire once, each after its parents, the output last."""
    circuits: list[tuple[str, Callable[[Any, Any, Any], Any]]] = [
        ("a * b", lambda a, b, c: a * b),
        ("(a + b) * (a + c)", lambda a, b, c: (a + b) * (a + c)),
        ("a + a", lambda a, b, c: a + a),
        ("q * q + a, q = a * b", lambda a, b, c: (lambda q: q * q + a)(a * b)),
        ("((a * b) * c + a) * b", lambda a, b, c: ((a * b) * c + a) * b),
    ]
    for name, make in circuits:
        out = make(cls(2.0), cls(3.0), cls(-1.0))
        every, order = _reachable(out), out._topo()
        if not isinstance(order, (list, tuple)):
            return f"_topo() should return a list of wires, got {describe(order)}"
        ids = [id(v) for v in order]
        if len(set(ids)) != len(ids):
            return f"on {name}, _topo() lists a wire twice: remember which wires you visited"
        if set(ids) != set(every):
            return f"on {name}, _topo() should list all {len(every)} wires of the circuit"
        if order[-1] is not out:
            return f"on {name}, the output should come last"
        pos = {i: n for n, i in enumerate(ids)}
        if any(pos[id(p)] > pos[id(v)] for v in order for p in v._parents):
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
    exercise_id: str, ops: tuple[str, ...] | None, required: tuple[str, ...], notes: tuple[str, ...]
) -> Judge:
    """The engine checker on ``ops`` (None: all the class has), the exercise's ``required``
    gates there; a note on which of ``notes`` it cannot do."""

    def judge(cls: type) -> str | None:
        try:
            report = check_engine(cls, ops, time_limit=TIME_LIMIT, autodiff_off=exercise_id)
        except TypeError as err:
            return str(err)
        if not report.ok:
            _show(report)
            return report.summary()
        if all(g not in report.gates for g in required):
            raise NotImplementedError  # none of the exercise's own rules written: not attempted
        if absent := [g for g in required if g not in report.gates]:
            return (
                f"your class cannot do {', '.join(report.cannot(absent))} yet: write their local "
                "gradient rules in _local_grads (this exercise is about them)"
            )
        note = report.left_out(notes) if notes else ""
        return RightWithNote(note) if note else None

    return judge


def _show(report: EngineReport) -> None:
    """In a notebook, show the failing circuit and the table of its numbers."""
    if _display(report.figure):
        print(report.table())


def _display(picture: Callable[[], Any]) -> bool:
    """Show ``picture()`` when running in IPython (a notebook); True if something was shown."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return False
    if get_ipython() is None or (fig := picture()) is None:
        return False
    display(fig)
    return True


_register(
    "ch09-add",
    "Complete __add__: a new Value holding the sum, its parents (self, other) and the op '+'. "
    "(Structure, not a gradient rule.)",
    "Your sum remembers where it came from.",
)(lambda cls: judge_graph(cls, "+"))
_register(
    "ch09-graph",
    "Complete __mul__ like __add__: every Value keeps .data, .grad = 0, its parents as a tuple "
    "in operand order (_parents) and its gate's name (_op). (Structure, not a gradient rule.)",
    "Your Values remember the circuit that made them.",
)(judge_graph)
_register(
    "ch09-local",
    "Write _local_grads() for + and *: one local gradient per parent, in operand order.",
    "Add copies, multiply swaps.",
)(judge_local)
_register(
    "ch09-topo",
    "List the wires in _topo(): every wire of the circuit once, each after its parents, the "
    "output last. (Structure, not a gradient rule.)",
    "A depth-first search lists each wire after everything it depends on.",
)(judge_topo)
_register(
    "ch09-backward",
    "Write backward(): reset, set 1 on the output, and in reverse topological order add "
    "local × upstream to each parent.",
    "Your engine agrees with the kit's on every circuit of + and * it was given, twice over.",
    sandboxed=False,
)(_engine_judge("ch09-backward", BASIC_OPS, ("add", "mul"), ()))
_register(
    "ch09-engine",
    "Write the local gradient rules of **, tanh, exp and relu; the kit compares your engine "
    "with its own on random expressions of every operation it has.",
    "Your engine agrees with the kit's on every value and gradient it was checked on.",
    sandboxed=False,
)(_engine_judge("ch09-engine", None, ("powc", "tanh", "exp", "relu"), CHAPTER_OPS))


# --- training chapter 8's network with the learner's engine ----------------------------------


@functools.cache
def _kit_training(steps: int = TRAIN_STEPS, l2: bool = True) -> tuple[list[float], list[float]]:
    """Chapter 8's weights after ``steps`` of the kit's loop (L2 if ``l2``), and the losses."""
    from backprop_kit.nn.data import two_moons
    from backprop_kit.nn.net import MLP, train_step

    X, y = two_moons()
    model = MLP(2, [WIDTH, WIDTH, 1], activation="relu", seed=0)
    losses = [train_step(model, X, y, LR, ALPHA if l2 else 0.0) for _ in range(steps)]
    return [p.data for p in model.parameters()], losses


def _read_model(model: Any) -> tuple[tuple[type, ...], list[Any]] | str:
    """The classes of ``model``'s parameters and their ``.data`` (run as learner code)."""
    if not callable(getattr(model, "parameters", None)):
        return f"the model should be chapter 8's MLP made of your Values, got {describe(model)}"
    ps = list(model.parameters())
    return tuple({type(p): None for p in ps}), [p.data for p in ps]


def judge_train(answer: object) -> str | None:
    """``(model, losses)``: chapter 8's network after TRAIN_STEPS steps of the learner's loop and
    engine, the loss before each; right when every weight is the kit's (then both curves show)."""
    if not (isinstance(answer, tuple) and len(answer) == 2):
        return (
            "answer.value should be the pair (model, losses): the trained MLP and the list "
            f"of losses, got {describe(answer)}"
        )
    model, losses = answer
    np = sys.modules.get("numpy")
    if np is not None and isinstance(losses, np.ndarray) and losses.ndim == 1:
        losses = losses.tolist()
    if not isinstance(losses, (list, tuple)):
        return f"losses should be the list of loss.data, one per step, got {describe(losses)}"
    read = run_learner_code(_read_model, model, seconds=TIME_LIMIT, autodiff_off="ch09-train")
    if isinstance(read, str):
        return read
    (classes, ps), (want, kit) = read, _kit_training()
    if len(classes) != 1 or _need_class(classes[0]) is not None:
        return (
            "train MLP(2, [16, 16, 1], seed=0, value_cls=Value): chapter 8's network of your Values"
        )
    if len(ps) != len(want):
        return (
            f"train MLP(2, [16, 16, 1], seed=0, value_cls=Value): {len(want)} weights, "
            f"not {len(ps)}"
        )
    if all(map(_same, ps, _kit_training(0)[0])):
        return (
            "the weights have not moved: after loss.backward(), step every parameter "
            "p.data -= LR * p.grad"
        )
    numbers = len(losses) == len(kit) and all(map(is_number, losses))
    if not all(map(_same, ps, want)):
        if numbers and losses[-1] > losses[0]:
            return (
                f"your loss grew from {losses[0]:.6g} to {losses[-1]:.6g}: is each step "
                "against the gradient (p.data -= LR * p.grad), and with the chapter's LR?"
            )
        if all(map(_same, ps, _kit_training(l2=False)[0])):
            slip = (
                "they match a loss without the L2 term: compute it as svm_loss(model, X, y, ALPHA)"
            )
        else:
            p, q = next((p, q) for p, q in zip(ps, want) if not _same(p, q))
            slip = (
                f"{short(p)} against {short(q)}: take exactly {TRAIN_STEPS} steps, each against "
                "the gradient (p.data -= LR * p.grad) with the loss computed with ALPHA, and if "
                "they still differ run check('ch09-engine', Value)"
            )
        return f"after {TRAIN_STEPS} steps your weights differ from the kit's: {slip}"
    if not numbers:
        return (
            f"losses should hold {TRAIN_STEPS} numbers, the loss.data of each step before its "
            f"update; got {len(losses)} entries"
            + ("" if all(map(is_number, losses)) else ", not all of them numbers")
        )
    if not all(map(_same, losses, kit)):
        return (
            "the weights are right but the losses are not: append loss.data once per step, "
            "computed before the update"
        )
    try:
        _display(lambda: curve_figure([float(t) for t in losses], kit))
    except ImportError:  # no matplotlib here: the verdict alone
        pass
    return None


def curve_figure(theirs: list[float], kit: list[float]) -> Figure:
    """Both loss curves on one small plot (a Figure that shows itself as a PNG with alt text)."""
    from backprop_kit.pictures.drawing import CircuitFigure
    from backprop_kit.pictures.style import GRAD_COLOR, VALUE_COLOR

    fig = CircuitFigure(figsize=(4.8, 2.6), dpi=100)
    ax = fig.add_subplot()
    ax.plot(kit, color=VALUE_COLOR, linewidth=4, alpha=0.5, label="the kit's Value")
    ax.plot(theirs, color=GRAD_COLOR, linestyle="--", marker="o", markersize=3, label="your Value")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    ax.legend(frameon=False)
    fig.tight_layout()
    same = len(theirs) == len(kit) and all(map(math.isclose, theirs, kit))
    fig.alt_text = (
        f"Two loss curves over {len(kit)} training steps: the kit's Value from {kit[0]:.4g} to "
        f"{kit[-1]:.4g}, yours from {theirs[0]:.4g} to {theirs[-1]:.4g}; "
        + ("they lie on top of each other." if same else "they differ.")
    )
    return fig


custom_exercise(
    "ch09-train",
    "Train chapter 8's network with your engine and your own loop for TRAIN_STEPS steps, the "
    "loss being svm_loss(model, X, y, ALPHA) (with its L2 term); answer (model, losses).",
    judge_train,
    f"Your engine trains the network: the same loss as the kit's at each of the {TRAIN_STEPS} "
    "steps.",
)
