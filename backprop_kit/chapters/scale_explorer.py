"""Chapter 6: a tiny linear classifier on inputs scaled by ``k`` (data scale vs learning rate).

The classifier scores an example ``x`` (a 2-vector) as ``s = (k x) · w`` and is trained by
gradient descent on the logistic loss ``L = mean_n log(1 + exp(-y_n s_n))`` with labels
``y_n = ±1``, starting from ``w = 0``. The weight gradient comes from
:func:`backprop_kit.nn.arrays.linear_weight_grad`, ``dw = (k X).T @ dL/ds``, so it is exactly
``k`` times the gradient at ``k = 1`` whenever the scores are the same.

What the numbers show:

* the weight gradient at the start grows ``k``-fold (at ``w = 0`` the scores are 0 for every
  ``k``, so ``dL/ds`` is the same and only the factor ``k`` changes);
* with the same learning rate the first step ``lr · |dw|`` grows ``k``-fold too: for large ``k``
  the first step overshoots (the loss jumps far above where it started and is still above it
  after the last step), for small ``k`` the loss crawls;
* dividing the learning rate by ``k`` makes that first step exactly as long as at ``k = 1``;
  but each weight now also multiplies inputs ``k`` times larger, so the scores still move
  ``k`` times as far. Only ``lr / k²`` replays the ``k = 1`` run (then ``k · w`` is the same
  at every step). Rescaling the data itself is the simpler cure.

``train_linear_classifier`` does the arithmetic (NumPy only); :class:`ScaleExplorer` is the
widget (ipywidgets and matplotlib are imported only when one is built).
"""

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

__all__ = [
    "RULES",
    "ScaleExplorer",
    "ScaleRun",
    "effective_lr",
    "loss_and_grad",
    "scale_explorer",
    "toy_dataset",
    "train_linear_classifier",
]

# learning-rate rules: name -> power p of the effective rate lr / k**p
RULES: dict[str, int] = {"lr": 0, "lr/k": 1, "lr/k^2": 2}
_RULE_LABELS = {"lr": "same lr", "lr/k": "lr ÷ k", "lr/k^2": "lr ÷ k²"}
DEFAULT_LR = 0.5
DEFAULT_STEPS = 30

_fmt = partial(format_number, fmt="about3")  # measurements: about 3 significant digits


