"""Make the student edition of the notebooks: ``python -m backprop_kit.tools.student SRC DEST``.

    python -m backprop_kit.tools.student notebooks student           # DEST new or empty
    python -m backprop_kit.tools.student notebooks student --force   # DEST already has files
    python -m backprop_kit.tools.student notebooks notebooks/learner --learner  # learner edition

Every notebook under SRC is written to the same place under DEST, with each solution region
(nbgrader's markers, on lines of their own) replaced by nbgrader's stub at the indentation of
the BEGIN line::

    ### BEGIN SOLUTION                     # YOUR CODE HERE
    answer.value = 3.0            ->       raise NotImplementedError()
    ### END SOLUTION

In markdown and raw cells the stub is ``YOUR ANSWER HERE``. A cell that nbgrader's metadata
marks as a solution but that has no region is replaced whole, as nbgrader does. Exercise cells
(tagged "exercise", holding a solution region, or showing a stored verdict such as
"✔ Correct!") lose their outputs and execution count; everything else is kept as it is. The
other files under SRC (images, data) are copied; checkpoints, caches and hidden files are not.
nbgrader's autograder test cells (``grade(ID)``, see :mod:`grading`) are left out,
nbgrader's cell metadata is dropped, and so is the widget state (it no longer matches the
outputs, and without it static viewers show each explorer's stored picture).

``--fold-solutions`` puts the instructor's solution of each exercise cell right after it, in a
markdown cell folded shut (``<details>``): one click away for a self-learner, never on screen by
accident. ``--learner`` is the committed learner edition's recipe: ``--fold-solutions
--replace --notebooks-only``.

Nothing is written unless every notebook converts cleanly, and DEST is never half-written: the
edition is written into a temporary folder beside DEST and then moved into place, so DEST is
either complete or untouched (with ``--force`` or ``--replace`` the old and new folders are
swapped in one atomic step where the system allows it). DEST may lie inside SRC (the learner
edition lives in ``notebooks/learner``); it is then not read as source.

Warnings name the cells that could stop "Run All" in the student edition: a stub outside a
function or ``with attempt(...)`` block, or a later cell that uses what the learner writes.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent

import nbformat
from nbformat import NotebookNode

from backprop_kit.exercises import CORRECT, NO_ANSWER, NOT_ATTEMPTED, NOT_YET
from backprop_kit.tools import atomic

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)
EXERCISE_TAG = "exercise"
SKIPPED = frozenset(
    {".ipynb_checkpoints", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache",
     ".hypothesis", ".virtual_documents", ".git", ".DS_Store"}
)  # fmt: skip
CELL_TYPES = ("code", "markdown", "raw")
EDITION_KEY = "backprop_kit"  # notebook metadata of a generated edition; never read as source
SOLUTION_SUMMARY = "Show a solution (try the exercise first)"
_COMMENTED_MARKER = re.compile(r"#+\s*(BEGIN|END)\s+SOLUTION\b", re.IGNORECASE)
_VERDICTS = (CORRECT, NOT_YET, NOT_ATTEMPTED, NO_ANSWER)


class StudentEditionError(Exception):
    """Why no student edition was written, in one line."""


def read_notebook(path: Path, error: type[Exception] = StudentEditionError) -> NotebookNode:
    """The notebook at ``path`` (nbformat 4), or ``error`` with one line naming the file."""
    try:
        return nbformat.read(path, as_version=4)
    except Exception as err:  # bad JSON, unknown format: one line naming the file
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise error(f"{path}: cannot read it as a notebook: {reason}") from None


@dataclass
class Cleared:
    """A cell source with its solution regions replaced.

    ``solutions[k]`` holds the lines of region k (markers excluded); ``stub_lines[k]`` is the
    1-based line of its last stub line (``raise NotImplementedError()``) in ``source``.
    """

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
        regions = self.code_regions + self.text_regions
        return (
            f"{_plural(regions, 'solution region')} removed "
            f"({self.code_regions} code, {self.text_regions} text), "
            f"{_plural(self.cleared_cells, 'exercise cell')} cleared"
        )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def clear_solutions(source: str, cell_type: str = "code", where: str = "cell") -> Cleared:
    """Replace every ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region of ``source``.

    A marker is a line that is exactly the marker once stripped. Any other line that mentions
    ``BEGIN SOLUTION`` or ``END SOLUTION`` (nbgrader takes every such line for a marker) or
    looks like a commented marker (``# begin solution``) is an error, so that no solution slips
    through and nbgrader would cut the same regions. ``where`` names the cell in messages.
    """
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    cleared = Cleared(source="")
    out: list[str] = []
    region: list[str] | None = None
    begin_line = 0
    for number, line in enumerate(source.split("\n"), start=1):
        text = line.strip()
        if text == BEGIN_SOLUTION:
            if region is not None:
                raise StudentEditionError(
                    f"{where}, line {number}: nested {BEGIN_SOLUTION!r} (the region opened at "
                    f"line {begin_line} has no {END_SOLUTION!r} yet)"
                )
            region, begin_line = [], number
            indent = line[: line.index(BEGIN_SOLUTION)]
            out.extend(indent + stub_line for stub_line in stub)
            cleared.stub_lines.append(len(out))
        elif text == END_SOLUTION:
            if region is None:
                raise StudentEditionError(
                    f"{where}, line {number}: {END_SOLUTION!r} without a {BEGIN_SOLUTION!r} "
                    "before it"
                )
            cleared.solutions.append(region)
            region = None
        elif _almost_a_marker(text):
            raise StudentEditionError(
                f"{where}, line {number}: {text!r} looks like a solution marker but is not one; "
                f"a marker line is exactly {BEGIN_SOLUTION!r} or {END_SOLUTION!r} (reword "
                "other mentions: nbgrader takes any line containing BEGIN/END SOLUTION as one)"
            )
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise StudentEditionError(
            f"{where}, line {begin_line}: {BEGIN_SOLUTION!r} without a matching {END_SOLUTION!r}"
        )
    cleared.source = "\n".join(out)
    return cleared


def _almost_a_marker(text: str) -> bool:
    return "BEGIN SOLUTION" in text or "END SOLUTION" in text or bool(_COMMENTED_MARKER.match(text))


def _is_nbgrader_solution(cell: NotebookNode) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def shows_verdict(cell: NotebookNode) -> bool:
    """A stored output of ``cell`` shows an exercise's verdict (its text contains one)."""
    for output in cell.get("outputs", []):
        texts = [output.get("text", ""), output.get("data", {}).get("text/plain", "")]
        if any(verdict in "".join(t) for t in texts for verdict in _VERDICTS):
            return True
    return False


def _check_cells(nb: NotebookNode, name: str) -> None:
    """One-line errors for cells nbformat would reject further down with a long message."""
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise StudentEditionError(f"{name}: has no list of cells")
    for index, cell in enumerate(cells):
        where = f"{name} cell {index}"
        if not isinstance(cell, dict):
            raise StudentEditionError(f"{where}: is not a cell (a JSON object)")
        kind = cell.get("cell_type")
        if kind not in CELL_TYPES:
            raise StudentEditionError(
                f"{where}: unknown cell_type {kind!r}; allowed: {', '.join(CELL_TYPES)}"
            )
        if "source" not in cell:
            raise StudentEditionError(
                f"{where}: has no 'source' (every cell needs one; an empty cell has \"\")"
            )
        if not isinstance(cell["source"], str):  # nbformat joins lists of lines on reading
            raise StudentEditionError(f"{where}: its 'source' is not text")
        cell.setdefault("metadata", NotebookNode())
        if not isinstance(cell["metadata"], dict):
            raise StudentEditionError(f"{where}: its 'metadata' is not a JSON object")
        if not isinstance(cell["metadata"].get("nbgrader", {}), dict):
            raise StudentEditionError(
                f"{where}: its 'metadata.nbgrader' is not a JSON object (nbgrader writes one)"
            )


def _is_autograder_test(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def folded_solution(source: str, cell_type: str, cell_id: str | None = None) -> NotebookNode:
    """A markdown cell holding the instructor's ``source`` (markers dropped) folded shut in a
    ``<details>`` element: JupyterLab, Notebook, VS Code, Colab and GitHub show only the
    summary line until it is clicked."""
    lines = [
        line for line in source.split("\n") if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION)
    ]
    body = "\n".join(lines).strip("\n")
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


def student_notebook(
    nb: NotebookNode, name: str = "notebook", fold_solutions: bool = False
) -> tuple[NotebookNode, NotebookReport]:
    """The student edition of notebook ``nb`` (an ``nbformat`` v4 node; ``nb`` is unchanged),
    and a :class:`NotebookReport`. With ``fold_solutions``, each exercise cell is followed by
    :func:`folded_solution`. Raises :class:`StudentEditionError` naming ``name``, the cell
    index (counting from 0) and the line for unbalanced markers, a cell without ``source`` or
    with an unknown ``cell_type``."""
    nb = copy.deepcopy(nb)
    _check_cells(nb, name)
    report = NotebookReport(name)
    solutions: dict[int, Cleared] = {}
    originals: dict[int, str] = {}
    nb.metadata.pop("widgets", None)
    nb.metadata[EDITION_KEY] = {"edition": "student"}
    nb.cells = [cell for cell in nb.cells if not _is_autograder_test(cell)]
    for index, cell in enumerate(nb.cells):
        where = f"{name} cell {index}"
        original = cell.source
        cleared = clear_solutions(cell.source, cell.cell_type, where)
        if not cleared.solutions and _is_nbgrader_solution(cell):
            stub = CODE_STUB if cell.cell_type == "code" else TEXT_STUB
            cleared = Cleared("\n".join(stub), [cell.source.split("\n")], [len(stub)])
        cell.source = cleared.source
        cell.metadata.pop("nbgrader", None)
        if cleared.solutions:
            originals[index] = original
        tagged = EXERCISE_TAG in cell.metadata.get("tags", [])
        if cell.cell_type == "code":
            report.code_regions += len(cleared.solutions)
            if cleared.solutions:
                solutions[index] = cleared
            if tagged or cleared.solutions or shows_verdict(cell):
                cell.outputs = []
                cell.execution_count = None
                report.cleared_cells += 1
        else:
            report.text_regions += len(cleared.solutions)
        if tagged and not cleared.solutions:
            report.warnings.append(
                f"{where}: tagged {EXERCISE_TAG!r} but has no solution region, so its code "
                "goes to learners as it is"
            )
    report.warnings.extend(run_all_risks(nb, solutions, name))
    if fold_solutions:
        cells = []
        for index, cell in enumerate(nb.cells):
            cells.append(cell)
            if index in originals:
                cells.append(folded_solution(originals[index], cell.cell_type, cell.get("id")))
        nb.cells = cells
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        reason = str(err).strip().splitlines()[0]
        raise StudentEditionError(f"{name}: not a valid notebook: {reason}") from None
    return nb, report


# --- Will "Run All" reach the end? A static look, reported as warnings -------------------------


def _parse(source: str) -> ast.Module | None:
    """The cell as Python, with IPython's %magics and !commands turned into calls; None if it
    still is not Python."""
    try:
        return ast.parse(source)
    except SyntaxError:
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(source))
    except (ImportError, SyntaxError):
        return None


