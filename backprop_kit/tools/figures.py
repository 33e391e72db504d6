"""The notes' three circuit figures as SVG and PNG: ``backprop-kit figures DEST``, drawn after
``backward()`` with a text alternative (``describe``); the committed copy is notebooks/figures."""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from html import escape
from pathlib import Path

from backprop_kit.core import circuits
from backprop_kit.core.engine import Value
from backprop_kit.pictures.view import describe
from backprop_kit.tools.files import new_folder

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
    """Draw each figure with its gradients; ``folder`` gets NAME.svg and NAME.png of each."""
    import matplotlib

    from backprop_kit.pictures.drawing import draw

    # text stays text in the SVG (searchable, small); no date, so the files are reproducible
    style = matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "backprop-kit"})
    with style, new_folder(Path(folder), "figures") as tmp:
        for name, build in FIGURES.items():
            f = build()
            f.backward()
            fig, svg = draw(f), io.StringIO()
            meta = {"Title": TITLES[name], "Description": describe(f)}
            fig.savefig(svg, format="svg", metadata={"Date": None, **meta})
            text = with_text_alternative(svg.getvalue(), TITLES[name], describe(f))
            (tmp / f"{name}.svg").write_text(text, encoding="utf-8")
            fig.savefig(tmp / f"{name}.png", dpi=150, metadata=meta)
    return [Path(folder) / f"{name}{suffix}" for name in FIGURES for suffix in (".svg", ".png")]


def with_text_alternative(svg: str, title: str, desc: str) -> str:
    """Matplotlib's ``svg`` as ``role="img"`` with an ``aria-label``, ``<title>`` and ``<desc>``."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    svg = f'{svg[:end]} role="img" aria-label="{escape(f"{title}. {desc}")}"{svg[end:]}'
    head = f"<title>{escape(title)}</title>"
    if head not in svg:
        end = svg.index(">", start)
        svg = f"{svg[: end + 1]}\n {head}{svg[end + 1 :]}"
    at = svg.index(head) + len(head)
    return f"{svg[:at]}\n <desc>{escape(desc)}</desc>{svg[at:]}"


def run(args: argparse.Namespace) -> int:
    """``backprop-kit figures DEST``."""
    print(*save_figures(args.dest), sep="\n")
    return 0
