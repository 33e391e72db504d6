"""Chapter 5 exercises, the staged computation f(x, y) = (x + σ(y)) / (σ(x) + (x + y)²): one
backward stage, how many lines write dx and what ``=`` for ``+=`` leaves there, a new function's
whole staged backward pass, and a hunt for five classic bugs in short backward passes.
Answers by the kit (its engine and staged programs) when the check runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backprop_kit import exercises as ex
from backprop_kit.chapters.staged_compare import backward_steps, run_with_equals
from backprop_kit.core.circuits import staged_example
from backprop_kit.core.engine import Value
from backprop_kit.core.staged import staged
from backprop_kit.core.switch import AutodiffRefused

#: ``ch05-dx-equals`` asks at another point than the chapter's (3, −4), whose tables show it.
EQUALS_POINT = (1.0, 1.0)


def backprop_invden(den: float, dinvden: float) -> float:
    """Stage (7) backwards: invden = 1/den, so dden = (the 1/x gate's slope at den) · dinvden."""
    return ex.upstream_grads(lambda v: 1 / v, dinvden, den)[0]


def contributions_to(gradient: str) -> int:
    """How many backward lines of the staged program write ``gradient`` (e.g. ``"dx"``)."""
    return len(backward_steps(staged_example()).for_target(gradient))


def dx_with_equals(x: float = 3.0, y: float = -4.0) -> float:
    """dx at (x, y) from the staged program run with every ``+=`` replaced by ``=``."""
    return run_with_equals(staged(staged_example(x, y)))["dx"]


ex.function_exercise(
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

ex.value_exercise(
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

ex.value_exercise(
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


# --- a new staged function, g(x, y) = σ(x·y)·(x + y): xy = x*y (1), s = σ(xy) (2),
# xpy = x + y (3), g = s*xpy (4); backward stage by stage ---------------------------------------

#: The gradients the learner returns, in backward order, with the hint for a slip at each.
NEW_STAGES = (
    ("ds", "(4) g = s·xpy is a * gate: s receives the OTHER input times dg (= 1)."),
    ("dxpy", "(4) g = s·xpy is a * gate: xpy receives the OTHER input times dg."),
    ("dxy", "(2) is σ: its local gradient is (1 − s)·s, from the cached s, times ds."),
    ("dx", "x is used twice, in (1) and (3): add both contributions, y·dxy and 1·dxpy."),
    ("dy", "y is used twice, in (1) and (3): add both contributions, x·dxy and 1·dxpy."),
)


def new_staged_gradients(x: float, y: float) -> dict[str, float]:
    """Every stage's gradient of g = σ(x·y)·(x + y) at (x, y), by ``backward()`` on its
    circuit: {"ds": ∂g/∂s, "dxpy": …, "dxy": …, "dx": …, "dy": …}."""
    vx, vy = Value(x, "x"), Value(y, "y")
    wires = {"x": vx, "y": vy, "xy": vx * vy, "xpy": vx + vy}
    wires["s"] = wires["xy"].sigmoid()
    (wires["s"] * wires["xpy"]).backward()
    return {name: wires[name[1:]].grad for name, _ in NEW_STAGES}


def _judge_staged(fn: Any) -> str | None:
    """The learner's ``backward(x, y)``: a dict of stage gradients; the hint: the first wrong."""
    if not callable(fn):
        return ex.PASS_FUNCTION
    names = [name for name, _ in NEW_STAGES]
    cases = [(0.5, 1.5), (-1.0, 2.0), (2.0, 0.25), (3.0, -4.0)]
    for (x, y), got, want in ex.run_cases("ch05-staged-backward", fn, new_staged_gradients, cases):
        if not isinstance(got, dict):
            return f"return a dict such as {{'ds': ..., 'dxpy': ...}}, got {ex.describe(got)}"
        missing = [k for k in names if k not in got]
        if missing:
            return f"your dict has no {missing[0]!r}; it needs {', '.join(names)}"
        for name, stage_hint in NEW_STAGES:
            m = ex.compare(got[name], want[name])
            if m is not None and m.kind == "type":
                return f"at (x, y) = ({x:g}, {y:g}), {name}: {m.text}"
            if m is not None:
                return (
                    f"at (x, y) = ({x:g}, {y:g}) the first wrong stage is {name} = "
                    f"{ex.short(got[name])} (the stages before it are right). {stage_hint}"
                )
    return None


ex.custom_exercise(
    "ch05-staged-backward",
    "Write the complete staged backward pass of g(x, y) = σ(x·y)·(x + y): backward(x, y) "
    "runs the forward stages, then returns a dict of ds, dxpy, dxy, dx, dy (the kit's "
    "autodiff is switched off while your function is checked).",
    _judge_staged,
    explanation="One backward line per forward line, in reverse, with += where a variable forks.",
)


# --- the bug hunt ------------------------------------------------------------------------------

#: name -> (the reference by backprop, the cases). A learner's function is called on the cases
#: in order ("leftover" three times in a row, so a gradient kept from a call shows).
BUGS: dict[str, tuple[Callable[..., Any], list[tuple[float, ...]]]] = {
    "fork": (  # f = x·y + x: (dx, dy)
        lambda x, y, df: ex.upstream_grads(lambda a, b: a * b + a, df, x, y),
        [(3.0, -4.0, 1.0), (2.0, 0.5, 2.0), (-1.0, 3.0, -1.0)],
    ),
    "upstream": (  # f = σ(w·x): (dw, dx)
        lambda w, x, df: ex.upstream_grads(lambda a, b: (a * b).sigmoid(), df, w, x),
        [(2.0, -1.0, 1.0), (0.5, 3.0, 2.0), (-1.0, -2.0, -3.0)],
    ),
    "sigma": (  # out = σ(z): dz
        lambda z, dout: ex.upstream_grads(lambda a: a.sigmoid(), dout, z)[0],
        [(1.0, 1.0), (-2.0, 0.5), (0.3, -2.0)],
    ),
    "swap": (  # f = x·y·z staged as q = x·y, f = q·z: (dx, dy, dz); x = y first, which hides it
        lambda x, y, z, df: ex.upstream_grads(lambda a, b, c: a * b * c, df, x, y, z),
        [(2.0, 2.0, 3.0, 1.0), (3.0, -4.0, 2.0, 1.0), (0.5, 2.0, -1.0, -2.0)],
    ),
    "leftover": (  # out = w·x + b: (dw, db), a fresh pass each time
        lambda x, w, b, dout: ex.upstream_grads(lambda p, q: p * x + q, dout, w, b),
        [(2.0, 1.0, 0.5, 1.0), (-1.0, 3.0, 1.0, 2.0), (4.0, -2.0, 0.0, -1.0)],
    ),
}


def _judge_bug_hunt(answer: Any) -> str | None:
    """``answer``: bug name -> fixed function; the hint says which are fixed, wrong, untried."""
    if not isinstance(answer, dict):
        return (
            f"pass a dict of your fixed functions, {{'fork': fork_backward, ...}}, got "
            f"{ex.describe(answer)}"
        )
    fixed: list[str] = []
    wrong: list[str] = []
    todo: list[str] = []
    for name, (reference, cases) in BUGS.items():
        fn = answer.get(name)
        try:
            if not callable(fn):
                wrong.append(f"{name} (missing)")
            elif all(
                ex.compare(got, want) is None
                for _, got, want in ex.run_cases("ch05-bug-hunt", fn, reference, cases)
            ):
                fixed.append(name)
            else:
                wrong.append(name)
        except NotImplementedError:
            todo.append(name)
        except ex.LearnerTimeout:
            raise
        except ex.LearnerCodeError as err:
            refused = isinstance(err.original, AutodiffRefused)
            why = "calls the kit's autodiff" if refused else f"raised {type(err.original).__name__}"
            wrong.append(f"{name} ({why})")
    if not fixed and not wrong:
        raise NotImplementedError
    if not wrong and not todo:
        return None
    parts = [f"fixed {len(fixed)} of {len(BUGS)}" + (f" ({', '.join(fixed)})" if fixed else "")]
    parts += [f"still wrong: {', '.join(wrong)}"] if wrong else []
    parts += [f"not attempted yet: {', '.join(todo)}"] if todo else []
    return "; ".join(parts) + "."


ex.custom_exercise(
    "ch05-bug-hunt",
    "Each of five short backward passes has one classic mistake. Fix each; the check says "
    "which are fixed (the kit's autodiff is switched off while your functions run).",
    _judge_bug_hunt,
    explanation="All five fixed: +=, the upstream factor, σ′ from the output, the OTHER "
    "factor at a * gate, and a fresh start for every pass.",
)
