"""Bounded cost in nn, the toy data and chapter 8's material (issue 22): every size or count a
learner can pass has a cap, and a huge or degenerate one is refused in one line naming it, its
value and the cap, before any work is done (so in little memory). The walk covers every public
function and class of these modules: each has probes below, or the reason it takes no size."""

from __future__ import annotations

import inspect
import tracemalloc

import numpy as np
import pytest

from backprop_kit.chapters import train_explorer as te
from backprop_kit.chapters import training_troubles as troubles
from backprop_kit.exercises import ch08
from backprop_kit.nn import arrays, data, dimensions
from backprop_kit.nn import net as nn

MODULES = (nn, data, arrays, dimensions, te, troubles, ch08)


def huge(*shape: int) -> np.ndarray:
    """A float array of any shape that takes no memory (every stride 0)."""
    return np.broadcast_to(0.0, shape)


def wide() -> nn.ArrayMLP:
    return nn.ArrayMLP(2, [1000, 1000, 1])  # 1,004,001 parameters, within the caps


def small_model() -> nn.MLP:
    return nn.MLP(2, [4, 1])


@pytest.fixture(scope="module")
def explorer():
    return te.TrainExplorer(width=2, steps=1)


# name -> probes: (call, words its one-line refusal must hold: the argument, value or cap)
PROBES = {
    "net.MLP": [
        (
            lambda: nn.MLP(2, [10**9, 1]),
            "nouts[0] (a layer size) must be a whole number in 1..50,000",
        ),
        (
            lambda: nn.MLP(2, [3000, 3000, 1]),
            "(MAX_PARAMETERS) is 9,015,001, more than the cap of 50,000",
        ),
        (lambda: nn.MLP(2, [1] * 5000), "layers (MAX_LAYERS) is 5,000, more than the cap of 1,000"),
        (lambda: nn.MLP(0, [1]), "nin (the number of inputs) must be a whole number in 1.."),
        (lambda: nn.MLP(2, [-3, 1]), "nouts[0] (a layer size)"),
        (lambda: nn.MLP(2, []), "nouts must be a non-empty list"),
    ],
    "net.Neuron": [
        (lambda: nn.Neuron([0.0] * 50_001), "weights (MAX_PARAMETERS) is 50,001"),
        (lambda: nn.Neuron([]), "one number per input, got none"),
    ],
    "net.Layer": [
        (lambda: nn.Layer([[0.0] * 300] * 300), "more than the cap of 50,000"),
        (lambda: nn.Layer([]), "non-empty list of rows"),
    ],
    "net.ArrayMLP": [
        (lambda: nn.ArrayMLP(2, [100_000, 100_000, 1]), "(MAX_ENTRIES) is 10,000,500,001"),
        (
            lambda: nn.ArrayMLP(2, [10**9, 1]),
            "nouts[0] (a layer size) must be a whole number in 1..10,000,000",
        ),
        (lambda: nn.ArrayMLP(2, [1] * 5000), "(MAX_LAYERS) is 5,000"),
        (lambda: nn.ArrayMLP(2, [0]), "nouts[0]"),
    ],
    "net.ArrayMLP.forward": [
        (lambda: wide().forward(huge(2000, 2)), "N × parameters (MAX_WORK) is 2,010,002,000"),
        (
            lambda: nn.ArrayMLP(2, [64, 1]).forward(huge(10**6, 2)),
            "N × units (MAX_ENTRIES) is 65,000,000",
        ),
    ],
    "net.ArrayMLP.predict": [
        (lambda: wide().predict(huge(2000, 2)), "ArrayMLP.predict: N × parameters")
    ],
    "net.ArrayMLP.loss_and_grads": [
        (
            lambda: wide().loss_and_grads(huge(2000, 2), np.ones(2000)),
            "loss_and_grads: N × parameters",
        ),
        (lambda: nn.ArrayMLP(2, [1]).loss_and_grads(np.ones((0, 2)), []), "at least one"),
    ],
    "net.ArrayMLP.step": [
        (lambda: wide().step(huge(2000, 2), np.ones(2000), 0.1), "ArrayMLP.step: N × parameters"),
    ],
    "net.svm_loss": [
        (
            lambda: nn.svm_loss(nn.MLP(2, [100, 100, 1]), huge(200, 2), np.ones(200)),
            "200 points × 10,501 parameters (MAX_CIRCUIT) is 2,100,200, more than the cap of 1,0",
        ),
        (lambda: nn.svm_loss(small_model(), huge(10**7, 2), huge(10**7)), "(MAX_CIRCUIT)"),
        (lambda: nn.svm_loss(small_model(), np.ones((0, 2)), []), "X must be N >= 1 points"),
    ],
    "net.train_step": [
        (
            lambda: nn.train_step(nn.MLP(2, [100, 100, 1]), huge(200, 2), np.ones(200), 0.1),
            "(MAX_CIRCUIT)",
        ),
    ],
    "data.two_moons": [
        (lambda: data.two_moons(10**9), "n must be a whole number in 2..100,000, got 1000000000"),
        (lambda: data.two_moons(1), "2..100,000, got 1"),
        (lambda: data.two_moons(-5), "got -5"),
        (lambda: data.two_moons(noise=1e9), "noise must be a number in [0, 10)"),
    ],
    "arrays.matmul": [
        (
            lambda: arrays.matmul(huge(2000, 2000), huge(2000, 2000)),
            "multiply-adds (MAX_WORK) is 8,000,000,000",
        ),
        (
            lambda: arrays.matmul(huge(10**4, 1), huge(1, 10**4)),
            "entries (MAX_ENTRIES) is 100,000,000",
        ),
    ],
    "arrays.affine": [
        (
            lambda: arrays.affine(huge(2000, 2000), huge(2000, 2000), huge(2000)),
            "affine: the product's multiply-adds",
        ),
    ],
    "arrays.linear_weight_grad": [
        (
            lambda: arrays.linear_weight_grad(huge(10**5, 10**5), huge(10**5)),
            "(MAX_WORK) is 10,000,000,000",
        ),
    ],
    "arrays.numerical_grad_array": [
        (
            lambda: arrays.numerical_grad_array(np.sin, np.zeros(10**5), 1.0),
            "x (MAX_CHECKED) is 100,000",
        ),
    ],
    "arrays.grad_check_array": [
        (
            lambda: arrays.grad_check_array(np.sin, np.zeros(10**5), 1.0, np.zeros(10**5)),
            "(MAX_CHECKED)",
        ),
    ],
    "train_explorer.TrainExplorer": [
        (
            lambda: te.TrainExplorer(width=10**6),
            "width must be a whole number in 1..64, got 1000000",
        ),
        (lambda: te.TrainExplorer(width=0), "width must be a whole number in 1..64, got 0"),
        (lambda: te.TrainExplorer(steps=10**6), "steps must be a whole number in 1..1,000"),
        (lambda: te.TrainExplorer(steps=-1), "steps must be a whole number in 1..1,000, got -1"),
    ],
    "train_explorer.train_explorer": [
        (lambda: te.train_explorer(width=10**6), "1..64"),
        (lambda: te.train_explorer(steps=10**7), "1..1,000"),
    ],
    "training_troubles.lr_runs": [
        (
            lambda: troubles.lr_runs([0.3], steps=10**7),
            "lr_runs: steps must be a whole number in 1..1,000",
        ),
        (lambda: troubles.lr_runs([0.3], steps=-5), "got -5"),
        (
            lambda: troubles.lr_runs([0.3], width=20_000),
            "lr_runs: width must be a whole number in 1..64",
        ),
        (
            lambda: troubles.lr_runs([0.3] * 1000),
            "the number of runs, must be a whole number in 1..10, got 1000",
        ),
        (lambda: troubles.lr_runs([]), "lrs must be a non-empty list"),
    ],
    "training_troubles.accumulation_runs": [
        (lambda: troubles.accumulation_runs(steps=10**6), "steps must be a whole number in 1..200"),
        (lambda: troubles.accumulation_runs(steps=0), "got 0"),
    ],
    "training_troubles.gradient_size_per_layer": [
        (
            lambda: troubles.gradient_size_per_layer(depth=100_000),
            "depth must be a whole number in 1..100",
        ),
        (
            lambda: troubles.gradient_size_per_layer(depth=0),
            "depth must be a whole number in 1..100, got 0",
        ),
        (
            lambda: troubles.gradient_size_per_layer(width=10**6),
            "width must be a whole number in 1..64",
        ),
    ],
    "training_troubles.dead_units": [
        (
            lambda: troubles.dead_units(wide(), huge(2000, 2)),
            "dead_units: N × parameters (MAX_WORK)",
        ),
        (
            lambda: troubles.dead_units(nn.ArrayMLP(2, [3, 1]), np.ones((3, 5))),
            "X has shape (3, 5)",
        ),
    ],
    "training_troubles.time_steps": [
        (lambda: troubles.time_steps(repeats=10**6), "repeats must be a whole number in 1..10"),
        (lambda: troubles.time_steps(repeats=0), "got 0"),
    ],
    "training_troubles.max_sigmoid_slope": [
        (
            lambda: troubles.max_sigmoid_slope(10**10),
            "points must be a whole number in 3..1,000,001",
        ),
        (lambda: troubles.max_sigmoid_slope(0), "got 0"),
        (lambda: troubles.max_sigmoid_slope(1), "got 1"),
        (lambda: troubles.max_sigmoid_slope(4), "points must be odd (0 on the grid), got 4"),
    ],
    "ch08.parameter_count": [(lambda: ch08.parameter_count(2, [10**9, 1]), "1..50,000")],
    "ch08.train_fixed": [
        (
            lambda: ch08.train_fixed(small_model(), *ch08.loop_data(), 10**9, 0.1),
            "steps must be a whole number in 1..200",
        ),
    ],
    "ch08.affine_grads": [
        (
            lambda: ch08.affine_grads(huge(2000, 2000), huge(2000, 2000), huge(2000, 2000)),
            "(MAX_WORK)",
        ),
    ],
}

