"""Neurons, layers and MLPs of scalar Values (chapter 8), shaped like micrograd's ``nn.py``
(``MLP(2, [16, 16, 1], activation="relu", seed=0)([0.5, -1.2])`` is a Value), and
:class:`ArrayMLP`, the same network on arrays (numpy imported by array methods only). A neuron
is ``act(sum_i w_i x_i + b)``, the last layer linear; weights are numpy's ``default_rng(seed)
.uniform(-1, 1, (nout, nin))`` a layer (drawn in pure Python, bit for bit), biases 0.
``value_cls``: any class with micrograd's Value interface."""

from __future__ import annotations

import numbers
import secrets
from collections.abc import Sequence, Sized
from typing import TYPE_CHECKING, Any

from backprop_kit.core import switch
from backprop_kit.core.engine import Value, as_number
from backprop_kit.nn import dimensions as dims
from backprop_kit.nn.dimensions import as_list, numbers_list, plural, short_repr, within

if TYPE_CHECKING:
    import numpy as np

__all__ = (
    "ACTIVATIONS ArrayMLP Diverged Layer MLP Neuron backward_accumulate name_parameters "
    "sgd_update svm_loss train_step"
).split()

ACTIVATIONS = ("relu", "tanh", "sigmoid")
MAX_PARAMETERS = 50_000  # Values in one scalar model (about 0.3 s to build)
MAX_LAYERS = 1000  # layers of one network, scalar or array
MAX_CIRCUIT = 1_000_000  # points × parameters of one svm_loss circuit: ~2 wires each, ~7 s
MAX_WEIGHT = 1e100  # a step to a weight beyond ± this (or inf, NaN) has diverged: refused


class Diverged(ValueError):
    """A refused gradient-descent step: parameters would pass ±MAX_WEIGHT (or inf, NaN)."""


def _check_activation(activation: object, allow_none: bool = False) -> None:
    if not (activation in ACTIVATIONS or (activation is None and allow_none)):
        allowed = ", ".join(repr(a) for a in ACTIVATIONS)
        raise ValueError(f"activation must be one of {allowed}, got {short_repr(activation)}")


def _check_sizes(nin: object, nouts: object, activation: str, who: str, cap: int) -> tuple:
    """(nin, n1, ..., nout), every size and the parameter count within ``cap``, or one line."""
    sizes = [dims.whole_number(nin, f"{who}: nin (the number of inputs)", 1, cap)]
    nouts = as_list(nouts, f"{who}: nouts", "a non-empty list of sizes like [16, 16, 1]", True)
    within(len(nouts), MAX_LAYERS, f"{who}: the number of layers (MAX_LAYERS)")
    for i, n in enumerate(nouts):
        sizes.append(dims.whole_number(n, f"{who}: nouts[{i}] (a layer size)", 1, cap))
    _check_activation(activation)
    count = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    cap_name = "MAX_PARAMETERS" if cap == MAX_PARAMETERS else "MAX_ENTRIES"
    within(count, cap, f"{who}({sizes[0]}, {sizes[1:]}): the number of parameters ({cap_name})")
    return tuple(sizes)


def _inputs(x: Any, n: int, who: str) -> list[Any]:
    """``x``: ``n`` numbers or Values (a list, tuple or 1-d array), or one line."""
    x = as_list(x, f"{who}: its input", f"a list of {plural(n, 'input')}")
    if len(x) != n:
        raise ValueError(f"{who} takes {plural(n, 'input')}, got {plural(len(x), 'number')}")
    for i, xi in enumerate(x):
        if isinstance(xi, bool) or not (isinstance(xi, numbers.Real) or hasattr(xi, "data")):
            got = f"{type(xi).__name__} {short_repr(xi, 30)}"
            raise ValueError(f"{who}: input {i} must be a number or a Value, got {got}")
    return x


