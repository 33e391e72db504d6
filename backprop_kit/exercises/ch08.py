"""Chapter 8 exercises: a network's parameters, the affine layer's backward, the update step and
a training loop that forgot to zero its gradients.

* ``ch08-count-params`` — how many numbers does ``MLP(2, [16, 16, 1])`` learn?
* ``ch08-affine-backward`` — write ``(dX, dW, db)`` for ``out = X @ W + b`` on arrays.
* ``ch08-update`` — write the gradient-descent update of every parameter.
* ``ch08-train-loop`` — fix a training loop whose gradients pile up from step to step.

Every expected answer is computed here by the kit (``nn``, the array gates) when the check runs;
nothing is typed in. The update and the loop change the model they are given, so each check
builds a fresh seeded model for the learner's function and another for the kit's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backprop_kit.chapters.training_troubles import MAX_ACCUMULATION_STEPS
from backprop_kit.core.text import format_number
from backprop_kit.exercises import (
    compare,
    custom_exercise,
    function_exercise,
    run_learner_code,
    value_exercise,
)
from backprop_kit.nn.arrays import affine, affine_backward
from backprop_kit.nn.data import two_moons
from backprop_kit.nn.dimensions import whole_number
from backprop_kit.nn.net import MLP, backward_accumulate, sgd_update, svm_loss

COUNT_SIZES = (2, [16, 16, 1])
LOOP_STEPS, LOOP_LR = 6, 0.2


def parameter_count(nin: int = COUNT_SIZES[0], nouts: list[int] | None = None) -> int:
    """The number of parameters of ``MLP(nin, nouts)``, counted on a model the kit builds."""
    return len(MLP(nin, COUNT_SIZES[1] if nouts is None else nouts).parameters())


def affine_grads(dout: np.ndarray, X: np.ndarray, W: np.ndarray) -> tuple[Any, ...]:
    """(dX, dW, db) of ``out = X @ W + b``, from the kit's affine gate (b does not matter)."""
    _out, cache = affine(X, W, np.zeros(W.shape[1]))
    dX, dW, db = affine_backward(dout, cache)
    return dX, dW, db


