"""Grading with nbgrader: ``grade(ID)`` judges the recorded answer, the kit's marks stay in sync
with the chapters, and real nbgrader scores blank, wrong and right submissions as it should."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from backprop_kit.exercises import (
    CORRECT,
    NOT_ATTEMPTED,
    NOT_YET,
    attempt,
    check,
    function_exercise,
    grade,
    value_exercise,
)
from backprop_kit.tools import main
from backprop_kit.tools.files import ToolError
from backprop_kit.tools.grading import (
    POINTS,
    exercise_ids,
    mark,
    mark_notebook,
    release_preprocessors,
)
from backprop_kit.tools.notebooks import BEGIN_SOLUTION, END_SOLUTION, notebooks_in

pytestmark = pytest.mark.slow  # runs nbgrader on whole notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

value_exercise("test-grading-value", "Twice 3?", lambda: 6.0, "double it")
function_exercise(
    "test-grading-fn", "Double x.", lambda x: 2 * x, lambda: [(1.0,), (-2.5,)], "double it"
)


# --- grade(): the test cell's content -------------------------------------------------------------


def grade_message(exercise_id: str) -> str | None:
    """None if ``grade`` passes, else its AssertionError's message."""
    try:
        grade(exercise_id)
    except AssertionError as err:
        return str(err)
    return None


def test_grade_raises_unless_the_last_recorded_answer_is_right(capsys):
    assert NOT_ATTEMPTED in grade_message("test-grading-value")  # nothing answered yet
    with attempt("test-grading-value") as answer:
        answer.value = 5.0
    assert capsys.readouterr().out.startswith(NOT_YET)  # the learner's cell prints, never raises
    message = grade_message("test-grading-value")
    assert message.startswith("test-grading-value: " + NOT_YET) and "\n" not in message
    with attempt("test-grading-value") as answer:
        answer.value = 6.0
    assert grade_message("test-grading-value") is None
    with attempt("test-grading-value") as answer:  # a later unfinished attempt counts, not 6.0
        raise NotImplementedError
    assert NOT_ATTEMPTED in grade_message("test-grading-value")
    assert capsys.readouterr().out.count(CORRECT) == 1


def test_grade_judges_a_function_again(capsys):
    def unfinished(x):
        raise NotImplementedError

    check("test-grading-fn", unfinished)
    assert NOT_ATTEMPTED in grade_message("test-grading-fn")
    check("test-grading-fn", lambda x: x + x + 1)
    assert NOT_YET in grade_message("test-grading-fn")
    check("test-grading-fn", lambda x: x + x)
    assert grade_message("test-grading-fn") is None
    with pytest.raises(KeyError, match="no exercise named 'no-such-id'"):
        grade("no-such-id")


# --- the marks: written by the kit, in sync with the chapters -----------------------------------


def test_the_shipped_notebooks_carry_their_nbgrader_marks():
    """`backprop-kit grade notebooks` would change nothing, and every exercise
    of every chapter has exactly one locked test cell with points right after its check."""
    changed, notes = mark(notebooks_in(NOTEBOOKS), check_only=True)
    assert changed == [], "run: backprop-kit grade notebooks (then rerun)"
    assert notes == []
    for path in notebooks_in(NOTEBOOKS):
        cells = nbformat.read(path, as_version=4).cells
        for index, cell in enumerate(cells):
            if BEGIN_SOLUTION in cell.source:
                assert cell.metadata["nbgrader"]["solution"] is True, (path.name, index)
                for exercise_id in exercise_ids(cell.source):
                    test = cells[index + 1 : index + 1 + len(exercise_ids(cell.source))]
                    sources = [t.source for t in test]
                    assert any(f'grade("{exercise_id}")' in s for s in sources), exercise_id
                    for t in test:
                        meta = t.metadata["nbgrader"]
                        assert meta["grade"] and meta["locked"] and meta["points"] > 0


def solution_cell(exercise_id: str, body: str = "answer.value = 6.0") -> nbformat.NotebookNode:
    return new_code_cell(
        f'with attempt("{exercise_id}") as answer:\n'
        f"    {BEGIN_SOLUTION}\n    {body}\n    {END_SOLUTION}"
    )


