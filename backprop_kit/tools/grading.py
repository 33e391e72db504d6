"""nbgrader for the kit's notebooks: ``python -m backprop_kit.tools.grading mark notebooks``.

    python -m backprop_kit.tools.grading mark notebooks  # write the marks in
    python -m backprop_kit.tools.grading mark notebooks --check    # exit 1 if a notebook lacks them

nbgrader needs two things the chapters do not carry by hand:

- **solution cells**: every cell holding a ``### BEGIN SOLUTION`` region gets nbgrader's cell
  metadata (``solution: true``; a markdown answer is also ``grade: true``, graded by hand), or
  ``nbgrader generate_assignment`` refuses it ("Solution region detected in a non-solution
  cell");
- **autograder tests**: right after the cell that checks exercise ``ID`` (``check("ID", …)`` or
  ``with attempt("ID")``) comes a locked test cell worth :data:`POINTS` point(s)::

      from backprop_kit.exercises import grade
      grade("ID")

  :func:`backprop_kit.exercises.grade` judges again the answer the learner's cell recorded and
  raises ``AssertionError`` unless it is right, which is how nbgrader scores a test cell.

Marking is idempotent: an existing test cell (``grade_id`` ``test-ID``) keeps its source (an
instructor's hidden tests stay), its points and its outputs; only its metadata is normalised
and its place fixed. Test cells for exercises that no longer exist are removed. Each notebook
is written to a temporary file beside it and renamed over it, and only if something changed.

:class:`ClearExerciseOutput` is an nbgrader preprocessor for ``generate_assignment`` that keeps
the pictures (explorers' static images, plots) and clears only exercise cells; see
:func:`release_preprocessors`.
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import functools
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from backprop_kit.tools import atomic
from backprop_kit.tools.student import (
    BEGIN_SOLUTION,
    EXERCISE_TAG,
    StudentEditionError,
    read_notebook,
    shows_verdict,
)
from backprop_kit.tools.student import _check_cells as check_cells

SCHEMA_VERSION = 3  # nbgrader's cell metadata schema (nbgrader 0.6 - 0.9)
POINTS = 1
TEST_PREFIX = "test-"
ANSWER_PREFIX = "answer-"


class GradingError(Exception):
    """Why a notebook could not be marked, in one line."""


def exercise_ids(source: str) -> list[str]:
    """The exercise ids a code cell checks: the first argument of every ``check("…", …)`` and
    ``attempt("…")`` call that is a string literal, in order of appearance, without repeats."""
    found: list[str] = []
    for first in _checked(source):
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            if first.value not in found:
                found.append(first.value)
    return sorted(found, key=source.index)


EXERCISE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
"""What an exercise id looks like (``ch04-dw0``): how ``something.check("…")`` is told from
a method of another object that happens to be called check."""


def _checked(source: str) -> list[ast.expr]:
    """The exercise id argument of every ``check(…)`` and ``attempt(…)`` call of a code cell
    (given by position or as ``exercise_id=``), and of every ``something.check("an-id", …)``.
    Lines of IPython magics and shell escapes (``%%time``, ``!pip``) are read as blank."""
    lines = source.split("\n")
    python = "\n".join("" if line.lstrip()[:1] in ("%", "!") else line for line in lines)
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return []
    found = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        given = call.args[:1] or [k.value for k in call.keywords if k.arg == "exercise_id"]
        if not given:
            continue
        first, func = given[0], call.func
        if isinstance(func, ast.Name) and func.id in ("check", "attempt"):
            found.append(first)
        elif isinstance(func, ast.Attribute) and func.attr in ("check", "attempt"):
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if EXERCISE_ID.fullmatch(first.value):
                    found.append(first)
    return found


def _check_ids(source: str, where: str) -> None:
    """A one-line GradingError if a cell checks an exercise that does not exist, or names it
    with anything but a string (the marks could not see it, and it would go ungraded)."""
    from backprop_kit.exercises import all_exercises

    known = all_exercises()
    for first in _checked(source):
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            raise GradingError(
                f'{where}: write the exercise id as a string, as in check("ch04-dw0", …), '
                f"not {ast.unparse(first)!r:.40}: the marks cannot see which exercise it is"
            )
        if first.value not in known:
            close = difflib.get_close_matches(first.value, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise GradingError(
                f"{where}: {first.value!r} is no exercise; {hint}exercises are registered in "
                "backprop_kit/exercises/chNN.py"
            )


def has_solution(cell: NotebookNode) -> bool:
    """The cell holds a solution region (a line that is exactly the BEGIN marker)."""
    return any(line.strip() == BEGIN_SOLUTION for line in cell.source.split("\n"))


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograder test cell written by :func:`mark_notebook` (``grade_id`` ``test-…``)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if not isinstance(meta, dict):  # a hand-edited cell: not one of ours
        return False
    return (
        bool(meta.get("grade"))
        and not meta.get("solution")
        and str(meta.get("grade_id", "")).startswith(TEST_PREFIX)
    )


def test_source(exercise_id: str) -> str:
    """The source of the autograder test cell of ``exercise_id``."""
    return (
        f"# Autograder test (nbgrader, {POINTS} point): silent when the answer above is right.\n"
        "from backprop_kit.exercises import grade\n\n"
        f"grade({json.dumps(exercise_id)})"
    )


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, locked: bool, points: Any) -> dict:
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": SCHEMA_VERSION,
        "solution": solution,
        "task": False,
    }
    if grade:
        meta["points"] = points
    return meta


def _cell_id(text: str) -> str:
    """A valid nbformat cell id (letters, digits, - and _; at most 64 characters)."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)
    return cleaned[:64]


