"""A static web site of the chapters: ``python -m backprop_kit.tools.site``.

    python -m backprop_kit.tools.site                              # notebooks/learner -> site/
    python -m backprop_kit.tools.site notebooks/learner public     # choose the folders

Every notebook directly in SRC becomes ``NAME.html`` in DEST (nbconvert's HTML exporter, the
``lab`` template: the page looks like the notebook in JupyterLab), and ``index.html`` is the
first one (``00_index``). The pages need no kernel and no network for their pictures:

- every output picture is embedded as ``<img src="data:image/png;base64,…">``;
- the notebook's widget state is left out of the page: with it, nbconvert would render each
  explorer's widget view (JavaScript from a CDN, an empty box offline) instead of the static
  picture stored beside it;
- links between chapters (``01_derivatives.ipynb``) point at the pages (``01_derivatives.html``).

Formulas are typeset by MathJax, which the page loads from a CDN; offline they show as LaTeX
source. DEST is written into a temporary folder beside it and moved into place, so it is either
complete or untouched.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

from nbformat import NotebookNode

from backprop_kit.tools import atomic
from backprop_kit.tools.grading import notebooks_in
from backprop_kit.tools.student import read_notebook

TEMPLATE = "lab"
_NOTEBOOK_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:)([^)\s#]+)\.ipynb(#[^)\s]*)?\)", re.I)


class SiteError(Exception):
    """Why no site was built, in one line."""


def static_copy(nb: NotebookNode) -> NotebookNode:
    """``nb`` as a static page shows it: no widget state (so each explorer's stored picture is
    shown), and relative links to ``X.ipynb`` turned into ``X.html``. ``nb`` is unchanged."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _NOTEBOOK_LINK.sub(r"](\1.html\2)", cell.source)
    return nb


def to_html(nb: NotebookNode) -> str:
    """The HTML page of ``nb`` (after :func:`static_copy`)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name=TEMPLATE).from_notebook_node(static_copy(nb))
    return body


def build_site(src: Path, dest: Path) -> list[Path]:
    """Write one page per notebook directly in ``src`` into ``dest`` (replaced as a whole) and
    ``index.html``; return the pages written (paths inside ``dest``)."""
    src, dest = Path(src), Path(dest)
    paths = notebooks_in(src, SiteError)
    if dest.resolve() == src.resolve() or src.resolve().is_relative_to(dest.resolve()):
        raise SiteError(f"DEST {dest} would replace the notebooks in {src}; choose another folder")
    if dest.exists() and not dest.is_dir():
        raise SiteError(f"DEST {dest} is a file, not a folder")
    if dest.is_dir() and any(dest.iterdir()) and not (dest / "index.html").is_file():
        raise SiteError(f"DEST {dest} holds files but no index.html: not a site this built")
    pages = {}
    for path in paths:
        pages[path.stem + ".html"] = to_html(read_notebook(path, SiteError))
    pages["index.html"] = pages[paths[0].stem + ".html"]
    try:
        with atomic.new_folder(dest) as tmp:
            for name, html in pages.items():
                (tmp / name).write_text(html, encoding="utf-8")
    except OSError as err:
        raise SiteError(
            f"cannot write {err.filename or dest}: {err.strerror or err}; {dest} left as it was"
        ) from None
    return [dest / name for name in pages]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backprop_kit.tools.site",
        description="Build a static web site of the chapters: one HTML page per notebook, "
        "pictures embedded, no kernel needed.",
    )
    parser.add_argument(
        "src", nargs="?", type=Path, default=Path("notebooks/learner"), metavar="SRC",
        help="folder of notebooks (default: notebooks/learner, the learner edition)",
    )  # fmt: skip
    parser.add_argument(
        "dest", nargs="?", type=Path, default=Path("site"), metavar="DEST",
        help="folder for the site, replaced as a whole (default: site)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    try:
        pages = build_site(args.src, args.dest)
    except SiteError as err:
        print(f"site: {err}", file=sys.stderr)
        return 2
    print(f"{args.dest}: {len(pages)} pages; open {args.dest / 'index.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
