"""A staged program line by line with its numbers, and what goes wrong without ``+=``:
:func:`forward_steps`, :func:`backward_steps` (upstream × local = contribution, the total so
far), :func:`run_with_equals` (every ``+=`` made ``=``) and :func:`backward_side_by_side`."""

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

_PROGRAM = "a StagedProgram (from staged(f))"


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
    """``target (= or +=) local * upstream`` of forward line ``stage`` (``accumulate``: ``+=``),
    ``upstream`` the value of ``upstream_name``, ``contribution`` the product, ``total`` after."""

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

    def for_target(self, target: str) -> BackwardLines:
        """Only the lines that write ``target`` (e.g. ``"dx"``): one per use of that wire."""
        if not any(s.target == target for s in self):
            known = ", ".join(dict.fromkeys(s.target for s in self))
            raise ValueError(f"no backward line writes {target!r}; the gradients are: {known}")
        return BackwardLines(s for s in self if s.target == target)


def backward_steps(f: Value) -> BackwardLines:
    """Every backward line of ``staged(f)`` in order, with its floats (``f.backward()`` runs)."""
    _check(f, Value, "backward_steps()", "a Value (a circuit's output)")
    program = staged(f)
    f.backward()
    gates = [n for n in f.topological_order() if n.parents]  # the order of program.stages
    number = {id(n): stage.number for n, stage in zip(gates, program.stages)}
    totals: dict[int, float] = {}
    steps = []
    for node, upstream, local, down in backward_walk(f):
        up = "d" + program.names[id(node)]
        for parent, loc, contribution in zip(node.parents, local, down):
            first = id(parent) not in totals
            total = contribution if first else totals[id(parent)] + contribution
            totals[id(parent)] = total
            target = "d" + program.names[id(parent)]
            row = (number[id(node)], target, not first, up, upstream, loc, contribution, total)
            steps.append(BackwardLine(*row))
    return BackwardLines(steps)


def with_equals(program: StagedProgram) -> str:
    """The text of ``program`` with every ``+=`` replaced by ``=`` (the fork mistake)."""
    _check(program, StagedProgram, "with_equals()", _PROGRAM)
    return program.source.replace(" += ", " = ")


def run_with_equals(program: StagedProgram) -> dict[str, float]:
    """Every variable of the kit's ``program`` run with ``+=`` made ``=`` (nothing typed runs)."""
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
    """Two columns: ``program``'s backward lines (with their stages) and the
    :func:`gradient_statements` of ``by_hand`` (a function or its source), row by row."""
    _check(program, StagedProgram, "backward_side_by_side()", f"{_PROGRAM} first")
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
