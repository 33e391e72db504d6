"""The README as a new user reads it: chapters, Binder links, picture, sections, commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
BINDER = "https://mybinder.org/v2/gh/OWNER/REPO/HEAD?urlpath=lab/tree/notebooks/learner/{}"


def test_every_notebook_has_a_row_with_a_binder_link():
    for name in NOTEBOOKS:
        row = next(line for line in README.splitlines() if f"](notebooks/learner/{name})" in line)
        assert BINDER.format(name) in row, name


def test_learners_are_never_sent_to_the_instructor_edition():
    """Every chapter link and Binder path opens notebooks/learner/, never notebooks/NN_*."""
    instructor = re.findall(r"(?:\]\(|urlpath=lab/tree/)notebooks/(\d\d_\w+\.ipynb)", README)
    assert instructor == []
    assert (ROOT / "notebooks" / "learner" / "00_index.ipynb").is_file()


def test_the_binder_badge_opens_the_index():
    top = README.split("## Quick start")[0]
    assert BINDER.format("00_index.ipynb") in top


def test_the_picture_exists_and_is_drawn_by_the_kit():
    images = re.findall(r"!\[[^\]]*\]\((notebooks/[^)]+\.(?:png|svg))\)", README)
    assert images
    for image in images:
        assert (ROOT / image).is_file(), image


def test_sections_a_new_user_looks_for():
    for heading in (
        "## Quick start",
        "## The chapters",
        "## Running the tests",
        "## For instructors",
        "## Accessibility",
        "## Troubleshooting",
        "## Licence",
    ):
        assert heading in README, heading
    assert "artifacts/screenshots/" in README
    assert "backprop-kit rerun notebooks/" in README
    assert "backprop-kit student notebooks student" in README
    assert len(README.splitlines()) <= 150  # a front door; the manuals live in docs/


def test_relative_links_point_at_files_that_exist():
    for target in re.findall(r"\]\(((?!https?://)[^)#]+)\)", README):
        assert (ROOT / target).exists(), target


def test_the_map_names_every_room_and_every_module():
    """The package docstring names every subpackage and every module in it, and the README's
    map names every subpackage, so a newcomer finds each room."""
    import backprop_kit

    package = Path(backprop_kit.__file__).parent
    rooms = {p.parent.name for p in package.glob("*/__init__.py")}
    modules = {p.stem for p in package.glob("*/*.py")} - {"__init__"}
    words = set(re.findall(r"\w+", backprop_kit.__doc__ or ""))
    assert rooms <= words, f"missing from the package map: {sorted(rooms - words)}"
    missing = modules - words - {f"ch{n:02d}" for n in range(1, 10)}
    assert not missing, f"missing from the package map: {sorted(missing)}"
    named = set(re.findall(r"`(\w+)/`", README))
    assert rooms <= named, f"missing from the README's map: {sorted(rooms - named)}"
