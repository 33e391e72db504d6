"""The notes' three figures, saved as SVG and PNG with their numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backprop_kit.tools.figures import FIGURES, main, save_figures

ROOT = Path(__file__).resolve().parents[1]
NUMBERS = {
    "chain_rule": ["-2.00", "5.00", "-4.00", "3.00", "-12.00", "1.00"],
    "sigmoid_neuron": ["0.73", "-0.20", "-0.39", "0.20", "0.39", "-0.59", "0.37", "1.37"],
    "patterns": ["-8.00", "6.00", "2.00", "0.00", "-20.00", "-12.00"],
}


def svg_texts(path: Path) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text())


def test_save_figures_writes_svg_and_png_with_the_notes_numbers(tmp_path):
    written = save_figures(tmp_path)
    assert sorted(p.name for p in written) == sorted(
        f"{name}{suffix}" for name in FIGURES for suffix in (".svg", ".png")
    )
    for name, numbers in NUMBERS.items():
        texts = svg_texts(tmp_path / f"{name}.svg")
        for number in numbers:
            assert number in texts, (name, number)
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_stored_figures_match_a_fresh_drawing(tmp_path):
    save_figures(tmp_path)
    for name in FIGURES:
        stored = ROOT / "notebooks" / "figures" / f"{name}.svg"
        assert svg_texts(stored) == svg_texts(tmp_path / f"{name}.svg"), name


def test_command_refuses_a_file(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("x")
    assert main([str(target)]) == 2
    assert "is a file" in capsys.readouterr().err


@pytest.mark.parametrize("name", FIGURES)
def test_svg_is_reproducible(tmp_path, name):
    save_figures(tmp_path / "a")
    save_figures(tmp_path / "b")
    first, second = (tmp_path / run / f"{name}.svg" for run in ("a", "b"))
    assert first.read_text() == second.read_text()


def test_a_folder_that_cannot_be_made_is_one_line(capsys):
    from backprop_kit.tools.figures import main

    assert main(["/proc/no-such-folder/figures"]) == 2  # /proc refuses new folders, even root
    err = capsys.readouterr().err
    assert err.startswith("figures: cannot write into /proc/no-such-folder/figures")
    assert err.count("\n") == 1 and "Traceback" not in err