def _is_attempt(node: ast.AST) -> bool:
    if not isinstance(node, (ast.With, ast.AsyncWith)):
        return False
    for item in node.items:
        call = item.context_expr
        func = call.func if isinstance(call, ast.Call) else None
        if (isinstance(func, ast.Name) and func.id == "attempt") or (
            isinstance(func, ast.Attribute) and func.attr == "attempt"
        ):
            return True
    return False


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
    """Names read in ``tree``, except names handed to ``check(...)``, bare or inside a dict or
    tuple of functions (the check itself copes with an unfinished function)."""
    handed_to_check: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "check":  # check catches what the learner's functions raise
                handed_to_check.update(
                    id(n)
                    for a in node.args
                    for n in ast.walk(a)
                    if isinstance(n, ast.Name)
                    and (a is n or isinstance(a, (ast.Tuple, ast.List, ast.Dict)))
                )
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name)
        and isinstance(node.ctx, ast.Load)
        and id(node) not in handed_to_check
    }


def _learner_names(tree: ast.Module, cleared: Cleared) -> tuple[set[str], int]:
    """Names whose value comes from the learner in this cell (functions holding a stub, the
    ``as`` name of an ``attempt`` block, names a top-level region assigns), and the last line
    of the statements that hold the stubs."""
    names: set[str] = set()
    last = 0
    for stub_line, solution in zip(cleared.stub_lines, cleared.solutions):
        for stmt in tree.body:
            if _encloses(stmt, stub_line):
                last = max(last, stmt.end_lineno or stmt.lineno)
        in_function = False
        for node in ast.walk(tree):
            if not hasattr(node, "lineno") or not _encloses(node, stub_line):
                continue
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(node.name)
                in_function = True
            elif isinstance(node, (ast.With, ast.AsyncWith)) and _is_attempt(node):
                names.update(
                    item.optional_vars.id
                    for item in node.items
                    if isinstance(item.optional_vars, ast.Name)
                )
        if not in_function:
            region = _parse(dedent("\n".join(solution)))
            if region is not None:
                names |= _bound(region)
    return names, last


