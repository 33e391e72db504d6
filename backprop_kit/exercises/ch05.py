"""Chapter 5 exercises: the staged computation f(x, y) = (x + σ(y)) / (σ(x) + (x + y)²).

Every expected answer is computed here by the kit (the gate table, the engine and the staged
program) when the check runs; nothing is typed in.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backprop_kit.chapters.staged_compare import backward_steps, run_with_equals
from backprop_kit.core.circuits import staged_example
from backprop_kit.core.gates import GATES
from backprop_kit.core.staged import staged
from backprop_kit.core.switch import AutodiffRefused
from backprop_kit.exercises import (
    LearnerCodeError,
    LearnerTimeout,
    compare,
    custom_exercise,
    describe,
    function_exercise,
    run_cases,
    short,
    value_exercise,
)
from backprop_kit.nn.arrays import matmul, matmul_backward


def backprop_invden(den: float, dinvden: float) -> float:
    """Stage (7) backwards: invden = 1/den, so dden = (local gradient of 1/x at den) · dinvden."""
    (local,) = GATES["inv"].local(1.0 / den, den, 0.0, None)
    return local * dinvden


def contributions_to(gradient: str) -> int:
    """How many backward lines of the staged program write ``gradient`` (e.g. ``"dx"``)."""
    return len(backward_steps(staged_example()).for_target(gradient))


# ``ch05-dx-equals`` asks at another point than the chapter's (3, −4), whose tables show the
# answer there.
EQUALS_POINT = (1.0, 1.0)


def dx_with_equals(x: float = 3.0, y: float = -4.0) -> float:
    """dx at (x, y) from the staged program run with every ``+=`` replaced by ``=``."""
    return run_with_equals(staged(staged_example(x, y)))["dx"]


function_exercise(
    "ch05-dden",
    "Write stage (7) of the backward pass: given den and dinvden, return dden.",
    reference=backprop_invden,
    cases=lambda: [(1.9525741268224333, 3.0179862099620918), (2.0, 1.0), (-0.5, 2.0), (4.0, -1.5)],
    hint=(
        "stage (7) is invden = 1/den. Take the local gradient of the 1/x gate from chapter 4's "
        "table (watch its sign and its power), evaluate it at den, and multiply by dinvden."
    ),
    explanation="Local gradient of 1/x, times the gradient arriving from above.",
)

value_exercise(
    "ch05-dx-count",
    "How many backward lines add something to dx?",
    expected=lambda: contributions_to("dx"),
    hint=(
        "go through the forward lines (1)–(8) and count those with x on the right-hand side: "
        "each such use sends one contribution back to dx."
    ),
    tol=0.0,
    explanation="One line per use of x in the forward pass.",
)

value_exercise(
    "ch05-dx-equals",
    "At the point x = 1, y = 1: if every `+=` were written `=`, what value would dx end up "
    "with? (3 decimals or more)",
    expected=lambda: dx_with_equals(*EQUALS_POINT),
    hint=(
        "with `=`, each line that writes dx throws away what was there. Find the LAST backward "
        "line that writes dx in the table above (the order of the lines is the same at every "
        "point); only its local × upstream survives. Compute that product at x = 1, y = 1 from "
        "the forward stages."
    ),
    decimals=3,
    explanation="Only the last contribution survives, and the two others are lost.",
)


# --- a new staged function, backward stage by stage --------------------------------------------

#: The stages of g(x, y) = σ(x·y) · (x + y), as the chapter shows them (forward order).
NEW_FORWARD = """\
xy  = x * y              # (1)
s   = 1 / (1 + exp(-xy)) # (2)  σ
xpy = x + y              # (3)
g   = s * xpy            # (4)"""
#: The gradients the learner's backward pass returns, in the order the backward pass makes them.
NEW_STAGES = ("ds", "dxpy", "dxy", "dx", "dy")


