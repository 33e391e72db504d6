"""The hidden helper every explorer holds: it names each slider handle by its label (ipywidgets
8 gives none), makes each ``bpk-live`` element a polite live region and gives controls a
visible focus ring; in the browser only (inert without a front-end)."""

from __future__ import annotations

from html import escape
from typing import Any

A11Y_CLASS = "bpk-a11y"  # on the root widget of every explorer
LIVE_CLASS = "bpk-live"  # on a widget whose changes a screen reader should announce
FOCUS_COLOR = "#0072B2"


_SCRIPT = (
    "(() => {const fix = () => {"
    f"for (const s of document.querySelectorAll('.{A11Y_CLASS} .widget-slider')) {{"
    "const h = s.querySelector('.noUi-handle'), l = s.querySelector('.widget-label');"
    "const name = ((l && l.textContent) || '').trim() || 'slider';"
    "if (h && h.getAttribute('aria-label') !== name) h.setAttribute('aria-label', name);}"
    f"for (const e of document.querySelectorAll('.{LIVE_CLASS}:not([aria-live])')) {{"
    "e.setAttribute('aria-live', 'polite'); e.setAttribute('aria-atomic', 'true');}};"
    "fix();if (!window.bpkA11yObserver) {window.bpkA11yObserver = new MutationObserver(fix);"
    "window.bpkA11yObserver.observe(document.body, {childList: true, subtree: true});}})()"
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