class Neuron:
    """``act(w · x + b)``, or ``w · x + b`` for ``activation=None``. Shapes: weights (nin,)
    numbers, bias a number -> ``w`` nin Values, ``b`` a Value; ``neuron(x)``: x (nin,) -> a Value.
    """

    def __init__(
        self, weights: Sequence[float], bias: float = 0.0, activation: str | None = "relu",
        value_cls: type = Value,
    ) -> None:  # fmt: skip
        _check_activation(activation, allow_none=True)
        ws = numbers_list(weights, "Neuron: weights")
        if not ws:
            raise ValueError("Neuron: weights must hold one number per input, got none")
        within(len(ws), MAX_PARAMETERS, "Neuron: the number of weights (MAX_PARAMETERS)")
        self.w = [value_cls(w) for w in ws]
        self.b = value_cls(as_number(bias, "Neuron: bias"))
        self.activation = activation

    def __call__(self, x: Sequence[Any]) -> Any:
        return self._out(_inputs(x, len(self.w), "this neuron"))

    def _out(self, x: Sequence[Any]) -> Any:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act if self.activation is None else getattr(act, self.activation)()

    def parameters(self) -> list[Any]:
        """The weights, then the bias."""
        return self.w + [self.b]

    def __repr__(self) -> str:
        kind = "Linear" if self.activation is None else self.activation.capitalize()
        return f"{kind}Neuron({len(self.w)})"


class Layer:
    """``nout`` neurons reading the same ``nin`` inputs. Shapes: weights (nout, nin) (row j:
    neuron j's), biases (nout,) (zeros if None); ``layer(x)``: x (nin,) -> nout Values (one: the
    Value itself)."""

    def __init__(
        self, weights: Sequence[Sequence[float]], biases: Sequence[float] | None = None,
        activation: str | None = "relu", value_cls: type = Value,
    ) -> None:  # fmt: skip
        rows = as_list(weights, "Layer: weights", "a non-empty list of rows, one a neuron", True)
        bs = [0.0] * len(rows) if biases is None else numbers_list(biases, "Layer: biases")
        if len(bs) != len(rows):
            raise ValueError(
                f"Layer: weights has {plural(len(rows), 'row')} (neurons) and biases "
                f"{plural(len(bs), 'number')}; need one bias per neuron"
            )
        count = sum(len(r) + 1 if isinstance(r, Sized) else 1 for r in rows)
        within(count, MAX_PARAMETERS, "Layer: the number of parameters (MAX_PARAMETERS)")
        self.neurons = [Neuron(w, b, activation, value_cls) for w, b in zip(rows, bs)]
        if bad := [j for j, n in enumerate(self.neurons) if len(n.w) != len(self.neurons[0].w)]:
            got = f"weights[{bad[0]}] has {plural(len(self.neurons[bad[0]].w), 'number')}"
            raise ValueError(f"Layer: {got} and weights[0] {len(self.neurons[0].w)}; one per input")

    def __call__(self, x: Sequence[Any]) -> Any:
        out = self.outputs(_inputs(x, len(self.neurons[0].w), "this layer"))
        return out[0] if len(out) == 1 else out

    def outputs(self, x: Sequence[Any]) -> list[Any]:
        """The outputs as a list, even for one neuron."""
        return [n._out(x) for n in self.neurons]

    def parameters(self) -> list[Any]:
        """Neuron by neuron, each neuron's weights and then its bias."""
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(repr(n) for n in self.neurons)}]"


# numpy's default_rng(seed).uniform(-1, 1) in pure Python, bit for bit (a test compares): its
# SeedSequence hashes the seed into a PCG64 state, whose 64-bit outputs become doubles.
_M32, _M64, _M128 = 2**32 - 1, 2**64 - 1, 2**128 - 1
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645


