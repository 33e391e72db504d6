"""The chapter-7 shapes explorer, driven headless: sliders and buttons recompute the table."""

from __future__ import annotations

import pytest

from backprop_kit.chapters.shapes_explorer import NOTES_SIZES, shapes_explorer


@pytest.fixture()
def explorer():
    return shapes_explorer()


def test_starts_at_the_notes_sizes(explorer):
    assert explorer.sizes == NOTES_SIZES == (5, 10, 3)
    a = explorer.analysis
    assert (a.W_shape, a.X_shape, a.D_shape) == ((5, 10), (10, 3), (5, 3))
    assert a.dW.matching == ("dD @ X.T",) and a.dX.matching == ("W.T @ dD",)
    text = explorer.readout.value
    assert "W (5, 10) @ X (10, 3) = D (5, 3)" in text
    assert text.count("exactly one product fits") == 2
    assert text.count("right shape ← chain rule") == 2
    assert text.count("undefined") == 12  # 6 of the 8 candidates each, for dW and for dX
    assert explorer.png.startswith(b"\x89PNG")


def test_sliders_recompute(explorer):
    before = explorer.png
    explorer.n_slider.value = 7
    assert explorer.analysis.D_shape == (5, 7)
    assert "dD has shape (5, 7)" in explorer.readout.value
    assert explorer.png != before
    explorer.m_slider.value = 10  # W square (10, 10): two candidates for each gradient
    assert explorer.analysis.dW.matching == ("dD @ X.T", "X @ dD.T")
    assert explorer.analysis.dX.matching == ("W @ dD", "W.T @ dD")
    assert explorer.readout.value.count("2 products fit: the shapes alone are ambiguous") == 2
    explorer.k_slider.value = 4  # nothing square any more: the shapes decide again
    assert not explorer.analysis.dW.ambiguous and not explorer.analysis.dX.ambiguous


def test_square_button_makes_everything_ambiguous(explorer):
    explorer.square_button.click()
    assert explorer.sizes == (10, 10, 10)
    assert len(explorer.analysis.dW.matching) == 8 == len(explorer.analysis.dX.matching)
    assert explorer.readout.value.count("8 products fit") == 2
    assert "undefined" not in explorer.readout.value


def test_notes_button_goes_back(explorer):
    explorer.set_sizes(2, 3, 4)
    assert explorer.analysis.X_shape == (3, 4)
    explorer.notes_button.click()
    assert explorer.sizes == NOTES_SIZES
    assert explorer.readout.value.count("exactly one product fits") == 2


def test_bad_sizes_get_one_line_errors():
    with pytest.raises(ValueError, match="at most 12"):
        shapes_explorer(5, 13, 3)
    with pytest.raises(ValueError, match="pair of positive integers"):
        shapes_explorer(0, 3, 3)
