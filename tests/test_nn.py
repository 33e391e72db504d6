"""nn: neurons, layers and MLPs on Value; the same network on arrays; the training helpers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit import Value
from backprop_kit.nn import net as nn
from backprop_kit.nn.arrays import (
    affine,
    affine_backward,
    grad_check_array,
    svm_loss,
    svm_loss_backward,
    tanh,
    tanh_backward,
)
from backprop_kit.nn.data import two_moons

FAST = settings(max_examples=25)


def data(n: int = 12, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    return two_moons(n, noise=0.1, seed=seed)


# --- the scalar network ------------------------------------------------------------------


def test_one_output_is_a_value_several_are_a_list():
    assert isinstance(nn.MLP(2, [3, 1])([0.5, -1.0]), Value)
    out = nn.MLP(2, [3, 4])([0.5, -1.0])
    assert isinstance(out, list) and len(out) == 4 and all(isinstance(v, Value) for v in out)


def test_parameters_layer_by_layer_neuron_by_neuron_weights_then_bias():
    model = nn.MLP(3, [4, 2, 1])
    expected = [p for layer in model.layers for n in layer.neurons for p in [*n.w, n.b]]
    got = model.parameters()
    assert len(got) == (3 + 1) * 4 + (4 + 1) * 2 + (2 + 1) * 1
    assert all(a is b for a, b in zip(got, expected, strict=True))


def test_every_layer_but_the_last_applies_the_activation():
    model = nn.MLP(2, [5, 5, 1], activation="tanh", seed=4)
    kinds = [n.activation for layer in model.layers for n in layer.neurons]
    assert kinds == ["tanh"] * 10 + [None]
    # the output is the plain weighted sum of the last hidden layer's tanh outputs
    x = [0.3, -0.8]
    h = model.layers[1](model.layers[0](x))
    last = model.layers[2].neurons[0]
    want = sum(w.data * hi.data for w, hi in zip(last.w, h)) + last.b.data
    assert model(x).data == pytest.approx(want, rel=1e-12)
    assert all(-1 <= hi.data <= 1 for hi in h)


@pytest.mark.parametrize("activation", nn.ACTIVATIONS)
def test_a_neuron_computes_act_of_w_dot_x_plus_b(activation):
    neuron = nn.Neuron([0.5, -2.0], bias=0.25, activation=activation)
    z = 0.5 * 1.5 - 2.0 * 0.1 + 0.25
    want = {"relu": max(z, 0.0), "tanh": np.tanh(z), "sigmoid": 1 / (1 + np.exp(-z))}
    assert neuron([1.5, 0.1]).data == pytest.approx(want[activation], rel=1e-14)


def test_seed_makes_initialisation_reproducible():
    a, b, c = nn.MLP(2, [4, 1], seed=7), nn.MLP(2, [4, 1], seed=7), nn.MLP(2, [4, 1], seed=8)
    da = [p.data for p in a.parameters()]
    assert da == [p.data for p in b.parameters()]
    assert da != [p.data for p in c.parameters()]
    weights = [p.data for n in a.layers[0].neurons for p in n.w]
    assert all(-1 <= w < 1 for w in weights) and all(n.b.data == 0 for n in a.layers[0].neurons)


def test_weights_export_matches_parameters():
    model = nn.MLP(2, [3, 1], seed=2)
    (W1, b1), (W2, b2) = model.weights()
    assert W1.shape == (2, 3) and b1.shape == (3,) and W2.shape == (3, 1)
    assert W1[1, 2] == model.layers[0].neurons[2].w[1].data


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, [2]), "nin"),
        ((2, []), "nouts"),
        ((2, "16"), "nouts"),
        ((2, [3, 0]), "layer size"),
        ((2, [3, 2.5]), "layer size"),
    ],
)
def test_bad_sizes_are_one_line_errors(args, message):
    with pytest.raises(ValueError, match=message) as info:
        nn.MLP(*args)
    assert "\n" not in str(info.value)


def test_bad_activation_and_input_length():
    with pytest.raises(ValueError, match="activation must be one of 'relu', 'tanh'"):
        nn.MLP(2, [1], activation="softplus")
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        nn.MLP(2, [1])([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"X\[0\] \(a point\) must hold 2 numbers, got 3"):
        nn.svm_loss(nn.MLP(2, [1]), np.ones((3, 3)), np.ones(3))


def test_a_value_class_without_the_activation_is_a_one_line_error():
    class Bare:
        def __init__(self, data):
            self.data, self.grad = data, 0.0

    with pytest.raises(ValueError, match=r"needs a \.tanh\(\) method on 'Bare'"):
        nn.MLP(2, [3, 1], activation="tanh", value_cls=Bare)
    nn.MLP(2, [1], activation="tanh", value_cls=Bare)  # one linear layer needs no activation


def test_micrograd_value_gives_the_same_forward_and_gradients():
    from micrograd import engine  # in the test extra, so this test never skips silently

    X, y = data()
    ours = nn.MLP(2, [6, 4, 1], seed=5)
    theirs = nn.MLP(2, [6, 4, 1], seed=5, value_cls=engine.Value)
    assert all(isinstance(p, engine.Value) for p in theirs.parameters())
    for row in X[:5].tolist():
        assert theirs(row).data == pytest.approx(ours(row).data, rel=1e-12, abs=1e-15)
    a, b = nn.svm_loss(ours, X, y, alpha=1e-3), nn.svm_loss(theirs, X, y, alpha=1e-3)
    a.backward()
    theirs.zero_grad()
    b.backward()
    assert b.data == pytest.approx(a.data, rel=1e-12)
    np.testing.assert_allclose(
        [p.grad for p in theirs.parameters()],
        [p.grad for p in ours.parameters()],
        rtol=1e-10,
        atol=1e-14,
    )


# --- training helpers --------------------------------------------------------------------


def test_svm_loss_gradient_matches_finite_differences():
    X, y = data(8)
    model = nn.MLP(2, [4, 1], activation="tanh", seed=1)
    loss = nn.svm_loss(model, X, y, alpha=0.01)
    loss.backward()
    params = model.parameters()
    h = 1e-6
    for p in params[::3]:
        old = p.data
        p.data = old + h
        up = nn.svm_loss(model, X, y, alpha=0.01).data
        p.data = old - h
        down = nn.svm_loss(model, X, y, alpha=0.01).data
        p.data = old
        assert p.grad == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8)


def test_backward_accumulate_adds_and_zero_grad_resets():
    X, y = data(8)
    model = nn.MLP(2, [3, 1], seed=0)
    loss = nn.svm_loss(model, X, y)
    loss.backward()
    once = [p.grad for p in model.parameters()]
    nn.backward_accumulate(loss, model.parameters())
    assert [p.grad for p in model.parameters()] == pytest.approx([2 * g for g in once])
    model.zero_grad()
    nn.backward_accumulate(loss, model.parameters())
    assert [p.grad for p in model.parameters()] == pytest.approx(once)


def test_train_step_lowers_the_loss_on_two_moons():
    X, y = data(40, seed=0)
    model = nn.MLP(2, [8, 1], seed=0)
    losses = [nn.train_step(model, X, y, lr=0.1) for _ in range(15)]
    assert losses[-1] < 0.7 * losses[0]
    with pytest.raises(ValueError, match="lr must be a positive finite number"):
        nn.train_step(model, X, y, lr=-1)


def test_sgd_update_moves_against_the_gradient():
    p, q = Value(1.0), Value(-2.0)
    p.grad, q.grad = 0.5, -4.0
    nn.sgd_update([p, q], lr=0.1)
    assert (p.data, q.data) == pytest.approx((0.95, -1.6))


# --- the same network on arrays -----------------------------------------------------------


@FAST
@given(
    seed=st.integers(0, 10_000),
    hidden=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    activation=st.sampled_from(nn.ACTIVATIONS),
    alpha=st.sampled_from([0.0, 1e-3]),
)
def test_array_network_gives_the_scalar_gradients(seed, hidden, activation, alpha):
    X, y = data(10, seed=seed)
    model = nn.MLP(2, [*hidden, 1], activation=activation, seed=seed)
    loss = nn.svm_loss(model, X, y, alpha=alpha)
    loss.backward()
    net = nn.ArrayMLP.from_mlp(model)
    array_loss, grads = net.loss_and_grads(X, y, alpha=alpha)
    assert array_loss == pytest.approx(loss.data, rel=1e-12, abs=1e-15)
    scalar = np.array([p.grad for p in model.parameters()])
    assert np.max(np.abs(net.flat(grads) - scalar)) < 1e-12
    assert np.array_equal(net.flat(), [p.data for p in model.parameters()])


def test_array_network_from_a_seed_starts_where_the_scalar_one_does():
    net = nn.ArrayMLP(2, [5, 3, 1], activation="tanh", seed=11)
    model = nn.MLP(2, [5, 3, 1], activation="tanh", seed=11)
    assert np.array_equal(net.flat(), [p.data for p in model.parameters()])
    X, _ = data(6)
    np.testing.assert_allclose(
        net.predict(X)[:, 0], [model(r).data for r in X.tolist()], rtol=1e-12
    )


def test_array_step_equals_scalar_step():
    X, y = data(20)
    model = nn.MLP(2, [6, 1], seed=3)
    net = nn.ArrayMLP.from_mlp(model)
    for _ in range(3):
        a = nn.train_step(model, X, y, lr=0.2, alpha=1e-4)
        b = net.step(X, y, lr=0.2, alpha=1e-4)
        assert b == pytest.approx(a, rel=1e-12)
    np.testing.assert_allclose(
        net.flat(), [p.data for p in model.parameters()], rtol=1e-11, atol=1e-13
    )


# --- the new array gates, gradient-checked like the others -------------------------------


@FAST
@given(seed=st.integers(0, 10_000), n=st.integers(1, 6), d=st.integers(1, 5), h=st.integers(1, 5))
def test_affine_backward_passes_the_gradient_check(seed, n, d, h):
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h)
    out, cache = affine(X, W, b)
    np.testing.assert_allclose(out, X @ W + b, rtol=1e-12, atol=1e-12)
    dout = rng.normal(size=out.shape)
    dX, dW, db = affine_backward(dout, cache)
    checks = [
        grad_check_array(lambda X_: affine(X_, W, b)[0], X, dout, dX, name="dX"),
        grad_check_array(lambda W_: affine(X, W_, b)[0], W, dout, dW, name="dW"),
        grad_check_array(lambda b_: affine(X, W, b_)[0], b, dout, db, name="db"),
    ]
    for result in checks:
        assert result.rel_error < 1e-7, str(result)


@FAST
@given(seed=st.integers(0, 10_000))
def test_tanh_backward_passes_the_gradient_check(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=2.0, size=(4, 3))
    out, cache = tanh(X)
    dout = rng.normal(size=X.shape)
    result = grad_check_array(lambda X_: tanh(X_)[0], X, dout, tanh_backward(dout, cache))
    # a saturated tanh has a tiny slope, where central differences keep only a few digits:
    # relative agreement, with an absolute floor far below any real mistake
    np.testing.assert_allclose(result.analytic, result.numeric, rtol=1e-7, atol=1e-10)


@FAST
@given(seed=st.integers(0, 10_000), n=st.integers(1, 12))
def test_svm_loss_backward_passes_the_gradient_check(seed, n):
    rng = np.random.default_rng(seed)
    y = rng.choice([-1.0, 1.0], size=n)
    scores = rng.normal(scale=2.0, size=n)
    scores[np.abs(1 - y * scores) < 1e-3] += 0.01  # keep away from the kink
    loss, cache = svm_loss(scores, y)
    assert loss == pytest.approx(np.mean(np.maximum(0, 1 - y * scores)), rel=1e-12)
    ds = svm_loss_backward(1.0, cache)
    result = grad_check_array(lambda s_: svm_loss(s_, y)[0], scores, 1.0, ds, name="ds")
    assert result.rel_error < 1e-7, str(result)


def test_new_gates_reject_bad_shapes_in_one_line():
    with pytest.raises(ValueError, match=r"affine: X has shape \(2, 3\).*W has shape \(2, 4\)"):
        affine(np.ones((2, 3)), np.ones((2, 4)), np.ones(4))
    with pytest.raises(ValueError, match=r"b needs one entry per column of W, shape \(4,\)"):
        affine(np.ones((2, 3)), np.ones((3, 4)), np.ones(3))
    with pytest.raises(ValueError, match="need one label per score"):
        svm_loss(np.ones(3), np.ones(4))
    _, cache = affine(np.ones((2, 3)), np.ones((3, 4)), np.ones(4))
    with pytest.raises(ValueError, match=r"dout has shape \(4, 2\) but must have shape \(2, 4\)"):
        affine_backward(np.ones((4, 2)), cache)


# --- the toy data --------------------------------------------------------------------------


def test_two_moons_is_seeded_balanced_and_labelled_plus_minus_one():
    X, y = two_moons(101, seed=5)
    X2, y2 = two_moons(101, seed=5)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert not np.array_equal(X, two_moons(101, seed=6)[0])
    assert set(np.unique(y)) == {-1.0, 1.0} and abs(int(np.sum(y))) == 1
    # without noise, the upper arc (label -1) has y >= 0 and the lower arc y <= 0.5
    Xc, yc = two_moons(50, noise=0.0)
    assert np.all(Xc[yc < 0, 1] >= -1e-12) and np.all(Xc[yc > 0, 1] <= 0.5 + 1e-12)
    with pytest.raises(ValueError, match=r"n must be a whole number in 2\.\.100,000"):
        two_moons(1)


def test_name_parameters_labels_layer_neuron_input():
    model = nn.name_parameters(nn.MLP(2, [3, 1]))
    assert model.layers[1].neurons[0].w[2].label == "w102"
    assert model.layers[0].neurons[2].b.label == "b02"
    assert len({p.label for p in model.parameters()}) == len(model.parameters())


def test_name_parameters_stays_unique_past_ten_and_the_small_labels_stay():
    model = nn.name_parameters(nn.MLP(12, [12, 1]))  # was 167 labels for 169 parameters
    labels = [p.label for p in model.parameters()]
    assert len(set(labels)) == len(labels) == 169
    assert model.layers[0].neurons[11].w[1].label == "w0_11_1"
    assert nn.name_parameters(nn.MLP(10, [10, 1])).layers[1].neurons[0].w[9].label == "w109"


# --- issue 22: bad input is one line naming the argument; nothing silently wrong -------------


def one_line(call, error=ValueError) -> str:
    with pytest.raises(error) as info:
        call()
    text = str(info.value)
    assert text and "\n" not in text, text
    return text


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: nn.MLP(2, [3, 1], seed=-1), "MLP: seed (or None) must be a whole number in 0.."),
        (lambda: nn.ArrayMLP(2, [3, 1], seed=1.5), "ArrayMLP: seed (or None)"),
        (lambda: two_moons(seed="a"), "two_moons: seed (or None) must be a whole number"),
        (lambda: nn.Neuron(None), "Neuron: weights must be a list of numbers, got NoneType"),
        (lambda: nn.Neuron(["abc"]), "Neuron: weights[0] needs a real number"),
        (lambda: nn.Neuron("12"), "Neuron: weights must be a list of numbers, got str '12'"),
        (lambda: nn.Neuron([]), "one number per input"),
        (lambda: nn.Layer([[1, 2], [3, 4]], [0.0]), "weights has 2 rows (neurons) and biases 1"),
        (lambda: nn.Layer([]), "Layer: weights must be a non-empty list of rows"),
        (lambda: nn.Layer([[1, 2], [3]]), "weights[1] has 1 number and weights[0] 2"),
        (lambda: nn.MLP(2, [1])(5), "this MLP: its input must be a list of 2 inputs, got int 5"),
        (lambda: nn.MLP(2, [1])(x for x in [1, 2]), "got generator"),
        (lambda: nn.MLP(2, [1])([1.0]), "this MLP takes 2 inputs, got 1 number"),  # not "1 numbers"
        (lambda: nn.MLP(2, [1])([1.0, "a"]), "input 1 must be a number or a Value, got str"),
        (lambda: nn.Neuron([1.0])([True]), "input 0 must be a number or a Value, got bool"),
        (lambda: nn.svm_loss(nn.MLP(2, [1]), np.ones((0, 2)), []), "X must be N >= 1 points"),
        (lambda: nn.svm_loss(nn.MLP(2, [1]), *data(4), alpha="0.1"), "alpha (the L2 strength)"),
        (lambda: nn.svm_loss(nn.MLP(2, [1]), *data(4), alpha=-1.0), "a finite number >= 0"),
        (lambda: nn.svm_loss(nn.MLP(2, [1]), data(4)[0], [1, -1, 1]), "y (one label a point)"),
        (lambda: nn.svm_loss("m", *data(4)), "svm_loss needs an MLP as its model, got str"),
        (lambda: nn.sgd_update(nn.MLP(2, [1]).parameters(), "0.1"), "sgd_update: lr must be a"),
        (lambda: nn.sgd_update(5, 0.1), "sgd_update: parameters must be a list of Values"),
        (lambda: nn.backward_accumulate(3.0, []), "loss must be a loss circuit's Value, got float"),
        (lambda: nn.ArrayMLP(2, [3, 1]).step(*data(4), "0.1"), "ArrayMLP.step: lr must be a"),
        (lambda: nn.ArrayMLP.from_mlp("m"), "ArrayMLP.from_mlp needs an MLP, got str"),
        (lambda: nn.ArrayMLP(2, [3, 1]).predict(np.ones((3, 5))), "X has shape (3, 5); this"),
        (lambda: nn.ArrayMLP(2, [3, 1]).loss_and_grads(data(4)[0], [1.0]), "y 1 labels"),
        (lambda: nn.MLP(2, [3, 1], value_cls=5), "value_cls must be a class"),
        (lambda: nn.MLP(2, [3, 1], activation=None), "activation must be one of"),
    ],
)
def test_bad_input_is_one_line_naming_what_and_what_is_allowed(call, words):
    assert words in one_line(call, (ValueError, TypeError))


def test_numpy_integers_are_whole_numbers_too():
    a, b = nn.MLP(2, [3, 1], seed=np.int64(3)), nn.MLP(2, [3, 1], seed=3)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert np.array_equal(two_moons(np.int64(10))[0], two_moons(10)[0])
    assert nn.MLP(np.int64(2), [np.int32(3), 1]).sizes == (2, 3, 1)


def test_name_parameters_needs_the_kits_value():
    from micrograd import engine

    message = one_line(lambda: nn.name_parameters(nn.MLP(2, [1], value_cls=engine.Value)))
    assert "micrograd.engine.Value has none" in message


@pytest.mark.parametrize("labels", [[0.0, 1.0], [0, 1], [2.0, -1.0]])
def test_labels_other_than_plus_minus_one_are_refused_by_both_losses(labels):
    X = np.ones((2, 2))
    for call in (
        lambda: nn.svm_loss(nn.MLP(2, [1]), X, labels),
        lambda: nn.ArrayMLP(2, [1]).loss_and_grads(X, labels),
        lambda: svm_loss(np.ones(2), labels),
    ):
        message = one_line(call)
        assert "y must hold the labels -1 and +1" in message
        assert ("y = 2 * y - 1" in message) == (set(labels) <= {0, 1})


@pytest.mark.parametrize("lr", [float("inf"), float("nan"), -1.0, 0.0, True, "0.1"])
def test_a_learning_rate_that_is_no_positive_finite_number_is_refused(lr):
    X, y = data(6)
    model, net = nn.MLP(2, [3, 1], seed=0), nn.ArrayMLP(2, [3, 1], seed=0)
    before, net_before = [p.data for p in model.parameters()], net.flat()
    for call in (lambda: nn.train_step(model, X, y, lr), lambda: net.step(X, y, lr)):
        assert "lr must be a positive finite number" in one_line(call)
    assert [p.data for p in model.parameters()] == before  # nothing moved
    assert np.array_equal(net.flat(), net_before)


def test_a_step_that_would_overflow_is_refused_and_changes_nothing():
    X, y = data(6)
    model, net = nn.MLP(2, [3, 1], seed=0), nn.ArrayMLP(2, [3, 1], seed=0)
    before, net_before = [p.data for p in model.parameters()], net.flat()
    # the issue: the model became all NaN and train_step returned a finite loss
    for lr in (1e300, 1e120):  # weights of 1e299 or 1e119: the next forward pass overflows
        message = one_line(lambda: nn.train_step(model, X, y, lr), nn.Diverged)  # noqa: B023
        assert "nothing was changed" in message and "beyond ±1e+100" in message
        assert [p.data for p in model.parameters()] == before
        assert "would take" in one_line(lambda: net.step(X, y, lr), nn.Diverged)  # noqa: B023
    assert np.array_equal(net.flat(), net_before)
    assert nn.train_step(model, X, y, 1e-3) == pytest.approx(net.step(X, y, 1e-3), rel=1e-12)


@settings(max_examples=40)
@given(
    seed=st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 1, 1337, 2**32 - 1, 2**32])),
    sizes=st.lists(st.integers(1, 7), min_size=2, max_size=4),
)
def test_the_pure_python_weights_are_numpys_bit_for_bit(seed, sizes):
    pure = nn.uniform_rows(sizes, seed)
    with_numpy = [w.tolist() for w in nn.initial_weights(sizes, seed)]
    assert [[[x.hex() for x in r] for r in w] for w in pure] == [
        [[x.hex() for x in r] for r in w] for w in with_numpy
    ]