def _pcg64_seeded(seed: int | None) -> tuple[int, int]:
    """(state, increment) of ``np.random.PCG64(np.random.SeedSequence(seed))``."""
    value = secrets.randbits(128) if seed is None else seed
    entropy = [(value >> (32 * i)) & _M32 for i in range(max(1, -(-value.bit_length() // 32)))]
    hash_a = 0x43B0D7E5

    def hashmix(v: int) -> int:
        nonlocal hash_a
        v, hash_a = v ^ hash_a, (hash_a * 0x931E8875) & _M32
        v = (v * hash_a) & _M32
        return v ^ (v >> 16)

    def mix(x: int, y: int) -> int:
        r = (0xCA01F9DD * x - 0x4973F715 * y) & _M32
        return r ^ (r >> 16)

    pool = [hashmix(entropy[i] if i < len(entropy) else 0) for i in range(4)]
    for src, dst in [(s, d) for s in range(4) for d in range(4) if s != d]:
        pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for word, dst in [(w, d) for w in entropy[4:] for d in range(4)]:
        pool[dst] = mix(pool[dst], hashmix(word))
    hash_b, words = 0x8B51F9DD, []
    for i in range(8):
        v, hash_b = pool[i % 4] ^ hash_b, (hash_b * 0x58F38DED) & _M32
        v = (v * hash_b) & _M32
        words.append(v ^ (v >> 16))
    w = [words[2 * i] | (words[2 * i + 1] << 32) for i in range(4)]
    inc = (((w[2] << 64 | w[3]) << 1) | 1) & _M128
    return ((inc + (w[0] << 64 | w[1])) * _PCG_MULT + inc) & _M128, inc


def uniform_rows(sizes: Sequence[int], seed: int | None = 0) -> list[list[list[float]]]:
    """``[rng.uniform(-1, 1, (nout, nin)).tolist() ...]`` layer by layer, ``rng =
    np.random.default_rng(seed)``, without numpy. Shapes: sizes (nin, n1, ..., nout)."""
    state, inc = _pcg64_seeded(seed)

    def draw(n: int) -> list[float]:
        nonlocal state
        out = []
        for _ in range(n):
            state = (state * _PCG_MULT + inc) & _M128
            x, r = ((state >> 64) ^ state) & _M64, state >> 122
            x = ((x >> r) | (x << (64 - r))) & _M64
            out.append(-1.0 + 2.0 * ((x >> 11) * 2.0**-53))
        return out

    return [[draw(nin) for _ in range(nout)] for nin, nout in zip(sizes, sizes[1:])]


def initial_weights(sizes: Sequence[int], seed: int | None = 0) -> list[np.ndarray]:
    """:func:`uniform_rows` with numpy (fast, the same numbers): one (nout, nin) array a layer."""
    rng = _arrays().np.random.default_rng(seed)
    return [rng.uniform(-1.0, 1.0, size=(nout, nin)) for nin, nout in zip(sizes, sizes[1:])]


class MLP:
    """``MLP(nin, [n1, ..., nout], activation="relu", seed=0, value_cls=Value)``: layer i maps
    n_(i-1) numbers to n_i, the last is linear; weights from :func:`uniform_rows`. Shapes:
    ``model(x)``: x (nin,) numbers or Values -> a Value (nout = 1) or a list of nout Values."""

    def __init__(
        self, nin: int, nouts: Sequence[int], activation: str = "relu", seed: int | None = 0,
        value_cls: type = Value,
    ) -> None:  # fmt: skip
        sizes = _check_sizes(nin, nouts, activation, "MLP", MAX_PARAMETERS)
        if not isinstance(value_cls, type):
            raise ValueError(f"MLP: value_cls must be a class, got {short_repr(value_cls)}")
        if len(sizes) > 2 and not callable(getattr(value_cls, activation, None)):
            raise ValueError(
                f"MLP: activation={activation!r} needs a .{activation}() method on "
                f"{value_cls.__name__!r}, which has none"
            )
        self.sizes, self.activation, self.value_cls = sizes, activation, value_cls
        rows = uniform_rows(sizes, dims.check_seed(seed, "MLP"))
        acts = [activation] * (len(rows) - 1) + [None]
        self.layers = [Layer(w, None, act, value_cls) for w, act in zip(rows, acts)]

    def __call__(self, x: Sequence[Any]) -> Any:
        x = _inputs(x, self.sizes[0], "this MLP")
        for layer in self.layers:
            x = layer.outputs(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Any]:
        """Every parameter: layer by layer, neuron by neuron, its weights and then its bias."""
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        """Every ``.grad`` to 0 (before each backward of an engine that adds to them)."""
        for p in self.parameters():
            p.grad = 0.0

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The numbers now, one ``(W, b)`` a layer for ``X @ W + b``: W (nin, nout), b (nout,)."""
        array, out = _arrays().np.array, []
        for layer in self.layers:
            W = array([[w.data for w in n.w] for n in layer.neurons]).T
            out.append((W, array([n.b.data for n in layer.neurons])))
        return out

    def __repr__(self) -> str:
        return f"MLP({self.sizes[0]}, {list(self.sizes[1:])}, activation={self.activation!r})"


def name_parameters(model: MLP) -> MLP:
    """Label every parameter ``w{layer}{neuron}{input}``, ``b{layer}{neuron}`` (from 0; ``w102``:
    layer 1, neuron 0, input 2), ``_`` between the numbers once one reaches 10. Needs the kit's
    ``Value`` (its ``named``); returns the model."""
    if not isinstance(model, MLP):
        raise ValueError(f"name_parameters needs an MLP, got {type(model).__name__}")
    if not callable(getattr(model.value_cls, "named", None)):
        cls = f"{model.value_cls.__module__}.{model.value_cls.__name__}"
        raise ValueError(f"name_parameters labels with the kit's Value.named(); {cls} has none")
    sep = "" if max(*model.sizes, len(model.layers)) <= 10 else "_"
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                w.named(f"w{i}{sep}{j}{sep}{k}")
            neuron.b.named(f"b{i}{sep}{j}")
    return model


# --------------------------------------------------------------------------- training
def _check_data(X: Any, y: Any, model: Any, func: str) -> tuple[list[list[float]], list[float]]:
    """X (N, nin) and y (N,) of ±1 as floats, N × parameters within MAX_CIRCUIT, or one line."""
    if not isinstance(model, MLP):
        raise ValueError(f"{func} needs an MLP as its model, got {type(model).__name__}")
    nin, n_params = model.sizes[0], len(model.parameters())
    n = len(X) if isinstance(X, Sized) and getattr(X, "ndim", 1) != 0 else 0  # X unconverted
    within(
        n * n_params, MAX_CIRCUIT, f"{func}: {n:,} points × {n_params:,} parameters (MAX_CIRCUIT)"
    )
    rows = as_list(X, f"{func}: X", f"N >= 1 points of {nin} numbers", True)
    points = [numbers_list(row, f"{func}: X[{n}] (a point)", nin) for n, row in enumerate(rows)]
    labels = numbers_list(y, f"{func}: y (one label a point)", len(points))
    dims.check_labels(labels, func)
    return points, labels


def svm_loss(model: MLP, X: Any, y: Any, alpha: float = 0.0) -> Any:
    """micrograd's max-margin loss as one circuit, ``L = (1/N) sum_n max(0, 1 - y_n s_n) +
    alpha * sum_p p²``, ``s_n = model(X[n])``. Shapes: X (N, nin), y (N,) of ±1 -> L a value_cls."""
    points, labels = _check_data(X, y, model, "svm_loss")
    alpha = dims.real_number(alpha, "svm_loss: alpha (the L2 strength)", strict=False)
    losses = [(1 + -yi * model(row)).relu() for yi, row in zip(labels, points)]
    total = sum(losses) * (1.0 / len(losses))
    return total + alpha * sum(p * p for p in model.parameters()) if alpha else total


def _check_parameters(parameters: Any, func: str) -> list[Any]:
    ps = as_list(parameters, f"{func}: parameters", "a list of Values, like model.parameters()")
    if not all(hasattr(p, "data") and hasattr(p, "grad") for p in ps):
        raise ValueError(f"{func}: parameters must be Values (with .data and .grad)")
    return ps


def sgd_update(parameters: Sequence[Any], lr: float) -> None:
    """One gradient-descent step, ``p.data -= lr * p.grad`` for every parameter, or none at all
    (:class:`Diverged`) if a new value would pass ±MAX_WEIGHT. Switched off while the exercise
    that asks for this step checks a learner's (:mod:`backprop_kit.core.switch`)."""
    switch.refuse("nn.sgd_update")
    lr, ps = dims.real_number(lr, "sgd_update: lr"), _check_parameters(parameters, "sgd_update")
    new = [p.data - lr * p.grad for p in ps]
    if bad := sum(isinstance(v, numbers.Real) and not abs(float(v)) <= MAX_WEIGHT for v in new):
        raise Diverged(
            f"sgd_update: a step of lr = {lr:g} would take {plural(bad, 'parameter')} to inf, "
            f"NaN or beyond ±{MAX_WEIGHT:g}; nothing was changed (use a smaller lr)"
        )
    for p, v in zip(ps, new):
        p.data = v


def backward_accumulate(loss: Any, parameters: Sequence[Any]) -> None:
    """Backpropagate as micrograd and PyTorch do: *add* ∂loss/∂p to each ``p.grad`` (the kit's
    ``backward()`` resets first), so a loop that never calls ``zero_grad()`` sums them all."""
    switch.refuse("nn.backward_accumulate")
    if not callable(getattr(loss, "backward", None)):
        got = f"{type(loss).__name__} {short_repr(loss, 40)}"
        raise ValueError(f"backward_accumulate: loss must be a loss circuit's Value, got {got}")
    ps = _check_parameters(parameters, "backward_accumulate")
    before = [p.grad for p in ps]
    loss.backward()
    for p, g in zip(ps, before):
        p.grad += g


def train_step(model: MLP, X: Any, y: Any, lr: float, alpha: float = 0.0) -> float:
    """One step (svm_loss, zero_grad, backward, sgd_update); the loss before the update."""
    lr = dims.real_number(lr, "train_step: lr")
    loss = svm_loss(model, X, y, alpha)
    model.zero_grad()
    loss.backward()
    sgd_update(model.parameters(), lr)
    return float(loss.data)


# --------------------------------------------------------------------------- arrays
def _arrays() -> Any:
    """The array gates (numpy as ``.np``), imported when an array function first needs them."""
    from backprop_kit.nn import arrays

    return arrays


class ArrayMLP:
    """The same network on arrays: per layer ``affine`` then the activation (the last linear),
    ``svm_loss`` + L2. Shapes: X (N, nin) -> hidden (N, n_i) -> scores (N, nout); ``params`` =
    [W1, b1, W2, ...], W_i (n_(i-1), n_i), b_i (n_i,); an ``MLP``'s start for the seed, or
    :meth:`from_mlp`. Caps: ``MAX_ENTRIES`` parameters and outputs, ``MAX_WORK`` per call."""

    def __init__(
        self, nin: int, nouts: Sequence[int], activation: str = "relu", seed: int | None = 0
    ) -> None:
        A = _arrays()
        self.sizes = _check_sizes(nin, nouts, activation, "ArrayMLP", A.MAX_ENTRIES)
        self.activation = activation
        weights = initial_weights(self.sizes, dims.check_seed(seed, "ArrayMLP"))
        self.params: list[np.ndarray] = []
        for w in weights:
            self.params += [w.T.copy(), A.np.zeros(len(w))]

    @classmethod
    def from_mlp(cls, model: MLP) -> ArrayMLP:
        """An ArrayMLP holding copies of ``model``'s current weights and biases."""
        if not isinstance(model, MLP):
            raise ValueError(f"ArrayMLP.from_mlp needs an MLP, got {type(model).__name__}")
        net = cls.__new__(cls)
        net.sizes, net.activation = model.sizes, model.activation
        net.params = [a for W, b in model.weights() for a in (W, b)]
        return net

    def forward(self, X: Any, who: str = "ArrayMLP.forward") -> tuple[np.ndarray, list]:
        """Scores (N, nout) for X (N, nin) within the caps (else one line naming ``who``), and
        per layer the caches backward needs: ``(affine cache, activation cache or None)``."""
        A = _arrays()
        h, n_params = A._as_real_array(X, "X", who, ndim=2), sum(p.size for p in self.params)
        if h.shape[1] != self.sizes[0]:
            raise ValueError(
                f"{who}: X has shape {h.shape}; this network takes (N, {self.sizes[0]})"
            )
        within(len(h) * n_params, A.MAX_WORK, f"{who}: N × parameters (MAX_WORK)")
        within(len(h) * sum(self.sizes[1:]), A.MAX_ENTRIES, f"{who}: N × units (MAX_ENTRIES)")
        act, caches, last = getattr(A, self.activation), [], len(self.params) // 2 - 1
        for i, (W, b) in enumerate(zip(self.params[::2], self.params[1::2])):
            h, affine_cache = A.affine(h, W, b)
            h, act_cache = act(h) if i < last else (h, None)
            caches.append((affine_cache, act_cache))
        return h, caches

    def predict(self, X: Any) -> np.ndarray:
        """The scores alone: (N, nout)."""
        return self.forward(X, "ArrayMLP.predict")[0]

    def loss_and_grads(
        self, X: Any, y: Any, alpha: float = 0.0, who: str = "ArrayMLP.loss_and_grads"
    ) -> tuple[float, list[np.ndarray]]:
        """The SVM loss of the scores + ``alpha * sum p²``, and its gradient on every array of
        ``params``. Shapes: X (N, nin), y (N,) labels ±1 -> a float, arrays like params."""
        A = _arrays()
        alpha = dims.real_number(alpha, f"{who}: alpha (the L2 strength)", strict=False)
        scores, caches = self.forward(X, who)
        y = A._as_real_array(y, "y", who, ndim=1)
        if not A.np.all(A.np.abs(y) == 1.0):
            dims.check_labels(y.tolist(), who)
        if scores.shape[1] != 1 or len(y) != len(scores):
            raise ValueError(
                f"{who}: the SVM loss needs one output and one label per row of X; this "
                f"network has {scores.shape[1]} outputs, X {len(scores)} rows, y {len(y)} labels"
            )
        loss, loss_cache = A.svm_loss(scores[:, 0], y)
        grads = self.backward(A.svm_loss_backward(1.0, loss_cache)[:, None], caches)
        if alpha:
            loss += alpha * sum(float((p * p).sum()) for p in self.params)
            for g, p in zip(grads, self.params):  # fresh arrays from the gates: add in place
                g += (2.0 * alpha) * p
        return loss, grads

    def backward(
        self, dscores: np.ndarray, caches: list, hidden_grads: list | None = None
    ) -> list[np.ndarray]:
        """``[dW1, db1, ...]`` from dscores (N, nout); the gradient on each hidden layer's
        output (N, n_i) is appended to ``hidden_grads`` if given, the last layer's first."""
        A = _arrays()
        act_backward = getattr(A, f"{self.activation}_backward")
        grads: list[np.ndarray] = [A.np.empty(0)] * len(self.params)
        dh: Any = dscores  # None after the first layer, whose input gradient is not needed
        for i, (affine_cache, act_cache) in reversed(list(enumerate(caches))):
            if act_cache is not None:
                if hidden_grads is not None:
                    hidden_grads.append(dh)
                dh = act_backward(dh, act_cache)
            dh, dW, db = A.affine_backward(dh, affine_cache, input_grad=i > 0)
            grads[2 * i], grads[2 * i + 1] = dW, db
        return grads

    def step(self, X: Any, y: Any, lr: float, alpha: float = 0.0) -> float:
        """One SGD step on all arrays; returns the loss before it. The new arrays replace the
        old at once, or not at all (:class:`Diverged`) if an entry would pass ±MAX_WEIGHT."""
        np = _arrays().np
        lr = dims.real_number(lr, "ArrayMLP.step: lr")
        loss, grads = self.loss_and_grads(X, y, alpha, "ArrayMLP.step")
        with np.errstate(over="ignore", invalid="ignore"):
            new = [p - lr * g for p, g in zip(self.params, grads)]
        if bad := sum(int(np.count_nonzero(~(np.abs(p) <= MAX_WEIGHT))) for p in new):
            raise Diverged(
                f"ArrayMLP.step: a step of lr = {lr:g} would take {plural(bad, 'weight')} to "
                f"inf, NaN or beyond ±{MAX_WEIGHT:g}; nothing was changed (use a smaller lr)"
            )
        self.params = new
        return loss

    def flat(self, grads: Sequence[np.ndarray] | None = None) -> np.ndarray:
        """``grads`` (default: the parameters) as one vector in ``MLP.parameters()`` order."""
        np, items = _arrays().np, self.params if grads is None else grads
        pairs = zip(items[::2], items[1::2])
        return np.concatenate([np.concatenate([W, b[None, :]]).T.ravel() for W, b in pairs])

    def __repr__(self) -> str:
        return f"ArrayMLP({self.sizes[0]}, {list(self.sizes[1:])}, activation={self.activation!r})"
