"""The student edition: solutions out, stubs in, outputs of exercises cleared, and "Run All"
still reaching the end with "Not attempted yet" for every exercise.

Synthetic notebooks (built with nbformat) pin the rules; the last test makes the student
edition of the repo's own ``notebooks/`` and runs every notebook of it in a fresh kernel.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from backprop_kit.exercises import CORRECT, NOT_YET
from backprop_kit.tools import files, main
from backprop_kit.tools.files import MARK, ToolError
from backprop_kit.tools.student import CODE_STUB, clear_solutions, student_notebook

pytestmark = pytest.mark.slow  # builds the learner edition and runs it

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
NOT_ATTEMPTED = "Not attempted yet"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


# --- helpers ------------------------------------------------------------------------------------


def notebook(*cells) -> nbformat.NotebookNode:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def code(source: str, *, tags=(), outputs=(), count=None) -> nbformat.NotebookNode:
    cell = new_code_cell(source, execution_count=count, outputs=list(outputs))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def stdout(text: str):
    return new_output("stream", name="stdout", text=text)


def save(folder: Path, name: str, nb) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name


def regions_of(nb) -> list[list[str]]:
    """Every solution region of ``nb`` (its lines, markers excluded), found independently of
    the module under test."""
    regions: list[list[str]] = []
    for cell in nb.cells:
        current = None
        for line in cell.source.split("\n"):
            if line.strip() == BEGIN:
                current = []
            elif line.strip() == END:
                regions.append(current)
                current = None
            elif current is not None:
                current.append(line)
    return regions


def code_region_count(nb) -> int:
    return sum(len(regions_of(notebook(cell))) for cell in nb.cells if cell.cell_type == "code")


def exercise_count(nb) -> int:
    """The number of verdicts a notebook prints: one per ``check(...)`` or ``attempt(...)`` call
    in its code cells (an exercise may hold several solution regions, e.g. a bug hunt)."""
    calls = re.compile(r"^\s*(?:check\(|with attempt\()", re.MULTILINE)
    return sum(len(calls.findall(cell.source)) for cell in nb.cells if cell.cell_type == "code")


def every_string(node) -> str:
    """All text anywhere in a notebook's JSON (sources, outputs, metadata), joined."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return "\n".join(every_string(k) + "\n" + every_string(v) for k, v in node.items())
    if isinstance(node, list):
        return "\n".join(every_string(v) for v in node)
    return str(node)


def public_sources(nb) -> str:
    """Every cell source of ``nb`` with its solution regions cut out: what learners may see."""
    kept = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.split("\n"):
            if line.strip() in (BEGIN, END):
                inside = line.strip() == BEGIN
            elif not inside:
                kept.append(line)
    return "\n".join(kept)


def assert_no_solution_left(source_nb, generated_path: Path) -> None:
    """No non-trivial line of a solution region is anywhere in the generated notebook's JSON
    (sources, outputs, metadata). A line that the source also shows outside its regions (a
    call the narrative makes too) is not a secret and is not looked for."""
    text = every_string(json.loads(generated_path.read_text(encoding="utf-8")))
    public = public_sources(source_nb)
    for region in regions_of(source_nb):
        for line in region:
            line = line.strip()
            if len(line) >= 5 and line not in public:
                assert line not in text, f"{generated_path.name} still holds {line!r}"


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code_ = main(["student", *map(str, argv)])
    out, err = capsys.readouterr()
    return code_, out, err


def one_line(text: str) -> str:
    text = text.strip()
    assert text and "\n" not in text, text
    return text


def output_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append("".join(output.get("text", "")))
        parts.append("".join(output.get("data", {}).get("text/plain", "")))
        if output.get("output_type") == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return "\n".join(part for part in parts if part)


def _client(path: Path):
    from nbclient import NotebookClient

    return NotebookClient(
        nbformat.read(path, as_version=4),
        kernel_name="python3",
        timeout=60,
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )


def execute(path: Path) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` top to bottom in a fresh python3 kernel, from its folder;
    errors are stored as outputs (so every failing cell can be reported)."""
    client = _client(path)
    client.execute()
    return client.nb


def execute_all(paths: list[Path], at_once: int = 2) -> list[nbformat.NotebookNode]:
    """:func:`execute` for several notebooks, ``at_once`` kernels at a time (each notebook
    still gets its own fresh kernel; two at once hides most of the kernel start-up time)."""
    import asyncio

    async def run_all() -> list[nbformat.NotebookNode]:
        slots = asyncio.Semaphore(at_once)

        async def one(path: Path) -> nbformat.NotebookNode:
            async with slots:
                client = _client(path)
                await client.async_execute()
                return client.nb

        return await asyncio.gather(*(one(path) for path in paths))

    return asyncio.run(run_all())


def errors_in(nb, name: str) -> list[str]:
    return [
        f"{name} cell {i}: {out.ename}: {out.evalue}"
        for i, cell in enumerate(nb.cells)
        for out in cell.get("outputs", [])
        if out.output_type == "error"
    ]


# --- region replacement -------------------------------------------------------------------------


def test_stub_takes_the_indentation_of_the_begin_line():
    source = "\n".join(
        [
            "def local_gradients(x, y):",
            '    """d(xy)/dx and d(xy)/dy."""',
            f"    {BEGIN}",
            "    dx = y",
            "    return dx, x",
            f"    {END}",
            'check("ex", local_gradients)',
            "with attempt('v') as answer:",
            "    if True:",
            f"        {BEGIN}",
            "        answer.value = 3.0",
            f"        {END}",
            "print('done')",
        ]
    )
    cleared = clear_solutions(source, "code", "nb cell 0")
    assert cleared.source.split("\n") == [
        "def local_gradients(x, y):",
        '    """d(xy)/dx and d(xy)/dy."""',
        "    # YOUR CODE HERE",
        "    raise NotImplementedError()",
        'check("ex", local_gradients)',
        "with attempt('v') as answer:",
        "    if True:",
        "        # YOUR CODE HERE",
        "        raise NotImplementedError()",
        "print('done')",
    ]
    assert cleared.solutions == [["    dx = y", "    return dx, x"], ["        answer.value = 3.0"]]
    assert cleared.stub_lines == [4, 9]


def test_a_cell_without_markers_is_left_alone():
    source = "x = 1  # the solution begins in the next cell\nprint(x)\n"
    cleared = clear_solutions(source, "code")
    assert cleared.source == source and cleared.solutions == []


def test_markdown_regions_become_your_answer_here():
    nb = notebook(
        new_markdown_cell(
            "Why does the gradient flow back unchanged through `+`?\n"
            f"{BEGIN}\nBecause the local gradient of a sum is 1 for each input.\n{END}\n"
            f"- and through `*`?\n  {BEGIN}\n  It is scaled by the other input.\n  {END}"
        )
    )
    student, report = student_notebook(nb, "nb")
    assert student.cells[0].source == (
        "Why does the gradient flow back unchanged through `+`?\n"
        "YOUR ANSWER HERE\n- and through `*`?\n  YOUR ANSWER HERE"
    )
    assert (report.text_regions, report.code_regions) == (2, 0)


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ([BEGIN, "x = 1"], "without a matching"),
        (["x = 1", END], "without a '### BEGIN SOLUTION' before it"),
        ([BEGIN, "x = 1", BEGIN, "y = 2", END, END], "nested"),
        (["# BEGIN SOLUTION", "x = 1", "# END SOLUTION"], "looks like a solution marker"),
        ([f"{BEGIN}  # the answer", "x = 1", END], "looks like a solution marker"),
        (["x = 1  # BEGIN SOLUTION below", "y = 2"], "looks like a solution marker"),
        (["### end solution"], "looks like a solution marker"),
    ],
)
def test_unbalanced_markers_name_the_notebook_and_cell(lines, problem, tmp_path, capsys):
    nb = notebook(code("x = 0"), new_markdown_cell("text"), code("\n".join(lines)))
    with pytest.raises(ToolError) as err:
        student_notebook(nb, "02_chain_rule.ipynb")
    message = one_line(str(err.value))
    assert message.startswith("02_chain_rule.ipynb cell 2, line ") and problem in message
    # the command line says the same in one line, exits 2 and writes nothing
    save(tmp_path / "src", "02_chain_rule.ipynb", nb)
    status, out, err_text = run([tmp_path / "src", tmp_path / "dest"], capsys)
    assert status == 2 and out == "" and problem in one_line(err_text)
    assert not (tmp_path / "dest").exists()


# --- outputs, metadata and validity -------------------------------------------------------------


def test_exercise_outputs_are_cleared_and_the_rest_is_kept():
    widgets = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}}
    nb = notebook(
        code("print(2 + 3)", outputs=[stdout("5\n")], count=1),
        code(
            f"with attempt('v') as answer:\n    {BEGIN}\n    answer.value = 5\n    {END}",
            tags=["exercise"],
            outputs=[stdout(f"{CORRECT}\n")],
            count=2,
        ),
        code(  # a region in a cell someone forgot to tag
            f"def f(x):\n    {BEGIN}\n    return 2 * x\n    {END}",
            outputs=[stdout("secret 2 * x\n")],
            count=3,
        ),
        code('check("f", f)', outputs=[stdout(f"{CORRECT}\n")], count=4),  # a stored verdict
        code("print('tagged, no region')", tags=["exercise", "keep-me"], count=5),
        code(
            "x = 7\nx",
            outputs=[new_output("execute_result", {"text/plain": "7"}, execution_count=6)],
            count=6,
        ),
        new_markdown_cell("## Summary"),
    )
    nb.metadata["widgets"] = widgets
    nb.cells[5].metadata["custom"] = {"a": 1}
    student, report = student_notebook(nb, "nb")
    cells = student.cells
    assert [len(c.outputs) for c in cells[:6]] == [1, 0, 0, 0, 0, 1]
    assert [c.execution_count for c in cells[:6]] == [1, None, None, None, None, 6]
    assert cells[0].outputs == nb.cells[0].outputs and cells[5].outputs == nb.cells[5].outputs
    assert cells[4].metadata["tags"] == ["exercise", "keep-me"]
    assert cells[5].metadata["custom"] == {"a": 1}
    assert [c.get("id") for c in cells] == [c.get("id") for c in nb.cells]
    # kernelspec and language_info stay; the widget state goes (it no longer matches the
    # outputs, and without it static viewers show each explorer's stored picture)
    kept = {k: v for k, v in nb.metadata.items() if k != "widgets"}
    assert student.metadata == {**kept, "backprop_kit": {"edition": "student"}}
    assert (report.code_regions, report.cleared_cells) == (2, 4)
    assert any("cell 4: tagged 'exercise' but has no solution region" in w for w in report.warnings)
    nbformat.validate(student)
    assert nb.cells[1].outputs and BEGIN in nb.cells[1].source  # the source is untouched


def test_an_nbgrader_solution_cell_without_markers_is_replaced_whole():
    cell = code("answer = 42\nprint(answer)", outputs=[stdout("42\n")], count=1)
    cell.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "q1"}
    text = new_markdown_cell("A sum passes the gradient on unchanged.")
    text.metadata["nbgrader"] = {"solution": True, "grade": True, "grade_id": "q2"}
    student, report = student_notebook(notebook(cell, text), "nb")
    assert student.cells[0].source == "\n".join(CODE_STUB) and student.cells[0].outputs == []
    assert student.cells[1].source == "YOUR ANSWER HERE"
    assert (report.code_regions, report.text_regions) == (1, 1)
    assert any("not inside a function" in w for w in report.warnings)  # top-level raise


# --- warnings about cells that could stop Run All -----------------------------------------------


def test_run_all_risks_are_named_by_cell():
    nb = notebook(
        code(f"def double(x):\n    {BEGIN}\n    return 2 * x\n    {END}\ncheck('d', double)"),
        code(f"with attempt('v') as answer:\n    {BEGIN}\n    slope = 3.0\n    {END}"),
        code("print(double(4))"),  # cell 2: calls the learner's function
        code("print(slope + 1)"),  # cell 3: uses a name only the solution assigns
        code(f"{BEGIN}\nz = 1\n{END}"),  # cell 4: a stub at top level
        code("double = abs\nprint(double(-2), answer)"),  # rebinding `double` makes it safe
        code(f"with attempt('w') as answer:\n    {BEGIN}\n    answer.value = 1\n    {END}"),
    )
    _, report = student_notebook(nb, "nb")
    risks = sorted(report.warnings)
    assert len(risks) == 4, risks
    assert "nb cell 2, line 1: uses `double`, which the learner writes in cell 0" in risks[0]
    assert "nb cell 3, line 1: uses `slope`, which the learner writes in cell 1" in risks[1]
    assert "nb cell 4, line 2: the solution region is not inside a function" in risks[2]
    assert "nb cell 5, line 2: uses `answer`, which the learner writes in cell 1" in risks[3]


def test_a_well_built_exercise_raises_no_warning():
    nb = notebook(
        code("from backprop_kit.exercises import attempt, check"),
        code(
            f"def grads(x, y):\n    {BEGIN}\n    return y, x\n    {END}\n\ncheck('g', grads)",
            tags=["exercise"],
        ),
        code(
            f"with attempt('v') as answer:\n    {BEGIN}\n    answer.value = 1\n    {END}",
            tags=["exercise"],
        ),
        code("%matplotlib inline\nprint('next')"),
        code(f"def fix_a(x):\n    {BEGIN}\n    return x\n    {END}", tags=["exercise"]),
        code(f"def fix_b(x):\n    {BEGIN}\n    return x\n    {END}", tags=["exercise"]),
        code("check('bugs', {'a': fix_a, 'b': fix_b})"),  # several functions checked at once
        code(  # several functions handed to one check, in a tuple or a dict
            f"def fw(x):\n    {BEGIN}\n    return x\n    {END}\n\n"
            f"def bw(d):\n    {BEGIN}\n    return d\n    {END}\n\n"
            "check('t', (fw, bw))\ncheck('u', {'fw': fw, 'bw': bw})",
            tags=["exercise"],
        ),
    )
    assert student_notebook(nb, "nb")[1].warnings == []


# --- folders and the command line ---------------------------------------------------------------


def exercise_notebook() -> nbformat.NotebookNode:
    return notebook(
        new_markdown_cell("# Chapter"),
        code(
            f"with attempt('v') as answer:\n    {BEGIN}\n    answer.value = 5\n    {END}",
            tags=["exercise"],
            outputs=[stdout(f"{CORRECT}\n")],
            count=1,
        ),
    )


@pytest.mark.parametrize(
    ("dest", "why"),
    [
        ("src", "holds the notebooks of"),
        ("src/.", "holds the notebooks of"),
        (".", "holds the notebooks of"),
    ],
)
def test_refuses_to_write_over_its_source(dest, why, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    src = save(tmp_path / "src", "01_a.ipynb", exercise_notebook()).parent
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    status, out, err = run([src, dest], capsys)
    assert status == 2 and out == ""
    assert why in one_line(err)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_dest_is_replaced_whole_only_when_the_command_made_it(tmp_path, capsys):
    src = save(tmp_path / "src", "01_a.ipynb", exercise_notebook()).parent
    dest = tmp_path / "student"
    assert run([src, dest], capsys)[0] == 0
    nb = exercise_notebook()
    nb.cells[0].source = "# Chapter, revised"
    save(src, "01_a.ipynb", nb)
    status, out, err = run([src, dest], capsys)  # its own edition: made again
    assert status == 0 and err == ""
    assert nbformat.read(dest / "01_a.ipynb", 4).cells[0].source == "# Chapter, revised"
    (dest / "notes.txt").write_text("mine")  # a file the command did not write stops it
    status, out, err = run([src, dest], capsys)
    assert status == 2 and out == "" and "holds notes.txt, which" in one_line(err)
    assert (dest / "notes.txt").read_text() == "mine"
    other = tmp_path / "other"
    other.mkdir()
    (other / "01_a.ipynb").write_text("my own notebook")
    status, out, err = run([src, other], capsys)
    assert status == 2 and "did not make" in one_line(err)
    assert (other / "01_a.ipynb").read_text() == "my own notebook"


def test_missing_or_empty_source_is_a_one_line_error(tmp_path, capsys):
    status, _, err = run([tmp_path / "nowhere", tmp_path / "dest"], capsys)
    assert status == 2 and "is not a folder" in one_line(err)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("no notebooks here")
    status, _, err = run([tmp_path / "empty", tmp_path / "dest"], capsys)
    assert status == 2 and "no notebooks" in one_line(err)
    file = save(tmp_path / "one", "01_a.ipynb", exercise_notebook())
    status, _, err = run([file, tmp_path / "dest"], capsys)
    assert status == 2 and "is not a folder" in one_line(err)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "01_a.ipynb").write_text("{not json")
    status, _, err = run([tmp_path / "bad", tmp_path / "dest"], capsys)
    assert status == 2 and "01_a.ipynb: cannot read it as a notebook" in one_line(err)
    assert not (tmp_path / "dest").exists()


def test_copies_other_files_but_not_checkpoints_and_converts_every_notebook(tmp_path, capsys):
    src = tmp_path / "src"
    save(src, "01_a.ipynb", exercise_notebook())
    save(src / "extra", "02_b.ipynb", exercise_notebook())
    save(src / ".ipynb_checkpoints", "01_a-checkpoint.ipynb", exercise_notebook())
    (src / "images").mkdir()
    (src / "images" / "circuit.png").write_bytes(b"\x89PNG fake")
    (src / "data.csv").write_text("x,y\n1,2\n")
    (src / "__pycache__").mkdir()
    (src / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"x")
    status, out, err = run([src, tmp_path / "dest"], capsys)
    assert status == 0 and err == ""
    made = sorted(str(p.relative_to(tmp_path / "dest")) for p in (tmp_path / "dest").rglob("*"))
    assert made == [
        MARK,
        "01_a.ipynb",
        "data.csv",
        "extra",
        "extra/02_b.ipynb",
        "images",
        "images/circuit.png",
    ]
    assert (tmp_path / "dest" / "images" / "circuit.png").read_bytes() == b"\x89PNG fake"
    lines = out.strip().split("\n")
    assert len(lines) == 2 and all(
        "1 solution region removed (1 code, 0 text), 1 exercise cell cleared" in line
        for line in lines
    )
    assert lines[1].startswith(str(tmp_path / "dest" / "extra" / "02_b.ipynb"))
    for path in (tmp_path / "dest").rglob("*.ipynb"):
        nbformat.validate(nbformat.read(path, as_version=4))
        assert_no_solution_left(exercise_notebook(), path)


def test_help_explains_usage():
    result = subprocess.run(
        [sys.executable, "-m", "backprop_kit", "student", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    shown = " ".join(result.stdout.split())  # as wrapped to the terminal
    for needed in ("usage: backprop-kit student", "SRC", "DEST", "--learner", BEGIN):
        assert needed in shown


def test_no_solution_line_survives_anywhere(tmp_path, capsys):
    nb = notebook(
        code(
            "def sigmoid_grad(x):\n"
            f"    {BEGIN}\n"
            "    s = 1 / (1 + math.exp(-x))\n"
            "    return (1 - s) * s\n"
            f"    {END}\n"
            "check('s', sigmoid_grad)",
            tags=["exercise"],
            outputs=[stdout("(1 - s) * s = 0.19661193\n")],  # the solution shows in an output
        ),
        new_markdown_cell(f"{BEGIN}\nThe gradient at a fork is the sum of both branches.\n{END}"),
        code(
            "with attempt('v') as answer:\n"
            f"    {BEGIN}\n"
            "    answer.value = (-4.0, -4.0, 3.0)\n"
            f"    {END}\n"
            f"    {BEGIN}\n"
            "    print('second region here')\n"
            f"    {END}",
            outputs=[stdout(f"{CORRECT} second region here\n")],
        ),
    )
    src = save(tmp_path / "src", "01_a.ipynb", nb).parent
    assert run([src, tmp_path / "dest"], capsys)[0] == 0
    assert_no_solution_left(nb, tmp_path / "dest" / "01_a.ipynb")
    assert len(regions_of(nb)) == 4


# --- Run All in a real kernel -------------------------------------------------------------------

REGISTER = """\
from backprop_kit.exercises import attempt, check, function_exercise, value_exercise

_ = value_exercise(
    "test-student-value", "What is d(x*y)/dx at x=2, y=3?", lambda: 3.0,
    hint="the local gradient of * is the other input",
)
_ = function_exercise(
    "test-student-function", "Return both local gradients of x*y.",
    lambda x, y: (y, x), lambda: [(2.0, 3.0), (-1.5, 4.0)],
    hint="each input's gradient is the other input",
)"""

VALUE_EXERCISE = f"""\
with attempt("test-student-value") as answer:
    {BEGIN}
    answer.value = 3.0
    {END}"""

FUNCTION_EXERCISE = f"""\
def local_gradients(x, y):
    {BEGIN}
    return y, x
    {END}

check("test-student-function", local_gradients)"""


@pytest.mark.slow
def test_student_edition_runs_to_the_end_and_answers_each_attempt(tmp_path, capsys):
    nb = notebook(
        code(REGISTER),
        code(VALUE_EXERCISE, tags=["exercise"]),
        new_markdown_cell("Now the function."),
        code(FUNCTION_EXERCISE, tags=["exercise"]),
        code("print('reached the end')"),
    )
    src = save(tmp_path / "src", "01_a.ipynb", nb).parent
    assert run([src, tmp_path / "dest"], capsys)[0] == 0
    teacher = execute(src / "01_a.ipynb")
    assert errors_in(teacher, "instructor") == []
    assert [output_text(teacher.cells[i]).startswith(CORRECT) for i in (1, 3)] == [True, True]

    student_path = tmp_path / "dest" / "01_a.ipynb"
    student = execute(student_path)
    assert errors_in(student, "student") == []
    assert [NOT_ATTEMPTED in output_text(student.cells[i]) for i in (1, 3)] == [True, True]
    assert output_text(student.cells[4]) == "reached the end\n"

    # a learner's wrong attempts get a hint, right ones are confirmed; Run All goes on
    learner = nbformat.read(student_path, as_version=4)
    stub = "\n    ".join(CODE_STUB)  # as indented in both exercise cells
    learner.cells[1].source = learner.cells[1].source.replace(stub, "answer.value = 2.0")
    learner.cells[3].source = learner.cells[3].source.replace(stub, "return x, y")
    learner.cells.insert(2, code(VALUE_EXERCISE.replace(BEGIN, "").replace(END, "")))
    save(tmp_path / "dest", "01_a.ipynb", learner)
    answered = execute(student_path)
    assert errors_in(answered, "learner") == []
    assert output_text(answered.cells[1]).startswith(f"{NOT_YET} Hint: The local gradient")
    assert output_text(answered.cells[2]).startswith(CORRECT)
    assert output_text(answered.cells[4]).startswith(
        f"{NOT_YET} Hint: At x = 2, y = 3 your item 1 of 2 and item 2 of 2 look swapped"
    )
    assert output_text(answered.cells[5]) == "reached the end\n"


LEARNER = NOTEBOOKS / "learner"


def without_folded_solutions(path: Path, dest: Path) -> Path:
    """A copy of the notebook at ``path`` without its folded-solution cells (what is on screen
    until a learner clicks "Show a solution")."""
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if "solution" not in c.metadata.get("tags", [])]
    return save(dest, path.name, nb)


def test_the_committed_learner_edition_is_up_to_date(tmp_path, capsys):
    """notebooks/learner is generated by the kit's command, never edited by hand: made again
    from notebooks/, it is the same, byte for byte, with no file more or less."""
    fresh = tmp_path / "learner"
    status, _, err = run([NOTEBOOKS, fresh, "--learner"], capsys)
    assert status == 0, err
    made = sorted(p.name for p in fresh.iterdir())
    assert made == sorted([MARK] + [p.name for p in NOTEBOOKS.glob("*.ipynb")])
    assert sorted(p.name for p in LEARNER.iterdir()) == made, (
        "notebooks/learner has other files than the notebooks of notebooks/; regenerate it with "
        "backprop-kit student notebooks notebooks/learner --learner"
    )
    stale = [n for n in made if (fresh / n).read_bytes() != (LEARNER / n).read_bytes()]
    assert stale == [], (
        f"notebooks/learner is out of date for {stale}; regenerate it with "
        "backprop-kit student notebooks notebooks/learner --learner"
    )


@pytest.mark.slow
def test_learner_edition_runs_to_the_end_with_every_solution_folded(tmp_path, capsys):
    chapters = sorted(NOTEBOOKS.glob("0[1-9]_*.ipynb"))
    assert chapters, f"no chapter notebooks (01_*.ipynb … 07_*.ipynb) in {NOTEBOOKS}"
    sources = {p.name: nbformat.read(p, as_version=4) for p in NOTEBOOKS.glob("*.ipynb")}
    no_exercise = [p.name for p in chapters if code_region_count(sources[p.name]) == 0]
    assert no_exercise == [], f"chapters without a solution region: {no_exercise}"

    names = sorted(sources)
    problems = []
    for name in names:
        learner = nbformat.read(LEARNER / name, as_version=4)
        nbformat.validate(learner)
        on_screen = without_folded_solutions(LEARNER / name, tmp_path / "screen")
        assert_no_solution_left(sources[name], on_screen)
        folded = [c.source for c in learner.cells if "solution" in c.metadata.get("tags", [])]
        # one fold per cell that holds solutions (a cell may hold several regions)
        cells = [
            regions
            for cell in sources[name].cells
            if (
                regions := [
                    r
                    for r in regions_of(nbformat.v4.new_notebook(cells=[cell]))
                    if any(line.strip() for line in r)
                ]
            )
        ]
        if len(folded) != len(cells):
            problems.append(f"{name}: {len(folded)} folded solutions for {len(cells)} cells")
        for text, regions in zip(folded, cells):
            assert text.startswith("<details>") and text.rstrip().endswith("</details>")
            for region in regions:
                assert all(line.strip() in text for line in region), (name, region)
    for name, ran in zip(names, execute_all([LEARNER / name for name in names])):
        problems += errors_in(ran, name)
        text = "\n".join(output_text(cell) for cell in ran.cells)
        expected = exercise_count(sources[name])
        if text.count(NOT_ATTEMPTED) != expected:
            problems.append(
                f"{name}: {text.count(NOT_ATTEMPTED)} × {NOT_ATTEMPTED!r} for {expected} exercises"
            )
        for verdict in (CORRECT, NOT_YET):
            where = [i for i, cell in enumerate(ran.cells) if verdict in output_text(cell)]
            if where:
                problems.append(f"{name}: cells {where} print {verdict!r} in the student edition")
    assert problems == [], "\n".join(problems)


def test_a_fresh_student_edition_of_the_real_notebooks_has_no_solution(tmp_path, capsys):
    dest = tmp_path / "student"
    status, out, err = run([NOTEBOOKS, dest], capsys)
    assert status == 0, err
    sources = {p.name: nbformat.read(p, as_version=4) for p in NOTEBOOKS.glob("*.ipynb")}
    assert len(out.strip().split("\n")) == len(sources)
    assert not (dest / "learner").exists()  # the learner edition inside SRC is not source
    for name, source in sources.items():
        assert_no_solution_left(source, dest / name)
        text = (dest / name).read_text(encoding="utf-8")
        assert "grade(" not in text and '"nbgrader"' not in text and "widget-state" not in text


# --- folded solutions, nbgrader cells -----------------------------------------------------------


def test_fold_solutions_puts_each_solution_one_click_away():
    nb = notebook(
        code(f"def f(x):\n    {BEGIN}\n    return 2 * x\n    {END}\ncheck('f', f)", count=1),
        new_markdown_cell(f"Why?\n{BEGIN}\nBecause ``` fences.\n{END}"),
        code("print(1)", count=2),
    )
    plain, _ = student_notebook(nb, "nb")
    assert len(plain.cells) == 3
    student, _ = student_notebook(nb, "nb", fold_solutions=True)
    kinds = [(c.cell_type, c.metadata.get("tags", [])) for c in student.cells]
    assert kinds == [
        ("code", []),
        ("markdown", ["solution"]),
        ("markdown", []),
        ("markdown", ["solution"]),
        ("code", []),
    ]
    code_fold, text_fold = student.cells[1].source, student.cells[3].source
    assert code_fold.startswith("<details><summary>") and code_fold.endswith("</details>")
    assert "```python\ndef f(x):\n    return 2 * x\ncheck('f', f)\n```" in code_fold
    assert BEGIN not in code_fold and END not in code_fold
    assert "Because ``` fences." in text_fold and BEGIN not in text_fold
    assert "\n\n</details>" in text_fold  # a blank line, so the markdown inside renders
    assert len({c.id for c in student.cells}) == 5  # ids unique and derived, not random
    again, _ = student_notebook(nb, "nb", fold_solutions=True)
    assert nbformat.writes(again) == nbformat.writes(student)
    nbformat.validate(student)


