"""Chapter 8 exercises, training a network: the parameters of MLP(2, [16, 16, 1]), (dX, dW, db)
of out = X @ W + b, the gradient-descent update, and a loop whose gradients pile up. Answers by
the kit (nn, the array gates); the update and the loop change the model they are given, so
each check builds one fresh seeded model for the learner's function and one for the kit's."""

from __future__ import annotations

from typing import Any

import numpy as np

from backprop_kit import exercises as ex
from backprop_kit.chapters.training_troubles import MAX_ACCUMULATION_STEPS, adding_loop
from backprop_kit.nn.arrays import affine, affine_backward
from backprop_kit.nn.data import two_moons
from backprop_kit.nn.dimensions import whole_number
from backprop_kit.nn.net import MLP, sgd_update, svm_loss

COUNT_SIZES = (2, [16, 16, 1])
LOOP_STEPS, LOOP_LR = 6, 0.2


def parameter_count(nin: int = COUNT_SIZES[0], nouts: list[int] | None = None) -> int:
    """The number of parameters of ``MLP(nin, nouts)``, counted on a model the kit builds."""
    return len(MLP(nin, COUNT_SIZES[1] if nouts is None else nouts).parameters())


def affine_grads(dout: np.ndarray, X: np.ndarray, W: np.ndarray) -> tuple[Any, ...]:
    """(dX, dW, db) of ``out = X @ W + b``, from the kit's affine gate (b does not matter)."""
    return tuple(affine_backward(dout, affine(X, W, np.zeros(W.shape[1]))[1]))


def _affine_cases() -> list[tuple[np.ndarray, ...]]:
    """Seeded (dout, X, W); the square one first, where a misplaced transpose still fits."""
    rng = np.random.default_rng(8)
    cases: list[tuple[np.ndarray, ...]] = []
    for N, D, H in ((3, 3, 3), (4, 2, 3), (1, 3, 2), (5, 2, 1)):
        X, W, dout = (rng.integers(-3, 4, size=s).astype(float) for s in ((N, D), (D, H), (N, H)))
        cases.append((dout, X, W))
    return cases


def model_with_gradients(seed: int = 0) -> MLP:
    """A small seeded model whose ``.grad``s hold the SVM loss gradient on a few points."""
    X, y = two_moons(12, seed=seed)
    model = MLP(2, [3, 1], activation="tanh", seed=seed)
    svm_loss(model, X, y).backward()
    for k, p in enumerate(model.parameters()):  # every one moves visibly: skipping one shows
        if abs(p.grad) < 1e-3:
            p.grad = 0.05 * (k + 1)
    return model


def train_fixed(model: MLP, X: Any, y: Any, steps: int, lr: float) -> list[float]:
    """The training loop done right: zero the gradients before each (adding) backward pass."""
    steps = whole_number(steps, "train_fixed: steps", 1, MAX_ACCUMULATION_STEPS)
    return adding_loop(model, X, y, steps, lr)[0]


def loop_data() -> tuple[np.ndarray, np.ndarray]:
    """The points the training-loop exercise trains on."""
    return two_moons(30, seed=4)


def _same(got: Any, want: list[float]) -> bool:
    return ex.compare(got, want, 1e-9) is None


def _judge_update(fn: Any) -> str | None:
    if not callable(fn):
        return ex.PASS_FUNCTION
    for seed, lr in ((0, 0.1), (1, 0.5)):
        want_model, got_model = model_with_gradients(seed), model_with_gradients(seed)
        before = [p.data for p in got_model.parameters()]
        sgd_update(want_model.parameters(), lr)
        # writing the step is the point: the kit's own sgd_update (and autodiff) refuse
        ex.run_learner("ch08-update", fn, got_model.parameters(), lr)
        want = [p.data for p in want_model.parameters()]
        got = [p.data for p in got_model.parameters()]
        if _same(got, want):
            continue
        if _same(got, before):
            return (
                "no parameter changed. Change each parameter's .data in place (the "
                "function returns nothing)."
            )
        uphill = [b + (b - w) for b, w in zip(before, want)]
        if _same(got, uphill):
            return (
                "your step went uphill: the gradient points where the loss grows, so "
                "step against it."
            )
        k = next(k for k, (g, w) in enumerate(zip(got, want)) if not _same([g], [w]))
        return (
            f"with lr = {lr}, parameter {k + 1} of {len(want)} is {got[k]:.6g} after your step, "
            f"where one step should give {want[k]:.6g}. Each parameter moves by lr times its "
            "gradient, against the gradient."
        )
    return None


def _judge_loop(fn: Any) -> str | None:
    if not callable(fn):
        return ex.PASS_FUNCTION
    X, y = loop_data()
    want = train_fixed(MLP(2, [4, 1], seed=2), X, y, LOOP_STEPS, LOOP_LR)
    model = MLP(2, [4, 1], seed=2)
    # the kit's loss.backward() resets .grad itself; nn.backward_accumulate adds to it, as
    # micrograd and PyTorch do: then a loop that never zeroes the gradients drifts (see the hint)
    got = ex.run_learner(
        "ch08-train-loop", fn, model, X, y, LOOP_STEPS, LOOP_LR, allow_autodiff=True
    )
    mismatch = ex.compare(got, want, 1e-9)
    if mismatch is None:
        return None
    if mismatch.kind == "type":
        return f"return the list of the {LOOP_STEPS} losses, one per step ({mismatch.text})."
    if len(set(got)) == 1 and len(set(want)) > 1:
        return (
            f"your loss stayed at {ex.short(got[0])}: the weights never moved. When the "
            "update runs, does each p.grad still hold this step's gradient?"
        )
    first_wrong = next(
        (i for i, (g, w) in enumerate(zip(got, want)) if ex.compare(g, w, 1e-9) is not None), 0
    )
    if first_wrong >= 2:
        return (
            f"the losses agree up to step {first_wrong - 1} and then drift: from the "
            f"second step on, what else is still in p.grad besides this step's gradient?"
        )
    return (
        f"at step {first_wrong} your loss was {ex.short(got[first_wrong])}, the "
        f"kit's {want[first_wrong]:.6g}. Start from the loop you were given and change "
        f"only what is wrong."
    )


ex.value_exercise(
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

ex.function_exercise(
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

ex.custom_exercise(
    "ch08-update",
    "Write update(parameters, lr): one gradient-descent step on every parameter.",
    _judge_update,
    explanation="Each parameter takes a small step against its gradient, downhill.",
)

ex.custom_exercise(
    "ch08-train-loop",
    "Fix the training loop: in an engine that adds to .grad, its losses go wrong after the "
    "first step.",
    _judge_loop,
    explanation="Gradients must be zeroed before each backward pass in an engine that adds "
    "to them; otherwise every step follows the sum of all past gradients.",
)
