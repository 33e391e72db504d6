"""A staged program line by line with its numbers, and what goes wrong without ``+=``.

:func:`forward_steps`: each forward line of ``staged(f)`` and the value it caches.
:func:`backward_steps`: each backward line with upstream, local gradient, their product (the
line's contribution) and the gradient's total so far. A wire used by several gates (a fork)
gets one line per use, ``dx = …`` then ``dx += …``: its gradient is their sum.
:func:`run_with_equals` runs the program with every ``+=`` made ``=`` (each fork keeps its last
contribution: the wrong answer, computed honestly). :func:`backward_side_by_side` sets the
backward lines beside a hand-written version's, row by row.
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


def _check(obj: object, kind: type, call: str, what: str) -> None:
    if not isinstance(obj, kind):
        raise TypeError(f"{call} needs {what}, got {type(obj).__name__}")


@dataclass(frozen=True)
class ForwardStep:
    """One forward line: ``stage``, the line's text (``"num = x + sigy"``) and its ``value``."""

    stage: int
    line: str
    value: float


class ForwardSteps(tuple):
    """:func:`forward_steps`' tuple of :class:`ForwardStep`, printed as a table."""

    def __repr__(self) -> str:
        width = max([4] + [len(s.line) for s in self])
        columns = [("stage", "<5"), ("line", f"<{width}"), ("value", ">9.4f")]
        return text_table(columns, [(f"({s.stage})", s.line, s.value) for s in self])

    __str__ = __repr__


def forward_steps(f: Value) -> ForwardSteps:
    """Every forward line of ``staged(f)`` (one per gate, in order) with the value it caches."""
    _check(f, Value, "forward_steps()", "a Value (a circuit's output)")
    program = staged(f)
    gates = [n for n in f.topological_order() if n.parents]  # the order of program.stages
    return ForwardSteps(
        ForwardStep(stage.number, stage.forward, node.data)
        for stage, node in zip(program.stages, gates)
    )


@dataclass(frozen=True)
class BackwardLine:
    """One backward line, ``target (= or +=) local * upstream``, of the gate of forward line
    ``stage``: ``accumulate`` for ``+=``; ``upstream_name`` (``"dinvden"``) and ``upstream``
    the gradient on the gate's output; ``contribution = local * upstream``; ``total`` the
    target's value once the line has run."""

    stage: int
    target: str
    accumulate: bool
    upstream_name: str
    upstream: float
    local: float
    contribution: float
    total: float


class BackwardLines(tuple):
    """:func:`backward_steps`' tuple of :class:`BackwardLine`, printed as a table."""

    def __repr__(self) -> str:
        w_line = max([8] + [len(s.target) + 3 for s in self])
        w_up = max([8] + [len(s.upstream_name) for s in self])
        columns = [("stage", "<5"), ("line", f"<{w_line}"), ("upstream", f"<{w_up}")]
        columns += [("", ">8.4f"), ("local", ">8.4f"), ("local×upstream", ">14.4f")]
        columns += [("total now", ">9.4f")]
        rows = [
            (f"({s.stage})", f"{s.target} {'+=' if s.accumulate else '='}", s.upstream_name)
            + (s.upstream, s.local, s.contribution, s.total)
            for s in self
        ]
        return text_table(columns, rows)

    __str__ = __repr__

    def for_target(self, target: str) -> BackwardLines:
        """Only the lines that write ``target`` (e.g. ``"dx"``): one per use of that wire."""
        if not any(s.target == target for s in self):
            known = ", ".join(dict.fromkeys(s.target for s in self))
            raise ValueError(f"no backward line writes {target!r}; the gradients are: {known}")
        return BackwardLines(s for s in self if s.target == target)


def backward_steps(f: Value) -> BackwardLines:
    """Every backward line of ``staged(f)``, in the program's order, with the very floats the
    program and ``f.backward()`` (called first, so ``.grad`` is filled in) compute."""
    _check(f, Value, "backward_steps()", "a Value (a circuit's output)")
    program = staged(f)
    f.backward()
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
    _check(program, StagedProgram, "with_equals()", "a StagedProgram (from staged(f))")
    return program.source.replace(" += ", " = ")


def run_with_equals(program: StagedProgram) -> dict[str, float]:
    """Every variable of ``program`` run with ``+=`` made ``=`` (the kit's own text with that
    one change; nothing a user typed is run): a fork's gradient keeps its last contribution."""
    return run_source(with_equals(program), "<staged program with =>")


def gradient_statements(source: str) -> list[str]:
    """The statements of ``source`` (parsed, never run) that write a gradient, in order: a
    variable ``d`` + the name of another (assigned or a parameter): ``dx = …``, ``dx += …``,
    ``dden = …`` count, ``den = …`` does not (there is no ``en``)."""
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
    """Two columns: each backward line of ``program`` as it runs (with the stage it undoes),
    and each :func:`gradient_statements` of ``by_hand`` (a function or its source text) as
    written; row i pairs the i-th of each, a shorter side leaves blank cells."""
    _check(
        program, StagedProgram, "backward_side_by_side()", "a StagedProgram (from staged(f)) first"
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
