"""How the kit's pictures look: colours, fonts and the width of a text.

One home for the style shared by circuit diagrams (:mod:`backprop_kit.layout`,
:mod:`backprop_kit.drawing`, :mod:`backprop_kit.svg`) and the explorers' plots. The colours are
Okabe-Ito colours, safe for colour-blind readers; every text colour has a contrast of at least
4.5:1 (WCAG 2.1 AA) on every background it sits on: :data:`TEXT_BACKGROUNDS` lists those pairs
and tests/test_a11y.py computes each ratio.
"""

from __future__ import annotations

import functools
import math
import numbers

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
ERROR_COLOR = GRAD_COLOR  # error text drawn on a white card

#: Each text colour of the drawings and plots, and every background it is drawn on.
TEXT_BACKGROUNDS: dict[str, tuple[str, ...]] = {
    VALUE_COLOR: (BACKGROUND,),
    GRAD_COLOR: (BACKGROUND, EMPH_FILL, HIGHLIGHT_FILL),
    INK: (BACKGROUND, GATE_FILL, HIGHLIGHT_FILL, NOTE_FILL, EMPH_FILL),
    MUTED: (BACKGROUND, NOTE_FILL),
}

#: The second cue, besides colour, that tells a gradient from a value: gradients are written
#: below their wire in italics, values above it upright (the legend says so).
GRAD_ITALIC = True

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


# --- numbers as text --------------------------------------------------------------------------
LONGEST_NUMBER = 12
"""A number whose formatted text is longer than this is written with 4 significant digits."""

NUMBER_STYLES = ("readout", "about3", "exact", "g")
"""The named styles of :func:`format_number`, besides format strings."""


def check_fmt(fmt: object) -> str:
    """``fmt`` if :func:`format_number` can write numbers with it (a format string for one
    number, like ``"{:.2f}"``, or a name in :data:`NUMBER_STYLES`), else a one-line ValueError."""
    if not (isinstance(fmt, str) and (fmt in NUMBER_STYLES or _shows_its_number(fmt))):
        raise ValueError(
            f"fmt must be a format string for one number, such as '{{:.2f}}' or '{{:.3g}}', "
            f"or one of {', '.join(map(repr, NUMBER_STYLES))}; got {fmt!r:.60}"
        )
    return fmt


@functools.lru_cache(maxsize=64)
def _shows_its_number(fmt: str) -> bool:
    """Whether ``fmt.format`` writes one number: -1.5 and 2.5 must give different texts."""
    try:
        return fmt.format(-1.5) != fmt.format(2.5)
    except (ValueError, IndexError, KeyError, AttributeError, TypeError):
        return False


def format_number(x: float | None, fmt: str = "{:.2f}") -> str:
    """How the kit writes a number, in one place. ``fmt`` is a format string or a style:

    * a format string such as ``"{:.2f}"`` (the numbers on wires): ``fmt.format(x)``, or 4
      significant digits when that is longer than :data:`LONGEST_NUMBER` characters (not
      counting a minus sign; e¹⁰⁰ is "2.688e+43");
    * ``"readout"`` (an explorer's readout): 4 decimals, 6 significant digits from a million;
    * ``"about3"`` (a table of measurements): about 3 significant digits, whole numbers from 100
      with thousands separators: 0.693, 787, 1,250, 0.000393, 5e-07, 1.2e+09;
    * ``"exact"`` (a constant on a gate): the shortest text that reads back as the same float,
      whole numbers without ".0": 1, 0.5, -1, 1000000000000000, 1e+16;
    * ``"g"`` (a number in a sentence): Python's general format, 6 significant digits.

    ``None`` is written "None". In every style a number that shows as zero has no minus sign
    ("0.00", never "-0.00"), and nan and ±inf are written nan, inf, -inf. Anything else than a
    real number or None, or a ``fmt`` :func:`check_fmt` refuses, is a one-line error.
    """
    if x is None:
        return "None"
    if not isinstance(x, numbers.Real):
        raise TypeError(f"format_number needs a real number, got {type(x).__name__} {x!r:.40}")
    try:
        x = float(x)
    except OverflowError:
        raise ValueError("format_number: the number is too large for a float") from None
    if not math.isfinite(x):
        return f"{x}"
    s = _text(x, check_fmt(fmt))
    if x <= 0.0 and s.startswith("-") and s == _text(-0.0, fmt):
        return _text(0.0, fmt)  # shows as zero: no minus sign
    return s


def _text(x: float, fmt: str) -> str:
    """``x`` (finite) in style ``fmt`` (see :func:`format_number`), as it comes."""
    if fmt == "readout":
        return f"{x:.4f}" if abs(x) < 1e6 else f"{x:.6g}"
    if fmt == "about3":
        return f"{x:,.0f}" if 100 <= abs(x) < 1e6 else f"{x:.3g}"
    if fmt == "exact":
        return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)
    if fmt == "g":
        return f"{x:g}"
    s = fmt.format(x)
    return f"{x:.4g}" if len(s.removeprefix("-")) > LONGEST_NUMBER else s
