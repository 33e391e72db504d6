"""nbgrader's marks in the instructor notebooks: ``backprop-kit grade notebooks``. A cell with
a solution region gets nbgrader's metadata (``answer-ID``; markdown graded by hand); after the
cell that checks ID, a locked test cell ``test-ID`` calls ``grade("ID")``. Marking again keeps
each test cell's source (hidden tests), points and outputs, even with the metadata stripped."""

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

from backprop_kit.exercises import all_exercises
from backprop_kit.tools.files import ToolError
from backprop_kit.tools.notebooks import (
    TEST_PREFIX,
    graded_id,
    has_solution,
    is_exercise_cell,
    kit_calls,
    notebooks_in,
    read_notebook,
    write_notebook,
)

SCHEMA_VERSION = 3  # nbgrader's cell metadata schema (nbgrader 0.6 - 0.9)
POINTS = 1
ANSWER_PREFIX = "answer-"


def exercise_ids(source: str, where: str = "cell") -> list[str]:
    """The exercise ids cell ``where`` checks (``check("…", …)``, ``attempt("…")``), in order, no
    repeats; a one-line error for one that is no exercise or no string literal (ungraded)."""
    ids, known = [], all_exercises()
    for first in kit_calls(source, ("check", "attempt")):
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            raise ToolError(
                f'{where}: write the exercise id as a string, as in check("ch04-dw0", …), '
                f"not {ast.unparse(first)!r:.40}: the marks cannot see which exercise it is"
            )
        if first.value not in known:
            close = difflib.get_close_matches(first.value, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ToolError(
                f"{where}: {first.value!r} is no exercise; {hint}exercises are registered in "
                "backprop_kit/exercises/chNN.py"
            )
        ids.append(first.value)
    return list(dict.fromkeys(ids))


TEST_CELL = (
    f"# Autograder test (nbgrader, {POINTS} point): silent when the answer above is right.\n"
    "from backprop_kit.exercises import grade\n\ngrade({})"
)


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, points: Any) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution}
    meta |= {"schema_version": SCHEMA_VERSION, "solution": solution, "task": False}
    return {**meta, "points": points} if grade else meta


def mark_notebook(nb: Any, name: str = "notebook") -> tuple[Any, list[str]]:
    """``nb`` marked (a new node) and notes on test cells removed; ToolError for a shared id."""
    import nbformat

    nb = copy.deepcopy(nb)
    existing: dict[str, Any] = {}
    cells: list[Any] = []
    answers: dict[str, int] = {}  # grade id -> the cell (from 1) that holds it
    for index, cell in enumerate(nb.cells, start=1):
        exercise_id = graded_id(cell)
        if exercise_id is None:
            cells.append(cell)
        elif exercise_id in existing:
            raise ToolError(f"{name}, cell {index}: a second test cell of {exercise_id!r}")
        else:
            existing[exercise_id] = cell
    solved: set[str] = set()  # ids checked in a cell with a region, or right after one
    last_cell: dict[str, int] = {}  # id -> index (in ``cells``) of the last cell checking it
    pending_region = False
    for index, cell in enumerate(cells):
        code = cell.cell_type == "code"
        ids = exercise_ids(cell.source, f"{name}, cell {index + 1}") if code else []
        old = cell.metadata.get("nbgrader", {})
        if has_solution(cell):
            grade_id = ANSWER_PREFIX + (ids[0] if ids else cell.get("id", str(index)))
            if grade_id in answers:
                raise ToolError(
                    f"{name}, cells {answers[grade_id]} and {index + 1}: two solution cells "
                    f"check {grade_id[len(ANSWER_PREFIX) :]!r}; nbgrader needs one grade id "
                    "per cell: merge them or delete the copy"
                )
            answers[grade_id] = index + 1
            cell.metadata["nbgrader"] = _nbgrader(
                grade_id,
                solution=True,
                grade=cell.cell_type != "code",  # a written answer is graded by hand
                points=old.get("points", POINTS),
            )
            pending_region = not ids
            solved.update(ids)
        elif ids and pending_region:  # the region's function is checked in the next cell
            solved.update(ids)
            pending_region = False
        elif str(old.get("grade_id", "")).startswith(ANSWER_PREFIX):  # its region is gone
            del cell.metadata["nbgrader"]
        last_cell.update(dict.fromkeys(ids, index))
    nb.cells = []
    for index, cell in enumerate(cells):
        nb.cells.append(cell)
        for exercise_id in sorted(i for i in solved if last_cell[i] == index):
            test = existing.pop(exercise_id, None)
            if test is None:
                test = nbformat.v4.new_code_cell(TEST_CELL.format(json.dumps(exercise_id)))
                test.id = re.sub(r"[^A-Za-z0-9_-]", "-", TEST_PREFIX + exercise_id)[:64]
            points = test.metadata.get("nbgrader", {}).get("points", POINTS)
            test.metadata["nbgrader"] = _nbgrader(
                TEST_PREFIX + exercise_id, solution=False, grade=True, points=points
            )
            nb.cells.append(test)
    notes = [f"{name}: removed the test cell of {i!r} (no exercise checks it)" for i in existing]
    return nb, sorted(notes)


def mark(paths: Iterable[Path], check_only: bool = False) -> tuple[list[Path], list[str]]:
    """Mark all ``paths``, then write them (not if ``check_only``): the changed ones, notes."""
    import nbformat

    marked, notes = [], []
    for path in paths:
        nb = read_notebook(path)
        new, more = mark_notebook(nb, str(path))
        notes += more
        if nbformat.writes(new) != nbformat.writes(nb):
            marked.append((path, new))
    for path, new in [] if check_only else marked:
        write_notebook(path, new)
    return [path for path, _ in marked], notes


def run(args: argparse.Namespace) -> int:
    """``backprop-kit grade FOLDER [--check]``."""
    changed, notes = mark(notebooks_in(args.folder), check_only=args.check)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    for path in changed:
        print(f"{path}: {'nbgrader marks missing or out of date' if args.check else 'marked'}")
    if not changed:
        print("every notebook already carries its nbgrader marks")
    return 1 if args.check and changed else 0


# --- The release: keep the pictures, clear the exercises ----------------------------------------


@functools.cache
def _clear_exercise_output_class() -> type:  # nbgrader is loaded only when asked for
    from nbgrader.preprocessors import ClearOutput

    class ClearExerciseOutput(ClearOutput):
        """nbgrader's ClearOutput for exercise cells only; the widget state goes too."""

        def preprocess(self, nb, resources):  # noqa: ANN001, ANN201 - nbconvert's signature
            nb.metadata.pop("widgets", None)
            return super().preprocess(nb, resources)

        def preprocess_cell(self, cell, resources, cell_index):  # noqa: ANN001, ANN201
            if is_exercise_cell(cell):
                return super().preprocess_cell(cell, resources, cell_index)
            return cell, resources

    return ClearExerciseOutput


def release_preprocessors() -> list[type]:
    """nbgrader's ``GenerateAssignment.preprocessors``, ``ClearExerciseOutput`` for ``ClearOutput``
    (``c.GenerateAssignment.preprocessors = release_preprocessors()`` in nbgrader_config.py)."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearOutput

    keep = _clear_exercise_output_class()
    default = GenerateAssignment.class_traits()["preprocessors"].default()
    return [keep if pp is ClearOutput else pp for pp in default]
