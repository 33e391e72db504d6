"""A live widget that still shows a picture where no widget front-end runs.

JupyterLab draws a widget from the ``application/vnd.jupyter.widget-view+json`` entry of its
display bundle. nbval, nbconvert and a code host's notebook viewer cannot; they fall back to
``image/png`` and ``text/plain``. So every explorer of the kit adds a PNG of its first picture
and a stable text (no memory addresses, so nbval can compare it) to ipywidgets' own bundle, and an
alt text for the PNG in the output's metadata. :class:`HeldExplorer` is what the explorers
that hold their live view in ``.widget`` share: that bundle, figure to PNG, the quiet setter.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable
from typing import Any

from backprop_kit.a11y import img_html


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


class HeldExplorer:
    """The base of an explorer whose live view is ``self.widget``: a subclass sets ``widget``,
    ``_initial_png``, ``_initial_alt`` (first picture, alt text), ``figure()`` and a stable
    ``__repr__``; this base gives the display bundle, the PNG and the quiet setter."""

    widget: Any
    _initial_png: bytes
    _initial_alt: str
    figure: Callable[[], Any]  # a matplotlib Figure of the current state

    def _draw(self) -> bytes:
        """The PNG of :meth:`figure`."""
        buf = io.BytesIO()
        self.figure().savefig(buf, format="png")
        return buf.getvalue()

    @staticmethod
    def set_quietly(pairs: Iterable[tuple[Any, Any]], handler: Callable[[dict], None]) -> None:
        """Set each ``(control, value)`` without calling ``handler``, the controls' observer
        of ``value`` (so moving several controls recomputes once, when the caller says)."""
        for control, value in pairs:
            control.unobserve(handler, names="value")
            control.value = value
            control.observe(handler, names="value")

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """ipywidgets' bundle (the live view) plus a PNG of the first picture, with its alt
        text, for static viewers; ``text/plain`` is this object's stable repr."""
        live = self.widget._repr_mimebundle_(**kwargs)
        return with_static_picture(live, repr(self), self._initial_png, {"alt": self._initial_alt})