# names that take no size, and why they need no cap
FREE = {
    "net.ACTIVATIONS": "a constant",
    "net.Diverged": "an exception",
    "net.MLP.parameters": "a list of a model built within MAX_PARAMETERS",
    "net.MLP.zero_grad": "one pass over a model built within MAX_PARAMETERS",
    "net.MLP.weights": "one pass over a model built within MAX_PARAMETERS",
    "net.Neuron.parameters": "a list of a neuron built within MAX_PARAMETERS",
    "net.Layer.parameters": "a list of a layer built within MAX_PARAMETERS",
    "net.Layer.outputs": "one point through a layer built within MAX_PARAMETERS",
    "net.ArrayMLP.backward": "the caches of a forward pass that kept within the caps",
    "net.ArrayMLP.flat": "one pass over a network built within MAX_ENTRIES",
    "net.ArrayMLP.from_mlp": "a copy of a model built within MAX_PARAMETERS",
    "net.name_parameters": "one pass over a model built within MAX_PARAMETERS",
    "net.sgd_update": "one pass over the parameters given",
    "net.backward_accumulate": "one backward pass over a circuit already built",
    "dimensions.Candidate": "a record",
    "dimensions.Candidate.row": "a line of text",
    "dimensions.GradientShapeAnalysis": "a record",
    "dimensions.DimensionAnalysis": "a record",
    "dimensions.dimension_analysis": "shapes only: 16 products described, whatever the sizes",
    "dimensions.matmul_mismatch_message": "a sentence",
    "arrays.ArrayGradCheck": "a record",
    "arrays.rel_error": "one pass over arrays the caller made",
    "arrays.matmul_backward": "the cache of a matmul that kept within the caps",
    "arrays.affine_backward": "the cache of an affine that kept within the caps",
    "train_explorer.ALPHA": "a constant",
    "train_explorer.accuracy": "a forward pass, within the network's caps",
    "train_explorer.TrainExplorer.reset": "the explorer's own network, within MAX_WIDTH",
    "train_explorer.TrainExplorer.alt_text": "words about the explorer's own state",
    "train_explorer.TrainExplorer.summary": "words about the explorer's own state",
    "train_explorer.TrainExplorer.figure": "a picture of the explorer's own state (GRID²)",
    "training_troubles.AccumulationRuns": "a record",
    "ch08.model_with_gradients": "a fixed small model",
    "ch08.loop_data": "a fixed 30 points",
}
ELSEWHERE = {"train_explorer.TrainExplorer.train": "test_the_explorers_train_refuses_in_one_line"}
FREE |= {
    f"arrays.{n}": "one pass over arrays the caller made"
    for n in arrays.__all__
    if n.endswith("Cache") or n.split("_")[0] in ("relu", "sigmoid", "tanh", "svm")
}
FREE |= {"arrays.DimensionAnalysis": "a record", "arrays.dimension_analysis": "shapes only"}


def public_names() -> set[str]:
    """Every public function, class and constant of the modules, and every public method of
    their classes: the names this walk must cover."""
    names = set()
    for module in MODULES:
        short = module.__name__.rsplit(".", 1)[1]
        own = getattr(module, "__all__", None) or [
            n
            for n, v in vars(module).items()
            if not n.startswith("_")
            and getattr(v, "__module__", None) == module.__name__
            and (inspect.isfunction(v) or inspect.isclass(v))
        ]
        for name in own:
            names.add(f"{short}.{name}")
            obj = getattr(module, name)
            if inspect.isclass(obj) and obj.__module__ == module.__name__:
                names |= {
                    f"{short}.{name}.{m}"
                    for m, v in vars(obj).items()
                    if not m.startswith("_")
                    and not isinstance(v, type)
                    and (callable(v) or isinstance(v, (classmethod, staticmethod)))
                }
    return names


def test_the_walk_covers_every_public_name():
    covered = set(PROBES) | set(FREE) | set(ELSEWHERE)
    walked = public_names() | {"net.MLP", "net.Neuron", "net.Layer", "net.ArrayMLP"}
    assert walked - covered == set(), "give each new name a probe or a reason"
    assert covered - walked == set(), "a probe for a name that is gone"


@pytest.mark.parametrize(
    ("name", "index"), [(name, i) for name, probes in PROBES.items() for i in range(len(probes))]
)
def test_huge_and_degenerate_sizes_are_one_line_refusals_in_little_memory(name, index):
    call, words = PROBES[name][index]
    tracemalloc.start()
    try:
        with pytest.raises((ValueError, TypeError)) as info:
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert "\n" not in message and words in message, message
    assert peak < 64e6  # refused before the work: no array of the refused size was made


@pytest.mark.parametrize(
    "call",
    [lambda ex: ex.train(10**6), lambda ex: ex.train(0), lambda ex: ex.train(2.5)],
    ids=["huge", "zero", "not whole"],
)
def test_the_explorers_train_refuses_in_one_line(explorer, call):
    with pytest.raises(
        ValueError, match=r"^train: steps must be a whole number in 1\.\.1,000, got"
    ):
        call(explorer)
    assert explorer.steps_taken == 0 and not explorer.train_button.disabled


def test_the_largest_allowed_sizes_run():
    assert len(data.two_moons(data.MAX_POINTS)[0]) == data.MAX_POINTS
    assert len(nn.MLP(2, [nn.MAX_PARAMETERS // 4 - 1, 1]).parameters()) <= nn.MAX_PARAMETERS
    assert troubles.max_sigmoid_slope(3) == 0.25
    assert len(troubles.gradient_size_per_layer(depth=troubles.MAX_DEPTH, width=2)) == 100
