"""Circuit diagrams with matplotlib: ``draw(f)`` returns a Figure of f's circuit.

(The module is ``drawing``, not ``draw``: a submodule named ``draw`` would replace the function
``backprop_kit.draw`` by the module as soon as it was imported.)

Inputs stand on the left and the output on the right; each gate is a small node with its
symbol; every wire carries its forward value above it (blue) and its gradient below it
(vermillion), once ``f.backward()`` has run. The layout comes from :mod:`layout`
(the same one the live widgets draw as SVG).

The picture is a white card with dark ink, so it reads the same in JupyterLab's light and
dark themes. The figure is a :class:`CircuitFigure`, a plain matplotlib ``Figure`` that is not
registered with pyplot (nothing leaks, nothing is shown twice) and shows itself in a notebook
as a PNG with its alt text (``describe(f)``); its text repr is stable
(``<CircuitFigure size 451x199 with 1 Axes>``).

This module imports matplotlib (never pyplot); ``import backprop_kit`` does not import it.
"""

from __future__ import annotations

import base64
import io
import math
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

from backprop_kit.core.engine import Value
from backprop_kit.pictures.scene import Scene
from backprop_kit.pictures.style import BACKGROUND, FONT_FAMILY, img_html
from backprop_kit.pictures.view import CircuitView

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DPI = 100  # pixels per inch of the figure, as matplotlib's default
_HA = {"start": "left", "middle": "center", "end": "right"}


def draw(
    f: Value,
    *,
    fmt: str = "{:.2f}",
    highlight: Value | int | None = None,
    sigmoid: str = "gate",
    show_grad: bool | None = None,
    step: int | None = None,
    names: bool = True,
    ax: Axes | None = None,
) -> Figure:
    """The circuit of ``f`` as a matplotlib Figure, numbers on every wire.

    Args:
        f: the circuit's output Value.
        fmt: format of every number; ``"{:.2f}"`` gives the notes' two decimals.
        highlight: mark one gate and write ``upstream × local = downstream`` for it: a gate of
            the circuit (a Value), or its step number in the backward pass (1 = the output
            gate, the first that ``backward()`` processes).
        sigmoid: ``"gate"`` draws σ as one gate; ``"expanded"`` as ``*-1 → exp → +1 → 1/x``,
            each with its own value and gradient.
        show_grad: ``None`` (auto) shows gradients iff ``f.grad != 0``, i.e. after
            ``f.backward()``; ``True``/``False`` force them on/off.
        step: show the backward pass after this many gates (0 … number of gates): gradients
            only where the pass has reached, gate ``step`` marked with its
            ``upstream × local = downstream``. Computed aside: no ``.grad`` is changed.
        names: write named intermediate wires as ``q = 3.00``.
        ax: draw into these axes instead of a new figure (texts scale to the axes' size).

    Returns:
        The Figure (``ax.figure`` when ``ax`` is given). Save it with ``fig.savefig("c.svg")``.
    """
    view = CircuitView(f, sigmoid=sigmoid, fmt=fmt, names=names)
    fig = render(view.scene(show_grad=show_grad, step=step, highlight=highlight), ax=ax)
    if isinstance(fig, DescribedFigure):
        fig.alt_text = view.describe(show_grad=show_grad, step=step)
    return fig


class DescribedFigure(Figure):
    """A matplotlib Figure that shows itself in a notebook as one PNG image with alt text.

    The PNG is drawn at twice the figure's DPI and displayed at the figure's size, so it stays
    sharp on high-DPI screens. ``alt_text`` (what the picture shows, in words) goes into the
    output's metadata as ``{"image/png": {"alt": ...}}`` (nbconvert's HTML writes it as the
    ``alt`` of the ``<img>``) and, as JupyterLab ignores that, the same PNG also comes as
    ``text/html``: an ``<img>`` with that alt, which JupyterLab prefers. Not registered with
    pyplot: it is freed like any object.
    """

    alt_text: str = ""

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> tuple[dict[str, str], dict[str, dict[str, int | str]]]:
        if not self.alt_text.strip():  # a picture of the kit's is never shown without words
            raise ValueError("this figure has no alt text: set fig.alt_text to what it shows")
        png, size = png_bytes(self, scale=2)
        data = {"text/plain": repr(self), "image/png": base64.b64encode(png).decode("ascii")}
        meta: dict[str, int | str] = dict(size)
        meta["alt"] = self.alt_text
        data["text/html"] = img_html(data["image/png"], self.alt_text, **size)
        return data, {"image/png": meta}


class CircuitFigure(DescribedFigure):
    """The figure of :func:`draw`: its ``alt_text`` is :func:`backprop_kit.describe` of the
    circuit, as drawn."""


def png_bytes(fig: Figure, scale: int = 2) -> tuple[bytes, dict[str, int]]:
    """The PNG of ``fig`` drawn at ``scale`` × its DPI, and its display size in pixels."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi * scale, facecolor=fig.get_facecolor())
    w, h = fig.get_size_inches() * fig.dpi
    return buf.getvalue(), {"width": round(w), "height": round(h)}


def render(scene: Scene, ax: Axes | None = None) -> Figure:
    """Paint a :class:`~scene.Scene` with matplotlib; returns the Figure."""
    width, height = scene.width, scene.height
    if ax is None:
        # a whole number of pixels (at DPI), so the figure's repr is short and stable
        px_w, px_h = math.ceil(width * DPI / 72), math.ceil(height * DPI / 72)
        width, height = px_w * 72 / DPI, px_h * 72 / DPI
        fig = CircuitFigure(figsize=(px_w / DPI, px_h / DPI), dpi=DPI)
        fig.set_facecolor(BACKGROUND)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        scale = 1.0
    else:
        # (the axes of a subfigure are not supported)
        fig = ax.figure  # type: ignore[assignment]
        box = ax.get_position()
        w_pt, h_pt = fig.get_size_inches() * 72 * (box.width, box.height)
        scale = min(w_pt / width, h_pt / height)
        ax.set_aspect("equal")
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()
    ax.add_patch(Rectangle((0, 0), width, height, facecolor=BACKGROUND, edgecolor="none", zorder=0))
    for line in scene.lines:
        xs, ys = zip(*line.points)
        artist = Line2D(
            xs,
            ys,
            color=line.color,
            linewidth=line.lw * scale,
            linestyle=(0, (3, 2)) if line.dashed else "-",
            solid_capstyle="butt",
            solid_joinstyle="round",
            zorder=1,
        )
        artist.set_gid(line.role)
        ax.add_line(artist)
    for dot in scene.dots:
        ax.add_patch(Circle((dot.x, dot.y), dot.r, facecolor=dot.color, edgecolor="none", zorder=2))
    for b in scene.boxes:
        patch = FancyBboxPatch(
            (b.x, b.y),
            b.w,
            b.h,
            boxstyle=f"round,pad=0,rounding_size={b.r}",
            facecolor=b.fill,
            edgecolor=b.stroke or "none",
            linewidth=b.lw * scale,
            zorder=3,
        )
        patch.set_gid(b.role)
        ax.add_patch(patch)
    for t in scene.texts:
        ax.text(
            t.x,
            t.y,
            t.text,
            fontsize=t.size * scale,
            color=t.color,
            ha=_HA[t.anchor],
            va="baseline",
            family=FONT_FAMILY,
            style="italic" if t.italic else "normal",
            parse_math=False,
            zorder=4,
            gid=t.role,
        )
    return fig
