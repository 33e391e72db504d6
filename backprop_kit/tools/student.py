"""The student and learner editions: ``backprop-kit student SRC DEST [--learner]``. Every
notebook under SRC goes to the same place under DEST, each solution region replaced by
nbgrader's stub (``# YOUR CODE HERE``, ``raise NotImplementedError()`` at the BEGIN line's
indentation; in markdown ``YOUR ANSWER HERE``); exercise cells lose their outputs; test cells,
nbgrader's metadata and widget state go; other files are copied. ``--learner``: notebooks only,
each solution folded shut after its exercise. Warnings name the cells that could stop Run All."""

from __future__ import annotations

import argparse
import ast
import copy
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent
from typing import Any

from backprop_kit.tools.files import ToolError, check_ours, new_folder
from backprop_kit.tools.notebooks import (
    BEGIN_SOLUTION,
    END_SOLUTION,
    EXERCISE_TAG,
    call_name,
    graded_id,
    is_exercise_cell,
    parse_cell,
    read_notebook,
    write_notebook,
)

CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)
EDITION_KEY = "backprop_kit"  # notebook metadata of a generated edition; never read as source
SOLUTION_SUMMARY = "Show a solution (try the exercise first)"
_COMMENTED_MARKER = re.compile(r"#+\s*(BEGIN|END)\s+SOLUTION\b", re.IGNORECASE)


@dataclass
class Cleared:
    """A cell source with its solution regions replaced: ``solutions[k]`` holds the lines of
    region k, ``stub_lines[k]`` the 1-based line of its ``raise NotImplementedError()``."""

    source: str
    solutions: list[list[str]] = field(default_factory=list)
    stub_lines: list[int] = field(default_factory=list)


