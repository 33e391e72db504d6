"""The circuit explorer, ``explore("(x + y) * z", x=-2, y=5, z=-4)``: a formula box, sliders,
a readout of f and each ∂f/∂input, the live SVG (an ``HTML`` widget: an ``Output`` would break
nbval), Back / Next / Reset / All through the backward pass and a nudge line, Δf against
h·∂f/∂x. Where the circuit cannot be evaluated (1/z at z = 0) it says why and shows no number."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

import ipywidgets as widgets

from backprop_kit.core.engine import Value, as_number
from backprop_kit.core.graph import copy_circuit, forward
from backprop_kit.core.parse import (
    Expression,
    ExpressionError,
    describe_lookalike,
    lookalike,
    parse,
)
from backprop_kit.core.text import format_number
from backprop_kit.explorers.a11y import A11Y_CLASS, LIVE_CLASS, explorer_helper
from backprop_kit.explorers.base import Explorer, close_tree, log_slider
from backprop_kit.pictures.svg import to_svg
from backprop_kit.pictures.view import CircuitView

DEFAULT_VALUE = 1.0  # the starting value of a variable given none
BAND_LINES = 3  # the note of a step: a heading and one line per input of a gate (at most 2)
_ERRORS = (ArithmeticError, ValueError)
_SLIDER = {"step": 0.01, "continuous_update": True, "readout_format": ".2f"}
CANNOT_EVALUATE = "cannot evaluate here"  # said where the sliders' values cannot be evaluated


def slider_range(value: float) -> tuple[float, float]:
    """[-5, 5], widened (to whole numbers, one beyond) to contain ``value`` (finite)."""
    return min(-5.0, math.floor(value) - 1.0), max(5.0, math.ceil(value) + 1.0)


def _start_value(value: object, name: str) -> float:
    """A starting value a slider can show: a finite real number, else a one-line ValueError."""
    x = as_number(value, f"initial value of {name!r}")
    if not math.isfinite(x):
        raise ValueError(
            f"explore: the initial value of {name!r} is {x!r}; a slider needs a finite number"
        )
    return x


def _inputs_of(f: Value) -> dict[str, Value]:
    """Inputs labelled by identifiers, by name (a taken label gets the first free ``label_k``:
    ``x, x, x_2`` give ``x, x_3, x_2``); labels that look alike (``x``, ``х``) are a ValueError."""
    named = [v for v in f.topological_order() if not v.parents and (v.label or "").isidentifier()]
    labels = [str(v.label) for v in named]
    twins = lookalike(list(dict.fromkeys(labels)))
    if twins is not None:
        raise ValueError(f"explore: {describe_lookalike(twins)}")
    found: dict[str, Value] = {}
    for v, label in zip(named, labels):  # a label is always its first input's name
        name, k = label, 2
        while name in found or (name != label and name in labels):
            name, k = f"{label}_{k}", k + 1
        found[name] = v
    return found


class CircuitExplorer(Explorer, widgets.VBox):
    """A live circuit (:func:`explore`): ``formula``, ``build_button``, ``message``, ``sliders``
    (name → FloatSlider), ``readout``, ``picture`` (SVG), ``back/next/reset/all_button``,
    ``step_line``, ``nudge_input``, ``nudge_h``, ``nudge_line``; ``step`` (None: the whole pass)."""

    def __init__(
        self,
        source: str | Expression | Value,
        *,
        fmt: str = "{:.2f}",
        sigmoid: str = "gate",
        **initial_values: float,
    ) -> None:
        self.fmt, self.sigmoid = fmt, sigmoid
        options = {"placeholder": "type a formula, e.g. (x + y) * z", "continuous_update": False}
        self.formula = widgets.Text(description="f =", layout={"width": "30em"}, **options)
        self.build_button = widgets.Button(
            description="Build", tooltip="draw the circuit of the formula", icon="refresh"
        )
        self.message = widgets.HTML("")
        self.slider_box = widgets.VBox()
        self.readout = widgets.HTML()
        self.readout.add_class("bpk-readout")
        self.picture = widgets.HTML()
        self.back_button = widgets.Button(description="Back", icon="step-backward")
        self.next_button = widgets.Button(description="Next", icon="step-forward")
        back_to_0 = "back to the start of the backward pass"
        self.reset_button = widgets.Button(description="Reset", tooltip=back_to_0)
        self.all_button = widgets.Button(description="All", tooltip="show every gradient")
        self.step_line = widgets.HTML()
        for live in (self.readout, self.step_line):  # a screen reader announces their changes
            live.add_class(LIVE_CLASS)
        self.nudge_input = widgets.Dropdown(description="nudge", layout={"width": "14em"})
        self.nudge_h = log_slider(
            "by h", 0.01, -4, 0, 0.25, readout_format=".4g", continuous_update=True
        )
        self.nudge_line = widgets.HTML()
        top = widgets.HBox([self.formula, self.build_button])
        row = widgets.HBox([self.back_button, self.next_button, self.reset_button, self.all_button])
        nudge = widgets.HBox([self.nudge_input, self.nudge_h])
        middle = [self.message, self.slider_box, self.readout, self.picture, row, self.step_line]
        super().__init__([top, *middle, nudge, self.nudge_line, explorer_helper()])
        self.add_class("bpk-explorer")  # a hook for browser tests and for styling
        self.add_class(A11Y_CLASS)
        try:
            self._set_source(source, initial_values)
        except BaseException:
            close_tree(self)  # a refused start leaves no widget behind
            raise
        self.build_button.on_click(lambda _: self.build(self.formula.value))
        self.formula.observe(self._on_formula, names="value")
        self.back_button.on_click(lambda _: self.go(self._back()))
        self.next_button.on_click(lambda _: self.go(self._next()))
        self.reset_button.on_click(lambda _: self.go(0))
        self.all_button.on_click(lambda _: self.go(None))
        self.nudge_input.observe(lambda _: self._show_nudge(), names="value")
        self.nudge_h.observe(lambda _: self._show_nudge(), names="value")

    # --- building a circuit ------------------------------------------------------------------
    def _set_source(self, source: str | Expression | Value, values: dict[str, float]) -> None:
        """Build the circuit of ``source`` at ``values``; on bad input raise, changing nothing."""
        if isinstance(source, Value):
            f, _ = copy_circuit(source)
            inputs = _inputs_of(f)
            _refuse_unknown(values, list(inputs), "the circuit has no input named", "inputs")
            for name, wire in inputs.items():  # the copy's wires say what the sliders say
                wire.label = name
                wire.data = _start_value(values.get(name, wire.data), name)
            forward(f.topological_order())
            expression, text = None, ""
        elif isinstance(source, str | Expression):
            expression = parse(source)
            names = expression.variables
            _refuse_unknown(values, names, f"{expression.text!r} has no variable", "variables")
            full = {n: _start_value(values.get(n, DEFAULT_VALUE), n) for n in names}
            f, inputs = expression.build(**full)
            text = expression.text
        else:
            raise TypeError(
                "explore needs a formula (str, e.g. '(x + y) * z'), a parsed Expression or a "
                f"circuit's output Value, got {type(source).__name__}"
            )
        if f.label is None:
            f.label = "f"
        f.backward()
        view = CircuitView(
            f, sigmoid=self.sigmoid, fmt=self.fmt, band_lines=BAND_LINES, reserve=-88.888
        )
        # everything checked: commit
        self.expression = expression
        self.output, self.inputs, self.view = f, inputs, view
        self.order = f.topological_order()
        self.initial = {n: v.data for n, v in inputs.items()}
        self._start, _ = copy_circuit(f)  # the static picture's circuit
        self._static: tuple[bytes | str, dict[str, Any]] | None = None
        self.step: int | None = None
        self.error: str | None = None  # why the sliders' values cannot be evaluated, or None
        self.formula.value = text
        self._make_sliders()
        self.nudge_input.options = list(inputs)
        self.nudge_input.value = next(iter(inputs), None)
        self._not_drawn = ""  # html: why the typed formula is not the one drawn
        self.message.value = ""
        self.redraw()

    def _make_sliders(self) -> None:
        for old in getattr(self, "sliders", {}).values():
            close_tree(old)
        self.sliders: dict[str, widgets.FloatSlider] = {}
        for name, v in self.inputs.items():
            lo, hi = slider_range(v.data)
            s = widgets.FloatSlider(value=v.data, min=lo, max=hi, description=name, **_SLIDER)
            s.observe(self._on_slider, names="value")
            self.sliders[name] = s
        self.slider_box.children = tuple(self.sliders.values())

    def build(self, text: str) -> None:
        """Draw the circuit of ``text`` (variables keep their values); on an error, one line."""
        keep = {n: v.data for n, v in self.inputs.items()}
        try:
            names = parse(text).variables
            self._set_source(text, {n: keep[n] for n in names if n in keep})
        except (ExpressionError, TypeError, ArithmeticError, ValueError) as e:
            # the typed text stays to be corrected; the line says what the picture shows
            self._not_drawn = _error_html(f"{text!r} is not drawn ({e}); shown: {self._title()}")
            self.message.value = self._not_drawn

    def _on_formula(self, change: dict) -> None:
        typed = change["new"]
        if typed.strip() and (self.expression is None or typed != self.expression.text):
            self.build(typed)

    # --- changing inputs ---------------------------------------------------------------------
    def _on_slider(self, change: dict) -> None:
        self.set_input(change["owner"].description, change["new"])

    def set_input(self, name: str, value: float) -> None:
        """Give input ``name`` a new value and redraw; where it fails, :attr:`error` says why."""
        self.inputs[name].data = as_number(value, name)
        self.message.value = self._not_drawn
        try:
            forward(self.order)
            self.output.backward()
            self.view.refresh()
        except _ERRORS as e:
            self.error = " ".join(str(e).split()) or type(e).__name__
        else:
            self.error = None
        self.redraw()

    # --- the backward pass, step by step ---------------------------------------------------------
    @property
    def n_steps(self) -> int:
        """The number of gates the backward pass visits (one step each)."""
        return sum(1 for v in self.view.structure.nodes if v.parents)

    def _next(self) -> int | None:
        if self.step is None:
            return 0
        return None if self.step >= self.n_steps else self.step + 1

    def _back(self) -> int | None:
        return self.n_steps if self.step is None else max(0, self.step - 1)

    def go(self, step: int | None) -> None:
        """Show the backward pass after ``step`` gates (``None``: all of it, nothing marked)."""
        whole = isinstance(step, int) and not isinstance(step, bool)
        if step is not None and not (whole and 0 <= step <= self.n_steps):
            raise ValueError(
                f"step must be None or a whole number between 0 and {self.n_steps}, "
                f"got {step!r:.40}"
            )
        self.step = step
        self.redraw()

    # --- output --------------------------------------------------------------------------------
    def redraw(self) -> None:
        """Refresh the picture, the readout, the step line and the nudge line."""
        view, name = self.view, str(self.output.label)  # explore() always names the output
        self.back_button.disabled = self.step == 0
        if self.error is not None:
            self._show_unavailable()
            return
        steps = view.steps()
        n = len(steps)
        if self.step is None:
            caption = f"Press Next to walk the backward pass one gate at a time ({n} gates)."
            scene = view.scene(caption=caption)
            line = f"All {n} gates done: every wire carries its gradient ∂{name}/∂wire."
        else:
            scene = view.scene(step=self.step, steps=steps)
            if self.step == 0:
                line = (
                    f"Step 0 of {n}: backward() starts at the output with "
                    f"∂{name}/∂{name} = {view.number(steps.seed)}."
                )
            else:
                note = view.step_note(steps.steps[self.step - 1], n)
                line = (
                    f"Step {self.step} of {n} · gate {note.symbol} · upstream × local = "
                    "downstream: " + "; ".join(note.rows)
                )
        desc = view.describe(step=self.step, steps=steps)
        self.picture.value = to_svg(scene, title=f"circuit of {self._title()}", desc=desc)
        self.step_line.value = escape(line)
        grads = view.grads_of(list(self.inputs.values()))  # the picture's own numbers
        parts = [f"<b>{escape(name)}</b> = {format_number(self.output.data, 'readout')}"]
        parts += [
            f"∂{escape(name)}/∂{escape(k)} = {format_number(g, 'readout')}"
            for k, g in zip(self.inputs, grads)
        ]
        self.readout.value = " &nbsp;&nbsp; ".join(parts)
        self._show_nudge()

    def _title(self) -> str:
        return self.expression.text if self.expression is not None else str(self.output.label)

    def _show_unavailable(self) -> None:
        """The picture, readout and lines where the sliders' values cannot be evaluated."""
        where = ", ".join(f"{k} = {s.value:g}" for k, s in self.sliders.items())
        why = f"{CANNOT_EVALUATE} ({where}): {self.error}"
        self.message.value = self._not_drawn + _error_html(why)
        scene = self.view.unavailable_scene(f"{CANNOT_EVALUATE}: {self.error}")
        self.picture.value = to_svg(scene, title=f"circuit of {self._title()}: {CANNOT_EVALUATE}")
        self.readout.value = f"<b>{escape(str(self.output.label))}</b>: {CANNOT_EVALUATE}"
        self.step_line.value = escape(f"{CANNOT_EVALUATE}: move a slider to where it can be.")
        self.nudge_line.value = ""

    def _show_nudge(self) -> None:
        name = self.nudge_input.value
        if self.error is not None or name is None or name not in self.inputs:
            self.nudge_line.value = ""
            return
        v, h, out = self.inputs[name], self.nudge_h.value, self.output.label
        x0, f0, grad = v.data, self.output.data, v.grad
        v.data = x0 + h
        try:
            forward(self.order)
            f1 = self.output.data
        except _ERRORS as e:
            self.nudge_line.value = escape(f"{name} + h: {e}")
            return
        finally:
            v.data = x0
            forward(self.order)
        d, lin = f1 - f0, h * grad
        self.nudge_line.value = escape(
            f"Δ{out} = {out}({name} + h) − {out}({name}) = {d:.6g}   vs   "
            f"h·∂{out}/∂{name} = {h:.4g} × {grad:.4g} = {lin:.6g}"
        ).replace("   ", " &nbsp; ")

    # --- where no widget front-end runs ---------------------------------------------------------
    def __repr__(self) -> str:
        values = ", ".join(f"{n}={x!r}" for n, x in self.initial.items())
        if self.expression is not None:
            what = repr(self.expression.text)
        else:
            what = f"<circuit of {self.output.label!r}, {self.n_steps} gates>"
        return f"CircuitExplorer({what}{', ' if values else ''}{values})"

    def static_picture(self) -> tuple[bytes | str, dict[str, Any]]:
        """The circuit at its initial values: a PNG and its size (an SVG without matplotlib)."""
        if self._static is None:
            self._start.backward()
            view = CircuitView(self._start, fmt=self.fmt, sigmoid=self.sigmoid)
            scene, alt = view.scene(), view.describe()
            try:
                from backprop_kit.pictures.drawing import png_bytes, render
            except ImportError:
                svg = to_svg(scene, title=f"circuit of {self._title()}", desc=alt)
                self._static = (svg, {"alt": alt})
            else:
                png, size = png_bytes(render(scene))
                self._static = (png, {**size, "alt": alt})
        return self._static

    @property
    def live_widget(self) -> widgets.Widget:
        return self


def _refuse_unknown(values: dict, names: Sequence[str], no_such: str, kind: str) -> None:
    """A one-line TypeError if ``values`` names something that is not in ``names``."""
    if unknown := [n for n in values if n not in names]:
        listed = ", ".join(names) or "none"
        raise TypeError(f"explore: {no_such} {unknown[0]!r}; its {kind} are {listed}")


def _error_html(e: BaseException | str) -> str:
    # in the theme's own text colour (readable in light and dark themes), said in words
    return f"<span role='alert'><b>Error:</b> {escape(str(e))}</span>"


def explore(
    source: str | Expression | Value,
    /,
    *,
    fmt: str = "{:.2f}",
    sigmoid: str = "gate",
    **initial_values: float,
) -> CircuitExplorer:
    """A live explorer of ``source`` (a formula, an Expression or a Value, copied) at
    ``initial_values`` (else 1); ``fmt`` and ``sigmoid`` as for :func:`~backprop_kit.draw`."""
    return CircuitExplorer(source, fmt=fmt, sigmoid=sigmoid, **initial_values)
