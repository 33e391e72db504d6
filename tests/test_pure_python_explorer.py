"""The circuit explorer where numpy and matplotlib cannot be imported (a browser-only Python):
it builds, shows its live SVG, follows a slider and Next, and its display bundle carries the
SVG and its alt text where a PNG would be; chapter 1's and 5's material imports and runs too."""

from __future__ import annotations

import html
import inspect
import json

from backprop_kit import describe, parse
from backprop_kit.pictures.svg import to_svg
from backprop_kit.pictures.view import CircuitView
from tests.pure_python import run_without_numpy


def test_the_circuit_explorer_works_without_numpy_or_matplotlib():
    out = run_without_numpy(
        """
        import json, warnings
        warnings.simplefilter("error")  # a fallback that warns fails here
        from backprop_kit import explore
        e = explore("(x + y) * z", x=-2, y=5, z=-4)
        seen = {"start": e.picture.value}
        e.sliders["x"].value = 1.0
        seen["moved"], seen["readout"] = e.picture.value, e.readout.value
        e.next_button.click()
        e.next_button.click()
        seen["step"], seen["line"], seen["at"] = e.picture.value, e.step_line.value, e.step
        seen["bundle"] = e._repr_mimebundle_()
        e.close()
        seen["closed"] = e._repr_mimebundle_()
        print(json.dumps(seen))
        """
    )
    seen = json.loads(out)
    assert seen["start"].startswith("<svg") and ">-12.00<" in seen["start"]
    assert ">-24.00<" in seen["moved"] and ">-12.00<" not in seen["moved"]  # f = (1 + 5) · -4
    assert "-24" in seen["readout"]
    assert seen["at"] == 1 and 'data-gate="1"' in seen["step"]
    assert seen["line"].startswith("Step 1 of 2 · gate *")
    f = parse("(x + y) * z")(x=-2, y=5, z=-4)
    f.label = "f"
    f.backward()
    static = to_svg(CircuitView(f).scene(), title="circuit of (x + y) * z", desc=describe(f))
    assert html.escape(describe(f)) in static  # its alt text, in aria-label and <desc>
    for key, (data, meta) in (("bundle", seen["bundle"]), ("closed", seen["closed"])):
        assert "image/png" not in data and meta == {}, key
        assert data["text/html"] == static, key  # the initial values, not the moved slider's
        assert data["text/plain"] == "CircuitExplorer('(x + y) * z', x=-2.0, y=5.0, z=-4.0)"
    assert "application/vnd.jupyter.widget-view+json" in seen["bundle"][0]
    assert "application/vnd.jupyter.widget-view+json" not in seen["closed"][0]


def _chapter_1_and_5_material():
    from backprop_kit import maximum, staged
    from backprop_kit.chapters.sensitivity import one_sided_slopes
    from backprop_kit.chapters.staged_compare import backward_steps, run_with_equals
    from backprop_kit.core.circuits import staged_example

    f = staged_example()
    return [
        repr(one_sided_slopes(maximum, 2.0, 2.0, names=["x", "y"])),
        repr(backward_steps(f)),
        repr(run_with_equals(staged(f))),
    ]


def test_chapter_1_and_5_material_runs_without_numpy():
    """The same tables as with numpy (what chapters 1 and 5 and their exercises use)."""
    source = inspect.getsource(_chapter_1_and_5_material)
    out = run_without_numpy(
        source + "\nimport json\nprint(json.dumps(_chapter_1_and_5_material()))"
    )
    assert json.loads(out) == _chapter_1_and_5_material()
