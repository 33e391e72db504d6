"""Neurons, layers and multi-layer perceptrons built from scalar ``Value``s (chapter 8).

The shapes follow micrograd's ``nn.py`` so that a learner can move between the two::

    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    score = model([0.5, -1.2])          # one output: a Value; several outputs: a list
    model.parameters()                  # layer by layer, neuron by neuron: weights, then bias

A neuron with ``n`` inputs computes ``act(w · x + b) = act(sum_i w_i x_i + b)``; a layer is
``nout`` neurons reading the same inputs; an MLP is a chain of layers where every layer but
the last applies the activation (``"relu"``, ``"tanh"`` or ``"sigmoid"``) and the last is
linear. Initial weights are drawn uniformly from [-1, 1) by ``np.random.default_rng(seed)``,
layer by layer, as a (nout, nin) array (row j = neuron j's weights); biases start at 0.

``value_cls`` may be any class with micrograd's ``Value`` interface (``Value(x)``, ``.data``,
``.grad``, ``+ * ** - /``, ``.backward()``, and the activation's method ``.relu()``,
``.tanh()`` or ``.sigmoid()``): this module uses nothing else on it, so
``micrograd.engine.Value`` works (it has ``relu`` only), and so does a learner's own engine
(chapter 9). The kit's ``Value`` has all three.

Also here: :func:`svm_loss` (the max-margin loss of micrograd's demo), :func:`sgd_update`,
:func:`train_step`, and :func:`backward_accumulate`, which backpropagates the way micrograd and
PyTorch do, *adding* to each parameter's ``.grad`` (the kit's ``backward()`` resets first).
:class:`ArrayMLP` is the same network on arrays (chapter 7's gates), able to load an
``MLP``'s weights and give the same gradients.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

import numpy as np

from backprop_kit.core import switch
from backprop_kit.core.engine import Value
from backprop_kit.nn import arrays

__all__ = [
    "ACTIVATIONS",
    "ArrayMLP",
    "Layer",
    "MLP",
    "Neuron",
    "backward_accumulate",
    "name_parameters",
    "sgd_update",
    "svm_loss",
    "train_step",
]

ACTIVATIONS = ("relu", "tanh", "sigmoid")


def _check_activation(activation: str | None, allow_none: bool = False) -> None:
    if activation is None and allow_none:
        return
    if activation not in ACTIVATIONS:
        allowed = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"activation must be one of {allowed}, got {activation!r}")


def _check_count(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def _check_sizes(nin: object, nouts: object, activation: str, who: str) -> tuple[int, ...]:
    """(nin, n1, ..., nout) after checking every size and the activation, or a one-line error."""
    sizes = [_check_count(nin, f"{who}: nin (the number of inputs)")]
    if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
        raise ValueError(
            f"{who}: nouts must be a non-empty list of layer sizes like [16, 16, 1], got {nouts!r}"
        )
    sizes += [_check_count(n, f"{who}: each layer size") for n in nouts]
    _check_activation(activation)
    return tuple(sizes)


class Neuron:
    """One neuron: ``act(w · x + b)``, or ``w · x + b`` when ``activation`` is None (linear).

    ``weights`` (nin floats) and ``bias`` are the initial numbers; each becomes a
    ``value_cls`` parameter. ``self.w`` is the list of weight Values, ``self.b`` the bias.
    """

    def __init__(
        self,
        weights: Sequence[float],
        bias: float = 0.0,
        activation: str | None = "relu",
        value_cls: type = Value,
    ) -> None:
        _check_activation(activation, allow_none=True)
        self.w = [value_cls(float(wi)) for wi in weights]
        self.b = value_cls(float(bias))
        self.activation = activation

    def __call__(self, x: Sequence[Any]) -> Any:
        """``act(sum_i w_i x_i + b)`` for the ``nin`` inputs ``x`` (numbers or Values)."""
        if len(x) != len(self.w):
            raise ValueError(f"this neuron has {len(self.w)} inputs, got {len(x)} numbers")
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act if self.activation is None else getattr(act, self.activation)()

    def parameters(self) -> list[Any]:
        """The weights, then the bias."""
        return self.w + [self.b]

    def __repr__(self) -> str:
        kind = "Linear" if self.activation is None else self.activation.capitalize()
        return f"{kind}Neuron({len(self.w)})"


class Layer:
    """``nout`` neurons that all read the same ``nin`` inputs.

    ``weights`` has shape (nout, nin): row j holds neuron j's weights; ``biases`` (nout,).
    Calling the layer gives a list of ``nout`` outputs, or the single output when nout = 1.
    """

    def __init__(
        self,
        weights: Sequence[Sequence[float]],
        biases: Sequence[float] | None = None,
        activation: str | None = "relu",
        value_cls: type = Value,
    ) -> None:
        biases = [0.0] * len(weights) if biases is None else biases
        self.neurons = [
            Neuron(w, b, activation, value_cls) for w, b in zip(weights, biases, strict=True)
        ]

    def __call__(self, x: Sequence[Any]) -> Any:
        out = self.outputs(x)
        return out[0] if len(out) == 1 else out

    def outputs(self, x: Sequence[Any]) -> list[Any]:
        """The outputs as a list, even for one neuron."""
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Any]:
        """Neuron by neuron, each neuron's weights and then its bias."""
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(repr(n) for n in self.neurons)}]"