def toy_dataset(n_per_class: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two overlapping Gaussian blobs in 2-D: ``X`` (2·n_per_class, 2) and labels ``y`` (±1).

    Class +1 is centred at (1.5, 1.0), class −1 at (−1.0, −1.5), both with standard deviation
    0.8, drawn from ``np.random.default_rng(seed)`` (so the same seed gives the same data).
    """
    if isinstance(n_per_class, bool) or not isinstance(n_per_class, int) or n_per_class < 1:
        raise ValueError(f"toy_dataset: n_per_class must be a positive int, got {n_per_class!r}")
    rng = np.random.default_rng(seed)
    X = np.vstack(
        [
            rng.normal((1.5, 1.0), 0.8, (n_per_class, 2)),
            rng.normal((-1.0, -1.5), 0.8, (n_per_class, 2)),
        ]
    )
    y = np.concatenate([np.ones(n_per_class), -np.ones(n_per_class)])
    return X, y


def loss_and_grad(
    w: np.ndarray, k: float, data: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[float, np.ndarray]:
    """Logistic loss of the scores ``s = (k X) @ w`` and its weight gradient ``dw``.

    Math: ``L = mean_n log(1 + exp(-y_n s_n))``; backward: ``dL/ds = -y σ(-y s) / N``, then
    the scale helper's ``dw = (k X).T @ dL/ds``. Shapes: ``w`` (D,), ``X`` (N, D), ``y`` (N,)
    -> ``dw`` (D,). ``data`` defaults to :func:`toy_dataset`.
    """
    X, y = toy_dataset() if data is None else data
    margins = -y * ((k * X) @ w)
    loss = float(np.mean(np.logaddexp(0.0, margins)))
    dscores = -y * sigmoid_of(margins) / len(y)
    return loss, linear_weight_grad(X, w, k, dscores)


@dataclass(frozen=True)
class ScaleRun:
    """One training run of the linear classifier on inputs scaled by ``k``.

    ``lr`` is the learning rate actually used; ``losses[t]`` the loss after ``t`` steps
    (``losses[0]`` at ``w = 0``, always ln 2); ``grad_norm`` is ``|dw|`` at the start;
    ``first_step`` is ``|Δw| = lr · |dw|`` of the first step; ``w`` the final weights (2,).
    """

    k: float
    lr: float
    losses: tuple[float, ...]
    grad_norm: float
    first_step: float
    w: np.ndarray

    @property
    def final_loss(self) -> float:
        """The loss after the last step."""
        return self.losses[-1]

    def verdict(self, reference: ScaleRun) -> str:
        """'overshoots', 'crawls' or 'learns', judged against a ``reference`` run (k = 1).

        Overshoots: the loss ends above where it started (or is not finite). Crawls: it made
        less than half the progress (starting loss minus final loss) of the reference.
        """
        start = self.losses[0]
        if not math.isfinite(self.final_loss) or self.final_loss > start:
            return "overshoots"
        progress = start - self.final_loss
        if progress < 0.5 * (start - reference.final_loss):
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
    """Gradient descent on the logistic loss of scores ``s = (k X) @ w``, from ``w = 0``.

    Each step: ``L, dw = loss_and_grad(w, k)`` (``dw = (k X).T @ dL/ds`` from
    :func:`~backprop_kit.nn.arrays.linear_weight_grad`); ``w -= lr * dw``.
    Shapes: ``X`` (N, 2), ``y`` (N,), ``w`` (2,); ``data`` defaults to :func:`toy_dataset`.
    """
    for name, v in (("k", k), ("lr", lr)):
        if isinstance(v, bool) or not isinstance(v, Real) or not (0 < v < math.inf):
            raise ValueError(
                f"train_linear_classifier: {name} must be a positive number, got {v!r}"
            )
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"train_linear_classifier: steps must be a positive int, got {steps!r}")
    data = toy_dataset() if data is None else data
    w = np.zeros(data[0].shape[1])
    losses = []
    grad_norm = first_step = 0.0
    for t in range(steps + 1):
        loss, dw = loss_and_grad(w, k, data)
        losses.append(loss)
        if t == steps:
            break
        if t == 0:
            grad_norm = float(np.linalg.norm(dw))
            first_step = lr * grad_norm
        w = w - lr * dw
    return ScaleRun(float(k), float(lr), tuple(losses), grad_norm, first_step, w)


K_RANGE = (-3.0, 3.0)
"""The data scale slider spans 10**-3 … 10**3."""
LR_RANGE = (-4.0, 1.0)
"""The base learning-rate slider spans 10**-4 … 10."""


class ScaleExplorer(HeldExplorer):
    """Sliders for the data scale ``k`` and the learning rate, a learning-rate rule, a readout
    table (k = 1 reference vs the current k) and a picture: the scaled data with the learned
    boundary, and both loss curves.

    Parts you can drive from code (as the tests do): ``k_slider``, ``lr_slider``,
    ``rule_buttons`` (values 'lr', 'lr/k', 'lr/k^2'), ``reset_button``; results in ``run``,
    ``reference``, ``readout`` (an ``ipywidgets.HTML``, a live region) and ``picture`` (an
    ``ipywidgets.HTML`` holding the PNG as an ``<img>`` whose alt text is :meth:`alt_text`);
    ``png`` is the picture's PNG.
    """

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
        self.rule_buttons = widgets.ToggleButtons(
            options=[(label, name) for name, label in _RULE_LABELS.items()],
            value=rule,
            description="use",
        )
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        self.readout = widgets.HTML()
        self.readout.add_class(LIVE_CLASS)
        self.picture = widgets.HTML()
        self._hold(
            [
                widgets.HBox([self.k_slider, self.lr_slider]),
                widgets.HBox([self.rule_buttons, self.reset_button]),
                self.readout,
                self.picture,
            ],
        )
        self.update()
        for control in (self.k_slider, self.lr_slider, self.rule_buttons):
            control.observe(self._on_change, names="value")
        self.reset_button.on_click(self._on_reset)

    # --- state -----------------------------------------------------------------------------
    @property
    def k(self) -> float:
        """The current data scale."""
        return float(self.k_slider.value)

    @property
    def lr(self) -> float:
        """The learning rate actually used: the base rate divided as the rule says."""
        return effective_lr(float(self.lr_slider.value), self.k, self.rule_buttons.value)

    def update(self) -> None:
        """Retrain both runs for the current controls; refresh the readout and the picture."""
        base_lr = float(self.lr_slider.value)
        self.reference = train_linear_classifier(1.0, base_lr, self.steps, self.data)
        self.run = train_linear_classifier(self.k, self.lr, self.steps, self.data)
        self.readout.value = self._table()
        self.show_picture()

    def _on_change(self, change: dict) -> None:
        self.update()

    def _on_reset(self, button: Any = None) -> None:
        k, lr, rule = self._initial
        # set the controls quietly, then recompute once
        pairs = ((self.k_slider, k), (self.lr_slider, lr), (self.rule_buttons, rule))
        self.set_quietly(pairs, self._on_change)
        self.update()

    # --- views -----------------------------------------------------------------------------
    def _table(self) -> str:
        ref, run = self.reference, self.run
        ratio_grad = run.grad_norm / ref.grad_norm
        ratio_step = run.first_step / ref.first_step
        rows = [
            ("learning rate used", _fmt(ref.lr), _fmt(run.lr), ""),
            (
                "|dw| at the start",
                _fmt(ref.grad_norm),
                _fmt(run.grad_norm),
                f"× {_fmt(ratio_grad)}",
            ),
            (
                "first step lr·|dw|",
                _fmt(ref.first_step),
                _fmt(run.first_step),
                f"× {_fmt(ratio_step)}",
            ),
            (f"loss after {self.steps} steps", _fmt(ref.final_loss), _fmt(run.final_loss), ""),
        ]
        cells = "".join(
            f"<tr><td>{name}</td><td>{a}</td><td>{b}</td><td>{r}</td></tr>"
            for name, a, b, r in rows
        )
        verdict = run.verdict(ref)  # a word, in the theme's text colour
        return (
            "<table style='border-collapse: collapse'>"
            "<tr><th scope='col'>quantity</th><th>k = 1</th>"
            f"<th>k = {_fmt(self.k)}</th><th>ratio</th></tr>"
            f"{cells}</table>"
            f"<p>At k = {_fmt(self.k)} with {_RULE_LABELS[self.rule_buttons.value]}: "
            f"<b>{verdict}</b></p>"
        )

    def figure(self) -> Figure:
        """The picture of the current state, as a matplotlib Figure (not pyplot's)."""
        from matplotlib.figure import Figure

        X, y = self.data
        k, run, ref = self.k, self.run, self.reference
        fig = Figure(figsize=(8.4, 3.3), dpi=80)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.8, wspace=0.25)
        fig.suptitle(
            f"inputs × {_fmt(k)}, lr = {_fmt(run.lr)}: |dw| × {_fmt(run.grad_norm / ref.grad_norm)}"
            f", first step × {_fmt(run.first_step / ref.first_step)} (against k = 1): "
            f"{run.verdict(ref)}",
            fontsize=10,
        )
        ax_data, ax_loss = fig.subplots(1, 2)
        for label, marker, colour in ((1, "o", VALUE_COLOR), (-1, "s", GRAD_COLOR)):
            pts = k * X[y == label]
            ax_data.scatter(
                pts[:, 0], pts[:, 1], s=14, marker=marker, color=colour, label=f"class {label:+d}"
            )
        lim = 1.1 * k * float(np.abs(X).max())
        ax_data.set_xlim(-lim, lim)
        ax_data.set_ylim(-lim, lim)
        w = run.w
        if np.all(np.isfinite(w)) and np.linalg.norm(w) > 0:
            # the boundary s = 0 is the line through 0 perpendicular to w
            d = np.array([-w[1], w[0]]) / np.linalg.norm(w) * 2 * lim
            ax_data.plot([-d[0], d[0]], [-d[1], d[1]], color="black", lw=1.2, label="boundary")
        ax_data.set_title("the scaled data: only the axis numbers change", fontsize=9)
        ax_data.legend(fontsize=7, loc="lower right")
        steps = np.arange(len(run.losses))
        ax_loss.semilogy(steps, ref.losses, "--", color=MUTED, label="k = 1")
        ax_loss.semilogy(
            steps,
            np.clip(run.losses, 1e-12, 1e300),
            color=GRAD_COLOR,
            label=f"k = {_fmt(k)}, lr = {_fmt(run.lr)}",
        )
        ax_loss.minorticks_off()
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("loss")
        ax_loss.set_title("logistic loss while training", fontsize=9)
        ax_loss.legend(fontsize=7)
        return fig

    def alt_text(self) -> str:
        """What the picture shows, in words (its alt text)."""
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

    # --- display ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        k, lr, rule = self._initial
        return f"ScaleExplorer(k={k:g}, lr={lr:g}, rule={rule!r})"


def scale_explorer(k: float = 1.0, lr: float = DEFAULT_LR, rule: str = "lr") -> ScaleExplorer:
    """The chapter-6 explorer: ``scale_explorer(k=1000)`` starts at inputs × 1000."""
    return ScaleExplorer(k=k, lr=lr, rule=rule)
