"""A staged program line by line with its numbers, and what goes wrong without ``+=``.

:func:`forward_steps` lists every forward line of ``staged(f)`` with the value it caches.
:func:`backward_steps` lists every backward line of ``staged(f)`` with its numbers: the
upstream gradient, the gate's local gradient, their product (the line's contribution) and the
gradient variable's value once the line has run. A wire used by several gates (a *fork*) gets
one line per use; its gradient is the sum of the contributions::

    dx  = 1 * dxpy                       # first use of x:   '='
    dx += ((1.0 - sigx) * sigx) * dsigx  # later uses:       '+='

:func:`run_with_equals` runs the same program with every ``+=`` turned into ``=``, so each fork
keeps only its last contribution: the wrong answer, computed honestly rather than described.

:func:`backward_side_by_side` puts the backward lines of ``staged(f)`` next to those of a
hand-written version of the same computation, one row per line, so the two can be compared.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from backprop_kit.core.engine import Value
from backprop_kit.core.numeric import text_table
from backprop_kit.core.staged import StagedProgram, run_source, staged
from backprop_kit.core.steps import backward_walk


@dataclass(frozen=True)
class ForwardStep:
    """One forward line: ``stage``, the line's text (``"num = x + sigy"``) and its ``value``."""

    stage: int
    line: str
    value: float


class ForwardSteps(tuple):
    """The result of :func:`forward_steps`: a tuple of :class:`ForwardStep` that prints as a
    table (stage, line, cached value)."""

    def __repr__(self) -> str:
        columns = [
            ("stage", "<5"),
            ("line", f"<{max([4] + [len(s.line) for s in self])}"),
            ("value", ">9.4f"),
        ]
        return text_table(columns, [(f"({s.stage})", s.line, s.value) for s in self])

    __str__ = __repr__


def forward_steps(f: Value) -> ForwardSteps:
    """Every forward line of ``staged(f)`` (one per gate, in order) with the value it caches."""
    if not isinstance(f, Value):
        raise TypeError(
            f"forward_steps() needs a Value (a circuit's output), got {type(f).__name__}"
        )
    program = staged(f)
    gates = [n for n in f.topological_order() if n.parents]  # the order of program.stages
    return ForwardSteps(
        ForwardStep(stage.number, stage.forward, node.data)
        for stage, node in zip(program.stages, gates)
    )


@dataclass(frozen=True)
class BackwardLine:
    """One line of the backward pass: ``target (= or +=) local * upstream``.

    Attributes:
        stage: the number of the forward line (gate) this line undoes.
        target: the gradient variable written (``"dx"``).
        accumulate: True for ``+=`` (a later contribution at a fork), False for ``=``.
        upstream_name: the gradient on the gate's output (``"dinvden"``).
        upstream: its value.
        local: the gate's local gradient ∂(gate output)/∂(this input).
        contribution: ``local * upstream``.
        total: the value of ``target`` after this line has run.
    """

    stage: int
    target: str
    accumulate: bool
    upstream_name: str
    upstream: float
    local: float
    contribution: float
    total: float


class BackwardLines(tuple):
    """The result of :func:`backward_steps`: a tuple of :class:`BackwardLine` that prints as a
    table (stage, line, upstream, local, contribution, total)."""

    def __repr__(self) -> str:
        w_line = max([8] + [len(s.target) + 3 for s in self])
        w_up = max([8] + [len(s.upstream_name) for s in self])
        columns = [
            ("stage", "<5"),
            ("line", f"<{w_line}"),
            ("upstream", f"<{w_up}"),
            ("", ">8.4f"),
            ("local", ">8.4f"),
            ("local×upstream", ">14.4f"),
            ("total now", ">9.4f"),
        ]
        return text_table(
            columns,
            [
                (
                    f"({s.stage})",
                    f"{s.target} {'+=' if s.accumulate else '='}",
                    s.upstream_name,
                    s.upstream,
                    s.local,
                    s.contribution,
                    s.total,
                )
                for s in self
            ],
        )

    __str__ = __repr__

    def for_target(self, target: str) -> BackwardLines:
        """Only the lines that write ``target`` (e.g. ``"dx"``): one per use of that wire."""
        if not any(s.target == target for s in self):
            known = ", ".join(dict.fromkeys(s.target for s in self))
            raise ValueError(f"no backward line writes {target!r}; the gradients are: {known}")
        return BackwardLines(s for s in self if s.target == target)


