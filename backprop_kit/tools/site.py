"""A static web site of the chapters: ``backprop-kit site SRC DEST``. Every notebook directly
in SRC becomes ``NAME.html`` (nbconvert's ``lab`` template) titled by its first heading, the
first also ``index.html``; without widget state, each explorer shows its stored picture."""

from __future__ import annotations

import argparse
import copy
import re
from pathlib import Path
from typing import Any

from backprop_kit.tools.files import new_folder
from backprop_kit.tools.notebooks import notebooks_in, read_notebook

TEMPLATE = "lab"
_NOTEBOOK_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:)([^)\s#]+)\.ipynb(#[^)\s]*)?\)", re.I)
_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def static_copy(nb: Any) -> Any:
    """``nb`` as a static page shows it: no widget state, links to ``X.ipynb`` made ``X.html``."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _NOTEBOOK_LINK.sub(r"](\1.html\2)", cell.source)
    return nb


def to_html(nb: Any, name: str = "Notebook") -> str:
    """The HTML page of ``nb``'s :func:`static_copy`, titled by its first heading or ``name``."""
    from nbconvert import HTMLExporter

    found = [_HEADING.search(c.source) for c in nb.cells if c.cell_type == "markdown"]
    resources = {"metadata": {"name": next((m.group(1) for m in found if m), name)}}
    body, _ = HTMLExporter(template_name=TEMPLATE).from_notebook_node(static_copy(nb), resources)
    return body


def build_site(src: Path, dest: Path) -> list[Path]:
    """One page per notebook directly in ``src``, and ``index.html``, replacing ``dest``."""
    paths = notebooks_in(src)
    pages = {path.stem + ".html": to_html(read_notebook(path), path.stem) for path in paths}
    pages["index.html"] = pages[paths[0].stem + ".html"]
    with new_folder(Path(dest), "site", src=src) as tmp:
        for name, html in pages.items():
            (tmp / name).write_text(html, encoding="utf-8")
    return [Path(dest) / name for name in pages]


def run(args: argparse.Namespace) -> int:
    """``backprop-kit site SRC DEST``."""
    pages = build_site(args.src, args.dest)
    print(f"{args.dest}: {len(pages)} pages; open {args.dest / 'index.html'}")
    return 0
