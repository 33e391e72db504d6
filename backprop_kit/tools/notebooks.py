"""What the tools know of a notebook: the one reader and writer, and the cells that matter (a
solution region between :data:`BEGIN_SOLUTION` and :data:`END_SOLUTION` lines; an autograder
test cell calling ``grade("ID")``)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from backprop_kit.exercises import CORRECT, NO_ANSWER, NOT_ATTEMPTED, NOT_YET
from backprop_kit.tools.files import ToolError, write_text

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
EXERCISE_TAG = "exercise"
TEST_PREFIX = "test-"  # nbgrader grade_id of the test cell of exercise ID: test-ID
CELL_TYPES = ("code", "markdown", "raw")
VERDICTS = (CORRECT, NOT_YET, NOT_ATTEMPTED, NO_ANSWER)
EXERCISE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")  # tells ex.check("ch04-dw0") from re.check


def read_notebook(path: Path) -> Any:
    """The notebook at ``path`` (nbformat 4, cells checked by :func:`check_cells`)."""
    import nbformat

    try:
        text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
        if not (isinstance(data, dict) and "nbformat" in data):
            raise ValueError(f"it holds {json.dumps(data)[:40]}, not an object with 'nbformat'")
        nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # bad JSON, a list, null, an unknown format: one line
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ToolError(f"{path}: cannot read it as a notebook: {reason}") from None
    check_cells(nb, str(path))
    return nb


def write_notebook(path: Path, nb: Any, before_replace: Any = None) -> None:
    """Store ``nb`` at ``path`` through :func:`~backprop_kit.tools.files.write_text`."""
    import nbformat

    write_text(path, nbformat.writes(nb).rstrip("\n") + "\n", before_replace)


def notebooks_in(folder: Path) -> list[Path]:
    """The notebooks directly in ``folder`` (not in sub-folders such as the learner edition);
    regular files only (a FIFO named ``x.ipynb`` would block the reader forever)."""
    if not Path(folder).is_dir():
        raise ToolError(f"{folder} is not a folder of notebooks")
    found = sorted(p for p in Path(folder).glob("*.ipynb") if p.is_file())
    if not found:
        raise ToolError(f"no notebooks (*.ipynb) in {folder}")
    return found


def check_cells(nb: Any, name: str) -> None:
    """One-line errors for cells nbformat would reject further down with a long message."""
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise ToolError(f"{name}: has no list of cells")
    for index, cell in enumerate(cells):
        where = f"{name} cell {index}"
        if not isinstance(cell, dict):
            raise ToolError(f"{where}: is not a cell (a JSON object)")
        if (kind := cell.get("cell_type")) not in CELL_TYPES:
            raise ToolError(f"{where}: unknown cell_type {kind!r}; allowed: code, markdown, raw")
        if not isinstance(cell.get("source"), str):  # nbformat joins lists of lines on reading
            raise ToolError(f"{where}: has no 'source' text (an empty cell has \"\")")
        if not isinstance(cell.setdefault("metadata", {}), dict):
            raise ToolError(f"{where}: its 'metadata' is not a JSON object")
        if not isinstance(cell["metadata"].get("nbgrader", {}), dict):
            raise ToolError(f"{where}: its 'metadata.nbgrader' is not a JSON object")


def has_solution(cell: Any) -> bool:
    """The cell holds a solution region (a line that is exactly the BEGIN marker)."""
    return any(line.strip() == BEGIN_SOLUTION for line in cell.source.split("\n"))


def is_exercise_cell(cell: Any) -> bool:
    """An exercise's cell: nbgrader's, tagged ``exercise``, with a region or showing a verdict."""
    meta = cell.get("metadata", {})
    grader, tags = meta.get("nbgrader", {}), meta.get("tags", [])
    shown = "".join(
        "".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
        for o in cell.get("outputs", [])
    )
    return bool(grader.get("solution") or grader.get("grade") or EXERCISE_TAG in tags) or (
        has_solution(cell) or any(verdict in shown for verdict in VERDICTS)
    )


def parse_cell(source: str) -> ast.Module | None:
    """A code cell as Python, its ``%`` and ``!`` lines read as blank; None if it is not."""
    lines = ["" if line.lstrip()[:1] in ("%", "!") else line for line in source.split("\n")]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def kit_calls(source: str, names: tuple[str, ...]) -> list[ast.expr]:
    """The id argument of each call to one of ``names``: ``check(…)``, ``x.check("an-id", …)``."""
    found = []
    for call in ast.walk(parse_cell(source) or ast.Module(body=[], type_ignores=[])):
        if isinstance(call, ast.Call) and call_name(call) in names:
            given = call.args[:1] or [k.value for k in call.keywords if k.arg == "exercise_id"]
            id_like = [a for a in given if EXERCISE_ID.fullmatch(str(getattr(a, "value", "")))]
            found += given if isinstance(call.func, ast.Name) else id_like
    return sorted(found, key=lambda node: (node.lineno, node.col_offset))


def call_name(call: ast.Call) -> str:
    """``f`` for ``f(…)`` and for ``something.f(…)``."""
    return str(getattr(call.func, "id", getattr(call.func, "attr", "")))


def graded_id(cell: Any) -> str | None:
    """The exercise ``ID`` of an autograder test cell: its nbgrader ``grade_id`` is ``test-ID``
    or, with nbgrader's metadata stripped (as nbstripout does), it calls ``grade("ID")``."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code" or has_solution(cell) or meta.get("solution"):
        return None
    grade_id = str(meta.get("grade_id", ""))
    if meta.get("grade") and grade_id.startswith(TEST_PREFIX):
        return grade_id[len(TEST_PREFIX) :]
    ids = [a.value for a in kit_calls(cell.source, ("grade",)) if isinstance(a, ast.Constant)]
    return str(ids[0]) if not meta and len(ids) == 1 else None