@dataclass
class NotebookReport:
    """What :func:`student_notebook` did to one notebook."""

    name: str
    code_regions: int = 0
    text_regions: int = 0
    cleared_cells: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: how many regions went and how many cells were cleared."""
        n, cells = self.code_regions + self.text_regions, self.cleared_cells
        return (
            f"{n} solution region{'s' * (n != 1)} removed ({self.code_regions} code, "
            f"{self.text_regions} text), {cells} exercise cell{'s' * (cells != 1)} cleared"
        )


def clear_solutions(source: str, cell_type: str = "code", where: str = "cell") -> Cleared:
    """Replace every solution region of ``source`` (in cell ``where``). A marker is a line that
    is exactly one once stripped; another line with ``BEGIN/END SOLUTION`` (nbgrader's marker)
    or like ``# begin solution`` is an error, as are unbalanced or nested markers."""
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    cleared = Cleared(source="")
    out: list[str] = []
    region: list[str] | None = None
    begin, end, opened = repr(BEGIN_SOLUTION), repr(END_SOLUTION), where
    for number, line in enumerate(source.split("\n"), start=1):
        text, at = line.strip(), f"{where}, line {number}"
        if text == BEGIN_SOLUTION:
            if region is not None:
                raise ToolError(f"{at}: nested {begin} (the region above has no {end} yet)")
            region, opened = [], at
            out.extend(line[: line.index(BEGIN_SOLUTION)] + stub_line for stub_line in stub)
            cleared.stub_lines.append(len(out))
        elif text == END_SOLUTION:
            if region is None:
                raise ToolError(f"{at}: {end} without a {begin} before it")
            cleared.solutions.append(region)
            region = None
        elif "BEGIN SOLUTION" in text or "END SOLUTION" in text or _COMMENTED_MARKER.match(text):
            raise ToolError(
                f"{at}: {text!r} looks like a solution marker but is not one; a marker line is "
                f"exactly {begin} or {end} (nbgrader takes any line with BEGIN/END SOLUTION)"
            )
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise ToolError(f"{opened}: {begin} without a matching {end}")
    cleared.source = "\n".join(out)
    return cleared


def folded_solution(source: str, cell_type: str, cell_id: str | None = None) -> Any:
    """A markdown cell with the instructor's ``source`` (no markers) folded in ``<details>``."""
    import nbformat

    kept = [x for x in source.split("\n") if x.strip() not in (BEGIN_SOLUTION, END_SOLUTION)]
    body = "\n".join(kept).strip("\n")
    if cell_type == "code":
        fence = "```"
        while fence in body:
            fence += "`"
        body = f"{fence}python\n{body}\n{fence}"
    cell = nbformat.v4.new_markdown_cell(
        f"<details><summary>{SOLUTION_SUMMARY}</summary>\n\n{body}\n\n</details>"
    )
    cell.metadata["tags"] = ["solution"]
    cell.id = re.sub(r"[^A-Za-z0-9_-]", "-", f"solution-{cell_id or 'cell'}")[:64]
    return cell


def _is_test_cell(cell: Any) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return graded_id(cell) is not None or bool(
        meta.get("grade") and not meta.get("solution") and cell.cell_type == "code"
    )


def student_notebook(
    nb: Any, name: str = "notebook", fold_solutions: bool = False
) -> tuple[Any, NotebookReport]:
    """The student edition of ``nb`` (unchanged) and its report, each exercise cell followed by
    its :func:`folded_solution` if ``fold_solutions``; errors name ``name``, cell and line."""
    import nbformat

    nb = copy.deepcopy(nb)
    report, regions = NotebookReport(name), {}  # regions: cell index -> (source, Cleared)
    nb.metadata.pop("widgets", None)
    nb.metadata[EDITION_KEY] = {"edition": "student"}
    nb.cells = [cell for cell in nb.cells if not _is_test_cell(cell)]
    for index, cell in enumerate(nb.cells):
        where, exercise = f"{name} cell {index}", is_exercise_cell(cell)
        cleared = clear_solutions(cell.source, cell.cell_type, where)
        if not cleared.solutions and cell.metadata.get("nbgrader", {}).get("solution"):
            stub = CODE_STUB if cell.cell_type == "code" else TEXT_STUB  # replaced whole
            cleared = Cleared("\n".join(stub), [cell.source.split("\n")], [len(stub)])
        if cleared.solutions:
            regions[index] = (cell.source, cleared)
        elif EXERCISE_TAG in cell.metadata.get("tags", []):
            report.warnings.append(
                f"{where}: tagged {EXERCISE_TAG!r} but has no solution region, so its code "
                "goes to learners as it is"
            )
        cell.source = cleared.source
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type != "code":
            report.text_regions += len(cleared.solutions)
            continue
        report.code_regions += len(cleared.solutions)
        if exercise:
            cell.outputs, cell.execution_count = [], None
            report.cleared_cells += 1
    code = {i: c for i, (_, c) in regions.items() if nb.cells[i].cell_type == "code"}
    report.warnings.extend(run_all_risks(nb, code, name))
    for index in sorted(regions, reverse=True) if fold_solutions else []:
        cell = nb.cells[index]
        fold = folded_solution(regions[index][0], cell.cell_type, cell.get("id"))
        nb.cells.insert(index + 1, fold)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        reason = str(err).strip().splitlines()[0]
        raise ToolError(f"{name}: not a valid notebook: {reason}") from None
    return nb, report


# --- Will "Run All" reach the end? A static look, reported as warnings -------------------------


def _is_attempt(node: ast.AST) -> bool:
    calls = [i.context_expr for i in getattr(node, "items", [])]
    return any(isinstance(c, ast.Call) and call_name(c) == "attempt" for c in calls)


def _encloses(node: ast.AST, line: int) -> bool:
    start = getattr(node, "lineno", 0)
    return bool(start <= line <= (getattr(node, "end_lineno", None) or start))


def _bound(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _used(tree: ast.AST) -> set[str]:
    """Names read in ``tree``, except those handed to ``check(...)`` (it copes with stubs)."""
    handed_to_check = {
        id(n)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and call_name(call) == "check"
        for a in call.args
        for n in ast.walk(a)
        if isinstance(n, ast.Name) and (a is n or isinstance(a, (ast.Tuple, ast.List, ast.Dict)))
    }
    loads = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    return {n.id for n in loads if id(n) not in handed_to_check}


def _learner_names(tree: ast.Module, cleared: Cleared) -> tuple[set[str], int, list[int]]:
    """The names the learner writes in this cell (functions holding a stub, an ``attempt``'s
    ``as`` name, names a top-level region assigns), the last line of the statements holding the
    stubs, and the stubs no function or ``attempt`` block encloses."""
    names: set[str] = set()
    last, loose = 0, []
    for stub_line, solution in zip(cleared.stub_lines, cleared.solutions):
        last = max([last] + [s.end_lineno or 0 for s in tree.body if _encloses(s, stub_line)])
        around = [n for n in ast.walk(tree) if hasattr(n, "lineno") and _encloses(n, stub_line)]
        functions = {
            n.name for n in around if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        withs = [n for n in around if isinstance(n, (ast.With, ast.AsyncWith)) and _is_attempt(n)]
        attempts = [i.optional_vars for n in withs for i in n.items]
        names |= functions | {v.id for v in attempts if isinstance(v, ast.Name)}
        region = None if functions else parse_cell(dedent("\n".join(solution)))
        names |= _bound(region) if region else set()
        if not functions and not attempts:
            loose.append(stub_line)
    return names, last, loose


def run_all_risks(nb: Any, solutions: dict[int, Cleared], name: str = "notebook") -> list[str]:
    """Warnings for cells of the student edition ``nb`` that could stop Run All: a stub at top
    level, a later statement using a name the learner writes (``solutions``: cell -> Cleared)."""
    warnings: list[str] = []
    learner: dict[str, int] = {}  # name -> cell index where the learner writes it
    for index, cell in enumerate(nb.cells):
        tree = parse_cell(cell.source) if cell.cell_type == "code" else None
        statements = tree.body if tree else []
        if tree and index in solutions:
            names, last, loose = _learner_names(tree, solutions[index])
            warnings += [
                f"{name} cell {index}, line {line}: the solution region is not inside a function "
                "or a `with attempt(...)` block, so its `raise NotImplementedError()` stops Run "
                "All in the student edition"
                for line in loose
            ]
            learner.update(dict.fromkeys(names, index))
            statements = [s for s in tree.body if s.lineno > last]
        for stmt in statements:
            bound = _bound(stmt)
            for used in sorted((_used(stmt) - bound) & learner.keys()):
                warnings.append(
                    f"{name} cell {index}, line {stmt.lineno}: uses `{used}`, which the learner "
                    f"writes in cell {learner[used]}; in the student edition it is not done yet, "
                    "so this may stop Run All (later cells should not depend on an answer)"
                )
            for rebound in bound & learner.keys():
                del learner[rebound]
    return warnings


# --- Folders ------------------------------------------------------------------------------------


def _skipped(path: Path, root: Path) -> bool:  # checkpoints, caches, hidden files
    parts = path.relative_to(root).parts
    return any(p.startswith(".") or p == "__pycache__" for p in parts) or path.suffix == ".pyc"


def make_student_edition(src: Path, dest: Path, learner: bool = False) -> list[NotebookReport]:
    """Write the student edition of every notebook under ``src`` into ``dest`` (replaced whole,
    never read as source; ``learner``: folded solutions, no other files); return the reports."""
    src, dest = Path(src), Path(dest)
    if not src.is_dir():
        raise ToolError(f"{src} is not a folder of notebooks")
    check_ours(dest, "student", src)  # before the work, not only after it
    files = [p for p in sorted(src.rglob("*")) if p.is_file() and not _skipped(p, src)]
    if dest.resolve().is_relative_to(src.resolve()):  # DEST is not read as source
        files = [p for p in files if not p.resolve().is_relative_to(dest.resolve())]
    converted = []
    for path in (p for p in files if p.suffix == ".ipynb"):
        nb = read_notebook(path)
        if EDITION_KEY not in nb.metadata:  # not an edition kept inside SRC (notebooks/learner)
            rel = path.relative_to(src)
            converted.append((rel, *student_notebook(nb, str(rel), fold_solutions=learner)))
    if not converted:
        raise ToolError(f"no notebooks (*.ipynb) in {src} (other than student editions)")
    editions = {p.parent for p in files if p.suffix == ".ipynb"}
    editions -= {src / rel.parent for rel, _, _ in converted}
    with new_folder(dest, "student", src=src) as tmp:
        for rel, nb, _ in converted:
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            write_notebook(tmp / rel, nb)
        for path in [] if learner else files:
            if path.suffix != ".ipynb" and path.parent not in editions:
                target = tmp / path.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
    return [report for _, _, report in converted]


def run(args: argparse.Namespace) -> int:
    """``backprop-kit student SRC DEST [--learner]``."""
    for report in make_student_edition(args.src, args.dest, learner=args.learner):
        print(f"{args.dest / report.name}: {report.summary()}")
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return 0
