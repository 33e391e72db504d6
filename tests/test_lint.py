"""The code passes the project's own linters: ``ruff check``, ``ruff format --check`` and
``mypy`` (configured in pyproject.toml), each run as a user would run it, from the root."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", "."],
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        [sys.executable, "-m", "mypy"],
    ],
    ids=["ruff check", "ruff format", "mypy"],
)
def test_linter_is_clean(command):
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command[2:])} failed:\n{done.stdout}{done.stderr}"