def new_staged_gradients(x: float, y: float) -> dict[str, float]:
    """Every stage's gradient of g = σ(x·y)·(x + y) at (x, y), by ``backward()`` on a circuit
    whose wires carry the stage names: {"ds": ∂g/∂s, "dxpy": …, "dxy": …, "dx": …, "dy": …}."""
    from backprop_kit.core.engine import Value

    vx, vy = Value(x, "x"), Value(y, "y")
    xy = (vx * vy).named("xy")
    s = xy.sigmoid().named("s")
    xpy = (vx + vy).named("xpy")
    g = s * xpy
    g.backward()
    wires = {"s": s, "xpy": xpy, "xy": xy, "x": vx, "y": vy}
    return {f"d{name}": wires[name].grad for name in (n[1:] for n in NEW_STAGES)}


def _judge_staged(fn: Any) -> str | None:
    """The learner's ``backward(x, y)`` returns a dict of stage gradients; the hint names the
    first stage, in backward order, that is wrong (the stages before it are right)."""
    if not callable(fn):
        return "pass the function itself (without calling it)"
    cases = [(0.5, 1.5), (-1.0, 2.0), (2.0, 0.25), (3.0, -4.0)]
    for (x, y), got, want in run_cases("ch05-staged-backward", fn, new_staged_gradients, cases):
        if not isinstance(got, dict):
            return f"return a dict such as {{'ds': ..., 'dxpy': ...}}, got {describe(got)}"
        missing = [k for k in NEW_STAGES if k not in got]
        if missing:
            return f"your dict has no {missing[0]!r}; it needs {', '.join(NEW_STAGES)}"
        for name in NEW_STAGES:
            m = compare(got[name], want[name])
            if m is None:
                continue
            if m.kind == "type":
                return f"at (x, y) = ({x:g}, {y:g}), {name}: {m.text}"
            return (
                f"at (x, y) = ({x:g}, {y:g}) the first wrong stage is {name} = "
                f"{short(got[name])} (the stages before it are right). " + _STAGE_HINTS[name]
            )
    return None


_STAGE_HINTS = {
    "ds": "(4) g = s·xpy is a * gate: s receives the OTHER input times dg (= 1).",
    "dxpy": "(4) g = s·xpy is a * gate: xpy receives the OTHER input times dg.",
    "dxy": "(2) is σ: its local gradient is (1 − s)·s, from the cached s, times ds.",
    "dx": "x is used twice, in (1) and (3): add both contributions, y·dxy and 1·dxpy.",
    "dy": "y is used twice, in (1) and (3): add both contributions, x·dxy and 1·dxpy.",
}

custom_exercise(
    "ch05-staged-backward",
    "Write the complete staged backward pass of g(x, y) = σ(x·y)·(x + y): backward(x, y) "
    "runs the forward stages, then returns a dict of ds, dxpy, dxy, dx, dy (the kit's "
    "autodiff is switched off while your function is checked).",
    _judge_staged,
    explanation="One backward line per forward line, in reverse, with += where a variable forks.",
)


# --- the bug hunt ------------------------------------------------------------------------------


def fork_reference(x: float, y: float, df: float) -> tuple[float, ...]:
    """(dx, dy) of f = x·y + x, by backprop."""
    return _grads_times(lambda a, b: a * b + a, (x, y), df)


def upstream_reference(w: float, x: float, df: float) -> tuple[float, ...]:
    """(dw, dx) of f = σ(w·x), by backprop."""
    return _grads_times(lambda a, b: (a * b).sigmoid(), (w, x), df)


def sigma_reference(z: float, dout: float) -> float:
    """dz of out = σ(z), by backprop."""
    return _grads_times(lambda a: a.sigmoid(), (z,), dout)[0]


def transpose_reference(W: np.ndarray, X: np.ndarray, dD: np.ndarray) -> tuple:
    """(dW, dX) of D = W @ X, from the kit's matmul_backward."""
    return matmul_backward(dD, matmul(W, X)[1])


