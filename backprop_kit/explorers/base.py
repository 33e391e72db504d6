"""What every explorer shares: a live widget that leaves nothing behind when closed, whose
bundle also holds a stable ``text/plain`` and its first picture for viewers without widgets.
:class:`HeldExplorer`: those with a matplotlib picture (scale, shapes, training)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from backprop_kit.core.engine import as_number
from backprop_kit.explorers.a11y import A11Y_CLASS, explorer_helper
from backprop_kit.pictures.style import img_html, picture_bundle

if TYPE_CHECKING:  # ipywidgets is imported when an explorer is built, not with this module
    import ipywidgets as widgets


def with_static_picture(
    bundle: dict[str, Any] | None, text: str, picture: bytes | str, metadata: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``bundle`` (ipywidgets' data) plus :func:`~style.picture_bundle` of a PNG or an SVG."""
    data, meta = picture_bundle(text, picture, metadata)
    return {**(bundle or {}), **data}, meta


def close_tree(widget: widgets.Widget) -> None:
    """Close ``widget`` and every widget it holds (children, layout, style, …), iteratively."""
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


def in_log_range(value: object, low: float, high: float, what: str) -> float:
    """``value`` as a float if a slider over 10**low … 10**high can show it, else one line."""
    x = as_number(value, what)
    if not 10.0**low <= x <= 10.0**high:
        raise ValueError(f"{what} must be between {10.0**low:g} and {10.0**high:g}, got {x!r}")
    return x


def log_slider(
    description: str, value: float, low: float, high: float, step: float, **options: Any
) -> widgets.FloatLogSlider:
    """A slider over 10**low … 10**high in steps of 10**step, readout of 3 significant digits,
    acting when let go (``options`` override); ``value`` checked by :func:`in_log_range`."""
    import ipywidgets as widgets

    value = in_log_range(value, low, high, description)
    settings: dict[str, Any] = {"readout_format": ".3g", "continuous_update": False, **options}
    return widgets.FloatLogSlider(
        value=value, base=10, min=low, max=high, step=step, description=description, **settings
    )


class Explorer:
    """The base: a subclass gives :attr:`live_widget`, :meth:`static_picture`, a stable repr."""

    @property
    def live_widget(self) -> widgets.Widget:
        raise NotImplementedError

    def static_picture(self) -> tuple[bytes | str, dict[str, Any]]:
        raise NotImplementedError

    @staticmethod
    def set_quietly(pairs: Iterable[tuple[Any, Any]], handler: Callable[[dict], None]) -> None:
        """Set each ``(control, value)`` without calling their ``value`` observer ``handler``."""
        for control, value in pairs:
            control.unobserve(handler, names="value")
            try:
                control.value = value
            finally:  # a refused value leaves the control as it was, still observed
                control.observe(handler, names="value")

    def close(self) -> None:
        """Close the explorer and every widget it holds; then it shows its static picture."""
        close_tree(self.live_widget)
        vars(self).pop("_repr_mimebundle_", None)  # ipywidgets' mark of a closed widget

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        import ipywidgets as widgets

        live = self.live_widget
        bundle = widgets.Widget._repr_mimebundle_(live, **kwargs) if live.comm else None
        return with_static_picture(bundle, repr(self), *self.static_picture())


class HeldExplorer(Explorer):
    """An explorer whose ``self.widget`` is made by :meth:`_hold` and whose matplotlib
    ``figure()`` shows as ``self.png`` with ``alt_text()`` in ``self.picture``, the first static."""

    widget: widgets.VBox
    picture: widgets.HTML
    png: bytes = b""
    _first: tuple[bytes, str] | None = None
    figure: Callable[[], Any]
    alt_text: Callable[[], str]
    update: Callable[[], None]  # recompute and redraw: what a moved control calls

    @property
    def live_widget(self) -> widgets.Widget:
        return self.widget

    def _hold(self, children: Iterable[widgets.Widget], *classes: str) -> None:
        """``self.widget``: a VBox of ``children`` and the accessibility helper, ``classes``."""
        import ipywidgets as widgets

        self.widget = widgets.VBox([*children, explorer_helper()])
        for name in (*classes, A11Y_CLASS):
            self.widget.add_class(name)

    def _on_change(self, change: dict) -> None:
        self.update()

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
