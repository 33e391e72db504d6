"""The stored notebooks are complete, portable and honest about what nbval compares."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHAPTERS = [p for p in NOTEBOOKS if re.match(r"0[1-9]_", p.name)]
ABSOLUTE = re.compile(r"(/work/|/home/|/root/|/tmp/|/Users/|[A-Z]:\\\\)")


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def text(field: str | list[str]) -> str:
    """A notebook text field, stored either as one string or as a list of lines."""
    return field if isinstance(field, str) else "".join(field)


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code" and text(c["source"]).strip()]


def test_there_is_an_index_and_nine_chapters():
    names = [p.name[:3] for p in NOTEBOOKS]
    assert names == ["00_", "01_", "02_", "03_", "04_", "05_", "06_", "07_", "08_", "09_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernelspec_and_every_cell_run(path):
    nb = load(path)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for i, cell in enumerate(code_cells(nb)):
        assert cell["execution_count"] is not None, f"{path.name}: code cell {i} was never run"
        for out in cell["outputs"]:
            assert out["output_type"] != "error", f"{path.name}: cell {i} stored an error"
            assert out.get("name") != "stderr", f"{path.name}: cell {i} wrote to stderr"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_absolute_paths(path):
    match = ABSOLUTE.search(path.read_text())
    assert match is None, f"{path.name} contains an absolute path: {match.group(0)!r}"


def test_at_most_ten_percent_of_code_cells_are_excluded_from_comparison():
    total = ignored = 0
    for path in NOTEBOOKS:
        for cell in code_cells(load(path)):
            total += 1
            tags = cell.get("metadata", {}).get("tags", [])
            src = text(cell["source"])
            assert "nbval-skip" not in tags and "NBVAL_SKIP" not in src, path.name
            ignored += "nbval-ignore-output" in tags or "NBVAL_IGNORE_OUTPUT" in src
    assert total and ignored / total <= 0.10


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_structure(path):
    nb = load(path)
    markdown = "\n".join(text(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert re.search(r"you will learn", markdown, re.I), "a 'You will learn' list"
    exercises = [c for c in code_cells(nb) if "### BEGIN SOLUTION" in text(c["source"])]
    assert len(exercises) >= 2, "at least two exercises"
    for cell in exercises:
        assert "exercise" in cell.get("metadata", {}).get("tags", []), "exercise cells are tagged"
    checks = [
        c
        for c in code_cells(nb)
        if re.search(r"^\s*(check\(|with attempt\()", text(c["source"]), re.M)
    ]
    assert len(checks) >= 3, "at least three exercises"
    for cell in checks:  # an exercise may hold several solution regions (a bug hunt)
        shown = "".join(text(o.get("text", "")) for o in cell["outputs"])
        assert "✔ Correct!" in shown, f"the instructor notebook's solution passes: {shown!r}"
    explorers = [c for c in code_cells(nb) if "explore" in text(c["source"])]
    assert explorers, "at least one interactive explorer"
    number = int(path.name[:2])
    if number < 8:
        assert re.search(rf"\]\(0{number + 1}_\w+\.ipynb\)", markdown), "a link to the next chapter"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_static_viewers_see_every_explorer(path):
    """Each widget view carries a PNG of its initial state, and no widget state is stored: with
    state, nbconvert's HTML (and viewers built on it) would render the widget view, which needs
    a CDN and shows an empty box offline, instead of the PNG."""
    nb = load(path)
    views = [
        out["data"]
        for cell in code_cells(nb)
        for out in cell["outputs"]
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    ]
    for data in views:
        assert "image/png" in data and "text/plain" in data, path.name
    assert "widgets" not in nb["metadata"], f"{path.name} stores widget state"


DECIMAL = re.compile(r"(?<![\w.])[-−]?\d+\.\d+(?![.\d])")
NOT_A_MEASURE = re.compile(r"Exercises? \d+\.\d+(?:,\s*\d+\.\d+)*|\d+\.\d+\.\d+")


def printed_numbers(nb: dict) -> list[float]:
    """Every decimal number a chapter's code cells hold or print (text outputs)."""
    texts = []
    for cell in code_cells(nb):
        texts.append(text(cell["source"]))
        for out in cell.get("outputs", []):
            texts.append(text(out.get("text", "")))
            texts += [text(v) for k, v in out.get("data", {}).items() if k.startswith("text/")]
    return [float(m.replace("−", "-")) for m in DECIMAL.findall("\n".join(texts))]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_number_the_prose_quotes_is_one_the_chapter_computes(path):
    """A decimal number in the text (the summary's "f = 0.73") is a copy of a computed one: if
    an example's inputs change and the text is not edited, the stale number is named here.
    (It cannot tell which number a sentence means: an adapter still reads the prose.)"""
    nb = load(path)
    printed = printed_numbers(nb)
    stale = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        prose = NOT_A_MEASURE.sub("", text(cell["source"]))
        for shown in DECIMAL.findall(prose):
            x, places = float(shown.replace("−", "-")), len(shown.split(".")[1])
            if not any(abs(v - x) <= 0.5 * 10**-places + 1e-12 for v in printed):
                stale.append(shown)
    assert stale == [], f"numbers in the text that no cell computes or prints: {stale}"
