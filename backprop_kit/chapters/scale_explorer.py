"""Chapter 6: a linear classifier on inputs scaled by ``k``: scores ``s = (k X) @ w``, loss
``L = mean log(1 + exp(-y s))`` (y = ±1), descent from ``w = 0`` with ``dw = (k X).T @ dL/ds``.
``dw`` and the first step grow k-fold (large k overshoots, small k crawls); ``lr / k`` gives
k = 1's first step, but only ``lr / k²`` replays its run (rescaling the data is simpler)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np

from backprop_kit.core.gates import sigmoid_of
from backprop_kit.core.text import format_number
from backprop_kit.explorers.a11y import LIVE_CLASS
from backprop_kit.explorers.base import HeldExplorer, in_log_range, log_slider
from backprop_kit.nn.arrays import linear_weight_grad
from backprop_kit.pictures.style import GRAD_COLOR, MUTED, VALUE_COLOR

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

RULES: dict[str, int] = {"lr": 0, "lr/k": 1, "lr/k^2": 2}  # rule -> p of the rate lr / k**p
_RULE_LABELS = {"lr": "same lr", "lr/k": "lr ÷ k", "lr/k^2": "lr ÷ k²"}
DEFAULT_LR = 0.5
DEFAULT_STEPS = 30
K_RANGE = (-3.0, 3.0)  # the data scale slider: 10**-3 … 10**3
LR_RANGE = (-4.0, 1.0)  # the base learning-rate slider: 10**-4 … 10

_fmt = partial(format_number, fmt="about3")  # measurements: about 3 significant digits


def toy_dataset(n_per_class: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping Gaussian blobs: ``X`` (2·n_per_class, 2), labels ``y`` (±1); class +1
    around (1.5, 1.0), class −1 around (−1.0, −1.5), σ = 0.8, from ``default_rng(seed)``."""
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, int) or n_per_class < 1:
        raise ValueError(f"toy_dataset: n_per_class must be a positive int, got {n_per_class!r}")
    rng = np.random.default_rng(seed)
    blobs = [rng.normal(centre, 0.8, (n_per_class, 2)) for centre in ((1.5, 1.0), (-1.0, -1.5))]
    return np.vstack(blobs), np.concatenate([np.ones(n_per_class), -np.ones(n_per_class)])


def loss_and_grad(
    w: np.ndarray, k: float, data: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[float, np.ndarray]:
    """The logistic loss of ``s = (k X) @ w`` and ``dw = (k X).T @ dL/ds``, ``dL/ds = -y σ(-y s)
    / N``. Shapes: w (D,), X (N, D), y (N,) -> dw (D,); ``data``: :func:`toy_dataset`."""
    X, y = toy_dataset() if data is None else data
    margins = -y * ((k * X) @ w)
    loss = float(np.mean(np.logaddexp(0.0, margins)))
    dscores = -y * sigmoid_of(margins) / len(y)
    return loss, linear_weight_grad(X, w, k, dscores)


@dataclass(frozen=True)
class ScaleRun:
    """One run on inputs scaled by ``k`` at rate ``lr``: ``losses[t]`` after t steps
    (``losses[0]`` = ln 2, at ``w = 0``), ``grad_norm`` = |dw| at the start, ``first_step`` =
    lr · |dw|, ``w`` the final weights (2,)."""

    k: float
    lr: float
    losses: tuple[float, ...]
    grad_norm: float
    first_step: float
    w: np.ndarray

    @property
    def final_loss(self) -> float:
        return self.losses[-1]

    def verdict(self, reference: ScaleRun) -> str:
        """'overshoots' (the loss ends above its start, or is not finite), 'crawls' (less than
        half the progress of ``reference``, the k = 1 run) or 'learns'."""
        start = self.losses[0]
        if not math.isfinite(self.final_loss) or self.final_loss > start:
            return "overshoots"
        if start - self.final_loss < 0.5 * (start - reference.final_loss):
            return "crawls"
        return "learns"


def effective_lr(lr: float, k: float, rule: str) -> float:
    """The learning rate a rule uses: ``lr`` ('lr'), ``lr / k`` ('lr/k') or ``lr / k²``."""
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(map(repr, RULES))}, got {rule!r}")
    return lr / k ** RULES[rule]


