"""The three circuit figures of the notes, saved as SVG and PNG:
``python -m backprop_kit.tools.figures``.

    python -m backprop_kit.tools.figures                  # into notebooks/figures/
    python -m backprop_kit.tools.figures some/folder

Each figure is drawn by :func:`backprop_kit.draw` after ``backward()``, so it carries the
notes' numbers: the chain-rule circuit (x + y)·z, the 2-D sigmoid neuron with every elementary
gate, and the add/max/multiply patterns circuit. The README shows one of them.

Each SVG is an image with a text alternative: ``role="img"``, a ``<title>`` (its name) and a
``<desc>`` (:func:`backprop_kit.describe` of its circuit), both also in ``aria-label``; each
PNG carries the same texts as its ``Title`` and ``Description`` metadata.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from html import escape
from pathlib import Path

from backprop_kit.core import circuits
from backprop_kit.core.engine import Value
from backprop_kit.pictures.view import describe

TITLES = {
    "chain_rule": "The chain-rule circuit (x + y) * z",
    "sigmoid_neuron": "The 2-D sigmoid neuron, gate by gate",
    "patterns": "Add, max and multiply gates: the patterns of the backward pass",
}

FIGURES: dict[str, Callable[[], Value]] = {
    "chain_rule": circuits.chain_rule_example,
    "sigmoid_neuron": circuits.sigmoid_neuron,
    "patterns": circuits.patterns_example,
}


def save_figures(folder: Path) -> list[Path]:
    """Draw each figure of the notes with its gradients and save NAME.svg and NAME.png."""
    import matplotlib

    from backprop_kit.pictures.drawing import draw

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    # Text stays text in the SVG (searchable, small); no date, so the files are reproducible.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "backprop-kit"}):
        for name, build in FIGURES.items():
            f = build()
            f.backward()
            fig = draw(f)
            title, desc = TITLES[name], describe(f)
            svg = folder / f"{name}.svg"
            fig.savefig(svg, metadata={"Date": None, "Title": title, "Description": desc})
            svg.write_text(with_text_alternative(svg.read_text(), title, desc))
            png = folder / f"{name}.png"
            fig.savefig(png, dpi=150, metadata={"Title": title, "Description": desc})
            written += [svg, png]
    return written


def with_text_alternative(svg: str, title: str, desc: str) -> str:
    """``svg`` (a matplotlib SVG document) as an image named by ``title`` and ``desc``:
    ``role="img"`` and ``aria-label`` on the root element, a ``<title>`` (matplotlib writes
    one from the ``Title`` metadata) followed by a ``<desc>``."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    svg = f'{svg[:end]} role="img" aria-label="{escape(f"{title}. {desc}")}"{svg[end:]}'
    head = f"<title>{escape(title)}</title>"
    if head not in svg:
        end = svg.index(">", start)
        svg = f"{svg[: end + 1]}\n {head}{svg[end + 1 :]}"
    at = svg.index(head) + len(head)
    return f"{svg[:at]}\n <desc>{escape(desc)}</desc>{svg[at:]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backprop_kit.tools.figures",
        description="Save the notes' three circuit figures as SVG and PNG.",
    )
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("notebooks/figures"),
        help="where to write them (default: notebooks/figures)",
    )
    args = parser.parse_args(argv)
    if args.folder.exists() and not args.folder.is_dir():
        print(f"figures: {args.folder} is a file; give a folder", file=sys.stderr)
        return 2
    try:
        written = save_figures(args.folder)
    except OSError as e:
        print(f"figures: cannot write into {args.folder}: {e.strerror or e}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
