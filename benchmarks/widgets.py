"""How fast does the circuit explorer redraw? Slider change → new picture, against matplotlib.

Run:  python benchmarks/widgets.py

The circuit is the notes' 2-D sigmoid neuron with every elementary gate (13 wires, 8 gates).
Three ways to get a new picture after an input changes, each timed many times (median):

1. **explorer**: set a slider's ``value`` on a ``CircuitExplorer``;
   its observer recomputes the circuit (forward + backward), writes the SVG and sets it as the
   value of the picture's ``ipywidgets.HTML`` (it also refreshes the readout, step and nudge
   lines). The clock stops when ``slider.value = …`` returns: the new picture is ready.
2. **matplotlib, re-created**: recompute, then ``draw(f)`` a new figure and save it as PNG.
3. **matplotlib, artists reused**: one figure made once; per change only its texts get the new
   numbers (``Text.set_text``) and it is saved as PNG again.

Target for (1): a median of at most 20 ms on this 2-core machine. Every number printed is
measured in this run; nothing is hard-coded.
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import time

import ipywidgets
import matplotlib

from backprop_kit.core.circuits import sigmoid_neuron
from backprop_kit.core.graph import forward
from backprop_kit.explorers.circuit import explore
from backprop_kit.pictures.drawing import draw
from backprop_kit.pictures.view import CircuitView

TARGET_MS = 20.0
N_FAST = 400
N_SLOW = 40


def values(n: int) -> list[float]:
    """n different slider positions for w0 in [-3, 3] (steps of 0.01, as the slider has)."""
    return [round(-3.0 + (6.0 * i / n), 2) for i in range(n)]


def time_explorer(n: int) -> list[float]:
    w = explore(sigmoid_neuron())
    slider = w.sliders["w0"]
    out = []
    for v in values(n):
        t = time.perf_counter()
        slider.value = v
        out.append(time.perf_counter() - t)
    assert w.picture.value.startswith("<svg") and f"{v:.2f}" in w.picture.value
    return out


def recompute(f, w0, v: float) -> None:
    w0.data = v
    forward(f.topological_order())
    f.backward()


def time_recreated(n: int) -> list[float]:
    f = sigmoid_neuron()
    w0 = next(x for x in f.topological_order() if x.label == "w0")
    out = []
    for v in values(n):
        t = time.perf_counter()
        recompute(f, w0, v)
        fig = draw(f)
        fig.savefig(io.BytesIO(), format="png")
        out.append(time.perf_counter() - t)
    return out


def time_reused(n: int) -> list[float]:
    f = sigmoid_neuron()
    f.backward()
    w0 = next(x for x in f.topological_order() if x.label == "w0")
    view = CircuitView(f, reserve=-88.888)
    fig = draw(f)
    artists = fig.axes[0].texts
    out = []
    for v in values(n):
        t = time.perf_counter()
        recompute(f, w0, v)
        scene = view.scene()
        for artist, text in zip(artists, scene.texts, strict=True):
            artist.set_text(text.text)
        fig.savefig(io.BytesIO(), format="png")
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    print(
        f"Python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
        f"ipywidgets {ipywidgets.__version__}, {os.cpu_count()} CPU cores"
    )
    print("circuit: the notes' sigmoid neuron, every elementary gate (8 gates, 13 wires)\n")
    time_explorer(20)  # warm-up: imports, caches
    fast = statistics.median(time_explorer(N_FAST)) * 1000
    slow = statistics.median(time_recreated(N_SLOW)) * 1000
    reused = statistics.median(time_reused(N_SLOW)) * 1000
    rows = [
        (f"explorer: slider → SVG in the HTML widget ({N_FAST} changes)", fast),
        (f"matplotlib figure re-created + PNG ({N_SLOW} changes)", slow),
        (f"matplotlib artists reused (texts only) + PNG ({N_SLOW} changes)", reused),
    ]
    for label, ms in rows:
        print(f"  {label:<66} median {ms:7.2f} ms")
    print()
    print(f"re-created figure / explorer: {slow / fast:5.1f}x slower")
    print(f"reused artists    / explorer: {reused / fast:5.1f}x slower")
    verdict = "meets" if fast <= TARGET_MS else "MISSES"
    print(f"target: median ≤ {TARGET_MS:.0f} ms per slider change: {verdict} ({fast:.2f} ms)")


if __name__ == "__main__":
    main()