def leftover_reference(x: float, w: float, b: float, dout: float) -> tuple[float, ...]:
    """(dw, db) of out = w·x + b, by backprop (a fresh pass: nothing left from before)."""
    return _grads_times(lambda a, c: a * x + c, (w, b), dout)


def _grads_times(fn: Any, inputs: tuple, upstream: float) -> tuple[float, ...]:
    from backprop_kit.core.engine import Value

    leaves = [Value(v) for v in inputs]
    fn(*leaves).backward(upstream)
    return tuple(leaf.grad for leaf in leaves)


def _square_cases() -> list[tuple]:
    rng = np.random.default_rng(5)
    return [
        tuple(rng.integers(-3, 4, size=(2, 2)).astype(float) for _ in range(3)) for _ in range(3)
    ]


#: The bug hunt: name -> (reference, cases). Each learner function is called with the cases in
#: order; ``leftover`` twice in a row, so a gradient kept from the first call shows.
BUGS: dict[str, tuple[Any, Any]] = {
    "fork": (fork_reference, lambda: [(3.0, -4.0, 1.0), (2.0, 0.5, 2.0), (-1.0, 3.0, -1.0)]),
    "upstream": (
        upstream_reference,
        lambda: [(2.0, -1.0, 1.0), (0.5, 3.0, 2.0), (-1.0, -2.0, -3.0)],
    ),
    "sigma": (sigma_reference, lambda: [(1.0, 1.0), (-2.0, 0.5), (0.3, -2.0)]),
    "transpose": (transpose_reference, _square_cases),
    "leftover": (
        leftover_reference,
        lambda: [(2.0, 1.0, 0.5, 1.0), (-1.0, 3.0, 1.0, 2.0), (4.0, -2.0, 0.0, -1.0)],
    ),
}


def _judge_bug_hunt(answer: Any) -> str | None:
    """``answer`` maps each bug's name to the learner's fixed function; the hint lists which
    are fixed, which are still wrong and which are not attempted yet."""
    if not isinstance(answer, dict):
        return (
            f"pass a dict of your fixed functions, {{'fork': fork_backward, ...}}, got "
            f"{describe(answer)}"
        )
    fixed: list[str] = []
    wrong: list[str] = []
    todo: list[str] = []
    for name, (reference, cases) in BUGS.items():
        fn = answer.get(name)
        if not callable(fn):
            wrong.append(f"{name} (missing)")
            continue
        try:
            bad = next(
                (
                    m
                    for *_, got, want in run_cases("ch05-bug-hunt", fn, reference, cases())
                    if (m := compare(got, want)) is not None
                ),
                None,
            )
        except NotImplementedError:
            todo.append(name)
            continue
        except LearnerCodeError as err:
            if isinstance(err, LearnerTimeout):
                raise
            refused = isinstance(err.original, AutodiffRefused)
            wrong.append(
                f"{name} ("
                + (
                    "calls the kit's autodiff"
                    if refused
                    else f"raised {type(err.original).__name__}"
                )
                + ")"
            )
            continue
        (wrong if bad is not None else fixed).append(name)
    if not fixed and not wrong:
        raise NotImplementedError
    if not wrong and not todo:
        return None
    parts = [f"fixed {len(fixed)} of {len(BUGS)}" + (f" ({', '.join(fixed)})" if fixed else "")]
    if wrong:
        parts.append("still wrong: " + ", ".join(wrong))
    if todo:
        parts.append("not attempted yet: " + ", ".join(todo))
    return "; ".join(parts) + "."


custom_exercise(
    "ch05-bug-hunt",
    "Each of five short backward passes has one classic mistake. Fix each; the check says "
    "which are fixed (the kit's autodiff is switched off while your functions run).",
    _judge_bug_hunt,
    explanation="All five fixed: +=, the upstream factor, σ′ from the output, the transpose, "
    "and a fresh start for every pass.",
)