def initial_weights(sizes: Sequence[int], seed: int | None = 0) -> list[np.ndarray]:
    """One (nout, nin) array per layer, uniform in [-1, 1), from ``default_rng(seed)``.

    ``sizes`` = (nin, n1, ..., nout). The same seed gives the same numbers, drawn layer by
    layer (so a model and its array twin can start from the same weights).
    """
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.0, 1.0, size=(nout, nin)) for nin, nout in zip(sizes[:-1], sizes[1:])]


class MLP:
    """A multi-layer perceptron: ``MLP(nin, [n1, ..., nout], activation="relu", seed=0)``.

    Layer i maps n_(i-1) numbers to n_i; every layer but the last applies ``activation``
    ("relu", "tanh" or "sigmoid"), the last is linear. Weights start uniform in [-1, 1)
    (seeded, see :func:`initial_weights`), biases at 0. ``model(x)`` takes a list of ``nin``
    numbers (or Values) and returns a Value when nout = 1, else a list of nout Values.
    ``value_cls`` is the scalar class used for every parameter (default: the kit's Value).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        seed: int | None = 0,
        value_cls: type = Value,
    ) -> None:
        sizes = _check_sizes(nin, nouts, activation, "MLP")
        if len(nouts) > 1 and not callable(getattr(value_cls, activation, None)):
            raise ValueError(
                f"MLP: activation={activation!r} needs a .{activation}() method on "
                f"{getattr(value_cls, '__name__', value_cls)!r}, which has none"
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"MLP: seed must be an int or None, got {seed!r}")
        self.sizes = sizes
        self.activation = activation
        self.value_cls = value_cls
        last = len(nouts) - 1
        self.layers = [
            Layer(w.tolist(), None, activation if i != last else None, value_cls)
            for i, w in enumerate(initial_weights(sizes, seed))
        ]

    def __call__(self, x: Sequence[Any]) -> Any:
        if len(x) != self.sizes[0]:
            raise ValueError(f"this MLP takes {self.sizes[0]} inputs, got {len(x)} numbers")
        for layer in self.layers:
            x = layer.outputs(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Any]:
        """Every parameter: layer by layer, neuron by neuron, its weights and then its bias."""
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (needed before each backward in an engine
        that adds to gradients, like micrograd or PyTorch)."""
        for p in self.parameters():
            p.grad = 0.0

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The current numbers as arrays, one ``(W, b)`` per layer: ``W`` (nin, nout) with
        column j = neuron j's weights, ``b`` (nout,). (Rows-are-examples layout: ``X @ W + b``.)"""
        out = []
        for layer in self.layers:
            W = np.array([[w.data for w in n.w] for n in layer.neurons]).T
            b = np.array([n.b.data for n in layer.neurons])
            out.append((W, b))
        return out

    def __repr__(self) -> str:
        sizes = ", ".join(str(n) for n in self.sizes[1:])
        return f"MLP({self.sizes[0]}, [{sizes}], activation={self.activation!r})"


def name_parameters(model: MLP) -> MLP:
    """Label every parameter for drawings: ``w{layer}{neuron}{input}`` and ``b{layer}{neuron}``
    (all counted from 0), e.g. ``w102`` is the weight of input 2 of neuron 0 in layer 1.

    Needs the kit's ``Value`` (its ``named`` method). Returns the model.
    """
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                w.named(f"w{i}{j}{k}")
            neuron.b.named(f"b{i}{j}")
    return model


