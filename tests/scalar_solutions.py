"""Hand-written solutions of the exercises of chapters 1–6 whose answer is code: pure Python,
so that they also run where numpy cannot be imported (test_pure_python_exercises)."""

from __future__ import annotations

import math


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def staged_backward(x: float, y: float) -> dict[str, float]:
    xy = x * y
    s = sig(xy)
    xpy = x + y
    ds = xpy
    dxpy = s
    dxy = (1 - s) * s * ds
    dx = y * dxy
    dx += dxpy
    dy = x * dxy
    dy += dxpy
    return {"ds": ds, "dxpy": dxpy, "dxy": dxy, "dx": dx, "dy": dy}


def _fresh_leftover():
    grads = {"w": 0.0, "b": 0.0}

    def leftover(x, w, b, dout):
        grads["w"], grads["b"] = 0.0, 0.0  # the fix: a fresh start for every pass
        grads["w"] += x * dout
        grads["b"] += dout
        return grads["w"], grads["b"]

    return leftover


BUG_FIXES = {
    "fork": lambda x, y, df: (y * df + df, x * df),
    "upstream": lambda w, x, df: (
        x * sig(w * x) * (1 - sig(w * x)) * df,
        w * sig(w * x) * (1 - sig(w * x)) * df,
    ),
    "sigma": lambda z, dout: sig(z) * (1 - sig(z)) * dout,
    "swap": lambda x, y, z, df: (y * z * df, x * z * df, x * y * df),
    "leftover": _fresh_leftover(),
}


#: exercise id -> a hand-written solution (an answer for ``check``), chapters 1–6.
SCALAR_SOLUTIONS = {
    "ch01-multiply-grads": lambda x, y: (y, x),
    "ch01-max-grads": lambda x, y: (float(x >= y), float(y >= x)),
    "ch02-partials": lambda x, y, z: (z, z, x + y),
    "ch02-square-chain": lambda x, y, z: (
        2 * (x * y + z) * y,
        2 * (x * y + z) * x,
        2 * (x * y + z),
    ),
    "ch03-multiply-backward": lambda a, b, up: (b * up, a * up),
    "ch03-divide-backward": lambda a, b, up: (up / b, -up * a / b**2),
    "ch04-sigmoid-slope": lambda z: sig(z) * (1 - sig(z)),
    "ch04-tanh-gate": (math.tanh, lambda out, dout: (1 - out**2) * dout),
    "ch05-dden": lambda den, dinvden: -1 / den**2 * dinvden,
    "ch05-staged-backward": staged_backward,
    "ch05-bug-hunt": BUG_FIXES,
    "ch06-patterns-backward": lambda x, y, z, w: (2 * y, 2 * x, 2.0 * (z >= w), 2.0 * (w >= z)),
}
