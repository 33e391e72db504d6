"""What a picture of a circuit shows: :class:`CircuitView` (the front door of ``draw``, svg and
the explorers) lays a circuit out once and makes a :class:`~scene.Scene` of its numbers at will.
Gradients show (``show_grad=None``) iff the output's grad is non-zero (after ``backward()``);
``True``/``False``: always/never; ``step=k``: the backward pass after k gates, computed aside."""

from __future__ import annotations

from backprop_kit.core.engine import Value
from backprop_kit.core.gates import GATES
from backprop_kit.core.graph import copy_circuit, forward, wire_name
from backprop_kit.core.steps import BackwardSteps, Step
from backprop_kit.core.text import check_fmt, format_number
from backprop_kit.pictures.layout import Callout, Focus, Frame, Structure, WireText, place
from backprop_kit.pictures.scene import Scene


def _operand_name(step: Step, j: int) -> str:
    name = wire_name(step.gate.parents[j])
    if name is None:
        name = "its input" if len(step.gate.parents) == 1 else f"input {j + 1}"
    return name


class CircuitView:
    """A circuit laid out once, to be pictured at any numbers: ``sigmoid``, ``fmt``, ``names``
    as for :func:`~drawing.draw`; ``band_lines`` (a note band kept with no step shown) and
    ``reserve`` (a number's width kept in every column) hold a live picture's size;
    ``label_rows=2`` leaves room for a second number under each wire."""

    def __init__(
        self,
        f: Value,
        *,
        sigmoid: str = "gate",
        fmt: str = "{:.2f}",
        names: bool = True,
        band_lines: int = 0,
        reserve: float = -8.888,
        label_rows: int = 1,
    ) -> None:
        if not isinstance(f, Value):
            raise TypeError(
                f"draw needs a Value (the output of a circuit, e.g. f = (x + y) * z), got "
                f"{type(f).__name__}"
            )
        if sigmoid not in ("gate", "expanded"):
            raise ValueError(f"sigmoid must be 'gate' or 'expanded', got {sigmoid!r}")
        self.fmt, self.source, self.sigmoid = check_fmt(fmt), f, sigmoid
        self.names, self.band_lines = bool(names), band_lines
        self.reserve = format_number(reserve, self.fmt)
        self.origin: dict[int, Value] | None = None
        self.root = f
        if sigmoid == "expanded" and any(v.op == "sigmoid" for v in f.topological_order()):
            self.root, self.origin = copy_circuit(f, expand_sigmoid=True)
        self.structure = Structure(self.root, label_rows=label_rows)
        self.symbols = [
            GATES[v.op].label(v.const) if v.parents else (v.label or f"{v.data:g}")
            for v in self.structure.nodes
        ]

    # --- numbers -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute the copy's values after the source circuit's numbers changed (expanded σ)."""
        if self.origin is None:
            return
        for v in self.structure.nodes:
            if not v.parents:
                v.data = self.origin[id(v)].data
        forward(self.structure.nodes)

    def seed(self) -> float:
        """The output gradient a backward pass starts from: ``f.grad``, or 1 before backward()."""
        return self.source.grad or 1.0

    def steps(self) -> BackwardSteps:
        """The backward pass over the drawn gates (σ expanded or not), from :meth:`seed`."""
        return BackwardSteps(self.root, self.seed())

    def stored_grads(self) -> dict[int, float]:
        """``{id(wire): .grad}`` of the drawn wires; for σ drawn expanded, from the drawn
        circuit's own backward pass (NaN on x at x ≤ −710), never the one-gate σ's numbers."""
        if self.origin is not None:
            self.root.backward(self.source.grad)
        return {id(v): v.grad for v in self.structure.nodes}

    def grads_of(self, wires: list[Value]) -> list[float]:
        """The gradients the picture shows on ``wires`` of the source circuit (its inputs)."""
        grads = self.stored_grads()
        if self.origin is None:
            return [grads[id(w)] for w in wires]
        drawn = {id(original): copy_id for copy_id, original in self.origin.items()}
        return [grads[drawn[id(w)]] for w in wires]

    def _shown_grads(
        self, show_grad: object, step: int | None, steps: BackwardSteps | None
    ) -> dict[int, float] | None:
        """The gradients a picture shows (None: none), by the module docstring's rules."""
        if show_grad is not None and show_grad is not True and show_grad is not False:
            raise ValueError(f"show_grad must be None (auto), True or False, got {show_grad!r:.40}")
        if step is not None:
            return (steps if steps is not None else self.steps()).grads_after(step)
        show = self.source.grad != 0 if show_grad is None else show_grad
        return self.stored_grads() if show else None

    def unavailable_scene(self, reason: str) -> Scene:
        """The circuit's shape, no number on any wire, ``reason`` as its caption."""
        blank = [WireText("", "") for _ in self.structure.nodes]  # no number, same legend
        return place(self.structure, self.symbols, blank, self.frame(reason))

    def frame(self, caption: str = "") -> Frame:
        band = max(self.band_lines, 1 if caption else 0)
        return Frame(self.root.label or "", band, caption, self.reserve)

    def display_node(self, highlight: Value | int, steps: BackwardSteps) -> Step:
        """The step of the gate ``highlight`` (a gate of the circuit, or a step number)."""
        n = len(steps)
        if isinstance(highlight, Value):
            target = highlight
            if self.origin is not None:
                twins = [c for c in self.structure.nodes if self.origin.get(id(c)) is highlight]
                target = twins[0] if twins else highlight
            return steps.steps[steps.number_of(target) - 1]
        if isinstance(highlight, bool) or not isinstance(highlight, int):
            raise TypeError(
                f"highlight must be a gate (a Value of the circuit) or a step number 1…{n}, "
                f"got {type(highlight).__name__}"
            )
        if not 1 <= highlight <= n:
            raise ValueError(
                f"highlight must be a step number between 1 and {n} (1 is the output gate, "
                f"the first one backward() processes), got {highlight}"
            )
        return steps.steps[highlight - 1]

    def step_note(self, step: Step, total: int) -> Callout:
        """The note of one step: its gate, and upstream × local = downstream for each input."""
        num = self.number
        node = self.structure.index[id(step.gate)]
        rows = tuple(
            f"to {_operand_name(step, j)}: {num(step.upstream)} × {num(step.local[j])} = "
            f"{num(step.downstream[j])}"
            for j in range(len(step.local))
        )
        heading = f"step {step.number} of {total} · upstream × local = downstream"
        return Callout(node, self.symbols[node], heading, rows)

    def number(self, x: float) -> str:
        return format_number(x, self.fmt)

    # --- the text version -------------------------------------------------------------------------
    def describe(
        self,
        *,
        show_grad: bool | None = None,
        step: int | None = None,
        steps: BackwardSteps | None = None,
    ) -> str:
        """The circuit in words (the alt text of :meth:`scene`): inputs, then gates in order."""
        grads = self._shown_grads(show_grad, step, steps)
        out = self.root.label or "the output"
        names: dict[int, str] = {}
        inputs: list[str] = []
        gates: list[str] = []
        for i, v in enumerate(self.structure.nodes):
            grad = ""
            if grads is not None:
                shown = self.number(grads[id(v)]) if id(v) in grads else "not reached yet"
                grad = f", gradient {shown}"
            if not v.parents:
                names[id(v)] = self.symbols[i]
                inputs.append(f"{self.symbols[i]} = {self.number(v.data)}{grad}")
                continue
            k = len(gates) + 1
            names[id(v)] = v.label or f"gate {k}"
            args = " and ".join(names[id(p)] for p in v.parents)
            result = f"{v.label} = " if v.label else ""
            gates.append(
                f"gate {k}, {self.symbols[i]} of {args}: {result}{self.number(v.data)}{grad}"
            )
        what = f"values and gradients ∂{out}/∂wire"
        if grads is None:
            what = "values only; gradients show after backward()"
        elif step is not None:
            reached = f"gradients ∂{out}/∂wire where the pass has reached"
            what = f"backward pass after step {step} of {len(gates)}, {reached}"
        return (
            f"Circuit of {out}, {len(inputs)} input{'s' * (len(inputs) != 1)} and "
            f"{len(gates)} gate{'s' * (len(gates) != 1)}, {what}. "
            f"Inputs: {'; '.join(inputs)}. Gates in forward order: {'; '.join(gates)}."
        )

    # --- the picture ----------------------------------------------------------------------------
    def scene(
        self,
        *,
        show_grad: bool | None = None,
        step: int | None = None,
        highlight: Value | int | None = None,
        caption: str = "",
        steps: BackwardSteps | None = None,
    ) -> Scene:
        """The Scene of the circuit's current numbers: ``step=k`` shows the backward pass after
        k gates and marks gate k; ``highlight`` (a gate or a step number) marks a gate and
        writes its ``upstream × local = downstream``; ``steps``: :meth:`steps`, if at hand."""
        if step is not None and highlight is not None:
            raise ValueError("give either step= (a step of the backward pass) or highlight=")
        if step is not None or highlight is not None:
            steps = steps if steps is not None else self.steps()
        grads = self._shown_grads(show_grad, step, steps)
        marked: Step | None = None
        emph: set[int] = set()
        if step and steps is not None:
            marked = steps.steps[step - 1]
            emph = {id(p) for p in marked.gate.parents}
        elif step == 0 and steps is not None:
            emph = {id(self.root)}
            caption = caption or (
                f"step 0 of {len(steps)}: backward() starts from the output, "
                f"whose gradient is {self.number(steps.seed)}"
            )
        elif highlight is not None and steps is not None:
            marked = self.display_node(highlight, steps)
        texts = []
        for v in self.structure.nodes:
            value = self.number(v.data)
            if self.names and v.label and v.parents and v is not self.root:
                value = f"{v.label} = {value}"
            g = None if grads is None or id(v) not in grads else self.number(grads[id(v)])
            texts.append(WireText(value, g, id(v) in emph))
        focus = None
        if marked is not None and steps is not None:
            focus = Focus(marked.number, self.step_note(marked, len(steps)))
        elif step == 0:
            focus = Focus(0)
        return place(self.structure, self.symbols, texts, self.frame(caption), focus)


def describe(
    f: Value,
    *,
    fmt: str = "{:.2f}",
    sigmoid: str = "gate",
    show_grad: bool | None = None,
    step: int | None = None,
) -> str:
    """The circuit of ``f`` in words, the alt text of its pictures: inputs, then each gate in
    forward order (symbol, inputs, value, gradient ∂f/∂wire). Options as :func:`draw`'s.

    >>> from backprop_kit import Value
    >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
    >>> describe((x * y).named("f"))
    'Circuit of f, 2 inputs and 1 gate, values only; gradients show after backward(). \
Inputs: x = 2.00; y = 3.00. Gates in forward order: gate 1, * of x and y: f = 6.00.'
    """
    return CircuitView(f, fmt=fmt, sigmoid=sigmoid).describe(show_grad=show_grad, step=step)
