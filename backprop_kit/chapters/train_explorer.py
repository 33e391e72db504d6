"""Chapter 8: train a small network on two moons and watch the loss and the boundary move.

The network is :class:`~backprop_kit.nn.net.ArrayMLP` ``2 → width → width → 1`` with ReLU,
trained by plain gradient descent on the max-margin loss of micrograd's demo (plus a small
L2 term, ``ALPHA``) over all the points of :func:`~backprop_kit.nn.data.two_moons`. It is
the same network as ``nn.MLP`` built from ``Value``s (chapter 8 shows that both give the same
gradients), run on arrays so that a hundred steps take a fraction of a second.

:class:`TrainExplorer` is the widget: **Step** (one step), **Train** (N steps, with a progress
bar and the picture redrawn as it goes), **Reset** (the initial weights again), a learning-rate
slider and a hidden-width slider (a new width starts a new network). The picture shows the
decision boundary over the data (class -1 as circles, class +1 as squares) and the loss curve;
the readout says the same in words. Every control is an ipywidgets button or slider, so it can
be reached with Tab and used with Enter, Space and the arrow keys.

ipywidgets and matplotlib are imported only when an explorer is built.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from backprop_kit.explorers.a11y import LIVE_CLASS
from backprop_kit.explorers.base import HeldExplorer, in_log_range, log_slider
from backprop_kit.nn.data import two_moons
from backprop_kit.nn.net import ArrayMLP
from backprop_kit.pictures.style import GRAD_COLOR, INK, MUTED, VALUE_COLOR

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["ALPHA", "TrainExplorer", "accuracy", "train_explorer"]

ALPHA = 1e-4  # L2 strength, as in micrograd's demo
DEFAULT_LR = 0.3
DEFAULT_WIDTH = 16
DEFAULT_STEPS = 50
MAX_WIDTH = 64
MAX_STEPS = 1000
GRID = 60  # the boundary is evaluated on a GRID x GRID lattice
REDRAWS = 10  # pictures drawn while one Train runs (besides the last)


def accuracy(net: ArrayMLP, X: np.ndarray, y: np.ndarray) -> float:
    """The fraction of points whose score has the sign of their label (y = ±1)."""
    return float(np.mean(np.sign(net.predict(X)[:, 0]) == y))


LR_RANGE = (-3.0, 1.5)
"""The learning-rate slider spans 10**-3 … 10**1.5 (about 31.6)."""


class TrainExplorer(HeldExplorer):
    """Step / Train / Reset buttons, learning-rate and width sliders, a progress bar, a readout
    and a picture (decision boundary and loss curve).

    Parts you can drive from code (as the tests do): ``step_button``, ``train_button``,
    ``steps_box`` (N, an ``IntText``), ``reset_button``, ``lr_slider``, ``width_slider``;
    state in ``net`` (the :class:`~backprop_kit.nn.net.ArrayMLP`), ``losses`` (the loss before
    each step taken, then the current one) and ``steps_taken``; views in ``progress``
    (``IntProgress``), ``readout`` (``HTML``, a live region a screen reader announces) and
    ``picture`` (``HTML``: the PNG in ``png`` as an ``<img>`` whose alt text is
    :meth:`alt_text`).
    """

    def __init__(
        self,
        width: int = DEFAULT_WIDTH,
        lr: float = DEFAULT_LR,
        steps: int = DEFAULT_STEPS,
        seed: int = 0,
    ) -> None:
        import ipywidgets as widgets

        if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= MAX_WIDTH:
            raise ValueError(
                f"train_explorer: width must be an int in 1..{MAX_WIDTH}, got {width!r}"
            )
        lr = in_log_range(lr, *LR_RANGE, "train_explorer: lr")  # what the slider can show
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
            raise ValueError(
                f"train_explorer: steps must be an int in 1..{MAX_STEPS}, got {steps!r}"
            )
        self._initial = (width, float(lr), steps, seed)
        self.seed = seed
        self.X, self.y = two_moons()
        pad = 0.5
        lo, hi = self.X.min(axis=0) - pad, self.X.max(axis=0) + pad
        self._gx, self._gy = np.meshgrid(
            np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID)
        )
        self._grid = np.column_stack([self._gx.ravel(), self._gy.ravel()])

        self.step_button = widgets.Button(
            description="Step", icon="step-forward", tooltip="one gradient-descent step"
        )
        self.train_button = widgets.Button(
            description="Train", icon="play", tooltip="train N steps"
        )
        self.steps_box = widgets.BoundedIntText(
            value=steps,
            min=1,
            max=MAX_STEPS,
            description="N steps",
            layout=widgets.Layout(width="11em"),
        )
        self.reset_button = widgets.Button(
            description="Reset", icon="undo", tooltip="back to the initial weights"
        )
        self.lr_slider = log_slider(
            "learning rate", lr, *LR_RANGE, 0.1, style={"description_width": "initial"}
        )
        self.width_slider = widgets.IntSlider(
            value=width,
            min=1,
            max=MAX_WIDTH,
            description="hidden width",
            continuous_update=False,
            style={"description_width": "initial"},
        )
        self.progress = widgets.IntProgress(
            value=0, min=0, max=steps, description="progress", bar_style="info"
        )
        self.readout = widgets.HTML()
        self.readout.add_class(LIVE_CLASS)
        self.picture = widgets.HTML()
        self._hold(
            [
                widgets.HBox(
                    [self.step_button, self.steps_box, self.train_button, self.reset_button]
                ),
                widgets.HBox([self.lr_slider, self.width_slider]),
                self.progress,
                self.readout,
                self.picture,
            ],
            "bpk-train-explorer",
        )
        self.picture.add_class("bpk-train-picture")
        self._new_network()
        self.step_button.on_click(lambda _b: self.train(1))
        self.train_button.on_click(lambda _b: self.train(int(self.steps_box.value)))
        self.reset_button.on_click(lambda _b: self.reset())
        self.width_slider.observe(lambda _c: self._new_network(), names="value")

    # --- state -----------------------------------------------------------------------------
    @property
    def width(self) -> int:
        """The hidden width of the current network."""
        return int(self.width_slider.value)

    @property
    def loss(self) -> float:
        """The loss at the current weights."""
        return self.losses[-1]

    def _new_network(self) -> None:
        self.net = ArrayMLP(2, [self.width, self.width, 1], activation="relu", seed=self.seed)
        self.steps_taken = 0
        self.losses = [self.net.loss_and_grads(self.X, self.y, ALPHA)[0]]
        self.progress.value = 0
        self._show("new network")

    def reset(self) -> None:
        """The initial weights again (same width, same seed); the learning rate stays."""
        self._new_network()

    def train(self, steps: int) -> None:
        """``steps`` gradient-descent steps at the slider's learning rate, showing progress.

        The progress bar moves every step; the picture and readout are redrawn about
        ``REDRAWS`` times during a long run and once at the end. A loss that stops being a
        finite number ends the run early, and the readout says so.
        """
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
            raise ValueError(f"train: steps must be an int in 1..{MAX_STEPS}, got {steps!r}")
        lr = float(self.lr_slider.value)
        self.progress.max = steps
        self.progress.value = 0
        every = max(1, steps // REDRAWS)
        buttons = (self.step_button, self.train_button, self.reset_button)
        for b in buttons:
            b.disabled = True
        try:
            for i in range(1, steps + 1):
                with np.errstate(over="ignore", invalid="ignore"):
                    self.net.step(self.X, self.y, lr, ALPHA)
                    loss = self.net.loss_and_grads(self.X, self.y, ALPHA)[0]
                self.steps_taken += 1
                self.losses.append(loss)
                self.progress.value = i
                if not math.isfinite(loss):
                    break
                if i % every == 0 and i < steps:
                    self._show(f"training… step {i} of {steps}")
        finally:
            for b in buttons:
                b.disabled = False
        self._show("done")

    # --- views -----------------------------------------------------------------------------
    def _show(self, status: str) -> None:
        # the picture first: once the words say "done", it is final
        self.show_picture()
        self.readout.value = self._text(status)

    def alt_text(self) -> str:
        """What the picture shows, in words (its alt text)."""
        losses = [x for x in self.losses if math.isfinite(x)]
        curve = (
            f"from {losses[0]:.4g} to {losses[-1]:.4g}"
            if len(losses) > 1
            else f"{losses[0]:.4g} before any step"
            if losses
            else "not a number"
        )
        return (
            f"Two plots. Left: the {len(self.y)} points of two moons (class -1 as circles, "
            f"class +1 as squares) over the regions the network gives each class, with its "
            f"decision boundary. Right: the loss after each of {self.steps_taken} steps on a "
            f"log scale, {curve}. {self.summary()}."
        )

    def summary(self) -> str:
        """One line of plain text: width, steps, loss and accuracy now."""
        loss = self.loss
        if not math.isfinite(loss):
            return (
                f"width {self.width}, after {self.steps_taken} steps: the loss is {loss} "
                f"(diverged: lower the learning rate and press Reset)"
            )
        acc = accuracy(self.net, self.X, self.y)
        return (
            f"width {self.width}, after {self.steps_taken} steps: loss {loss:.4f}, "
            f"{acc:.0%} of the {len(self.y)} points on the right side"
        )

    def _text(self, status: str) -> str:
        return f"<p><b>{status}</b>: {self.summary()}</p>"

    def figure(self) -> Figure:
        """The picture of the current state (data and boundary; loss curve), a matplotlib
        Figure (not pyplot's)."""
        from matplotlib.colors import ListedColormap
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8.4, 3.4), dpi=80)
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.85, wspace=0.25)
        ax_data, ax_loss = fig.subplots(1, 2)
        finite = math.isfinite(self.loss)
        if finite:
            with np.errstate(over="ignore", invalid="ignore"):
                scores = self.net.predict(self._grid)[:, 0].reshape(self._gx.shape)
            ax_data.contourf(
                self._gx,
                self._gy,
                scores > 0,
                levels=[-0.5, 0.5, 1.5],
                cmap=ListedColormap([VALUE_COLOR, GRAD_COLOR]),
                alpha=0.18,
            )
            if scores.min() < 0 < scores.max():
                ax_data.contour(
                    self._gx, self._gy, scores, levels=[0.0], colors=INK, linewidths=1.2
                )
        for label, marker, colour in ((-1, "o", VALUE_COLOR), (1, "s", GRAD_COLOR)):
            pts = self.X[self.y == label]
            ax_data.scatter(
                pts[:, 0],
                pts[:, 1],
                s=16,
                marker=marker,
                color=colour,
                edgecolors="white",
                linewidths=0.5,
                label=f"class {label:+d}",
            )
        ax_data.set_xlim(self._gx.min(), self._gx.max())
        ax_data.set_ylim(self._gy.min(), self._gy.max())
        ax_data.legend(fontsize=7, loc="lower left")
        ax_data.set_title("decision boundary (score = 0)", fontsize=9)
        losses = np.asarray(self.losses)
        shown = np.where(np.isfinite(losses), losses, np.nan)
        ax_loss.plot(np.arange(len(losses)), shown, color=GRAD_COLOR, lw=1.5)
        ax_loss.set_yscale("log")
        ax_loss.set_xlim(0, max(10, len(losses) - 1))
        ax_loss.set_xlabel("step", color=MUTED)
        ax_loss.set_ylabel("loss")
        ax_loss.set_title("max-margin loss + L2", fontsize=9)
        fig.suptitle(self.summary(), fontsize=9)
        return fig

    # --- display ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        width, lr, steps, seed = self._initial
        return f"TrainExplorer(width={width}, lr={lr:g}, steps={steps}, seed={seed})"


def train_explorer(
    width: int = DEFAULT_WIDTH, lr: float = DEFAULT_LR, steps: int = DEFAULT_STEPS
) -> TrainExplorer:
    """The chapter-8 explorer: ``train_explorer(width=8, lr=1.0)``."""
    return TrainExplorer(width=width, lr=lr, steps=steps)
