"""Accessibility helpers: WCAG contrast ratios, pictures with alt text, and names for sliders.

* :func:`contrast_ratio` is WCAG 2.1's contrast of two sRGB colours, (L1 + 0.05) / (L2 + 0.05)
  with L the relative luminance; AA asks for at least 4.5:1 for normal-size text. The tests
  check every text colour of the palette (``style.TEXT_BACKGROUNDS``) with it.
* :func:`img_html` is a PNG as an ``<img>`` with an ``alt`` text. JupyterLab 4 writes no alt
  for an ``image/png`` output (it ignores the ``alt`` of the output's metadata, which nbconvert
  uses), and an ``ipywidgets.Image`` has none either: so every picture of the kit also comes as
  ``text/html`` holding this ``<img>``, which JupyterLab prefers to the bare PNG.
* :func:`explorer_helper` is a hidden widget that every explorer includes. ipywidgets 8 gives a
  slider's handle (``role="slider"``) no accessible name, and an ``HTML`` widget cannot carry
  ``aria-live`` on its own element. The helper's small script names every slider handle inside
  an explorer by its visible label, makes every element with the class ``bpk-live`` a polite
  live region (a change is announced by a screen reader), and its style gives controls a
  visible keyboard focus ring. It runs in the browser only; without a front-end it is inert.

Nothing here imports ipywidgets until :func:`explorer_helper` is called.
"""

from __future__ import annotations

import base64
from html import escape
from typing import Any

A11Y_CLASS = "bpk-a11y"  # on the root widget of every explorer
LIVE_CLASS = "bpk-live"  # on a widget whose changes a screen reader should announce
FOCUS_COLOR = "#0072B2"


def relative_luminance(color: str) -> float:
    """WCAG 2.1 relative luminance of ``#RRGGBB``: 0.2126 R + 0.7152 G + 0.0722 B of the
    linearised channels (c / 12.92 if c ≤ 0.04045, else ((c + 0.055) / 1.055) ** 2.4)."""
    s = color.lstrip("#")
    if len(s) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in s):
        raise ValueError(f"a colour must be written #RRGGBB, got {color!r}")
    lin = []
    for i in (0, 2, 4):
        c = int(s[i : i + 2], 16) / 255
        lin.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio (L_lighter + 0.05) / (L_darker + 0.05), from 1 to 21."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def img_html(
    png: bytes | str, alt: str, width: int | None = None, height: int | None = None
) -> str:
    """An ``<img>`` of ``png`` (bytes, or already base64 text) whose ``alt`` is ``alt``, shown
    at ``width`` × ``height`` pixels if given (it shrinks with a narrow page)."""
    data = png if isinstance(png, str) else base64.b64encode(png).decode("ascii")
    size = "".join(f' {k}="{v}"' for k, v in (("width", width), ("height", height)) if v)
    return (
        f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}"{size} '
        f'style="max-width:100%;height:auto">'
    )


_SCRIPT = (
    "(() => {"
    "const fix = () => {"
    f"for (const s of document.querySelectorAll('.{A11Y_CLASS} .widget-slider')) {{"
    "const h = s.querySelector('.noUi-handle'), l = s.querySelector('.widget-label');"
    "const name = ((l && l.textContent) || '').trim() || 'slider';"
    "if (h && h.getAttribute('aria-label') !== name) h.setAttribute('aria-label', name);"
    "}"
    f"for (const e of document.querySelectorAll('.{LIVE_CLASS}:not([aria-live])')) {{"
    "e.setAttribute('aria-live', 'polite'); e.setAttribute('aria-atomic', 'true');"
    "}};"
    "fix();"
    "if (!window.bpkA11yObserver) {"
    "window.bpkA11yObserver = new MutationObserver(fix);"
    "window.bpkA11yObserver.observe(document.body, {childList: true, subtree: true});"
    "}})()"
)

_STYLE = (
    # !important: ipywidgets' own focus style (a 1 px light-blue line) is more specific
    f".{A11Y_CLASS} .noUi-handle:focus-visible, .{A11Y_CLASS} button:focus-visible, "
    f".{A11Y_CLASS} input:focus-visible, .{A11Y_CLASS} select:focus-visible, "
    f".{A11Y_CLASS} .widget-readout:focus-visible "
    f"{{outline: 3px solid {FOCUS_COLOR} !important; outline-offset: 2px !important;}}"
)

HELPER_HTML = f'<style>{_STYLE}</style><img src="data:," alt="" hidden onerror="{escape(_SCRIPT)}">'
"""The helper's content: the focus style and the script (run once the hidden image fails)."""


def explorer_helper() -> Any:
    """A hidden ``ipywidgets.HTML`` holding :data:`HELPER_HTML` (include it in an explorer)."""
    import ipywidgets as widgets

    helper = widgets.HTML(HELPER_HTML, layout=widgets.Layout(display="none"))
    helper.add_class("bpk-a11y-helper")
    return helper
