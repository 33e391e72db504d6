"""The chapter-6 scale explorer: the numbers it trains on, and the widget driven headless."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_kit.chapters.scale_explorer import (
    DEFAULT_LR,
    effective_lr,
    loss_and_grad,
    scale_explorer,
    toy_dataset,
    train_linear_classifier,
)
from backprop_kit.nn.arrays import numerical_grad_array


def test_toy_dataset_is_seeded_and_balanced():
    X, y = toy_dataset()
    X2, y2 = toy_dataset()
    assert X.shape == (40, 2) and y.shape == (40,)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    assert sorted(set(y.tolist())) == [-1.0, 1.0] and y.sum() == 0
    assert not np.array_equal(toy_dataset(seed=1)[0], X)
    with pytest.raises(ValueError, match="n_per_class"):
        toy_dataset(0)


@settings(max_examples=30)
@given(
    st.lists(st.floats(-3, 3), min_size=2, max_size=2),
    st.sampled_from([0.01, 0.5, 1.0, 20.0]),
)
def test_weight_gradient_agrees_with_numerical_gradient(w, k):
    w = np.array(w, dtype=np.float64)
    _loss, dw = loss_and_grad(w, k)
    num = numerical_grad_array(lambda w_: loss_and_grad(w_, k)[0], w, 1.0)
    np.testing.assert_allclose(dw, num, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("k", [0.001, 10.0, 1000.0])
def test_weight_gradient_at_the_start_grows_k_fold(k):
    ref = train_linear_classifier(1.0, DEFAULT_LR)
    run = train_linear_classifier(k, DEFAULT_LR)
    assert run.grad_norm == pytest.approx(k * ref.grad_norm, rel=1e-12)
    assert run.first_step == pytest.approx(k * ref.first_step, rel=1e-12)
    # lr / k gives the first weight step its k = 1 length back
    comp = train_linear_classifier(k, effective_lr(DEFAULT_LR, k, "lr/k"))
    assert comp.first_step == pytest.approx(ref.first_step, rel=1e-12)


def test_lr_over_k_squared_replays_the_k1_run():
    ref = train_linear_classifier(1.0, DEFAULT_LR)
    run = train_linear_classifier(1000.0, effective_lr(DEFAULT_LR, 1000.0, "lr/k^2"))
    np.testing.assert_allclose(run.losses, ref.losses, rtol=1e-9)
    np.testing.assert_allclose(1000.0 * run.w, ref.w, rtol=1e-9)


def test_verdicts():
    ref = train_linear_classifier(1.0, DEFAULT_LR)
    assert ref.losses[0] == pytest.approx(np.log(2))
    assert ref.final_loss < 0.2 and ref.verdict(ref) == "learns"
    assert train_linear_classifier(1000.0, DEFAULT_LR).verdict(ref) == "overshoots"
    # "overshoots", not "blows up": the first step jumps far above the start, then the loss
    # falls again but stays bounded and ends above where it started
    over = train_linear_classifier(1000.0, DEFAULT_LR)
    assert over.losses[1] > 100 * over.losses[0]
    assert over.losses[0] < over.final_loss < max(over.losses) == over.losses[1]
    assert train_linear_classifier(0.001, DEFAULT_LR).verdict(ref) == "crawls"
    assert train_linear_classifier(1000.0, DEFAULT_LR / 1000).verdict(ref) == "overshoots"


def test_bad_arguments_get_one_line_errors():
    with pytest.raises(ValueError, match="rule must be one of"):
        effective_lr(0.5, 10.0, "lr*k")
    with pytest.raises(ValueError, match="k must be a positive number"):
        train_linear_classifier(0.0)
    with pytest.raises(ValueError, match="steps must be a positive int"):
        train_linear_classifier(1.0, 0.5, steps=0)


# --- the widget, driven without a front-end --------------------------------------------------


@pytest.fixture()
def explorer():
    return scale_explorer()


def test_initial_readout(explorer):
    text = explorer.readout.value
    assert "<th>k = 1</th>" in text and "learns" in text
    assert "× 1</td>" in text
    assert explorer.png.startswith(b"\x89PNG")


def test_sliders_and_rules_recompute(explorer):
    before = explorer.png
    explorer.k_slider.value = 1000
    text = explorer.readout.value
    assert explorer.run.k == 1000.0
    assert "k = 1,000" in text and "× 1,000" in text and "overshoots" in text
    assert explorer.png != before

    explorer.rule_buttons.value = "lr/k"
    assert explorer.lr == pytest.approx(DEFAULT_LR / 1000)
    assert explorer.run.first_step == pytest.approx(explorer.reference.first_step)
    assert "lr ÷ k:" in explorer.readout.value

    explorer.rule_buttons.value = "lr/k^2"
    assert "learns" in explorer.readout.value
    assert explorer.run.final_loss == pytest.approx(explorer.reference.final_loss)

    explorer.rule_buttons.value = "lr"
    explorer.k_slider.value = 0.001
    assert "crawls" in explorer.readout.value

    explorer.lr_slider.value = 0.01
    assert explorer.reference.lr == pytest.approx(0.01)
    assert "<td>0.01</td>" in explorer.readout.value


def test_reset_button(explorer):
    explorer.k_slider.value = 100
    explorer.reset_button.click()
    assert (explorer.k, explorer.lr_slider.value, explorer.rule_buttons.value) == (
        1.0,
        DEFAULT_LR,
        "lr",
    )
    assert "learns" in explorer.readout.value and explorer.run.k == 1.0
