"""Re-execute notebooks in a fresh kernel and store their outputs: ``backprop-kit rerun NB...``.
Each runs from its own folder (as nbval runs it) and is stored without widget state; one changed
on disk while it ran is kept, one that fails does not stop the others."""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from pathlib import Path
from typing import Any

from backprop_kit.tools.files import ToolError
from backprop_kit.tools.notebooks import read_notebook, write_notebook

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def _fingerprint(path: Path) -> tuple[int, int, str]:
    """(size, mtime in ns, SHA-256 of the content) of the file at ``path``."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(e: BaseException) -> str:
    """The error in one line without colour codes; a cell's error by its last line."""
    lines = [x.strip() for x in re.sub(r"\x1b\[[0-9;]*m", "", str(e)).splitlines() if x.strip()]
    if type(e).__name__ == "CellExecutionError" and lines:
        return f"a cell raised {lines[-1]}"
    return f"{type(e).__name__}: {lines[0]}" if lines else type(e).__name__


def rerun(path: Path, timeout: int = 120) -> float:
    """Execute the notebook at ``path``, store it in place, return the seconds (or ToolError)."""
    import nbformat
    from nbclient import NotebookClient

    try:
        before = _fingerprint(path)  # before reading: an edit made after it is never lost
    except OSError as e:
        raise ToolError(f"{path}: cannot read it: {e.strerror or e}") from None
    nb = read_notebook(path)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    start = time.perf_counter()
    where = {"metadata": {"path": str(path.parent.resolve())}}
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources=where, record_timing=False,
        store_widget_state=False,
    )  # fmt: skip
    try:
        client.execute()
        seconds = time.perf_counter() - start
        nb.metadata.pop("widgets", None)
        _stable_widget_ids(nb, path.name)
        nbformat.validate(nb)
    except Exception as e:  # a cell's error, a timeout, a dead kernel: the file stays as it was
        raise ToolError(f"{path}: {_one_line(e)}") from None

    def unchanged() -> None:
        if _fingerprint(path) != before:
            raise ToolError(
                f"{path}: the file changed on disk while it ran; not overwritten (your version "
                "is kept; run it again to store fresh outputs)"
            )

    write_notebook(path, nb, before_replace=unchanged)
    return seconds


def _stable_widget_ids(nb: Any, name: str) -> None:
    """Widget views' model ids from where they are, not random: the file is the same each run."""
    view = "application/vnd.jupyter.widget-view+json"
    for i, cell in enumerate(nb.cells):
        for k, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            if isinstance(data.get(view), dict) and "model_id" in data[view]:
                where = f"{name}:{cell.get('id', i)}:{k}".encode()
                data[view]["model_id"] = hashlib.sha256(where).hexdigest()[:32]


def run(args: argparse.Namespace) -> int:
    """``backprop-kit rerun NOTEBOOK...``: the number that failed (0: all done)."""
    failed = 0
    for path in args.notebooks:
        try:
            if path.suffix != ".ipynb" or not path.is_file():
                raise ToolError(f"{path}: not a notebook file (*.ipynb)")
            print(f"{path}: {rerun(path):.1f} s", flush=True)
        except ToolError as e:
            print(f"backprop-kit rerun: {e}", file=sys.stderr, flush=True)
            failed += 1
    if failed:
        print(f"backprop-kit rerun: {failed} of {len(args.notebooks)} failed", file=sys.stderr)
    return min(failed, 125)