def test_marking_is_idempotent_and_keeps_an_instructors_hidden_tests():
    nb = new_notebook(
        cells=[
            new_code_cell("from backprop_kit.exercises import attempt"),
            solution_cell("test-grading-value"),
            new_markdown_cell(f"Why?\n{BEGIN_SOLUTION}\nBecause.\n{END_SOLUTION}"),
            new_code_cell(f"def f(x):\n    {BEGIN_SOLUTION}\n    return 2 * x\n    {END_SOLUTION}"),
            new_code_cell('check("test-grading-fn", f)'),
        ]
    )
    marked, notes = mark_notebook(nb)
    assert notes == [] and len(nb.cells) == 5  # the input is not changed
    kinds = [c.metadata.get("nbgrader", {}).get("grade_id") for c in marked.cells]
    assert kinds == [
        None,
        "answer-test-grading-value",
        "test-test-grading-value",
        "answer-" + marked.cells[3].id,  # a written answer, graded by hand
        "answer-" + marked.cells[4].id,  # the function's region; it is checked one cell later
        None,
        "test-test-grading-fn",
    ]
    assert marked.cells[3].metadata["nbgrader"]["grade"] is True  # markdown: manual grade
    assert marked.cells[2].metadata["nbgrader"]["points"] == POINTS
    again, _ = mark_notebook(marked)
    assert nbformat.writes(again) == nbformat.writes(marked)

    hidden = marked.cells[2]
    hidden.source += "\n### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS"
    hidden.metadata["nbgrader"]["points"] = 3
    hidden.outputs = [new_output("stream", name="stdout", text="kept\n")]
    marked.cells.insert(0, marked.cells.pop(2))  # moved away from its exercise
    fixed, _ = mark_notebook(marked)
    assert fixed.cells[2].source == hidden.source and fixed.cells[2].outputs == hidden.outputs
    assert fixed.cells[2].metadata["nbgrader"]["points"] == 3

    del fixed.cells[1]  # the exercise goes: so does its test cell, with a note
    pruned, notes = mark_notebook(fixed, "nb")
    assert all("test-grading-value" not in c.source for c in pruned.cells)
    assert notes == ["nb: removed the test cell of 'test-grading-value' (no exercise checks it)"]