# --------------------------------------------------------------------------- training


def _check_data(X: Any, y: Any, nin: int, func: str) -> tuple[list[list[float]], list[float]]:
    """``X`` (N, nin) and ``y`` (N,) of ±1 as plain Python floats, or a one-line error."""
    Xa = arrays._as_real_array(X, "X", func, ndim=2)
    ya = arrays._as_real_array(y, "y", func, ndim=1)
    if Xa.shape[1] != nin or Xa.shape[0] != ya.shape[0]:
        raise ValueError(
            f"{func}: X has shape {Xa.shape} and y has shape {ya.shape}; need X (N, {nin}) "
            f"and y (N,) with the same N"
        )
    return Xa.tolist(), ya.tolist()


def svm_loss(model: MLP, X: Any, y: Any, alpha: float = 0.0) -> Any:
    """The max-margin (SVM) loss of micrograd's demo, as one scalar circuit.

    Math: scores ``s_n = model(X[n])``, ``L = (1/N) sum_n max(0, 1 - y_n s_n)
    + alpha * sum_p p²`` over every parameter p. Shapes: ``X`` (N, nin) numbers, ``y`` (N,)
    labels ±1. Returns a ``model.value_cls`` whose ``.backward()`` fills every ``p.grad``.
    """
    rows, labels = _check_data(X, y, model.sizes[0], "svm_loss")
    scores = [model(row) for row in rows]
    losses = [(1 + -yi * si).relu() for yi, si in zip(labels, scores)]
    total = sum(losses) * (1.0 / len(losses))
    if alpha:
        total = total + alpha * sum(p * p for p in model.parameters())
    return total


def sgd_update(parameters: Sequence[Any], lr: float) -> None:
    """One gradient-descent step: ``p.data -= lr * p.grad`` for every parameter.

    Switched off (see :mod:`backprop_kit.core.switch`) while the exercise that asks a learner to
    write this very step checks their code.
    """
    switch.refuse("nn.sgd_update")
    for p in parameters:
        p.data -= lr * p.grad


def backward_accumulate(loss: Any, parameters: Sequence[Any]) -> None:
    """Backpropagate the way micrograd and PyTorch do: *add* ∂loss/∂p to each ``p.grad``.

    The kit's ``loss.backward()`` first resets every gradient in the circuit; this keeps the
    gradients the parameters had before and adds the new ones, so a training loop that never
    calls ``model.zero_grad()`` steps along the sum of all past gradients.
    """
    switch.refuse("nn.backward_accumulate")
    before = [p.grad for p in parameters]
    loss.backward()
    for p, g in zip(parameters, before):
        p.grad += g


def train_step(model: MLP, X: Any, y: Any, lr: float, alpha: float = 0.0) -> float:
    """One step: forward + :func:`svm_loss`, zero the gradients, backward, SGD update.

    Returns the loss before the update (a float).
    """
    if isinstance(lr, bool) or not isinstance(lr, Real) or not lr > 0:
        raise ValueError(f"train_step: lr must be a positive number, got {lr!r}")
    loss = svm_loss(model, X, y, alpha)
    model.zero_grad()
    loss.backward()
    sgd_update(model.parameters(), lr)
    return float(loss.data)


# --------------------------------------------------------------------------- arrays


_ARRAY_ACTIVATIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "relu": (arrays.relu, arrays.relu_backward),
    "tanh": (arrays.tanh, arrays.tanh_backward),
    "sigmoid": (arrays.sigmoid, arrays.sigmoid_backward),
}


