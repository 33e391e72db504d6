"""Run code in a fresh Python where numpy and matplotlib cannot be imported (as in a
browser-only Python): ``run_without_numpy(code)`` returns the subprocess's stdout."""

from __future__ import annotations

import subprocess
import sys
import textwrap

BLOCKER = """
import importlib.abc, sys

class _Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("numpy", "matplotlib"):
            raise ImportError(f"{name} cannot be imported here (test: no numpy, no matplotlib)")
        return None

sys.meta_path.insert(0, _Refuse())
"""


def run_without_numpy(code: str, timeout: float = 120) -> str:
    """``code`` run after the blocker; fails the test with the subprocess's stderr if it fails,
    and if numpy or matplotlib got imported anyway."""
    check = "\nassert not {'numpy', 'matplotlib'} & set(sys.modules), 'imported anyway'\n"
    done = subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code) + check],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout
