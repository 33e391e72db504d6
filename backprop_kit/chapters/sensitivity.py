"""How sensitive an expression is to its inputs: :func:`backprop_grads` (exact);
:func:`difference_errors` for many h, forward (f(x + h) − f(x)) / h (truncation ≈ h·f''/2) and
central (f(x + h) − f(x − h)) / 2h (≈ h²·f'''/6) as round-off ≈ ε·|f|/h grows; and
:func:`one_sided_slopes`, which differ at a kink. numpy for the error table only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backprop_kit.core.engine import Value, as_number
from backprop_kit.core.numeric import backprop_grads, numerical_grad, text_table

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The step sizes of the error table: 1e-1, 1e-2, …, 1e-15 (each the float nearest 10⁻ᵏ).
DEFAULT_HS: tuple[float, ...] = tuple(float(f"1e-{k}") for k in range(1, 16))


@dataclass(frozen=True)
class DifferenceErrors:
    """Forward and central differences of a one-input function at ``x``: ``exact`` = f'(x);
    ``hs``, ``forward``, ``central``: the steps and the two estimates, shape (n,) each."""

    x: float
    exact: float
    hs: np.ndarray
    forward: np.ndarray
    central: np.ndarray

    def errors(self, method: str) -> np.ndarray:
        """|estimate − exact| for ``method`` ("forward" or "central"), shape (n,)."""
        if method not in ("forward", "central"):
            raise ValueError(f"method must be 'forward' or 'central', got {method!r}")
        return abs(getattr(self, method) - self.exact)

    def slope(self, method: str, h_min: float = 1e-4, h_max: float = 1e-1) -> float:
        """The slope of log10(error) on log10(h), h_min ≤ h ≤ h_max, zero errors left out: ~1
        (forward) or ~2 (central) where truncation dominates, −1 where round-off does."""
        import numpy as np

        err = self.errors(method)
        keep = (self.hs >= h_min) & (self.hs <= h_max) & (err > 0)
        if keep.sum() < 2:
            raise ValueError(
                f"slope needs at least two steps with a non-zero error in [{h_min:g}, {h_max:g}]"
                f"; found {int(keep.sum())}"
            )
        slope, _ = np.polyfit(np.log10(self.hs[keep]), np.log10(err[keep]), 1)
        return float(slope)

    def best_h(self, method: str) -> float:
        """The step size with the smallest error for ``method``."""
        return float(self.hs[int(self.errors(method).argmin())])

    def __repr__(self) -> str:
        columns = [("h", "7.0e"), ("forward", "16.10f"), ("error", "7.1e")]
        columns += [("central", "16.10f"), ("error", "7.1e")]
        err = self.errors
        rows = zip(self.hs, self.forward, err("forward"), self.central, err("central"))
        head = f"exact derivative at x = {self.x:g}: {self.exact:.12g}"
        return head + "\n" + text_table(columns, rows)


def difference_errors(
    fn: Callable[..., object],
    x: float,
    hs: Sequence[float] = DEFAULT_HS,
    exact: float | None = None,
) -> DifferenceErrors:
    """Forward and central differences of ``fn`` (one ``Value`` in, a ``Value`` or a number
    out) at ``x`` for every step in ``hs``; ``exact`` defaults to backprop's derivative."""
    import numpy as np

    x = as_number(x, "x")  # fn and each h are checked by numerical_grad
    hs_list = [as_number(h, "h") for h in hs]
    if not hs_list:
        raise ValueError("hs is empty; give at least one step size such as 1e-5")
    exact = as_number(backprop_grads(fn, x)[0] if exact is None else exact, "exact")
    fwd = [numerical_grad(fn, x, h=h, method="forward")[0] for h in hs_list]
    cen = [numerical_grad(fn, x, h=h, method="central")[0] for h in hs_list]
    return DifferenceErrors(x, exact, np.array(hs_list), np.array(fwd), np.array(cen))


def plot_difference_errors(
    table: DifferenceErrors, ax: Axes | None = None, guides: bool = True
) -> Figure:
    """Log-log plot of both errors against h (zeros left out), with ``guides`` of slope 1 and
    2; without ``ax``, a ``DescribedFigure`` whose alt text is :func:`difference_errors_alt`."""
    from backprop_kit.pictures.drawing import DescribedFigure
    from backprop_kit.pictures.style import GRAD_COLOR, VALUE_COLOR

    fig: Figure
    if ax is None:
        described = DescribedFigure(figsize=(6.4, 4.2), layout="tight")
        described.alt_text = difference_errors_alt(table)
        fig, ax = described, described.add_subplot()
    else:
        fig = ax.figure  # type: ignore[assignment]
    curves = (("forward", VALUE_COLOR, "o", 1), ("central", GRAD_COLOR, "s", 2))
    for method, colour, marker, power in curves:
        err = table.errors(method)
        keep = err > 0
        label = f"{method} difference"
        ax.loglog(table.hs[keep], err[keep], marker=marker, color=colour, label=label)
        if guides:
            i0 = int(table.hs.argmax())
            h0, e0 = table.hs[i0], err[i0]
            span = table.hs[table.hs >= table.best_h(method)]
            if e0 > 0 and span.size >= 2:  # 4× above the data: parallel means the same slope
                label = f"slope {power} (error ∝ h{'²' if power == 2 else ''})"
                guide = 4 * e0 * (span / h0) ** power
                ax.loglog(span, guide, "--", color=colour, alpha=0.7, label=label)
    ax.text(0.02, 0.97, "← round-off wins", transform=ax.transAxes, va="top", ha="left")
    ax.text(0.98, 0.97, "truncation wins →", transform=ax.transAxes, va="top", ha="right")
    title = f"Error of the finite differences at x = {table.x:g}"
    ax.set(xlabel="step size h", ylabel="|numerical − exact|", title=title)
    bottom, top = ax.get_ylim()
    ax.set_ylim(max(1e-17, bottom), top * 100)  # head-room for the two captions
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def difference_errors_alt(table: DifferenceErrors) -> str:
    """The plot in words: its axes, each curve's best step and error, the measured slopes."""
    parts = []
    for method in ("forward", "central"):
        err = table.errors(method)
        best = table.best_h(method)
        try:
            slope = f", slope {table.slope(method):.1f} for large h"
        except ValueError:
            slope = ""
        parts.append(
            f"{method} difference: smallest error {float(err.min()):.1e} at h = {best:.0e}{slope}"
        )
    return (
        f"Log-log plot of the error of the finite differences at x = {table.x:g} against the "
        f"step size h, from h = {float(table.hs.max()):.0e} to {float(table.hs.min()):.0e}. "
        f"The error first falls as h shrinks (truncation error), then rises again (round-off "
        f"error). {'; '.join(parts)}."
    )


@dataclass(frozen=True)
class SideSlopes:
    """One input's slopes at a point: from the left, from the right, centred, and backprop's."""

    name: str
    left: float
    right: float
    central: float
    backprop: float


class SlopeTable(tuple):
    """The result of :func:`one_sided_slopes`: one :class:`SideSlopes` per input, as a table."""

    def __repr__(self) -> str:
        name = ("input", f"<{max(5, *(len(s.name) for s in self))}")
        columns = [name, *((c, "8.4f") for c in ("left", "right", "central", "backprop"))]
        return text_table(columns, [(s.name, s.left, s.right, s.central, s.backprop) for s in self])


def one_sided_slopes(
    fn: Callable[..., Value],
    *inputs: float | Value,
    h: float = 1e-6,
    names: Sequence[str] | None = None,
) -> SlopeTable:
    """Per input (rows named by ``names``, x0, x1, …): (f(x) − f(x − h))/h, (f(x + h) − f(x))/h,
    the central difference and backprop's gradient; at a kink left and right differ."""
    names = [f"x{i}" for i in range(len(inputs))] if names is None else names
    if len(names) != len(inputs):
        raise ValueError(
            f"names has {len(names)} entries for {len(inputs)} inputs; give one per input"
        )
    exact = backprop_grads(fn, *inputs)  # it checks fn and the inputs, numerical_grad h
    left, right, central = (
        numerical_grad(fn, *inputs, h=h, method=m) for m in ("backward", "forward", "central")
    )
    return SlopeTable(SideSlopes(*row) for row in zip(names, left, right, central, exact))