def run_all_risks(
    nb: NotebookNode, solutions: dict[int, Cleared], name: str = "notebook"
) -> list[str]:
    """Warnings for cells of the student edition ``nb`` that could stop "Run All":

    - a stub that is neither inside a function nor inside a ``with attempt(...)`` block (its
      ``raise NotImplementedError()`` runs at top level and nothing catches it);
    - a cell (or a later statement of the exercise cell) that uses a name whose value the
      learner writes: an exercise function, the ``answer`` of an ``attempt`` block, a name
      assigned in a region. ``solutions`` maps cell index -> :class:`Cleared` of that cell.
    """
    warnings: list[str] = []
    learner: dict[str, int] = {}  # name -> cell index where the learner writes it
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = _parse(cell.source)
        if tree is None:
            continue
        statements = tree.body
        if index in solutions:
            cleared = solutions[index]
            for stub_line in cleared.stub_lines:
                if not any(
                    isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or _is_attempt(node)
                    for node in ast.walk(tree)
                    if hasattr(node, "lineno") and _encloses(node, stub_line)
                ):
                    warnings.append(
                        f"{name} cell {index}, line {stub_line}: the solution region is not "
                        "inside a function or a `with attempt(...)` block, so its "
                        "`raise NotImplementedError()` stops Run All in the student edition"
                    )
            names, last = _learner_names(tree, cleared)
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


