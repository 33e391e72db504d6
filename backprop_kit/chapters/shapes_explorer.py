"""Chapter 7: ``W`` (M, K) @ ``X`` (K, N) = ``D`` (M, N); ``dW`` must be (M, K), ``dX`` (K, N).
Of the eight products of ``dD`` with the other operand (``dimension_analysis``) one fits at the
notes' (5, 10, 3), several at square sizes; the picture draws both to scale."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from backprop_kit.explorers.a11y import LIVE_CLASS
from backprop_kit.explorers.base import HeldExplorer
from backprop_kit.nn.dimensions import (
    DimensionAnalysis,
    GradientShapeAnalysis,
    dimension_analysis,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

NOTES_SIZES = (5, 10, 3)  # M, K, N of the notes' example: W (5, 10), X (10, 3)
MAX_SIZE = 12


class ShapesExplorer(HeldExplorer):
    """``m_slider``, ``k_slider``, ``n_slider``, ``notes_button`` (5, 10, 3), ``square_button``
    (M = K = N); ``analysis`` of the candidates for dW and dX in ``readout`` (a live region) and
    ``picture`` (the PNG ``png`` with :meth:`alt_text`)."""

    def __init__(self, M: int = 5, K: int = 10, N: int = 3) -> None:
        import ipywidgets as widgets

        self._initial = (M, K, N)
        self.analysis: DimensionAnalysis = _analysis(M, K, N)  # validates

        sliders = tuple(
            widgets.IntSlider(value=v, min=1, max=MAX_SIZE, description=d, continuous_update=False)
            for v, d in ((M, "M (rows of W)"), (K, "K (shared)"), (N, "N (cols of X)"))
        )
        self.m_slider, self.k_slider, self.n_slider = sliders
        for s in sliders:
            s.style.description_width = "110px"
        self.notes_button = widgets.Button(description="Notes' sizes 5, 10, 3")
        self.square_button = widgets.Button(description="Make it square")
        self.readout = widgets.HTML()
        self.readout.add_class(LIVE_CLASS)
        self.picture = widgets.HTML()
        buttons = [self.notes_button, self.square_button]
        self._hold(map(widgets.HBox, (sliders, buttons, [self.picture, self.readout])))
        self.update()
        for s in sliders:
            s.observe(self._on_change, names="value")
        self.notes_button.on_click(lambda _b: self.set_sizes(*NOTES_SIZES))
        self.square_button.on_click(lambda _b: self.set_sizes(*(self.sizes[1],) * 3))

    @property
    def sizes(self) -> tuple[int, int, int]:
        """The current (M, K, N)."""
        return (int(self.m_slider.value), int(self.k_slider.value), int(self.n_slider.value))

    def set_sizes(self, M: int, K: int, N: int) -> None:
        """Move the three sliders and recompute once (sizes they cannot show: one line)."""
        _analysis(M, K, N)
        sliders = (self.m_slider, self.k_slider, self.n_slider)
        self.set_quietly(zip(sliders, (M, K, N)), self._on_change)
        self.update()

    def update(self) -> None:
        """Recompute the analysis for the current sizes; refresh the table and the picture."""
        M, K, N = self.sizes
        self.analysis = dimension_analysis((M, K), (K, N))
        self.readout.value = self._table()
        self.show_picture()

    def _table(self) -> str:
        a = self.analysis
        head = f"<p>W {a.W_shape} @ X {a.X_shape} = D {a.D_shape}; dD has shape {a.D_shape}.</p>"
        return head + _gradient_table(a.dW) + _gradient_table(a.dX)

    def figure(self) -> Figure:
        """The picture of the current state, as a matplotlib Figure (not pyplot's)."""
        from matplotlib.figure import Figure
        from matplotlib.patches import Rectangle

        M, K, N = self.sizes
        gap = 2.5  # room for "@" and "=", in matrix entries
        label_room = 2.6  # above a block: its name and shape
        caption_room = 2.2  # below a row: how many products fit
        width = 3 * MAX_SIZE + 2 * gap + 4
        height = 2 * (MAX_SIZE + label_room + caption_room)
        fig = Figure(figsize=(width * 0.15, height * 0.15), dpi=80)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set(xlim=(0, width), ylim=(-height, 0), aspect="equal")
        fill = {"dD": "#e69f00", "dW": "#0072b2", "dX": "#0072b2"}

        def block(x: float, top: float, name: str, rows: int, cols: int) -> float:
            colour = fill.get(name, "#56b4e9")
            box = Rectangle((x, top - rows), cols, rows, edgecolor="black", facecolor=colour)
            box.set_alpha(0.85)
            ax.add_patch(box)
            label = f"{name}\n{rows}×{cols}"
            ax.text(x + cols / 2, top + 0.3, label, ha="center", va="bottom", fontsize=9)
            return x + cols

        def product(top: float, out: str, left: tuple, right: tuple, fits: int) -> None:
            (a, rows, inner), (b, _inner, cols) = left, right
            x = block(2.0, top, a, rows, inner)
            for sign, (name, r, c) in (("@", (b, _inner, cols)), ("=", (out, rows, cols))):
                ax.text(x + gap / 2, top - 0.5, sign, fontsize=12, ha="center", va="top")
                x = block(x + gap, top, name, r, c)
            caption = _fits(fits, out, (rows, cols))
            ax.text(2.0, top - max(rows, _inner) - 0.6, caption, fontsize=9, va="top")

        a = self.analysis
        product(-label_room, "dW", ("dD", M, N), ("X.T", N, K), len(a.dW.matching))
        dx_top = -2 * label_room - MAX_SIZE - caption_room
        product(dx_top, "dX", ("W.T", K, M), ("dD", M, N), len(a.dX.matching))
        return fig

    def alt_text(self) -> str:
        M, K, N = self.sizes
        a = self.analysis
        dW, dX = (_fits(len(g.matching), g.gradient, g.required_shape) for g in (a.dW, a.dX))
        return (
            f"Two matrix products drawn to scale. dW ({M}×{K}) = dD ({M}×{N}) @ X.T ({N}×{K}): "
            f"{dW}. dX ({K}×{N}) = W.T ({K}×{M}) @ dD ({M}×{N}): {dX}."
        )

    def __repr__(self) -> str:
        M, K, N = self._initial
        return f"ShapesExplorer(M={M}, K={K}, N={N})"


def _fits(n: int, out: str, shape: tuple[int, ...]) -> str:
    return f"{n} of the 8 products {'has' if n == 1 else 'have'} the shape of {out}, {shape}"


def _gradient_table(g: GradientShapeAnalysis) -> str:
    """One HTML table: the eight candidates for one gradient, matching ones in bold."""
    rows = []
    for c in g.candidates:
        if c.shape is None:
            shape, note, style = "—", "undefined", "font-style:italic"
        elif c.matches:
            shape, note, style = str(c.shape), "right shape", "font-weight:bold"
        else:
            shape, note, style = str(c.shape), "wrong shape", ""
        if c.chain_rule:
            note += " ← chain rule"
        rows.append(
            f"<tr style='{style}'><td><code>{html.escape(c.expression)}</code></td>"
            f"<td>{shape}</td><td>{note}</td></tr>"
        )
    count = len(g.matching)
    summary = (
        "exactly one product fits: the shapes decide"
        if count == 1
        else f"{count} products fit: the shapes alone are ambiguous"
    )
    return (
        f"<p><b>{g.gradient}</b> must be {g.required_shape}: {summary}.</p>"
        f"<table style='border-collapse: collapse'>{''.join(rows)}</table>"
    )


def _analysis(M: int, K: int, N: int) -> DimensionAnalysis:
    """The analysis of W (M, K) @ X (K, N) if the sliders can show the sizes, else one line."""
    analysis = dimension_analysis((M, K), (K, N))  # whole positive sizes, or one line
    for name, size in zip("MKN", (M, K, N)):
        if size > MAX_SIZE:
            raise ValueError(f"shapes_explorer: {name} must be at most {MAX_SIZE}, got {size}")
    return analysis


def shapes_explorer(M: int = 5, K: int = 10, N: int = 3) -> ShapesExplorer:
    """The chapter-7 explorer, starting at W (M, K) and X (K, N): the notes' 5, 10, 3."""
    return ShapesExplorer(M, K, N)