def mark_notebook(nb: NotebookNode, name: str = "notebook") -> tuple[NotebookNode, list[str]]:
    """``nb`` with nbgrader's marks (a new node; ``nb`` is unchanged) and one-line notes about
    test cells that were removed. Raises :class:`GradingError` for an exercise id checked in
    two different cells with solution regions."""
    nb = copy.deepcopy(nb)
    notes: list[str] = []
    existing = {}
    cells = []
    for cell in nb.cells:
        if is_test_cell(cell):
            existing[cell.metadata["nbgrader"]["grade_id"][len(TEST_PREFIX) :]] = cell
        else:
            cells.append(cell)
    solved: set[str] = set()  # ids checked in a cell with a region, or after one
    last_cell: dict[str, int] = {}  # id -> index (in ``cells``) of the last cell checking it
    pending_region = False
    for index, cell in enumerate(cells):
        ids = exercise_ids(cell.source) if cell.cell_type == "code" else []
        if cell.cell_type == "code":
            _check_ids(cell.source, f"{name}, cell {index + 1}")
        if has_solution(cell):
            key = ids[0] if ids else cell.get("id", str(index))
            markdown = cell.cell_type != "code"
            old = cell.metadata.get("nbgrader", {})
            cell.metadata["nbgrader"] = _nbgrader(
                ANSWER_PREFIX + key,
                solution=True,
                grade=markdown,  # a written answer is graded by hand
                locked=False,
                points=old.get("points", POINTS),
            )
            pending_region = not ids
            solved.update(ids)
        elif ids and pending_region:  # the region's function is checked in the next cell
            solved.update(ids)
            pending_region = False
        elif (
            cell.get("metadata", {})
            .get("nbgrader", {})
            .get("grade_id", "")
            .startswith(ANSWER_PREFIX)
        ):  # a region removed since the last marking
            del cell.metadata["nbgrader"]
        for exercise_id in ids:
            last_cell[exercise_id] = index
    after: dict[int, list[str]] = {}
    for exercise_id in sorted(solved, key=lambda i: (last_cell[i], i)):
        after.setdefault(last_cell[exercise_id], []).append(exercise_id)
    out = []
    for index, cell in enumerate(cells):
        out.append(cell)
        for exercise_id in after.get(index, []):
            test = existing.pop(exercise_id, None)
            if test is None:
                test = nbformat.v4.new_code_cell(test_source(exercise_id))
                test.id = _cell_id(TEST_PREFIX + exercise_id)
            points = test.metadata.get("nbgrader", {}).get("points", POINTS)
            test.metadata["nbgrader"] = _nbgrader(
                TEST_PREFIX + exercise_id, solution=False, grade=True, locked=True, points=points
            )
            out.append(test)
    for exercise_id in sorted(existing):
        notes.append(f"{name}: removed the test cell of {exercise_id!r} (no exercise checks it)")
    nb.cells = out
    return nb, notes


