"""Numbers as text, in one place: :func:`format_number` and its styles."""

from __future__ import annotations

import functools
import math
import numbers

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
    real number or None, or a ``fmt`` :func:`check_fmt` refuses, is a one-line error."""
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
