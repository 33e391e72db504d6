"""How the kit's pictures look (circuits and the explorers' plots): colours, fonts, the width
of a text, and pictures with alt text. Okabe-Ito colours, safe for colour-blind readers; every
text colour has a contrast of at least 4.5:1 (WCAG 2.1 AA) on every background it sits on
(:data:`TEXT_BACKGROUNDS`; tests/test_a11y.py computes each ratio by WCAG's formula)."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

VALUE_COLOR = "#0072B2"  # Okabe-Ito blue: forward values (5.2:1 on white)
GRAD_COLOR = "#A63F00"  # a darker Okabe-Ito vermillion: gradients (4.8:1 even on the yellow)
INK = "#222222"  # text and outlines
WIRE_COLOR = "#4D4D4D"
GATE_FILL = "#F2F2F2"
HIGHLIGHT_FILL = "#F0E442"  # Okabe-Ito yellow: the gate of the current step
EMPH_FILL = "#FBF3A6"  # behind a gradient that the current step just changed
NOTE_FILL = "#FFFBE6"
MUTED = "#5E5E5E"  # captions and hints
BACKGROUND = "#FFFFFF"

#: Each text colour of the drawings and plots, and every background it is drawn on.
TEXT_BACKGROUNDS: dict[str, tuple[str, ...]] = {
    VALUE_COLOR: (BACKGROUND,),
    GRAD_COLOR: (BACKGROUND, EMPH_FILL, HIGHLIGHT_FILL),
    INK: (BACKGROUND, GATE_FILL, HIGHLIGHT_FILL, NOTE_FILL, EMPH_FILL),
    MUTED: (BACKGROUND, NOTE_FILL),
}

GRAD_ITALIC = True  # the cue besides colour: gradients below the wire in italics, values upright

FONT_FAMILY = "DejaVu Sans"
FS_VALUE = 9.0  # numbers on wires
FS_GATE = 10.0  # gate symbols
FS_NAME = 11.0  # input and output names
FS_NOTE = 9.0  # callout, caption and legend

ASCENT = 0.928  # DejaVu Sans, in em
DESCENT = 0.236

# Advance widths of DejaVu Sans (the matplotlib default font), per 1000 em. Unknown characters
# count as a full em, which over-estimates: overlaps are avoided, at worst space is wasted.
_ADVANCE = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
        "abcdefghijklmnopqrstuvwxyz{|}~σ×−∂·²⁻ˣ…∇→≥",
        map(
            int,
            """
            318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636
            636 636 636 636 636 337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295
            295 656 557 863 748 787 603 787 695 635 611 732 684 989 685 611 685 390 337 390 838
            500 500 613 635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 635 411 521
            392 634 592 818 592 592 525 636 337 636 838 634 838 838 517 318 401 528 444 1000 669
            838 838
            """.split(),
        ),
    )
)


def text_width(text: str, size: float) -> float:
    """The width in points of ``text`` set in DejaVu Sans at ``size`` points (a safe estimate)."""
    return 1.06 * size * sum(_ADVANCE.get(ch, 1000) for ch in text) / 1000.0


# --- pictures with alt text --------------------------------------------------------------
def img_html(
    png: bytes | str, alt: str, width: int | None = None, height: int | None = None
) -> str:
    """An ``<img>`` of ``png`` (bytes or base64) with ``alt``, ``width`` × ``height`` if given."""
    data = png if isinstance(png, str) else base64.b64encode(png).decode("ascii")
    size = "".join(f' {k}="{v}"' for k, v in (("width", width), ("height", height)) if v)
    return (
        f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}"{size} '
        f'style="max-width:100%;height:auto">'
    )


def picture_bundle(
    text: str, picture: bytes | str, metadata: dict[str, Any]
) -> tuple[dict[str, str], dict[str, Any]]:
    """Display data and metadata: ``text`` as text/plain; a PNG (bytes) as image/png with
    ``metadata`` (``alt``, maybe ``width``, ``height``) and, as JupyterLab 4 ignores that alt,
    as an ``<img>`` in text/html; an SVG (text, its alt inside) in text/html alone."""
    if not str(metadata.get("alt", "")).strip():  # a picture of the kit's is never without words
        raise ValueError("no alt text: set fig.alt_text (or metadata['alt']) to what it shows")
    data = {"text/plain": text}
    if isinstance(picture, str):
        data["text/html"] = picture
        return data, {}
    data["image/png"] = base64.b64encode(picture).decode("ascii")
    size = metadata.get("width"), metadata.get("height")
    data["text/html"] = img_html(data["image/png"], str(metadata["alt"]), *size)
    return data, {"image/png": dict(metadata)}