def train_linear_classifier(
    k: float = 1.0,
    lr: float = DEFAULT_LR,
    steps: int = DEFAULT_STEPS,
    data: tuple[np.ndarray, np.ndarray] | None = None,
) -> ScaleRun:
    """Gradient descent from ``w = 0``: each step ``L, dw = loss_and_grad(w, k)``, then
    ``w -= lr * dw``. Shapes: ``X`` (N, 2), ``y`` (N,), ``w`` (2,); data: :func:`toy_dataset`."""
    for name, v in (("k", k), ("lr", lr)):
        if isinstance(v, bool) or not isinstance(v, Real) or not (0 < v < math.inf):
            raise ValueError(
                f"train_linear_classifier: {name} must be a positive number, got {v!r}"
            )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"train_linear_classifier: steps must be a positive int, got {steps!r}")
    data = toy_dataset() if data is None else data
    w = np.zeros(data[0].shape[1])
    loss, dw = loss_and_grad(w, k, data)
    losses, grad_norm = [loss], float(np.linalg.norm(dw))
    for _ in range(steps):
        w = w - lr * dw
        loss, dw = loss_and_grad(w, k, data)
        losses.append(loss)
    first_step = lr * grad_norm
    return ScaleRun(float(k), float(lr), tuple(losses), grad_norm, first_step, w)


