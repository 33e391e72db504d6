"""The notes' three figures, saved as SVG and PNG with their numbers, through a folder swapped
in whole: never a truncated SVG, never one without its text alternative."""

from __future__ import annotations

import contextlib
import os
import random
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from backprop_kit.tools import main
from backprop_kit.tools.figures import FIGURES, save_figures
from backprop_kit.tools.files import MARK, ToolError

ROOT = Path(__file__).resolve().parents[1]
NUMBERS = {
    "chain_rule": ["-2.00", "5.00", "-4.00", "3.00", "-12.00", "1.00"],
    "sigmoid_neuron": ["0.73", "-0.20", "-0.39", "0.20", "0.39", "-0.59", "0.37", "1.37"],
    "patterns": ["-8.00", "6.00", "2.00", "0.00", "-20.00", "-12.00"],
}


def svg_texts(path: Path) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_save_figures_writes_svg_and_png_with_the_notes_numbers(tmp_path):
    written = save_figures(tmp_path / "figures")
    assert sorted(p.name for p in written) == sorted(
        f"{name}{suffix}" for name in FIGURES for suffix in (".svg", ".png")
    )
    for name, numbers in NUMBERS.items():
        texts = svg_texts(tmp_path / "figures" / f"{name}.svg")
        for number in numbers:
            assert number in texts, (name, number)
        assert (tmp_path / "figures" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures"]  # no temporary folder


def test_the_committed_figures_are_what_the_command_makes(tmp_path):
    """notebooks/figures, its mark included, byte for byte (the SVGs carry no date)."""
    save_figures(tmp_path / "figures")
    assert snapshot(tmp_path / "figures") == snapshot(ROOT / "notebooks" / "figures")


def test_a_folder_the_command_did_not_make_is_refused(tmp_path, capsys):
    """It used to write into any folder, and by default into the committed notebooks/figures."""
    (tmp_path / "chain_rule.svg").write_text("my own drawing")
    assert main(["figures", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "did not make" in err and err.count("\n") == 1
    assert (tmp_path / "chain_rule.svg").read_text() == "my own drawing"
    with pytest.raises(SystemExit):  # no default folder any more
        main(["figures"])
    target = tmp_path / "a_file"
    target.write_text("x")
    assert main(["figures", str(target)]) == 2
    assert "is a file" in capsys.readouterr().err


def test_a_file_added_to_its_folder_stops_it(tmp_path):
    save_figures(tmp_path / "figures")
    (tmp_path / "figures" / "notes.txt").write_text("mine")
    with pytest.raises(ToolError, match="holds notes.txt, which backprop-kit figures did not"):
        save_figures(tmp_path / "figures")
    assert (tmp_path / "figures" / "notes.txt").read_text() == "mine"


def test_a_failing_write_leaves_the_old_figures(tmp_path, monkeypatch):
    save_figures(tmp_path / "figures")
    before = snapshot(tmp_path / "figures")
    real, calls = Path.write_text, []

    def full_disk(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(ToolError) as err:
        save_figures(tmp_path / "figures")
    message = str(err.value)
    assert "No space left on device" in message and "partial" not in message  # DEST is named
    assert snapshot(tmp_path / "figures") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures"]


@pytest.mark.parametrize("name", FIGURES)
def test_svg_is_reproducible(tmp_path, name):
    save_figures(tmp_path / "a")
    save_figures(tmp_path / "b")
    first, second = (tmp_path / run / f"{name}.svg" for run in ("a", "b"))
    assert first.read_text() == second.read_text()


def test_a_folder_that_cannot_be_made_is_one_line(capsys):
    assert main(["figures", "/proc/no-such-folder/figures"]) == 2  # /proc refuses, even root
    err = capsys.readouterr().err
    assert err.startswith("backprop-kit figures: cannot write /proc/no-such-folder")
    assert err.count("\n") == 1 and "Traceback" not in err


def on_disk(dest: Path) -> set[tuple[str, int, int]]:
    """Each entry beside and in ``dest``, with its modification time and size."""
    seen = set()
    for folder in (dest.parent, dest):
        with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(folder) as it:
            for entry in it:
                with contextlib.suppress(FileNotFoundError):
                    seen.add((entry.path, entry.stat().st_mtime_ns, entry.stat().st_size))
    return seen


def writing(command: list[str], dest: Path) -> tuple[subprocess.Popen, float]:
    """Start ``command``; return it and the moment it first touched anything at ``dest``."""
    before = on_disk(dest)
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while on_disk(dest) == before and proc.poll() is None:
        time.sleep(0.002)
    return proc, time.perf_counter()


def kill_at_random_moments(
    argv: list[str], dest: Path, whole: Callable[[Path], None], kills: int = 12
) -> None:
    """Run ``python -m backprop_kit ARGV`` once, then ``kills`` times more, each killed at a
    random moment after it starts writing: after each kill ``dest`` is what the first run made."""
    command = [sys.executable, "-m", "backprop_kit", *argv]
    proc, start = writing(command, dest)
    assert proc.wait(timeout=300) == 0
    length, made = time.perf_counter() - start, snapshot(dest)
    whole(dest)
    moments = random.Random(22)
    for _ in range(kills):
        proc, start = writing(command, dest)
        time.sleep(moments.uniform(0, length))
        proc.kill()
        proc.wait(timeout=60)
        assert snapshot(dest) == made


def figures_whole(folder: Path) -> None:
    for name in FIGURES:
        root = ET.parse(folder / f"{name}.svg").getroot()  # a truncated SVG does not parse
        assert root.find("{http://www.w3.org/2000/svg}desc").text
        assert (folder / f"{name}.png").read_bytes().endswith(b"IEND\xaeB`\x82")
    assert (folder / MARK).is_file()


@pytest.mark.slow
def test_killed_at_any_moment_every_figure_is_whole(tmp_path):
    kill_at_random_moments(
        ["figures", str(tmp_path / "figures")], tmp_path / "figures", figures_whole
    )
