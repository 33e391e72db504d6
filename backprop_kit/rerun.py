"""Re-execute notebooks in a fresh kernel and store their outputs: ``python -m backprop_kit.rerun``.

    python -m backprop_kit.rerun                  # every notebooks/*.ipynb
    python -m backprop_kit.rerun notebooks/02_chain_rule.ipynb

Each notebook runs top to bottom from its own folder, exactly as nbval will run it; its stored
outputs are replaced by the new ones. No widget state is stored: without it, static viewers
(nbconvert's HTML, GitHub) show each explorer's stored picture instead of an empty widget box.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def rerun(path: Path, timeout: int = 120) -> float:
    """Execute the notebook at ``path`` in place; return the seconds it took."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
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
    client.execute()
    seconds = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backprop_kit.rerun",
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
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            print(f"rerun: {path} is not a notebook file (*.ipynb)", file=sys.stderr)
            return 2
    for path in paths:
        print(f"{path}: {rerun(path):.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