class ScaleExplorer(HeldExplorer):
    """``k_slider``, ``lr_slider``, ``rule_buttons`` ('lr', 'lr/k', 'lr/k^2'), ``reset_button``;
    ``run`` and ``reference`` (k = 1) in ``readout`` (a live region) and ``picture`` (``png``)."""

    def __init__(
        self, k: float = 1.0, lr: float = DEFAULT_LR, rule: str = "lr", steps: int = DEFAULT_STEPS
    ) -> None:
        import ipywidgets as widgets

        k = in_log_range(k, *K_RANGE, "scale_explorer: k")  # before any widget exists
        lr = in_log_range(lr, *LR_RANGE, "scale_explorer: lr")
        effective_lr(lr, k, rule)  # validates the rule
        self._initial = (k, lr, rule)
        self.steps = steps
        self.data = toy_dataset()
        self.k_slider = log_slider("data × k", k, *K_RANGE, 1)
        self.lr_slider = log_slider("base lr", lr, *LR_RANGE, 0.1)
        rules = [(label, name) for name, label in _RULE_LABELS.items()]
        self.rule_buttons = widgets.ToggleButtons(options=rules, value=rule, description="use")
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        self.readout = widgets.HTML()
        self.readout.add_class(LIVE_CLASS)
        self.picture = widgets.HTML()
        controls = [self.k_slider, self.lr_slider], [self.rule_buttons, self.reset_button]
        self._hold([*map(widgets.HBox, controls), self.readout, self.picture])
        self.update()
        for control in (self.k_slider, self.lr_slider, self.rule_buttons):
            control.observe(self._on_change, names="value")
        self.reset_button.on_click(self._on_reset)

    @property
    def k(self) -> float:
        return float(self.k_slider.value)

    @property
    def lr(self) -> float:
        """The learning rate used: the base rate divided as the rule says."""
        return effective_lr(float(self.lr_slider.value), self.k, self.rule_buttons.value)

    def update(self) -> None:
        """Retrain both runs for the current controls; refresh the readout and the picture."""
        base_lr = float(self.lr_slider.value)
        self.reference = train_linear_classifier(1.0, base_lr, self.steps, self.data)
        self.run = train_linear_classifier(self.k, self.lr, self.steps, self.data)
        self.readout.value = self._table()
        self.show_picture()

    def _on_reset(self, button: Any = None) -> None:
        k, lr, rule = self._initial
        pairs = ((self.k_slider, k), (self.lr_slider, lr), (self.rule_buttons, rule))
        self.set_quietly(pairs, self._on_change)  # then recompute once
        self.update()

    def _ratios(self) -> tuple[float, float]:
        """|dw| and the first step at this k, as multiples of those at k = 1."""
        run, ref = self.run, self.reference
        return run.grad_norm / ref.grad_norm, run.first_step / ref.first_step

    def _table(self) -> str:
        ref, run = self.reference, self.run
        ratio_grad, ratio_step = self._ratios()
        rows = [
            ("learning rate used", ref.lr, run.lr, None),
            ("|dw| at the start", ref.grad_norm, run.grad_norm, ratio_grad),
            ("first step lr·|dw|", ref.first_step, run.first_step, ratio_step),
            (f"loss after {self.steps} steps", ref.final_loss, run.final_loss, None),
        ]
        cells = "".join(
            f"<tr><td>{name}</td><td>{_fmt(a)}</td><td>{_fmt(b)}</td>"
            f"<td>{'' if r is None else f'× {_fmt(r)}'}</td></tr>"
            for name, a, b, r in rows
        )
        return (  # the verdict: a word, in the theme's text colour
            "<table style='border-collapse: collapse'>"
            "<tr><th scope='col'>quantity</th><th>k = 1</th>"
            f"<th>k = {_fmt(self.k)}</th><th>ratio</th></tr>"
            f"{cells}</table>"
            f"<p>At k = {_fmt(self.k)} with {_RULE_LABELS[self.rule_buttons.value]}: "
            f"<b>{run.verdict(ref)}</b></p>"
        )

    def figure(self) -> Figure:
        """The picture of the current state, as a matplotlib Figure (not pyplot's)."""
        from matplotlib.figure import Figure

        X, y = self.data
        k, run, ref = self.k, self.run, self.reference
        ratio_grad, ratio_step = self._ratios()
        fig = Figure(figsize=(8.4, 3.3), dpi=80)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.8, wspace=0.25)
        fig.suptitle(
            f"inputs × {_fmt(k)}, lr = {_fmt(run.lr)}: |dw| × {_fmt(ratio_grad)}, first step × "
            f"{_fmt(ratio_step)} (against k = 1): {run.verdict(ref)}",
            fontsize=10,
        )
        ax_data, ax_loss = fig.subplots(1, 2)
        for label, marker, colour in ((1, "o", VALUE_COLOR), (-1, "s", GRAD_COLOR)):
            pts = k * X[y == label]
            ax_data.scatter(*pts.T, s=14, marker=marker, color=colour, label=f"class {label:+d}")
        lim = 1.1 * k * float(np.abs(X).max())
        ax_data.set(xlim=(-lim, lim), ylim=(-lim, lim))
        w = run.w
        if np.all(np.isfinite(w)) and np.linalg.norm(w) > 0:
            # the boundary s = 0 is the line through 0 perpendicular to w
            d = np.array([-w[1], w[0]]) / np.linalg.norm(w) * 2 * lim
            ax_data.plot([-d[0], d[0]], [-d[1], d[1]], color="black", lw=1.2, label="boundary")
        ax_data.set_title("the scaled data: only the axis numbers change", fontsize=9)
        ax_data.legend(fontsize=7, loc="lower right")
        steps = np.arange(len(run.losses))
        ax_loss.semilogy(steps, ref.losses, "--", color=MUTED, label="k = 1")
        run_label = f"k = {_fmt(k)}, lr = {_fmt(run.lr)}"
        ax_loss.semilogy(
            steps, np.clip(run.losses, 1e-12, 1e300), color=GRAD_COLOR, label=run_label
        )
        ax_loss.minorticks_off()
        ax_loss.set(xlabel="step", ylabel="loss")
        ax_loss.set_title("logistic loss while training", fontsize=9)
        ax_loss.legend(fontsize=7)
        return fig

    def alt_text(self) -> str:
        run, ref = self.run, self.reference
        return (
            f"Two plots. Left: the {len(self.data[1])} training points of two classes (+1 as "
            f"circles, -1 as squares), inputs multiplied by {_fmt(self.k)}, with the boundary "
            f"the classifier learned. Right: the logistic loss over {self.steps} steps on a log "
            f"scale: with k = 1 and lr = {_fmt(ref.lr)} (dashed) it goes from "
            f"{_fmt(ref.losses[0])} to {_fmt(ref.final_loss)}; with k = {_fmt(self.k)} and "
            f"lr = {_fmt(run.lr)} (solid) from {_fmt(run.losses[0])} to "
            f"{_fmt(run.final_loss)}: it {run.verdict(ref)}."
        )

    def __repr__(self) -> str:
        k, lr, rule = self._initial
        return f"ScaleExplorer(k={k:g}, lr={lr:g}, rule={rule!r})"


def scale_explorer(k: float = 1.0, lr: float = DEFAULT_LR, rule: str = "lr") -> ScaleExplorer:
    """The chapter-6 explorer: ``scale_explorer(k=1000)`` starts at inputs × 1000."""
    return ScaleExplorer(k=k, lr=lr, rule=rule)