def _affine_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Seeded (dout, X, W); the square one first, where a misplaced transpose still fits."""
    rng = np.random.default_rng(8)
    cases = []
    for N, D, H in ((3, 3, 3), (4, 2, 3), (1, 3, 2), (5, 2, 1)):
        X = rng.integers(-3, 4, size=(N, D)).astype(float)
        W = rng.integers(-3, 4, size=(D, H)).astype(float)
        dout = rng.integers(-3, 4, size=(N, H)).astype(float)
        cases.append((dout, X, W))
    return cases


def model_with_gradients(seed: int = 0) -> MLP:
    """A small seeded model whose ``.grad``s hold the SVM loss gradient on a few points."""
    X, y = two_moons(12, seed=seed)
    model = MLP(2, [3, 1], activation="tanh", seed=seed)
    svm_loss(model, X, y).backward()
    return model


def train_fixed(model: MLP, X: Any, y: Any, steps: int, lr: float) -> list[float]:
    """The training loop done right: zero the gradients before each (adding) backward pass."""
    steps = whole_number(steps, "train_fixed: steps", 1, MAX_ACCUMULATION_STEPS)
    losses = []
    for _ in range(steps):
        loss = svm_loss(model, X, y)
        model.zero_grad()
        backward_accumulate(loss, model.parameters())
        sgd_update(model.parameters(), lr)
        losses.append(loss.data)
    return losses


def loop_data() -> tuple[np.ndarray, np.ndarray]:
    """The points the training-loop exercise trains on."""
    return two_moons(30, seed=4)


def _close_lists(got: Any, want: list[float], tol: float = 1e-9) -> bool:
    """``got`` is a list or tuple of numbers equal to ``want`` (judged by type, then value)."""
    return compare(got, want, tol) is None


def _judge_update(fn: Any) -> str | None:
    if not callable(fn):
        return "pass the function itself (without calling it)."
    for seed, lr in ((0, 0.1), (1, 0.5)):
        want_model, got_model = model_with_gradients(seed), model_with_gradients(seed)
        for k, pair in enumerate(zip(want_model.parameters(), got_model.parameters())):
            for p in pair:  # every parameter moves visibly, so skipping one is seen
                if abs(p.grad) < 1e-3:
                    p.grad = 0.05 * (k + 1)
        before = [p.data for p in got_model.parameters()]
        sgd_update(want_model.parameters(), lr)
        # writing the step is the point: the kit's own sgd_update (and autodiff) refuse
        run_learner_code(fn, got_model.parameters(), lr, autodiff_off="ch08-update")
        want = [p.data for p in want_model.parameters()]
        got = [p.data for p in got_model.parameters()]
        if _close_lists(got, want):
            continue
        if _close_lists(got, before):
            return (
                "no parameter changed. Change each parameter's .data in place (the "
                "function returns nothing)."
            )
        uphill = [b + (b - w) for b, w in zip(before, want)]
        if _close_lists(got, uphill):
            return (
                "your step went uphill: the gradient points where the loss grows, so "
                "step against it."
            )
        k = next(k for k, (g, w) in enumerate(zip(got, want)) if not _close_lists([g], [w]))
        return (
            f"with lr = {lr}, parameter {k + 1} of {len(want)} is {got[k]:.6g} after your step, "
            f"where one step should give {want[k]:.6g}. Each parameter moves by lr times its "
            "gradient, against the gradient."
        )
    return None


def _judge_loop(fn: Any) -> str | None:
    if not callable(fn):
        return "pass the function itself (without calling it)."
    X, y = loop_data()
    want = train_fixed(MLP(2, [4, 1], seed=2), X, y, LOOP_STEPS, LOOP_LR)
    model = MLP(2, [4, 1], seed=2)
    # the kit's loss.backward() resets .grad itself; nn.backward_accumulate adds to it, as
    # micrograd and PyTorch do: then a loop that never zeroes the gradients drifts (see the hint)
    got = run_learner_code(fn, model, X, y, LOOP_STEPS, LOOP_LR)
    mismatch = compare(got, want, 1e-9)
    if mismatch is None:
        return None
    if mismatch.kind == "type":
        return f"return the list of the {LOOP_STEPS} losses, one per step ({mismatch.text})."
    if len(set(got)) == 1 and len(set(want)) > 1:
        return (
            f"your loss stayed at {_show_number(got[0])}: the weights never moved. When the "
            "update runs, does each p.grad still hold this step's gradient?"
        )
    first_wrong = next(
        (i for i, (g, w) in enumerate(zip(got, want)) if compare(g, w, 1e-9) is not None), 0
    )
    if first_wrong >= 2:
        return (
            f"the losses agree up to step {first_wrong - 1} and then drift: from the "
            f"second step on, what else is still in p.grad besides this step's gradient?"
        )
    return (
        f"at step {first_wrong} your loss was {_show_number(got[first_wrong])}, the "
        f"kit's {want[first_wrong]:.6g}. Start from the loop you were given and change "
        f"only what is wrong."
    )


def _show_number(x: Any) -> str:
    try:
        return format_number(x, "g")
    except (TypeError, ValueError):
        return repr(x)


value_exercise(
    "ch08-count-params",
    "How many parameters (weights and biases) does MLP(2, [16, 16, 1]) have?",
    expected=parameter_count,
    hint=(
        "a neuron with n inputs has n weights and 1 bias. Count the neurons of each layer "
        "and how many inputs each of them reads, then add up the three layers."
    ),
    tol=0,
    explanation="Each layer has (inputs + 1) × neurons parameters.",
)

function_exercise(
    "ch08-affine-backward",
    "Write (dX, dW, db) for out = X @ W + b, given the upstream gradient dout (N, H), "
    "X (N, D) and W (D, H).",
    reference=affine_grads,
    cases=_affine_cases,
    hint=(
        "each gradient has the shape of its array: dX (N, D), dW (D, H), db (H,). For the "
        "product, chapter 7's rule, but mind the order: there D = W @ X had W first, here "
        "X @ W has X first, so the two factors trade places; b is added to every row of "
        "X @ W, so its gradient collects a sum over the rows."
    ),
    tol=1e-9,
    returns=("dX", "dW", "db"),
    explanation="dX = dout @ W.T, dW = X.T @ dout, db = dout.sum(axis=0): the matmul rule, "
    "and a sum where b fans out to every row.",
)

custom_exercise(
    "ch08-update",
    "Write update(parameters, lr): one gradient-descent step on every parameter.",
    _judge_update,
    explanation="Each parameter takes a small step against its gradient, downhill.",
)

custom_exercise(
    "ch08-train-loop",
    "Fix the training loop: in an engine that adds to .grad, its losses go wrong after the "
    "first step.",
    _judge_loop,
    explanation="Gradients must be zeroed before each backward pass in an engine that adds "
    "to them; otherwise every step follows the sum of all past gradients.",
)