def test_the_command_marks_atomically_and_check_reports(tmp_path, capsys):
    nb = new_notebook(cells=[new_code_cell("from backprop_kit.exercises import attempt")])
    nb.cells.append(solution_cell("test-grading-value"))
    nbformat.write(nb, tmp_path / "01_a.ipynb")
    assert main(["grade", str(tmp_path), "--check"]) == 1
    assert "01_a.ipynb: nbgrader marks missing" in capsys.readouterr().out
    assert main(["grade", str(tmp_path)]) == 0
    assert main(["grade", str(tmp_path), "--check"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01_a.ipynb"]  # no temporary file
    assert len(nbformat.read(tmp_path / "01_a.ipynb", as_version=4).cells) == 3
    assert main(["grade", str(tmp_path / "missing")]) == 2
    assert "is not a folder" in capsys.readouterr().err


# --- real nbgrader on a new course folder -------------------------------------------------------


def nbgrader(course: Path, *args: str) -> str:
    """Run the nbgrader command line in ``course``; its output (nbgrader calls ``alembic``,
    so the environment's scripts folder goes first on PATH)."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    run = dict(cwd=course, env=dict(os.environ, PATH=path), capture_output=True, timeout=600)
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], text=True, **run)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


def new_course(root: Path, chapters: list[Path], kit_config: bool) -> Path:
    (root / "source" / "ps1").mkdir(parents=True)
    for path in chapters:
        (root / "source" / "ps1" / path.name).write_bytes(path.read_bytes())
    lines = ["c = get_config()", f"c.CourseDirectory.root = {str(root)!r}"]
    if kit_config:
        lines[:0] = ["from backprop_kit.tools.grading import release_preprocessors"]
        lines.append("c.GenerateAssignment.preprocessors = release_preprocessors()")
    (root / "nbgrader_config.py").write_text("\n".join(lines) + "\n")
    return root


@pytest.mark.slow
def test_generate_assignment_takes_every_chapter_as_shipped(tmp_path):
    """No config but the course folder: nbgrader accepts every chapter's cells."""
    chapters = sorted(NOTEBOOKS.glob("0[1-9]_*.ipynb"))
    course = new_course(tmp_path / "course", chapters, kit_config=False)
    log = nbgrader(course, "generate_assignment", "ps1")
    released = sorted(p.name for p in (course / "release" / "ps1").glob("*.ipynb"))
    assert released == [p.name for p in chapters], log[-2000:]
    for path in (course / "release" / "ps1").glob("*.ipynb"):
        assert "### BEGIN SOLUTION" not in path.read_text()


def picture_outputs(nb) -> list[str]:
    return [
        cell.id
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]


@pytest.mark.slow
def test_nbgrader_scores_blank_wrong_and_right_submissions(tmp_path):
    chapter = NOTEBOOKS / "04_sigmoid_neuron.ipynb"
    course = new_course(tmp_path / "course", [chapter], kit_config=True)
    # an instructor's stricter check, kept out of the release with nbgrader's markers
    source = nbformat.read(chapter, as_version=4)
    hidden = "assert isinstance(answer.value, float), 'a number, please'  # hidden-check"
    for cell in source.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test-ch04-dw0":
            cell.source += f"\n### BEGIN HIDDEN TESTS\n{hidden}\n### END HIDDEN TESTS"
    nbformat.write(source, course / "source" / "ps1" / chapter.name)
    nbgrader(course, "generate_assignment", "ps1")
    release_path = course / "release" / "ps1" / chapter.name
    release = nbformat.read(release_path, as_version=4)
    assert "hidden-check" not in release_path.read_text() and "HIDDEN" not in str(release)

    # the release keeps the pictures that are not exercise output, and no widget state
    assert picture_outputs(release) == picture_outputs(source) != []
    assert "widgets" not in release.metadata
    assert all(
        not c.get("outputs") for c in release.cells if "nbgrader" in c.metadata
    )  # exercise and test cells: nothing stored

    tests = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    }
    assert len(tests) >= 3
    wrong_id = "ch04-dw0"
    wrong = nbformat.read(course / "source" / "ps1" / chapter.name, as_version=4)
    for cell in wrong.cells:
        if f'attempt("{wrong_id}")' in cell.source:
            head, rest = cell.source.split(BEGIN_SOLUTION)
            cell.source = head + "answer.value = 12345.0  # wrong" + rest.split(END_SOLUTION)[1]
    submissions = {"blank": release, "wrong": wrong, "right": source}
    for student, nb in submissions.items():
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / chapter.name)
    nbgrader(course, "autograde", "ps1", "--create")

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {
            student: {
                grade_id: gb.find_grade(grade_id, chapter.stem, "ps1", student).score
                for grade_id in tests
            }
            for student in submissions
        }
    assert scores["blank"] == dict.fromkeys(tests, 0)
    assert scores["right"] == tests
    assert scores["wrong"] == {**tests, f"test-{wrong_id}": 0}

    # validate: an unanswered notebook fails, the instructor's passes
    blank_report = nbgrader(course, "validate", str(release_path))
    assert f"VALIDATION FAILED ON {len(tests)} CELL(S)" in blank_report
    assert "Success! Your notebook passes all the tests." in nbgrader(
        course, "validate", str(course / "source" / "ps1" / chapter.name)
    )


def test_release_preprocessors_swap_only_clear_output():
    from nbgrader.converters import GenerateAssignment

    default = GenerateAssignment.class_traits()["preprocessors"].default()
    ours = release_preprocessors()
    changed = [(a.__name__, b.__name__) for a, b in zip(default, ours) if a is not b]
    assert changed == [("ClearOutput", "ClearExerciseOutput")] and len(ours) == len(default)
    assert json.dumps([p.__name__ for p in ours])  # importable names for nbgrader_config.py


