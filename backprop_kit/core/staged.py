"""A circuit as a *staged program*: the forward pass as numbered lines with named
intermediates, then the backward pass in reverse, one gradient variable per wire; a wire that
feeds several gates gets ``=`` from the first and ``+=`` from each later one. It performs the
float operations of :meth:`Value.backward`, so it gives ``backward()``'s gradients to the bit."""

from __future__ import annotations

import keyword
import math
import unicodedata
from dataclasses import dataclass

from backprop_kit.core import switch
from backprop_kit.core.engine import Value
from backprop_kit.core.gates import GATES, nan_max
from backprop_kit.core.text import format_number

_RESERVED = {"math", "float", "max"}


@dataclass(frozen=True)
class Stage:
    """One gate of the program: its forward line and the backward lines it gives rise to."""

    number: int
    forward: str
    backward: tuple[str, ...]


def _literal(c: float) -> str:
    """A constant as Python text: ``2``, ``0.5``, ``math.nan``, ``-math.inf``."""
    text = format_number(c, "exact")
    return text if math.isfinite(c) else text.replace("inf", "math.inf").replace("nan", "math.nan")


def _input_literal(x: float) -> str:
    """An input's value as Python text: ``3.0`` (repr), ``math.nan``/``math.inf`` (runnable)."""
    return repr(x) if math.isfinite(x) else _literal(x)


def _wrap(expr: str) -> str:
    """Parenthesise an expression unless it is a bare name or an unsigned number."""
    return expr if expr.replace(".", "").replace("_", "").isalnum() else f"({expr})"


class StagedProgram:
    """The staged program of a circuit; ``str(program)`` is runnable Python. ``inputs``: the
    input lines (``x = 3.0``); ``stages``: a :class:`Stage` per gate, numbered from 1 in forward
    order; ``names[id(wire)]``: each wire's variable; ``output``: the output's."""

    def __init__(self, f: Value) -> None:
        if not isinstance(f, Value):
            raise TypeError(f"staged() needs a Value (a circuit's output), got {type(f).__name__}")
        order = f.topological_order()
        self.names: dict[int, str] = {}
        used: set[str] = set(_RESERVED)
        counters = {"x": 0, "t": 0}

        def fresh(prefix: str) -> str:
            while True:
                counters[prefix] += 1
                name = f"{prefix}{counters[prefix]}"
                if name not in used and "d" + name not in used:
                    return name

        for node in order:
            want = node.label
            if node is f and not want:
                want = "f"
            ok = (
                want is not None
                and want.isidentifier()
                and unicodedata.normalize("NFKC", want) == want  # as Python reads it: ｘ is x
                and not keyword.iskeyword(want)
                and want not in used
                and "d" + want not in used
                and not (want.startswith("d") and want[1:] in used)
            )
            name = want if ok and want else fresh("t" if node.parents else "x")
            used.update((name, "d" + name))
            self.names[id(node)] = name
        self.output = self.names[id(f)]
        self.inputs = [
            f"{self.names[id(n)]} = {_input_literal(n.data)}" for n in order if not n.parents
        ]

        gates = [n for n in order if n.parents]
        # Backward: gates in reverse order; a wire's first contribution uses '=', later '+='.
        assigned: set[int] = {id(f)}
        stages: list[Stage] = []
        for number, node in reversed(list(enumerate(gates, 1))):
            g = GATES[node.op]
            fill = self._fill(node)
            up = "d" + self.names[id(node)]
            lines = []
            for parent, code in zip(node.parents, g.local_code):
                op = "+=" if id(parent) in assigned else "="
                assigned.add(id(parent))
                flat = node.op == "powc" and node.const == 0  # x⁰ = 1: slope 0, also at x = 0
                local = "0.0" if flat else _wrap(code.format(**fill))
                lines.append(f"d{self.names[id(parent)]} {op} {local} * {up}")
            forward = f"{self.names[id(node)]} = {g.code.format(**fill)}"
            stages.append(Stage(number, forward, tuple(lines)))
        self.stages = stages[::-1]

    def _fill(self, node: Value) -> dict[str, str]:
        ps = node.parents
        fill = {"out": self.names[id(node)], "a": self.names[id(ps[0])], "b": "", "c": ""}
        if len(ps) == 2:
            fill["b"] = self.names[id(ps[1])]
        if node.const is not None:
            fill["c"] = _literal(node.const)
        return fill

    @property
    def forward_lines(self) -> list[str]:
        """The input lines, then one numbered line per gate (``sigy = ...  # (1)``)."""
        width = max((len(s.forward) for s in self.stages), default=0)
        return self.inputs + [f"{s.forward:<{width}}  # ({s.number})" for s in self.stages]

    @property
    def backward_lines(self) -> list[str]:
        """``d<output> = 1.0``, then each gate's lines in reverse order, tagged with its number."""
        rows = [(line, s.number) for s in reversed(self.stages) for line in s.backward]
        width = max((len(line) for line, _ in rows), default=0)
        return [f"d{self.output} = 1.0"] + [f"{line:<{width}}  # ({n})" for line, n in rows]

    @property
    def source(self) -> str:
        """The whole program as Python text (it needs only ``import math``)."""
        return "\n".join(
            ["# forward pass", *self.forward_lines, "", "# backward pass", *self.backward_lines]
        )

    def __repr__(self) -> str:
        return self.source

    def run(self) -> dict[str, float]:
        """Every variable of the program (``x``, ``dx``, …), by running the kit's :attr:`source`."""
        switch.refuse("staged(...).run()")
        return run_source(self.source, "<staged program>")


def run_source(source: str, filename: str) -> dict[str, float]:
    """The float variables of a staged program's text (the kit's), run with ``math`` and the
    max gate's ``max`` (:func:`~gates.nan_max`: NaN in, NaN out; Python's gives 1.0)."""
    namespace: dict[str, object] = {"math": math, "max": nan_max}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102
    return {k: v for k, v in namespace.items() if isinstance(v, float)}


def staged(f: Value) -> StagedProgram:
    """The staged program of the circuit whose output is ``f`` (see :class:`StagedProgram`)."""
    return StagedProgram(f)
