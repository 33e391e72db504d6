"""The source distribution is the whole project: unpacked, its own tests collect and run."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_sdist_unpacks_to_a_tree_whose_tests_run(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (archive,) = (tmp_path / "dist").glob("backprop_kit-*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "src", filter="data")
    (tree,) = (tmp_path / "src").iterdir()

    for needed in (
        "tests/__init__.py",
        "tests/verdicts.py",
        "tests/sanitize.cfg",
        "tests/conftest.py",
        "environment.yml",
        "postBuild",
        ".ci/run",
        "notebooks/00_index.ipynb",
        "notebooks/figures",
    ):
        assert (tree / needed).exists(), f"the sdist lacks {needed}"
    assert not list(tree.rglob("__pycache__")), "the sdist ships bytecode caches"

    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--co", "-q"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-2000:]
    assert "error" not in collected.stdout.lower().splitlines()[-1]

    # the consistency tests read the sdist's own files (README, pyproject, CI script)
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/test_packaging.py", "tests/test_readme.py"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stdout[-3000:]
