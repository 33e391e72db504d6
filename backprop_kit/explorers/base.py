"""What every explorer of the kit shares: a live widget that still shows a picture where no
widget front-end runs, and leaves nothing behind when closed.

JupyterLab draws a widget from the ``application/vnd.jupyter.widget-view+json`` entry of its
display bundle. nbval, nbconvert and a code host's notebook viewer cannot; they fall back to
``image/png`` and ``text/plain``. So every explorer adds a PNG of its first picture and a stable
text (no memory addresses, so nbval can compare it) to ipywidgets' own bundle, and an alt text
for the PNG in the output's metadata (:func:`with_static_picture`).

:class:`Explorer` is the base of every explorer: that display bundle, ``close()`` of every
widget it holds (:func:`close_tree`), and a quiet setter. :class:`HeldExplorer` is the base of
the explorers that hold their live view in ``.widget`` and redraw a matplotlib figure as a PNG
(the scale, shapes and training explorers); the circuit explorer is itself a ``VBox`` and draws
SVG (:mod:`circuit`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from backprop_kit.core.engine import as_number
from backprop_kit.explorers.a11y import A11Y_CLASS, explorer_helper
from backprop_kit.pictures.style import img_html

if TYPE_CHECKING:  # ipywidgets is imported when an explorer is built, not with this module
    import ipywidgets as widgets


def with_static_picture(
    bundle: dict[str, Any] | None, text: str, png: bytes, metadata: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``bundle`` (ipywidgets' display data) plus ``text`` as text/plain and ``png`` as
    image/png (base64, as the notebook format stores it), and the display metadata of the PNG:
    ``metadata`` must hold its ``alt`` text (nbconvert writes it as the alt of the ``<img>``),
    and may hold its display ``width`` and ``height``. The same picture also comes as
    ``text/html``, an ``<img>`` with that alt (JupyterLab shows it where the live widget cannot
    be shown; it ignores the metadata's alt)."""
    alt = str(metadata.get("alt", ""))
    if not alt.strip():
        raise ValueError("a static picture needs an alt text (metadata['alt'])")
    data = dict(bundle or {})
    data["text/plain"] = text
    data["image/png"] = base64.b64encode(png).decode("ascii")
    data["text/html"] = img_html(
        data["image/png"], alt, metadata.get("width"), metadata.get("height")
    )
    return data, {"image/png": dict(metadata)}


def close_tree(widget: widgets.Widget) -> None:
    """Close ``widget`` and every widget it holds (children, layout, style, …), iteratively.

    ``Widget.close()`` closes one widget only; a slider alone holds a Layout and a style
    widget, which would stay registered in the kernel.
    """
    # ipywidgets' Widget class, found without an import (close() also runs at shutdown)
    base: Any = next(c for c in type(widget).__mro__ if c.__name__ == "Widget")
    seen: set[int] = set()
    stack = [widget]
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        for key in w.keys:
            value = getattr(w, key, None)
            items = value if isinstance(value, list | tuple) else (value,)
            stack.extend(x for x in items if isinstance(x, base))
        base.close(w)  # the base close: an explorer's own close() calls this function


def explorer_box(children: Iterable[widgets.Widget], *classes: str) -> widgets.VBox:
    """The root widget of an explorer: ``children`` and the accessibility helper in a VBox
    with the classes a browser test, the styling and the helper look for."""
    import ipywidgets as widgets

    box = widgets.VBox([*children, explorer_helper()])
    for name in (*classes, A11Y_CLASS):
        box.add_class(name)
    return box


def in_log_range(value: object, low: float, high: float, what: str) -> float:
    """``value`` as a float if a slider over 10**low … 10**high can show it, else a one-line
    error naming the range (a slider would silently move it to the nearest end)."""
    x = as_number(value, what)
    if not 10.0**low <= x <= 10.0**high:
        raise ValueError(f"{what} must be between {10.0**low:g} and {10.0**high:g}, got {x!r}")
    return x


def log_slider(
    description: str, value: float, low: float, high: float, step: float, **options: Any
) -> widgets.FloatLogSlider:
    """A slider over 10**low … 10**high in steps of 10**step, its readout with 3 significant
    digits, acting when let go (``options`` override any of these ipywidgets settings); a
    value outside the range is a one-line ValueError (:func:`in_log_range`)."""
    import ipywidgets as widgets

    value = in_log_range(value, low, high, description)

    settings: dict[str, Any] = {"readout_format": ".3g", "continuous_update": False, **options}
    return widgets.FloatLogSlider(
        value=value, base=10, min=low, max=high, step=step, description=description, **settings
    )


class Explorer:
    """The base of every explorer. A subclass gives :attr:`live_widget` (what JupyterLab
    shows), :meth:`static_picture` (the PNG of its first picture and its display metadata,
    with ``alt``) and a stable ``__repr__``; this base gives the display bundle, ``close()`` and
    the quiet setter."""

    @property
    def live_widget(self) -> widgets.Widget:
        raise NotImplementedError

    def static_picture(self) -> tuple[bytes, dict[str, Any]]:
        raise NotImplementedError

    @staticmethod
    def set_quietly(pairs: Iterable[tuple[Any, Any]], handler: Callable[[dict], None]) -> None:
        """Set each ``(control, value)`` without calling ``handler``, the controls' observer
        of ``value`` (so moving several controls recomputes once, when the caller says)."""
        for control, value in pairs:
            control.unobserve(handler, names="value")
            try:
                control.value = value
            finally:  # a refused value leaves the control as it was, still observed
                control.observe(handler, names="value")

    def close(self) -> None:
        """Close the explorer and every widget it holds (sliders, buttons, layouts, styles);
        a closed explorer shows only its static picture."""
        close_tree(self.live_widget)
        vars(self).pop("_repr_mimebundle_", None)  # ipywidgets' mark of a closed widget

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """ipywidgets' bundle (the live view, unless closed) plus a PNG of the first picture,
        with its alt text, for static viewers; ``text/plain`` is this object's stable repr."""
        import ipywidgets as widgets

        live = self.live_widget
        bundle = widgets.Widget._repr_mimebundle_(live, **kwargs) if live.comm else None
        return with_static_picture(bundle, repr(self), *self.static_picture())


class HeldExplorer(Explorer):
    """The base of an explorer whose live view is ``self.widget`` (made by :meth:`_hold`) and
    whose picture is ``figure()``, a matplotlib Figure of the current state, shown as the PNG
    ``self.png`` in the HTML widget ``self.picture`` with ``alt_text()``: :meth:`show_picture`
    redraws it, and the first picture is what static viewers see."""

    widget: widgets.VBox
    picture: widgets.HTML
    png: bytes = b""
    _first: tuple[bytes, str] | None = None
    figure: Callable[[], Any]
    alt_text: Callable[[], str]

    @property
    def live_widget(self) -> widgets.Widget:
        return self.widget

    def _hold(self, children: Iterable[widgets.Widget], *classes: str) -> None:
        """Make ``self.widget``, the explorer's root, of ``children``."""
        self.widget = explorer_box(children, *classes)

    def show_picture(self) -> None:
        """Draw :meth:`figure` into ``self.png`` and show it, with its alt text."""
        from backprop_kit.pictures.drawing import png_bytes

        self.png, alt = png_bytes(self.figure(), scale=1)[0], self.alt_text()
        self.picture.value = img_html(self.png, alt)
        if self._first is None:
            self._first = (self.png, alt)

    def static_picture(self) -> tuple[bytes, dict[str, Any]]:
        if self._first is None:
            self.show_picture()
        png, alt = self._first  # type: ignore[misc]
        return png, {"alt": alt}
