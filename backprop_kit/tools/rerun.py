"""Re-execute notebooks in a fresh kernel and store their outputs:
``python -m backprop_kit.tools.rerun``.

    python -m backprop_kit.tools.rerun                  # every notebooks/*.ipynb
    python -m backprop_kit.tools.rerun notebooks/02_chain_rule.ipynb

Each notebook runs top to bottom from its own folder, exactly as nbval will run it; its stored
outputs are replaced by the new ones. No widget state is stored: without it, static viewers
(nbconvert's HTML, GitHub) show each explorer's stored picture instead of an empty widget box.

A notebook is never lost or half-written: the new notebook goes to a temporary file in the same
folder, which is then renamed over the original (``backprop_kit.tools.atomic.write_text``), so
a run killed at any moment leaves the old file or the new one, whole. If the notebook changed on
disk while it ran (its size, modification time or content differ from when it was read), it is
not overwritten: the run says so and your edit stays. A notebook that fails does not stop the
others; each failure is one line on stderr, and the exit status is the number that failed.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from pathlib import Path
from typing import Any

from backprop_kit.tools.atomic import write_text

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class RerunError(Exception):
    """A notebook that could not be re-executed or stored; the message is one line."""


def _fingerprint(path: Path) -> tuple[int, int, str]:
    """(size, mtime in ns, SHA-256 of the content) of the file at ``path``."""
    data = path.read_bytes()
    st = path.stat()
    return st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, text: str, expected: tuple[int, int, str] | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder.

    The temporary file is written, flushed to disk and renamed over ``path`` in one step, so
    ``path`` always holds either its old content or all of ``text``. If ``expected`` (a
    :func:`_fingerprint`) is given and ``path`` no longer matches it, nothing is written and a
    :class:`RerunError` says that the file changed. The file keeps its permission bits.
    """

    def unchanged() -> None:
        if expected is not None and _fingerprint(path) != expected:
            raise RerunError(
                "the file changed on disk while it ran; not overwritten (your version is kept, "
                "run it again to store fresh outputs)"
            )

    try:
        write_text(path, text, before_replace=unchanged)
    except OSError as e:
        raise RerunError(f"cannot write {path}: {e.strerror or e}") from None


def _one_line(e: BaseException) -> str:
    """The first non-empty line of an error's message, with its type when that says more; the
    terminal colour codes of a kernel's traceback are removed."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", str(e))
    lines = [line.strip() for line in plain.splitlines() if line.strip()]
    # nbclient's CellExecutionError lists the cell's source and traceback; its last line is
    # the error itself ("ZeroDivisionError: division by zero").
    name = type(e).__name__
    if name == "CellExecutionError" and lines:
        return f"a cell raised {lines[-1]}"
    text = lines[0] if lines else ""
    return f"{name}: {text}" if text else name


def rerun(path: Path, timeout: int = 120) -> float:
    """Execute the notebook at ``path`` and store it in place; return the seconds it took.

    Raises :class:`RerunError` (one line) when the notebook cannot be read, run or stored; the
    file on disk is then untouched.
    """
    import nbformat
    from nbclient import NotebookClient

    try:
        before = _fingerprint(path)
        nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise RerunError(f"cannot read it as a notebook: {_one_line(e)}") from None
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
        record_timing=False,
        store_widget_state=False,
    )
    try:
        client.execute()
    except Exception as e:  # a cell's error, a timeout, a dead kernel: the file stays as it was
        raise RerunError(_one_line(e)) from None
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    _stable_widget_ids(nb, path.name)
    try:
        nbformat.validate(nb)
    except Exception as e:
        raise RerunError(f"the new notebook is not valid: {_one_line(e)}") from None
    text = nbformat.writes(nb)
    write_atomic(path, text if text.endswith("\n") else text + "\n", expected=before)
    return seconds


def _stable_widget_ids(nb: Any, name: str) -> None:
    """Give each stored widget view a model id made from where it is (notebook, cell, output)
    instead of the kernel's random one: with no widget state stored, the id refers to nothing,
    and a random one changed the file on every run."""
    view = "application/vnd.jupyter.widget-view+json"
    for i, cell in enumerate(nb.cells):
        for k, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            if isinstance(data.get(view), dict) and "model_id" in data[view]:
                where = f"{name}:{cell.get('id', i)}:{k}".encode()
                data[view]["model_id"] = hashlib.sha256(where).hexdigest()[:32]


def main(argv: list[str] | None = None) -> int:
    """Re-run the notebooks named in ``argv``; return the number that failed (0: all done)."""
    parser = argparse.ArgumentParser(
        prog="python -m backprop_kit.tools.rerun",
        description="Re-execute notebooks in a fresh kernel and store their outputs.",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, help="notebooks (default: notebooks/*.ipynb)"
    )
    args = parser.parse_args(argv)
    paths = args.paths or sorted(Path("notebooks").glob("*.ipynb"))
    if not paths:
        print("rerun: no notebooks found; run from the kit's folder or name them", file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            print(f"rerun: {path}: not a notebook file (*.ipynb)", file=sys.stderr)
            failed += 1
            continue
        try:
            print(f"{path}: {rerun(path):.1f} s", flush=True)
        except RerunError as e:
            print(f"rerun: {path}: {e}", file=sys.stderr, flush=True)
            failed += 1
    if failed:
        print(f"rerun: {failed} of {len(paths)} notebooks failed", file=sys.stderr)
    return min(failed, 125)


if __name__ == "__main__":
    raise SystemExit(main())