def test_nbgrader_test_cells_and_metadata_do_not_reach_learners():
    from backprop_kit.tools.grading import mark_notebook

    nb, _ = mark_notebook(
        notebook(
            code(
                f"with attempt('ch04-dw0') as answer:\n    {BEGIN}\n    answer.value = 5\n    {END}"
            ),
            code("print('after')"),
        )
    )
    assert [c.metadata.get("nbgrader", {}).get("grade") for c in nb.cells] == [False, True, None]
    student, _ = student_notebook(nb, "nb")
    assert [c.source for c in student.cells][1:] == ["print('after')"]
    assert all("nbgrader" not in c.metadata for c in student.cells)


# --- never a half-written DEST ------------------------------------------------------------------


def three_notebooks(folder: Path) -> Path:
    for name in ("01_a.ipynb", "02_b.ipynb", "03_c.ipynb"):
        save(folder, name, exercise_notebook())
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_missing_folders_above_dest_are_made(tmp_path, capsys):
    src = three_notebooks(tmp_path / "src")
    status, _, err = run([src, tmp_path / "a" / "b" / "student"], capsys)
    assert status == 0, err
    assert sorted(snapshot(tmp_path / "a" / "b" / "student")) == [
        MARK, "01_a.ipynb", "02_b.ipynb", "03_c.ipynb"
    ]  # fmt: skip
    (tmp_path / "file").write_text("x")
    status, _, err = run([src, tmp_path / "file" / "student"], capsys)
    assert status == 2 and "file is a file, not a folder" in one_line(err)


