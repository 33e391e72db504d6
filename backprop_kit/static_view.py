"""A live widget that still shows a picture where no widget front-end runs.

JupyterLab draws a widget from the ``application/vnd.jupyter.widget-view+json`` entry of its
display bundle. nbval, nbconvert and a code host's notebook viewer cannot; they fall back to
``image/png`` and ``text/plain``. So every explorer of the kit adds a PNG of its first picture
and a stable text (no memory addresses, so nbval can compare it) to ipywidgets' own bundle, and an
alt text for the PNG in the output's metadata.
"""

from __future__ import annotations

import base64
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
    data["text/html"] = img_html(data["image/png"], alt, metadata.get("width"),
                                 metadata.get("height"))
    return data, {"image/png": dict(metadata)}
