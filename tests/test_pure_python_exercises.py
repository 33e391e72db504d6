"""The exercises of chapters 1–6 import and judge where numpy and matplotlib cannot be imported
(a browser-only Python): every one with its right answer and a wrong one, by ``check`` or
``attempt``, then ``grade``, in one subprocess (``tests.pure_python``)."""

from __future__ import annotations

import functools
import math
import subprocess
import sys
from pathlib import Path

from tests.pure_python import BLOCKER, run_without_numpy

ROOT = Path(__file__).resolve().parents[1]

#: Until the scalar core is pure Python (issue 20 item 4, another branch), numpy may be imported
#: by ``backprop_kit.core`` (and by numpy and importlib themselves) but by no other module: an
#: import of numpy or matplotlib from anywhere else raises ImportError, as it will where there
#: is no numpy. At the end numpy leaves sys.modules, for the final check that matplotlib was
#: never imported. Once ``import backprop_kit`` works without numpy, this is not used.
CORE_STAND_IN = """
import builtins
sys.meta_path.pop(0)
_import = builtins.__import__

def _only_the_core(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {}).get("__name__", "")
    allowed = importer.startswith(("backprop_kit.core", "numpy", "importlib"))
    if level == 0 and name.split(".")[0] in ("numpy", "matplotlib") and not allowed:
        raise ImportError(f"{name} cannot be imported here (imported by {importer})")
    return _import(name, globals, locals, fromlist, level)

builtins.__import__ = _only_the_core
"""
CORE_STAND_IN_END = """
for _name in [m for m in sys.modules if m.split(".")[0] == "numpy"]:
    del sys.modules[_name]
"""


@functools.cache
def _stand_in() -> bool:
    """Whether ``import backprop_kit`` still needs numpy (then the stand-in is used)."""
    done = subprocess.run(
        [sys.executable, "-c", BLOCKER + "import backprop_kit"], capture_output=True, cwd=ROOT
    )
    return done.returncode != 0


def run_pure(code: str) -> str:
    """``code`` run where numpy and matplotlib cannot be imported (outside the core, while the
    stand-in is used), the repository on the path."""
    path = f"sys.path.insert(0, {str(ROOT)!r})\n"
    if _stand_in():
        return run_without_numpy(path + CORE_STAND_IN + code + CORE_STAND_IN_END)
    return run_without_numpy(path + code)


sig = 1 / (1 + math.exp(2))  # σ(−2), at the neuron of ch04-dw0
#: exercise id -> (a right value, a wrong one), for ``with attempt(id) as answer``.
VALUES = {
    "ch01-nudge": (-0.003, 0.003),
    "ch02-dfdx": (5.0, -10.0),
    "ch03-inputs-to-raise": ("x, y", {"z"}),
    "ch04-dw0": (-sig * (1 - sig), sig * (1 - sig)),
    "ch04-sigmoid-local": (0.1056, 0.88),
    "ch05-dx-count": (3, 2),
    "ch05-dx-equals": (1 / (1 / (1 + math.exp(-1)) + 4), 0.5121),
    "ch06-max-route": ((0.0, 2.0), (2.0, 0.0)),
    "ch06-multiply-uneven": ((-1500.0, -0.006), (-0.006, -1500.0)),
    "ch06-replay-lr": (0.5 / 1000**2, 0.5 / 1000),
}
#: exercise id -> a wrong answer written as code (its right one: tests.scalar_solutions).
WRONG_CODE = {
    "ch01-multiply-grads": "lambda x, y: (x, y)",
    "ch01-max-grads": "lambda x, y: (float(x > y), float(y > x))",
    "ch02-partials": "lambda x, y, z: (1.0, 1.0, x + y)",
    "ch02-square-chain": "lambda x, y, z: (y, x, 1.0)",
    "ch03-multiply-backward": "lambda a, b, up: (b, a)",
    "ch03-divide-backward": "lambda a, b, up: (up / b, up * a / b**2)",
    "ch04-sigmoid-slope": "lambda z: (1 - z) * z",
    "ch04-tanh-gate": "(math.tanh, lambda out, dout: (1 - out) * dout)",
    "ch05-dden": "lambda den, dinvden: -1 / den",
    "ch05-staged-backward": "lambda x, y: {**staged_backward(x, y), 'dy': 0.0}",
    "ch05-bug-hunt": "{**BUG_FIXES, 'swap': lambda x, y, z, df: (x * z * df, y * z * df, x * y)}",
    "ch06-patterns-backward": "lambda x, y, z, w: (2 * y, 2 * x, 2.0 * (z > w), 2.0 * (w > z))",
}

JUDGE_ALL = """
import math
from backprop_kit.exercises import CORRECT, NOT_YET, attempt, check, grade
from tests.scalar_solutions import BUG_FIXES, SCALAR_SOLUTIONS, staged_backward

def said(fn):
    import contextlib, io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn()
    return out.getvalue().strip()

def graded(exercise_id):
    try:
        grade(exercise_id)
        return "silent"
    except AssertionError:
        return "raises"

def report(exercise_id, right, wrong):
    # the right answer: its verdict, then grade; the wrong one: its verdict, then grade
    print(exercise_id, said(right).startswith(CORRECT), graded(exercise_id), end=" ")
    print(said(wrong).startswith(NOT_YET + " Hint:"), graded(exercise_id))

def attempted(exercise_id, value):
    def run():
        with attempt(exercise_id) as answer:
            answer.value = value
    return run

for exercise_id, (right, wrong) in VALUES.items():
    report(exercise_id, attempted(exercise_id, right), attempted(exercise_id, wrong))

for exercise_id, wrong in WRONG_CODE.items():
    right = SCALAR_SOLUTIONS[exercise_id]
    report(exercise_id, lambda: check(exercise_id, right), lambda: check(exercise_id, eval(wrong)))
"""


def test_every_exercise_of_chapters_1_to_6_judges_without_numpy():
    out = run_pure(f"VALUES = {VALUES!r}\nWRONG_CODE = {WRONG_CODE!r}\n" + JUDGE_ALL)
    lines = dict(line.split(" ", 1) for line in out.splitlines())
    from backprop_kit.exercises import all_exercises

    assert set(lines) == {i for i in all_exercises() if i[:4] <= "ch06"}, out
    for exercise_id, said in lines.items():
        # right: correct, grade silent; wrong: a hint, grade raises
        assert said == "True silent True raises", (exercise_id, said)


def test_chapters_with_arrays_need_numpy_and_an_unknown_id_lists_the_others():
    out = run_pure(
        """
from backprop_kit.exercises import get
get("ch01-nudge")
for exercise_id in ("ch07-dX", "ch08-update", "ch01-nope"):
    try:
        get(exercise_id)
    except (ImportError, KeyError) as err:
        print(type(err).__name__, err)
"""
    )
    ch07, ch08, unknown = out.splitlines()
    assert ch07.startswith("ImportError") and ch08.startswith("ImportError") and "numpy" in ch07
    assert unknown.startswith("KeyError") and "no exercise named 'ch01-nope'" in unknown
    assert "ch01-nudge" in unknown and "ch07" not in unknown