def notebooks_in(folder: Path, error: type[Exception] = GradingError) -> list[Path]:
    """The notebooks directly in ``folder`` (not in sub-folders such as the learner edition);
    ``error`` (one line) when it is no folder or holds none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise error(f"{folder} is not a folder of notebooks")
    found = sorted(folder.glob("*.ipynb"))
    if not found:
        raise error(f"no notebooks (*.ipynb) in {folder}")
    return found


def mark(paths: Iterable[Path], check_only: bool = False) -> tuple[list[Path], list[str]]:
    """Mark each notebook in ``paths``; return the ones that changed (or would change, with
    ``check_only``) and the notes. Every notebook is read and marked before any is written."""
    marked = []
    notes: list[str] = []
    for path in paths:
        nb = read_notebook(path, GradingError)
        try:
            check_cells(nb, str(path))
        except StudentEditionError as err:
            raise GradingError(str(err)) from None
        new, more = mark_notebook(nb, str(path))
        notes += more
        if nbformat.writes(new) != nbformat.writes(nb):
            marked.append((path, new))
    if not check_only:
        for path, new in marked:
            atomic.write_text(path, nbformat.writes(new) + "\n")
    return [path for path, _ in marked], notes


# --- The release: keep the pictures, clear the exercises ----------------------------------------


def is_exercise_cell(cell: NotebookNode) -> bool:
    """A cell whose outputs belong to an exercise: nbgrader solution or test cells, cells tagged
    ``exercise`` or holding a region, and cells that show a verdict."""
    meta = cell.get("metadata", {})
    return (
        bool(meta.get("nbgrader", {}).get("solution") or meta.get("nbgrader", {}).get("grade"))
        or EXERCISE_TAG in meta.get("tags", [])
        or has_solution(cell)
        or shows_verdict(cell)
    )


@functools.cache
def _clear_exercise_output_class() -> type:
    from nbgrader.preprocessors import ClearOutput

    class ClearExerciseOutput(ClearOutput):
        """nbgrader's ClearOutput, but only for exercise cells (see :func:`is_exercise_cell`):
        pictures and explorers' static images stay in the release. The notebook's widget state
        is dropped, so a static viewer shows each explorer's stored picture."""

        def preprocess(self, nb, resources):  # noqa: ANN001, ANN201 - nbconvert's signature
            nb.metadata.pop("widgets", None)
            return super().preprocess(nb, resources)

        def preprocess_cell(self, cell, resources, cell_index):  # noqa: ANN001, ANN201
            if is_exercise_cell(cell):
                return super().preprocess_cell(cell, resources, cell_index)
            return cell, resources

    return ClearExerciseOutput


def __getattr__(name: str) -> Any:
    # nbgrader is an instructor's tool (the ``test`` extra): load it only when asked for
    if name == "ClearExerciseOutput":
        return _clear_exercise_output_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def release_preprocessors() -> list[type]:
    """nbgrader's ``GenerateAssignment.preprocessors`` with ``ClearOutput`` replaced by
    :class:`ClearExerciseOutput`. In ``nbgrader_config.py``::

        from backprop_kit.tools.grading import release_preprocessors
        c.GenerateAssignment.preprocessors = release_preprocessors()
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearOutput

    keep = _clear_exercise_output_class()
    default = GenerateAssignment.class_traits()["preprocessors"].default()
    return [keep if pp is ClearOutput else pp for pp in default]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backprop_kit.tools.grading",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Write nbgrader's marks into the instructor notebooks: solution-cell "
        "metadata on every cell with a solution region, and a locked autograder test cell "
        f"(grade(ID), {POINTS} point) after each exercise's check.",
        epilog="examples:\n  python -m backprop_kit.tools.grading mark notebooks\n"
        "  python -m backprop_kit.tools.grading mark notebooks --check\n\n"
        "Then re-run the notebooks (python -m backprop_kit.tools.rerun) so the new cells are "
        "stored "
        "as run.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    marker = sub.add_parser("mark", help="mark the notebooks directly in FOLDER")
    marker.add_argument("folder", type=Path, metavar="FOLDER")
    marker.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a notebook needs marking"
    )
    args = parser.parse_args(argv)
    try:
        changed, notes = mark(notebooks_in(args.folder), check_only=args.check)
    except GradingError as err:
        print(f"grading: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"grading: cannot write {err.filename}: {err.strerror}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if args.check:
        for path in changed:
            print(f"{path}: nbgrader marks missing or out of date")
        return 1 if changed else 0
    for path in changed:
        print(f"{path}: marked")
    if not changed:
        print("every notebook already carries its nbgrader marks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
