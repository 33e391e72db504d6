"""The scalar chapters run where numpy and matplotlib cannot be imported (a browser-only
Python): the core part. The exercises and the explorer have their own files."""

from __future__ import annotations

import pytest

from tests.pure_python import run_without_numpy


def test_the_blocker_really_blocks():
    with pytest.raises(AssertionError, match="cannot be imported here"):
        run_without_numpy("import numpy")