class ArrayMLP:
    """The same network on arrays: every layer ``affine`` (``X @ W + b``) then the
    activation gate, the last layer linear, and :func:`~arrays.svm_loss`.

    Rows are examples: ``X`` (N, nin) -> hidden (N, n_i) -> scores (N, nout).
    ``params`` is ``[W1, b1, W2, b2, ...]`` with ``W`` (n_(i-1), n_i), ``b`` (n_i,).
    Build it from a scalar model with :meth:`from_mlp` (same weights, same gradients) or
    with a seed (:func:`initial_weights`, the numbers an ``MLP`` with that seed starts from).
    """

    def __init__(
        self, nin: int, nouts: Sequence[int], activation: str = "relu", seed: int | None = 0
    ) -> None:
        self.sizes = _check_sizes(nin, nouts, activation, "ArrayMLP")
        self.activation = activation
        self.params: list[np.ndarray] = []
        for w in initial_weights(self.sizes, seed):
            self.params += [w.T.copy(), np.zeros(w.shape[0])]

    @classmethod
    def from_mlp(cls, model: MLP) -> ArrayMLP:
        """An ArrayMLP holding copies of ``model``'s current weights and biases."""
        net = cls.__new__(cls)
        net.sizes = model.sizes
        net.activation = model.activation
        net.params = [a for W, b in model.weights() for a in (W.copy(), b.copy())]
        return net

    def forward(self, X: Any) -> tuple[np.ndarray, list]:
        """Scores (N, nout) for inputs ``X`` (N, nin), and the caches backward needs."""
        act, _ = _ARRAY_ACTIVATIONS[self.activation]
        caches: list = []
        h = X
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            h, affine_cache = arrays.affine(h, self.params[2 * i], self.params[2 * i + 1])
            caches.append(affine_cache)
            if i < n_layers - 1:
                h, act_cache = act(h)
                caches.append(act_cache)
        return h, caches

    def predict(self, X: Any) -> np.ndarray:
        """The scores alone: (N, nout)."""
        return self.forward(X)[0]

    def loss_and_grads(self, X: Any, y: Any, alpha: float = 0.0) -> tuple[float, list[np.ndarray]]:
        """The SVM loss of the scores (first output) plus ``alpha * sum p²``, and its gradient
        on every array of ``params`` (same order, same shapes)."""
        scores, caches = self.forward(X)
        if scores.shape[1] != 1:
            raise ValueError(
                f"ArrayMLP.loss_and_grads: the SVM loss needs one output, "
                f"this network has {scores.shape[1]}"
            )
        loss, loss_cache = arrays.svm_loss(scores[:, 0], y)
        ds = arrays.svm_loss_backward(1.0, loss_cache)
        grads = self.backward(ds[:, None], caches)
        if alpha:
            loss += alpha * sum(float((p * p).sum()) for p in self.params)
            for g, p in zip(grads, self.params):  # fresh arrays from the gates: add in place
                g += (2.0 * alpha) * p
        return loss, grads

    def backward(
        self, dscores: np.ndarray, caches: list, hidden_grads: list | None = None
    ) -> list[np.ndarray]:
        """Gradients ``[dW1, db1, ...]`` from the upstream gradient on the scores.

        If ``hidden_grads`` is a list, the gradient on each hidden layer's output (N, n_i) is
        appended to it as the pass reaches it: the last hidden layer first.
        """
        _, act_backward = _ARRAY_ACTIVATIONS[self.activation]
        n_layers = len(self.params) // 2
        grads: list[np.ndarray] = [np.empty(0)] * len(self.params)
        dh: Any = dscores  # None after the first layer, whose input gradient is not needed
        k = len(caches) - 1
        for i in reversed(range(n_layers)):
            if i < n_layers - 1:
                if hidden_grads is not None:
                    hidden_grads.append(dh)
                dh = act_backward(dh, caches[k])
                k -= 1
            dh, grads[2 * i], grads[2 * i + 1] = arrays.affine_backward(
                dh, caches[k], input_grad=i > 0
            )
            k -= 1
        return grads

    def step(self, X: Any, y: Any, lr: float, alpha: float = 0.0) -> float:
        """One SGD step on all arrays (in place); returns the loss before it."""
        loss, grads = self.loss_and_grads(X, y, alpha)
        for p, g in zip(self.params, grads):
            p -= lr * g
        return loss

    def flat(self, grads: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """``grads`` (default: the parameters) as one vector in ``MLP.parameters()`` order:
        layer by layer, neuron by neuron, its weights then its bias."""
        items = self.params if grads is None else grads
        parts = []
        for W, b in zip(items[::2], items[1::2]):
            parts.append(np.concatenate([W, b[None, :]], axis=0).T.ravel())
        return np.concatenate(parts)

    def __repr__(self) -> str:
        sizes = ", ".join(str(n) for n in self.sizes[1:])
        return f"ArrayMLP({self.sizes[0]}, [{sizes}], activation={self.activation!r})"