def _skipped(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return any(part in SKIPPED or part.startswith(".") for part in parts) or path.suffix == ".pyc"


def _check_folders(src: Path, dest: Path, force: bool) -> None:
    if not src.exists():
        raise StudentEditionError(f"source folder {src} does not exist")
    if not src.is_dir():
        raise StudentEditionError(f"source {src} is not a folder; give the folder of notebooks")
    if dest.is_symlink() and not dest.exists():
        raise StudentEditionError(
            f"DEST {dest} is a symbolic link to {os.readlink(dest)}, which does not exist; "
            "remove the link or give another folder"
        )
    s, d = src.resolve(), dest.resolve()
    if d == s:
        raise StudentEditionError(
            f"DEST {dest} is the source folder; the student edition would overwrite the "
            "solutions - choose another folder"
        )
    if s.is_relative_to(d):
        raise StudentEditionError(
            f"the source folder {src} is inside DEST {dest}; writing there could overwrite the "
            "solutions - choose a folder outside it"
        )
    if dest.exists() and not dest.is_dir():
        raise StudentEditionError(f"DEST {dest} is a file, not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not force:
        raise StudentEditionError(
            f"DEST {dest} is not empty; add --force to write into it (files with the same names "
            "are replaced, other files stay) or --replace to replace it as a whole"
        )
    parent = d.parent
    while not parent.exists():  # missing folders above DEST are made, like mkdir -p
        parent = parent.parent
    if not parent.is_dir():
        raise StudentEditionError(f"DEST {dest}: {parent} is a file, not a folder")
    for folder in (parent, d) if d.is_dir() else (parent,):
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StudentEditionError(
                f"DEST {dest}: cannot write in {folder} (permission denied); nothing was written"
            )


def make_student_edition(
    src: Path,
    dest: Path,
    force: bool = False,
    *,
    replace: bool = False,
    fold_solutions: bool = False,
    notebooks_only: bool = False,
) -> list[NotebookReport]:
    """Write the student edition of every notebook under ``src`` into ``dest`` (same relative
    paths) and copy the other files (unless ``notebooks_only``); return one report per
    notebook. Everything is checked and converted first; the edition is then written into a
    temporary folder beside ``dest`` and moved into place, so ``dest`` is either complete or
    untouched. ``force`` keeps the other files already in ``dest``; ``replace`` replaces
    ``dest`` as a whole. ``dest`` may lie inside ``src``: it is then not read as source."""
    src, dest = Path(src), Path(dest)
    _check_folders(src, dest, force or replace)
    dest = dest.resolve()
    inside = dest.is_relative_to(src.resolve())
    files = sorted(
        p
        for p in src.rglob("*")
        if p.is_file()
        and not _skipped(p, src)
        and not (inside and p.resolve().is_relative_to(dest))
    )
    notebooks = [p for p in files if p.suffix == ".ipynb"]
    converted = []
    for path in notebooks:
        rel = path.relative_to(src)
        nb = read_notebook(path)
        if EDITION_KEY in nb.metadata:  # a student edition kept inside SRC (notebooks/learner)
            continue
        converted.append((rel, *student_notebook(nb, str(rel), fold_solutions)))
    if not converted:
        raise StudentEditionError(f"no notebooks (*.ipynb) in {src} (other than student editions)")
    editions = {path.parent for path in notebooks} - {src / rel.parent for rel, _, _ in converted}
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with atomic.new_folder(dest, keep_existing=not replace) as tmp:
            for rel, nb, _ in converted:
                (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, tmp / rel)
            for path in [] if notebooks_only else files:
                if path.suffix != ".ipynb" and path.parent not in editions:
                    target = tmp / path.relative_to(src)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
    except OSError as err:
        where = err.filename or dest
        raise StudentEditionError(
            f"DEST {dest}: cannot write {where}: {err.strerror or err}; DEST was left as it was"
        ) from None
    return [report for _, _, report in converted]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backprop_kit.tools.student",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=f"""\
Write the student edition of every notebook in SRC into DEST.

Each solution region (lines of their own, as in nbgrader)
    {BEGIN_SOLUTION}
    ...
    {END_SOLUTION}
becomes, at the indentation of the BEGIN line,
    {CODE_STUB[0]}
    {CODE_STUB[1]}
(in markdown cells: {TEXT_STUB[0]}). Exercise cells (tagged "{EXERCISE_TAG}" or holding a
region) lose their outputs; nbgrader's autograder test cells are left out; everything
else is kept, and the other files in SRC (images, data) are copied. In the student
edition "Run All" reaches the end: each exercise says "Not attempted yet" until the
learner answers it. The edition is written into a temporary folder beside DEST and
moved into place: DEST is either complete or untouched.""",
        epilog="""\
examples:
  python -m backprop_kit.tools.student notebooks student
  python -m backprop_kit.tools.student notebooks student --force
  python -m backprop_kit.tools.student notebooks notebooks/learner --learner

Prints one line per notebook and exits 0. On a problem it prints one line saying
what is wrong, writes nothing and exits 2: SRC missing or without notebooks;
DEST equal to SRC or containing it; DEST not empty (without --force or
--replace); DEST or its folder not writable; DEST a dangling symbolic link; a
cell without source or of an unknown type; a marker without its partner, or
nested markers (named by notebook, cell index counting from 0, and line).
Warnings on stderr name cells that could stop "Run All" in the student edition.""",
    )
    parser.add_argument("src", metavar="SRC", type=Path, help="folder of instructor notebooks")
    parser.add_argument(
        "dest",
        metavar="DEST",
        type=Path,
        help="folder for the student edition (created if missing; not SRC, not containing "
        "SRC; if inside SRC, it is not read as source)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into DEST even if it has files: files with the same names are replaced, "
        "other files are left alone (--replace for a clean edition)",
    )
    parser.add_argument(
        "--replace", action="store_true", help="replace DEST as a whole (its other files go)"
    )
    parser.add_argument(
        "--fold-solutions",
        action="store_true",
        help="after each exercise cell, its solution in a markdown cell folded shut "
        "(<details>): for self-learners",
    )
    parser.add_argument(
        "--notebooks-only", action="store_true", help="copy no other files from SRC"
    )
    parser.add_argument(
        "--learner",
        action="store_true",
        help="the learner edition's recipe: --fold-solutions --replace --notebooks-only",
    )
    args = parser.parse_args(argv)
    if args.learner:
        args.fold_solutions = args.replace = args.notebooks_only = True
    try:
        reports = make_student_edition(
            args.src,
            args.dest,
            force=args.force,
            replace=args.replace,
            fold_solutions=args.fold_solutions,
            notebooks_only=args.notebooks_only,
        )
    except StudentEditionError as err:
        print(f"student: {err}", file=sys.stderr)
        return 2
    for report in reports:
        print(f"{args.dest / report.name}: {report.summary()}")
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