def test_dest_inside_src_is_written_but_never_read_as_source(tmp_path, capsys):
    src = three_notebooks(tmp_path / "src")
    dest = src / "learner"
    for _ in range(2):
        status, out, err = run([src, dest, "--learner"], capsys)
        assert status == 0, err
        assert sorted(snapshot(dest)) == [MARK, "01_a.ipynb", "02_b.ipynb", "03_c.ipynb"]
    assert not any(p.name.startswith(".") for p in src.iterdir())  # no temporary folder left


@pytest.mark.parametrize("again", [False, True])
def test_a_write_that_fails_half_way_leaves_dest_untouched(again, tmp_path, capsys, monkeypatch):
    """A destination that refuses the third file (a read-only or full disk): DEST is either
    complete or untouched, never 2 of 3 notebooks; the message is one line and names DEST."""
    src = three_notebooks(tmp_path / "src")
    dest = tmp_path / "dest"
    if again:  # an edition made before
        assert run([src, dest], capsys)[0] == 0
    before = snapshot(dest)
    real_mkstemp, calls = files.tempfile.mkstemp, []

    def failing_mkstemp(*args, **kwargs):  # the third notebook's temporary file
        calls.append(kwargs)
        if len(calls) == 3:
            raise PermissionError(13, "Permission denied")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(files.tempfile, "mkstemp", failing_mkstemp)
    status, out, err = run([src, dest], capsys)
    assert status == 2 and out == ""
    assert "Permission denied" in one_line(err) and "left as it was" in err
    assert f"cannot write {dest / '03_c.ipynb'}:" in err  # not the hidden temporary folder
    assert snapshot(dest) == before and dest.exists() == again
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["src"] + ["dest"] * again)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_a_one_line_error(tmp_path, capsys):
    src = three_notebooks(tmp_path / "src")
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o555)
    try:
        status, out, err = run([src, tmp_path / "ro" / "dest"], capsys)
    finally:
        (tmp_path / "ro").chmod(0o755)
    assert status == 2 and "cannot write" in one_line(err) and snapshot(tmp_path / "ro") == {}


