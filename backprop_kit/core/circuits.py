"""The worked circuits of the notes, built once here so no notebook copies them: each returns
its output Value, inputs and the intermediates the notes name labelled, before ``backward()``
(call ``f.backward()``; then ``draw(f)`` shows the gradients too)."""

from __future__ import annotations

from backprop_kit.core.engine import Value, as_number, maximum


def _inputs(**values: float) -> list[Value]:
    return [Value(as_number(v, name), label=name) for name, v in values.items()]


def chain_rule_example(x: float = -2.0, y: float = 5.0, z: float = -4.0) -> Value:
    """f = q·z with q = x + y: the notes' first circuit (at the defaults q = 3, f = −12,
    ∂f/∂(x, y, z) = (−4, −4, 3))."""
    x_, y_, z_ = _inputs(x=x, y=y, z=z)
    q = (x_ + y_).named("q")
    return (q * z_).named("f")


def sigmoid_neuron(
    w: tuple[float, float, float] = (2.0, -3.0, -3.0),
    x: tuple[float, float] = (-1.0, -2.0),
    *,
    expanded: bool = True,
) -> Value:
    """f = σ(w0·x0 + w1·x1 + w2), the notes' 2-D neuron (at the defaults f ≈ 0.73, ∂f/∂w ≈
    [−0.20, −0.39, 0.20], ∂f/∂x ≈ [0.39, −0.59]); σ as ``*-1 → exp → +1 → 1/x`` if ``expanded``
    (the notes' figure), else the one σ gate."""
    if len(w) != 3 or len(x) != 2:
        raise ValueError(
            f"sigmoid_neuron needs 3 weights and 2 inputs, got {len(w)} weights and {len(x)} inputs"
        )
    w0, w1, w2 = _inputs(w0=w[0], w1=w[1], w2=w[2])
    x0, x1 = _inputs(x0=x[0], x1=x[1])
    dot = w0 * x0 + w1 * x1 + w2
    return dot.sigmoid(expanded=expanded).named("f")


def patterns_example(x: float = 3.0, y: float = -4.0, z: float = 2.0, w: float = -1.0) -> Value:
    """f = 2·(x·y + max(z, w)): the add, max and multiply gates side by side (f = −20,
    ∂f/∂(x, y, z, w) = (−8, 6, 2, 0))."""
    x_, y_, z_, w_ = _inputs(x=x, y=y, z=z, w=w)
    return (2 * (x_ * y_ + maximum(z_, w_))).named("f")


def staged_example(x: float = 3.0, y: float = -4.0) -> Value:
    """f = (x + σ(y)) / (σ(x) + (x + y)²) ≈ 1.55 (∂f/∂x ≈ 2.06, ∂f/∂y ≈ 1.59) in the notes'
    stages ``sigy, num, sigx, xpy, xpysqr, den, invden, f``: ``num * invden``, invden = 1/den."""
    x_, y_ = _inputs(x=x, y=y)
    sigy = y_.sigmoid().named("sigy")
    num = (x_ + sigy).named("num")
    sigx = x_.sigmoid().named("sigx")
    xpy = (x_ + y_).named("xpy")
    xpysqr = (xpy**2).named("xpysqr")
    den = (sigx + xpysqr).named("den")
    invden = (1.0 / den).named("invden")
    return (num * invden).named("f")
