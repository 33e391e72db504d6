"""The GitHub Actions workflow that forks run: valid, and running the README's test command."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.test_packaging import quick_start_commands

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "tests.yml"


def test_workflow_validates_against_the_github_schema_offline():
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    result = subprocess.run(
        [exe, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_the_readme_test_command_on_310_and_313():
    text = WORKFLOW.read_text()
    assert f"run: {quick_start_commands()[1]}" in text
    assert re.search(r'python-version: \["3\.10", "3\.13"\]', text)
    assert "chromium" in text and 'CI: "true"' in text


def test_readme_badge_points_at_the_workflow():
    readme = (ROOT / "README.md").read_text()
    assert "actions/workflows/tests.yml/badge.svg" in readme
