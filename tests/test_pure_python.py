"""The scalar chapters run where numpy and matplotlib cannot be imported (a browser-only
Python): the core part. The exercises and the explorer have their own files."""

from __future__ import annotations

import pytest

from tests.pure_python import run_without_numpy


def test_the_blocker_really_blocks():
    with pytest.raises(AssertionError, match="cannot be imported here"):
        run_without_numpy("import numpy")


def test_the_core_runs_without_numpy_or_matplotlib():
    out = run_without_numpy(
        """
        import backprop_kit
        from backprop_kit import Value, grad_check, parse, rel_error, staged, describe

        x, y = Value(3.0, "x"), Value(-4.0, "y")
        f = (x + y.sigmoid()) / (x.sigmoid() + (x + y) ** 2)
        f.backward()
        print(f"{f.data:.4f} {x.grad:.4f} {y.grad:.4f}")
        assert staged(f).run()["dx"] == x.grad
        g = parse("max(x, 2) * exp(y) + 1 / x")(x=1.5, y=0.5)
        g.backward()
        print(all(c.rel_error < 1e-7 for c in grad_check(lambda a: a * a + a.tanh(), 0.7)))
        print(rel_error(1.0, 1.0 + 1e-9) < 1e-9, "7 gates" in describe(f))
        """
    )
    assert out.split() == ["1.5456", "2.0596", "1.5922", "True", "True", "True"]