KILLED_WRITER = """\
import sys, time
from backprop_kit.tools import main, student
real = student.write_notebook
def slow(path, nb):
    real(path, nb)
    print("wrote", path, flush=True)
    time.sleep(60)
student.write_notebook = slow
main(["student", *sys.argv[1:]])
"""


@pytest.mark.parametrize("again", [False, True])
def test_killed_mid_write_leaves_dest_untouched(again, tmp_path, capsys):
    src = three_notebooks(tmp_path / "src")
    dest = tmp_path / "dest"
    if again:
        assert run([src, dest], capsys)[0] == 0
    before = snapshot(dest)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(src), str(dest)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().startswith("wrote")  # one notebook written, then killed
    finally:
        proc.kill()
        proc.wait()
    assert snapshot(dest) == before and dest.exists() == again


# --- bad notebooks and destinations: one-line errors --------------------------------------------


def test_a_dangling_symlink_dest_is_a_one_line_error(tmp_path, capsys):
    src = three_notebooks(tmp_path / "src")
    (tmp_path / "dest").symlink_to(tmp_path / "gone")
    status, out, err = run([src, tmp_path / "dest"], capsys)
    assert status == 2 and "symbolic link" in one_line(err)
    assert not (tmp_path / "gone").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda cell: cell.pop("source"), "cell 1: has no 'source'"),
        (lambda cell: cell.update(cell_type="heading"), "cell 1: unknown cell_type 'heading'"),
    ],
)
def test_a_broken_cell_is_a_one_line_error(change, message, tmp_path, capsys):
    data = json.loads(nbformat.writes(exercise_notebook()))
    change(data["cells"][1])
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "01_a.ipynb").write_text(json.dumps(data))
    status, out, err = run([tmp_path / "src", tmp_path / "dest"], capsys)
    assert status == 2 and message in one_line(err) and "01_a.ipynb" in err
    assert not (tmp_path / "dest").exists()


def test_marker_lines_may_carry_surrounding_whitespace():
    cleared = clear_solutions(f"  {BEGIN}  \nx = 1\n\t{END}\t", "code")
    assert cleared.solutions == [["x = 1"]] and cleared.source == "  " + "\n  ".join(CODE_STUB)