def test_a_hand_edited_nbgrader_metadata_that_is_not_an_object_is_one_line(tmp_path):
    """A cell whose metadata.nbgrader is a string: one line from grade and student, no file
    touched (it used to be an AttributeError traceback)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells[0].metadata["nbgrader"] = "oops"
    src = tmp_path / "src"
    src.mkdir()
    path = src / "01_a.ipynb"
    path.write_text(json.dumps(nb))
    before = path.read_bytes()
    for args in (["grade", str(src)], ["student", str(src), str(tmp_path / "dest")]):
        done = subprocess.run(
            [sys.executable, "-m", "backprop_kit", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
        assert "metadata.nbgrader" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before and not (tmp_path / "dest").exists()


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ('check("test-grading-fm", f)', "'test-grading-fm' is no exercise; did you mean"),
        ('with attempt("ch04-no-such") as answer:\n    answer.value = 1', "is no exercise"),
        ("name = 'test-grading-fn'\ncheck(name, f)", "write the exercise id as a string"),
        ('exercises.check("test-grading-fm", f)', "'test-grading-fm' is no exercise"),
    ],
)
def test_a_check_the_marks_cannot_grade_is_refused_in_one_line(tmp_path, source, said):
    """A misspelt or computed exercise id used to be skipped in silence: the exercise went
    out with no test cell, and nbgrader never graded it."""
    nb = new_notebook(cells=[solution_cell("test-grading-value"), new_code_cell(source)])
    path = tmp_path / "01_a.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    with pytest.raises(ToolError, match=said) as e:
        mark([path])
    assert "\n" not in str(e.value) and "cell 2" in str(e.value)
    assert path.read_bytes() == before


def test_a_method_of_another_name_that_is_called_check_is_left_alone():
    """``report.check(x)`` is no exercise check: marking must not refuse the notebook."""
    nb = new_notebook(cells=[solution_cell("test-grading-value"), new_code_cell("report.check(1)")])
    marked, notes = mark_notebook(nb)
    assert notes == [] and len(marked.cells) == 3


@pytest.mark.parametrize(
    "source",
    [
        'check(exercise_id="test-grading-value", answer=6.0)',
        '%%time\nwith attempt("test-grading-value") as answer:\n    answer.value = 6.0',
    ],
)
def test_a_check_by_keyword_or_under_a_magic_gets_its_test_cell(source):
    nb = new_notebook(cells=[solution_cell("test-grading-value"), new_code_cell(source)])
    marked, _ = mark_notebook(nb)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in marked.cells]
    assert ids[-1] == "test-test-grading-value"


@pytest.mark.parametrize(
    "source", ['validator.check("hello world")', 're.compile("a").check("abc")', "x.check(3)"]
)
def test_methods_of_other_objects_called_check_are_not_exercises(source):
    nb = new_notebook(cells=[new_code_cell(source)])
    assert mark_notebook(nb)[1] == []  # marked, nothing refused


def test_a_duplicated_solution_cell_is_refused_in_one_line(tmp_path):
    """Two cells with the same grade id used to be written in silence (nbgrader then fails or
    grades one of them)."""
    nb = new_notebook(
        cells=[solution_cell("test-grading-value"), solution_cell("test-grading-value")]
    )
    path = tmp_path / "01_a.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    with pytest.raises(ToolError, match="cells 1 and 2: two solution cells check") as e:
        mark([path])
    assert "\n" not in str(e.value) and path.read_bytes() == before
    marked, _ = mark_notebook(new_notebook(cells=[solution_cell("test-grading-value")]))
    marked.cells.append(new_code_cell(marked.cells[1].source, metadata=marked.cells[1].metadata))
    with pytest.raises(ToolError, match="cell 3: a second test cell of 'test-grading-value'"):
        mark_notebook(marked)


def test_marking_again_after_the_metadata_was_stripped_restores_it():
    """With nbgrader's metadata stripped (as nbstripout does), marking used to add a second
    test cell beside each existing one; an instructor's hidden test stays where it was."""
    nb = new_notebook(
        cells=[
            solution_cell("test-grading-value"),
            new_code_cell(f"def f(x):\n    {BEGIN_SOLUTION}\n    return 2 * x\n    {END_SOLUTION}"),
            new_code_cell('check("test-grading-fn", f)'),
        ]
    )
    marked, _ = mark_notebook(nb)
    marked.cells[1].source += "\n### BEGIN HIDDEN TESTS\nassert True\n### END HIDDEN TESTS"
    stripped = copy.deepcopy(marked)
    for cell in stripped.cells:
        cell.metadata.pop("nbgrader", None)
    again, notes = mark_notebook(stripped)
    assert nbformat.writes(again) == nbformat.writes(marked) and notes == []
