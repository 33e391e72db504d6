"""Chapter 8's explorer: ``ArrayMLP(2, [width, width, 1])`` (ReLU, on arrays: fast) trained on
two moons by gradient descent on micrograd's max-margin loss + L2 (``ALPHA``); its progress bar,
readout and picture come from one committed step record, so a Stop anywhere leaves them agreeing."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from backprop_kit.core.text import format_number
from backprop_kit.explorers.a11y import LIVE_CLASS
from backprop_kit.explorers.base import HeldExplorer, in_log_range, log_slider
from backprop_kit.nn.data import two_moons
from backprop_kit.nn.dimensions import MAX_SEED, whole_number
from backprop_kit.nn.net import ArrayMLP, Diverged
from backprop_kit.pictures.style import GRAD_COLOR, INK, MUTED, VALUE_COLOR

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.figure import Figure

__all__ = ["ALPHA", "TrainExplorer", "accuracy", "train_explorer"]

ALPHA = 1e-4  # L2 strength, as in micrograd's demo
DEFAULT_LR = 0.3
DEFAULT_WIDTH = 16
DEFAULT_STEPS = 50
MAX_WIDTH = 64
MAX_STEPS = 1000
DIVERGED = 10  # a loss this many times the first one has diverged
GRID = 60  # the boundary is evaluated on a GRID x GRID lattice
REDRAWS = 10  # pictures drawn while one Train runs (besides the last)
LR_RANGE = (-3.0, 1.5)  # the learning-rate slider: 10**-3 … 10**1.5 (about 31.6)


def accuracy(net: ArrayMLP, X: np.ndarray, y: np.ndarray) -> float:
    """The fraction of points whose score has the sign of their label (y = ±1)."""
    scores = net.predict(X)[:, 0]
    return float(((scores > 0) * 1.0 - (scores < 0) == y).mean())  # sign(0) = 0: wrong


class Record(NamedTuple):
    """``net``'s ``params`` after ``step`` steps, ``losses[: step + 1]``, and its run: ``run``
    steps asked for from step ``start`` (0: a new network), ``why`` it stopped short."""

    net: ArrayMLP
    params: list
    losses: list[float]
    step: int
    start: int = 0
    run: int = 0
    why: str = ""


class TrainExplorer(HeldExplorer):
    """``step/train/reset_button``, ``steps_box`` (N), ``lr_slider``, ``width_slider``; ``record``
    (``net``, ``losses``, ``steps_taken``) in ``progress``, ``readout`` (live) and ``picture``."""

    def __init__(self, width: int = DEFAULT_WIDTH, lr: float = DEFAULT_LR,
                 steps: int = DEFAULT_STEPS, seed: int = 0) -> None:  # fmt: skip
        import ipywidgets as widgets
        import numpy as np

        width = whole_number(width, "train_explorer: width", 1, MAX_WIDTH)
        lr = in_log_range(lr, *LR_RANGE, "train_explorer: lr")  # what the slider can show
        steps = whole_number(steps, "train_explorer: steps", 1, MAX_STEPS)
        self.seed = whole_number(seed, "train_explorer: seed", 0, MAX_SEED)
        self._initial = (width, float(lr), steps, self.seed)
        self.X, self.y = two_moons()
        lo, hi = self.X.min(axis=0) - 0.5, self.X.max(axis=0) + 0.5
        self._gx, self._gy = np.meshgrid(*(np.linspace(lo[i], hi[i], GRID) for i in (0, 1)))
        self._grid = np.column_stack([self._gx.ravel(), self._gy.ravel()])
        button = widgets.Button
        self.step_button = button(description="Step", icon="step-forward")
        self.step_button.tooltip = "one gradient-descent step"
        self.train_button = button(description="Train", icon="play", tooltip="train N steps")
        self.reset_button = button(description="Reset", icon="undo")
        self.reset_button.tooltip = "back to the initial weights"
        self.steps_box = widgets.BoundedIntText(value=steps, min=1, max=MAX_STEPS)
        self.steps_box.description, self.steps_box.layout.width = "N steps", "11em"
        wide: dict[str, Any] = {"style": {"description_width": "initial"}}
        self.lr_slider = log_slider("learning rate", lr, *LR_RANGE, 0.1, **wide)
        self.width_slider = widgets.IntSlider(value=width, min=1, max=MAX_WIDTH, **wide)
        self.width_slider.description, self.width_slider.continuous_update = "hidden width", False
        self.progress = widgets.IntProgress(value=0, min=0, max=steps, description="progress")
        self.progress.bar_style = "info"
        self.readout, self.picture = widgets.HTML(), widgets.HTML()
        self.readout.add_class(LIVE_CLASS)
        self._buttons = (self.step_button, self.train_button, self.reset_button)
        buttons = [self.step_button, self.steps_box, self.train_button, self.reset_button]
        rows = [widgets.HBox(buttons), widgets.HBox([self.lr_slider, self.width_slider])]
        self._hold([*rows, self.progress, self.readout, self.picture], "bpk-train-explorer")
        self.picture.add_class("bpk-train-picture")
        self._drawn: tuple[list, int] | None = None
        self._new_network()
        self.step_button.on_click(lambda _b: self.train(1))
        self.train_button.on_click(lambda _b: self.train(int(self.steps_box.value)))
        self.reset_button.on_click(lambda _b: self.reset())
        self.width_slider.observe(lambda _c: self._new_network(), names="value")

    net = property(lambda self: self.record.net)
    steps_taken = property(lambda self: self.record.step)
    width = property(lambda self: self.record.net.sizes[1])
    loss = property(lambda self: self.record.losses[self.record.step], doc="The loss now.")
    losses = property(lambda self: self.record.losses[: self.record.step + 1], doc="So far.")

    def _new_network(self) -> None:
        def build() -> None:
            w = int(self.width_slider.value)
            net = ArrayMLP(2, [w, w, 1], activation="relu", seed=self.seed)
            self.record = Record(net, net.params, [net.loss_and_grads(self.X, self.y, ALPHA)[0]], 0)

        self._run(build)

    def reset(self) -> None:
        """The initial weights again (same width, same seed); the learning rate stays."""
        self._new_network()

    def train(self, steps: int) -> None:
        """``steps`` gradient-descent steps at the slider's rate, the picture redrawn ``REDRAWS``
        times; an overflowing step or a loss no longer finite ends the run (the readout says)."""
        steps = whole_number(steps, "train: steps", 1, MAX_STEPS)
        lr, every = float(self.lr_slider.value), max(1, steps // REDRAWS)

        def run() -> None:
            for b in self._buttons:
                b.disabled = True
            self.record = self.record._replace(start=self.record.step, run=steps, why="")
            self.progress.value, self.progress.max = 0, steps
            for i in range(1, steps + 1):
                try:
                    self._take_step(lr)
                except Diverged:
                    self.record = self.record._replace(why=": the next step would overflow")
                    break
                self.progress.value = i
                if not math.isfinite(self.loss):
                    break
                if i % every == 0 and i < steps:
                    self._show(f"training… step {i} of {steps}")

        self._run(run)

    def _take_step(self, lr: float) -> None:
        """One step, committed in one assignment: until then ``record`` is the last step's."""
        rec = self.record
        rec.net.params = rec.params
        rec.net.step(self.X, self.y, lr, ALPHA)
        loss = rec.net.loss_and_grads(self.X, self.y, ALPHA)[0]
        del rec.losses[rec.step + 1 :]
        rec.losses.append(loss)
        self.record = rec._replace(params=rec.net.params, step=rec.step + 1)

    def _run(self, work: Callable[[], None]) -> None:
        """``work()``, then the network, progress bar, readout, picture and buttons from
        ``record``, twice over, so that a Stop anywhere (KeyboardInterrupt) leaves them agreeing."""
        try:
            try:
                work()
            finally:
                self._settle()
        finally:
            self._settle()

    def _settle(self) -> None:
        rec = self.record
        rec.net.params = rec.params
        del rec.losses[rec.step + 1 :]
        done = rec.step - rec.start
        self.progress.max = max(rec.run, 1)  # a value above it is lowered to it
        self.progress.value = done
        status = "done" if done == rec.run else f"stopped at step {done} of {rec.run}{rec.why}"
        self._show("new network" if rec.run == 0 else status)
        for b in self._buttons:
            b.disabled = False

    def _show(self, status: str) -> None:
        rec = self.record
        if self._drawn is None or self._drawn[0] is not rec.params or self._drawn[1] != rec.step:
            self.show_picture()  # the picture shows the weights and losses, not the run
            self._drawn = (rec.params, rec.step)
        self.readout.value = f"<p><b>{status}</b>: {self.summary()}</p>"

    def alt_text(self) -> str:
        """What the picture shows, in words (its alt text)."""
        losses = [x for x in self.losses if math.isfinite(x)]
        curve = "not a number" if not losses else f"{losses[0]:.4g} before any step"
        if len(losses) > 1:
            curve = f"from {losses[0]:.4g} to {losses[-1]:.4g}"
        return (
            f"Two plots. Left: the {len(self.y)} points of two moons (class -1 as circles, "
            f"class +1 as squares) over the regions the network gives each class, with its "
            f"decision boundary. Right: the loss after each of {self.steps_taken} steps on a "
            f"log scale, {curve}. {self.summary()}."
        )

    def summary(self) -> str:
        """One line of plain text: width, steps, loss and accuracy now."""
        head = f"width {self.width}, after {self.steps_taken} steps"
        first, loss = self.record.losses[0], self.loss
        if not math.isfinite(loss) or loss > DIVERGED * first:
            return (
                f"{head}: the loss grew from {first:.4g} to {format_number(loss, '{:.4g}')} "
                f"(diverged: lower the learning rate and press Reset)"
            )
        acc = accuracy(self.net, self.X, self.y)
        return f"{head}: loss {loss:.4f}, {acc:.0%} of the {len(self.y)} points on the right side"

    def figure(self) -> Figure:
        """The data and boundary, and the loss curve, as a matplotlib Figure (not pyplot's)."""
        import numpy as np
        from matplotlib.colors import ListedColormap
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8.4, 3.4), dpi=80)
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.15, top=0.85, wspace=0.25)
        ax_data, ax_loss = fig.subplots(1, 2)
        if math.isfinite(self.loss):
            with np.errstate(over="ignore", invalid="ignore"):
                scores = self.net.predict(self._grid)[:, 0].reshape(self._gx.shape)
            colours = ListedColormap([VALUE_COLOR, GRAD_COLOR])
            grid = (self._gx, self._gy)
            ax_data.contourf(*grid, scores > 0, levels=[-0.5, 0.5, 1.5], cmap=colours, alpha=0.18)
            if scores.min() < 0 < scores.max():
                ax_data.contour(*grid, scores, levels=[0.0], colors=INK, linewidths=1.2)
        dots = {"s": 16, "edgecolors": "white", "linewidths": 0.5}
        for label, marker, colour in ((-1, "o", VALUE_COLOR), (1, "s", GRAD_COLOR)):
            pts = self.X[self.y == label]
            ax_data.scatter(*pts.T, marker=marker, color=colour, label=f"class {label:+d}", **dots)
        ax_data.set(xlim=(self._gx.min(), self._gx.max()), ylim=(self._gy.min(), self._gy.max()))
        ax_data.legend(fontsize=7, loc="lower left")
        ax_data.set_title("decision boundary (score = 0)", fontsize=9)
        losses = np.asarray(self.losses)
        shown = np.where(np.isfinite(losses), losses, np.nan)
        ax_loss.plot(np.arange(len(losses)), shown, color=GRAD_COLOR, lw=1.5)
        ax_loss.set(yscale="log", xlim=(0, max(10, len(losses) - 1)), ylabel="loss")
        ax_loss.set_xlabel("step", color=MUTED)
        ax_loss.set_title("max-margin loss + L2", fontsize=9)
        fig.suptitle(self.summary(), fontsize=9)
        return fig

    def __repr__(self) -> str:
        width, lr, steps, seed = self._initial
        return f"TrainExplorer(width={width}, lr={lr:g}, steps={steps}, seed={seed})"


def train_explorer(
    width: int = DEFAULT_WIDTH, lr: float = DEFAULT_LR, steps: int = DEFAULT_STEPS
) -> TrainExplorer:
    """The chapter-8 explorer: ``train_explorer(width=8, lr=1.0)``."""
    return TrainExplorer(width=width, lr=lr, steps=steps)