def backward_steps(f: Value) -> BackwardLines:
    """Every backward line of ``staged(f)``, in the order the program runs them, with numbers.

    Calls ``f.backward()`` first (it resets and recomputes every gradient, so it is safe to
    call again). Upstream, local, contribution and total are the very floats the staged
    program and :meth:`Value.backward` compute: ``contribution = local * upstream``, and a
    wire's total is its first contribution plus each later one, in order.
    """
    if not isinstance(f, Value):
        raise TypeError(
            f"backward_steps() needs a Value (a circuit's output), got {type(f).__name__}"
        )
    program = staged(f)
    f.backward()  # as documented: the circuit's .grad is filled in too
    gates = [n for n in f.topological_order() if n.parents]  # the order of program.stages
    number = {id(n): stage.number for n, stage in zip(gates, program.stages)}
    totals: dict[int, float] = {}
    steps = []
    for node, upstream, local, down in backward_walk(f):
        for parent, loc, contribution in zip(node.parents, local, down):
            first = id(parent) not in totals
            totals[id(parent)] = contribution if first else totals[id(parent)] + contribution
            steps.append(
                BackwardLine(
                    stage=number[id(node)],
                    target="d" + program.names[id(parent)],
                    accumulate=not first,
                    upstream_name="d" + program.names[id(node)],
                    upstream=upstream,
                    local=loc,
                    contribution=contribution,
                    total=totals[id(parent)],
                )
            )
    return BackwardLines(steps)


def with_equals(program: StagedProgram) -> str:
    """The text of ``program`` with every ``+=`` replaced by ``=`` (the fork mistake)."""
    if not isinstance(program, StagedProgram):
        raise TypeError(
            f"with_equals() needs a StagedProgram (from staged(f)), got {type(program).__name__}"
        )
    return program.source.replace(" += ", " = ")


def run_with_equals(program: StagedProgram) -> dict[str, float]:
    """Run ``program`` with every ``+=`` replaced by ``=`` and return every variable it defines.

    Each gradient then keeps only the last contribution written to it, so the gradient of an
    input used in several places comes out wrong. The text executed is the kit's own generated
    program with that one substitution; nothing typed by a user is executed.
    """
    return run_source(with_equals(program), "<staged program with =>")


def gradient_statements(source: str) -> list[str]:
    """The statements of Python ``source`` that write a gradient, as written, in order.

    A gradient is a variable named ``d`` + the name of another variable of the code (an
    assigned name or a function parameter): ``dx = …``, ``dx += …``, ``dden = …`` count,
    ``den = …`` does not (there is no ``en``). Comments are left out. The text is parsed
    with :mod:`ast`, never run.
    """
    source = textwrap.dedent(source)
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ValueError(f"the hand-written code is not valid Python: {err.msg}") from None
    names: set[str] = set()
    writes: list[tuple[str, ast.stmt]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            args = node.args
            names.update(a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    names.add(target.id)
                    writes.append((target.id, node))
    writes.sort(key=lambda item: (item[1].lineno, item[1].col_offset))
    return [
        ast.get_source_segment(source, node) or ""
        for name, node in writes
        if name.startswith("d") and name[1:] in names
    ]


def backward_side_by_side(
    program: StagedProgram,
    by_hand: Callable[..., Any] | str,
    titles: tuple[str, str] = ("staged(f)", "by hand"),
) -> str:
    """The backward lines of ``program`` and of a hand-written version, in two columns.

    Left: each backward line of the kit's program (one per gate input, in the order they
    run), with the number of the stage it undoes. Right: the statements of ``by_hand`` (a
    function, whose source is read with :func:`inspect.getsource`, or its source text) that
    write a gradient (see :func:`gradient_statements`), in the order they are written. Row
    ``i`` pairs the ``i``-th line of each side; a side with fewer lines leaves its cells blank.
    """
    if not isinstance(program, StagedProgram):
        raise TypeError(
            "backward_side_by_side() needs a StagedProgram (from staged(f)) first, "
            f"got {type(program).__name__}"
        )
    if isinstance(by_hand, str):
        source = by_hand
    elif callable(by_hand):
        try:
            source = inspect.getsource(by_hand)
        except (OSError, TypeError):
            raise ValueError(
                f"cannot read the source of {by_hand!r}; pass its source text instead"
            ) from None
    else:
        raise TypeError(
            "backward_side_by_side(): by_hand must be a function or its source text, "
            f"got {type(by_hand).__name__}"
        )
    left = [(f"({s.number})", line) for s in reversed(program.stages) for line in s.backward]
    right = gradient_statements(source)
    if not right:
        raise ValueError("the hand-written code writes no gradient (no line like 'dx = ...')")
    width = max(len(titles[0]), *(len(line) for _, line in left))
    rows = [f"{'stage':<5}  {titles[0]:<{width}}  {titles[1]}"]
    for pair, hand in zip_longest(left, right):  # a side that runs out leaves blank cells
        stage, kit = pair or ("", "")
        rows.append(f"{stage:<5}  {kit:<{width}}  {hand or ''}".rstrip())
    return "\n".join(rows)
