"""A Scene as SVG text, the live picture: a millisecond where a matplotlib figure takes tens.
Texts are escaped (names come from users); each element's ``class`` is its role, and the
current step's part has ``bpk-highlight`` and ``data-gate`` (hooks for browser tests)."""

from __future__ import annotations

from html import escape

from backprop_kit.pictures.scene import Scene
from backprop_kit.pictures.style import BACKGROUND, FONT_FAMILY

PX_PER_PT = 100 / 72  # the size a matplotlib figure has at its default 100 DPI


def _n(x: float) -> str:
    """A coordinate, short: 1 decimal, no trailing ``.0``."""
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


def to_svg(scene: Scene, *, title: str = "circuit diagram", desc: str = "") -> str:
    """``scene`` as one ``<svg>``, as large as its figure at 100 DPI: ``role="img"`` named by
    ``title`` and ``desc`` in ``aria-label`` (every screen reader), ``<title>`` and ``<desc>``."""
    w, h = scene.width, scene.height
    label = f"{title}. {desc}" if desc else title
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{escape(label)}" width="{_n(w * PX_PER_PT)}" '
        f'height="{_n(h * PX_PER_PT)}" viewBox="0 0 {_n(w)} {_n(h)}" '
        f'style="max-width:100%;height:auto;white-space:pre" '
        f"font-family=\"'{FONT_FAMILY}', Verdana, Geneva, sans-serif\">",
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>" if desc else "",
        f'<rect x="0" y="0" width="{_n(w)}" height="{_n(h)}" rx="6" fill="{BACKGROUND}"/>',
    ]
    add = out.append
    for line in scene.lines:
        pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in line.points)
        dash = ' stroke-dasharray="3 2"' if line.dashed else ""
        add(
            f'<polyline class="{line.role}" points="{pts}" fill="none" stroke="{line.color}" '
            f'stroke-width="{line.lw:g}" stroke-linejoin="round"{dash}/>'
        )
    for d in scene.dots:
        add(f'<circle cx="{_n(d.x)}" cy="{_n(d.y)}" r="{d.r:g}" fill="{d.color}"/>')
    for b in scene.boxes:
        stroke = f' stroke="{b.stroke}" stroke-width="{b.lw:g}"' if b.stroke else ""
        cls = f'{b.role} bpk-highlight" data-gate="{escape(b.mark)}' if b.mark else b.role
        add(
            f'<rect class="{cls}" x="{_n(b.x)}" y="{_n(b.y)}" width="{_n(b.w)}" '
            f'height="{_n(b.h)}" rx="{_n(b.r)}" fill="{b.fill}"{stroke}/>'
        )
    for t in scene.texts:
        style = ' font-style="italic"' if t.italic else ""
        add(
            f'<text class="{t.role}" x="{_n(t.x)}" y="{_n(t.y)}" font-size="{t.size:g}" '
            f'fill="{t.color}" text-anchor="{t.anchor}"{style}>{escape(t.text)}</text>'
        )
    add("</svg>")
    return "".join(out)
