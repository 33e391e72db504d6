"""Circuit diagrams with matplotlib (never pyplot): ``draw(f)`` paints the live SVG's Scene on a
white card that reads the same in light and dark themes. (Not a module ``draw``: it would
replace the function ``backprop_kit.draw`` once imported.)"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

from backprop_kit.core.engine import Value
from backprop_kit.pictures.scene import Scene
from backprop_kit.pictures.style import BACKGROUND, FONT_FAMILY, picture_bundle
from backprop_kit.pictures.view import CircuitView

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DPI = 100  # pixels per inch of the figure, as matplotlib's default
_HA = {"start": "left", "middle": "center", "end": "right"}
_LINE = {"solid_capstyle": "butt", "solid_joinstyle": "round", "zorder": 1}
_TEXT: dict[str, Any] = {"va": "baseline", "family": FONT_FAMILY, "parse_math": False, "zorder": 4}


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
    """The circuit of ``f`` as a :class:`CircuitFigure` (or into ``ax``): inputs left, each
    value above its wire, its gradient below (after ``backward()``, or as ``show_grad`` says).
    ``fmt`` formats the numbers; ``highlight`` (a gate or step number) writes its ``upstream ×
    local = downstream``; ``sigmoid="expanded"`` draws σ as ``*-1 → exp → +1 → 1/x``; ``step=k``
    the pass after k gates; ``names`` writes ``q = 3.00``."""
    view = CircuitView(f, sigmoid=sigmoid, fmt=fmt, names=names)
    fig = render(view.scene(show_grad=show_grad, step=step, highlight=highlight), ax=ax)
    if isinstance(fig, DescribedFigure):
        fig.alt_text = view.describe(show_grad=show_grad, step=step)
    return fig


class DescribedFigure(Figure):
    """A Figure (not pyplot's: freed like any object) shown in a notebook as a PNG at twice
    its DPI (sharp on high-DPI screens) with ``alt_text``: in the metadata (nbconvert's alt)
    and, as JupyterLab ignores that, as an ``<img>`` with that alt in text/html."""

    alt_text: str = ""

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        png, size = png_bytes(self, scale=2)
        return picture_bundle(repr(self), png, {**size, "alt": self.alt_text})


class CircuitFigure(DescribedFigure):
    """The figure of :func:`draw`; its ``alt_text`` is ``describe()`` of the circuit drawn."""


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
    ax.set(xlim=(0, width), ylim=(height, 0))
    ax.set_axis_off()
    ax.add_patch(Rectangle((0, 0), width, height, facecolor=BACKGROUND, edgecolor="none", zorder=0))
    for ln in scene.lines:
        dash = (0, (3, 2)) if ln.dashed else "-"
        line: dict[str, Any] = {"color": ln.color, "linestyle": dash, "gid": ln.role, **_LINE}
        ax.add_line(Line2D(*zip(*ln.points), linewidth=ln.lw * scale, **line))
    for dot in scene.dots:
        ax.add_patch(Circle((dot.x, dot.y), dot.r, facecolor=dot.color, edgecolor="none", zorder=2))
    for b in scene.boxes:
        edge = b.stroke or "none"
        paint: dict[str, Any] = {"facecolor": b.fill, "edgecolor": edge, "zorder": 3, "gid": b.role}
        shape = f"round,pad=0,rounding_size={b.r}"
        ax.add_patch(FancyBboxPatch((b.x, b.y), b.w, b.h, shape, linewidth=b.lw * scale, **paint))
    for t in scene.texts:
        style = "italic" if t.italic else "normal"
        font: dict[str, Any] = {"fontsize": t.size * scale, "style": style, "gid": t.role}
        ax.text(t.x, t.y, t.text, color=t.color, ha=_HA[t.anchor], **font, **_TEXT)
    return fig
