"""Exercises whose answer is code: a hand-written solution passes, a version that calls the
kit's autodiff does not, the student edition's placeholder is "not attempted yet", and the new
checks (stage by stage, the bug hunt, the gradient-checked gates) name what is wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_kit import maximum, numerical_grad
from backprop_kit.core.numeric import GRAD_CHECK_PASS, rel_error
from backprop_kit.exercises import (
    CORRECT,
    NOT_ATTEMPTED,
    NOT_YET,
    all_exercises,
    attempt,
    ch02,
    ch03,
    ch05,
    ch06,
    ch07,
)
from tests.scalar_solutions import BUG_FIXES, sig, staged_backward
from tests.solutions import DODGES, SOLUTIONS, USES_AUTODIFF
from tests.verdicts import verdict


def not_implemented(*args):
    raise NotImplementedError()


def placeholder(answer):
    """The student edition's version of ``answer``: every function raises NotImplementedError
    (a class: every method it defines)."""
    if isinstance(answer, type):
        methods = {name for k in answer.__mro__[:-1] for name, v in vars(k).items() if callable(v)}
        return type(answer.__name__, (), dict.fromkeys(methods, not_implemented))
    if isinstance(answer, dict):
        return {k: not_implemented for k in answer}
    if isinstance(answer, tuple):
        return tuple(not_implemented for _ in answer)
    return not_implemented


def test_every_exercise_answered_with_code_has_a_solution_and_a_dodge():
    # the value exercises are answered with `with attempt(...)`; all others take code
    code_ids = {
        i
        for i, ex in all_exercises().items()
        if "Write" in ex.question or "Each of five" in ex.question
    }
    assert code_ids | USES_AUTODIFF <= set(SOLUTIONS) == set(DODGES) | USES_AUTODIFF


@pytest.mark.parametrize("exercise_id", sorted(SOLUTIONS))
def test_a_hand_written_solution_is_correct(capsys, exercise_id):
    assert verdict(capsys, exercise_id, SOLUTIONS[exercise_id]).startswith(CORRECT)


@pytest.mark.parametrize("exercise_id", sorted(DODGES))
def test_calling_the_kits_autodiff_is_refused(capsys, exercise_id):
    out = verdict(capsys, exercise_id, DODGES[exercise_id])
    assert out.startswith(NOT_YET), out
    assert "is switched off while your code is checked" in out or (
        "calls the kit's autodiff" in out
    ), out


@pytest.mark.parametrize("exercise_id", sorted(SOLUTIONS))
def test_the_placeholder_is_not_attempted(capsys, exercise_id):
    assert verdict(capsys, exercise_id, placeholder(SOLUTIONS[exercise_id])) == NOT_ATTEMPTED


@pytest.mark.parametrize("exercise_id", sorted(i for i in all_exercises() if i[:2] == "ch"))
def test_every_exercise_has_a_question_and_a_placeholder_in_attempt_is_not_attempted(
    capsys, exercise_id
):
    assert all_exercises()[exercise_id].question.strip()
    with attempt(exercise_id):
        raise NotImplementedError()
    assert capsys.readouterr().out.strip() == NOT_ATTEMPTED


@pytest.mark.parametrize("exercise_id", sorted(SOLUTIONS))
def test_a_string_where_code_is_asked_gets_a_type_hint(capsys, exercise_id):
    out = verdict(capsys, exercise_id, "0.2")
    assert out.startswith(f"{NOT_YET} Hint: Pass"), out


def test_chapter_exercises_count_and_write_gradient_code():
    ids = all_exercises()
    for chapter in range(1, 8):
        mine = [i for i in ids if i.startswith(f"ch{chapter:02d}")]
        assert len(mine) >= 3, (chapter, mine)
        if chapter >= 2:
            assert any(i in SOLUTIONS for i in mine), chapter
    for kept in (
        "ch01-max-grads",
        "ch03-inputs-to-raise",
        "ch05-dx-count",
        "ch06-replay-lr",
        "ch07-which-product",
    ):
        assert kept in ids


def test_staged_backward_names_the_first_wrong_stage(capsys):
    def forgot_fork(x, y):
        d = staged_backward(x, y)
        d["dy"] = x * d["dxy"]  # = where += belongs
        return d

    def wrong_sigma(x, y):
        d = staged_backward(x, y)
        d["dxy"] = sig(x * y) * d["ds"]
        return {**d, "dx": 0.0}

    out = verdict(capsys, "ch05-staged-backward", forgot_fork)
    assert "first wrong stage is dy" in out and "used twice" in out
    out = verdict(capsys, "ch05-staged-backward", wrong_sigma)
    assert "first wrong stage is dxy" in out
    out = verdict(capsys, "ch05-staged-backward", lambda x, y: [1.0] * 5)
    assert "Return a dict" in out
    out = verdict(capsys, "ch05-staged-backward", lambda x, y: {"ds": 1.0})
    assert "no 'dxpy'" in out


def test_bug_hunt_says_which_bugs_are_fixed(capsys):
    grads = {"w": 0.0, "b": 0.0}

    def still_leftover(x, w, b, dout):
        grads["w"] += x * dout
        grads["b"] += dout
        return grads["w"], grads["b"]

    answer = {
        **BUG_FIXES,
        "sigma": lambda z, dout: z * (1 - z) * dout,
        "swap": lambda x, y, z, df: (x * z * df, y * z * df, x * y * df),
        "leftover": still_leftover,
        "upstream": not_implemented,
    }
    out = verdict(capsys, "ch05-bug-hunt", answer)
    assert out.startswith(f"{NOT_YET} Hint: Fixed 1 of 5 (fork)")
    assert "still wrong: sigma, swap, leftover" in out
    assert "not attempted yet: upstream" in out
    assert "missing" in verdict(capsys, "ch05-bug-hunt", {"fork": BUG_FIXES["fork"]})


def test_bug_hunt_swap_passes_where_x_equals_y_and_is_caught_after(capsys):
    """Bug 4 of the notebook: the buggy pass is right at x = y (the first case), wrong later."""

    def buggy(x, y, z, df):  # the notebook's bug 4, as printed
        q = x * y
        dq, dz = z * df, q * df
        return x * dq, y * dq, dz

    reference, cases = ch05.BUGS["swap"]
    assert cases[0][0] == cases[0][1]
    assert buggy(*cases[0]) == pytest.approx(reference(*cases[0]))
    assert any(buggy(*c) != pytest.approx(reference(*c)) for c in cases[1:])
    out = verdict(capsys, "ch05-bug-hunt", {**BUG_FIXES, "swap": buggy})
    assert "still wrong: swap." in out


def test_tanh_gate_is_checked_with_the_threshold_table(capsys):
    out = verdict(capsys, "ch04-tanh-gate", (math.tanh, lambda out, dout: (1 - out) * dout))
    assert "gradient check gives rel_error" in out and "(wrong)" in out
    out = verdict(capsys, "ch04-tanh-gate", (math.sin, lambda out, dout: dout))
    assert "tanh_forward" in out
    assert "pair of functions" in verdict(capsys, "ch04-tanh-gate", math.tanh)


def test_affine_relu_names_the_first_failing_gradient(capsys):
    from tests.solutions import block_backward

    def no_mask(dY, X, W1, b1, W2, b2):
        dW2, db2, _, _, _ = block_backward(dY, X, W1, b1, W2, b2)
        dA = W2.T @ dY
        return dW2, db2, dA @ X.T, dA.sum(axis=1, keepdims=True), W1.T @ dA

    out = verdict(capsys, "ch07-affine-relu", no_mask)
    assert "dW1 fails the array gradient check" in out and "ReLU" in out
    out = verdict(
        capsys, "ch07-affine-relu", lambda *a: block_backward(*a)[:4] + (block_backward(*a)[4].T,)
    )
    assert "shape" in out


def test_affine_relu_cases_stay_away_from_the_kink():
    for seed in (7, 8):
        arrays, _ = ch07.block_case(seed)
        assert np.abs(arrays["W1"] @ arrays["X"] + arrays["b1"]).min() > 0.1


def test_readme_exercise_counts_match_the_notebooks_and_the_registry():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    ids = all_exercises()
    for path in sorted((root / "notebooks").glob("0[1-9]_*.ipynb")):
        chapter = path.name[:2]
        link = f"](notebooks/learner/{path.name})"  # the README links the learner edition
        row = next(line for line in readme.splitlines() if link in line)
        cells = row.split(" | ")
        count, writes = re.match(r"(\d+) \((\d+) writes? code", cells[2]).groups()
        mine = [i for i in ids if i.startswith(f"ch{chapter}")]
        used = set(re.findall(rf'(?:check|attempt)\(\\?"(ch{chapter}-[\w-]+)', path.read_text()))
        assert int(count) == len(mine) and set(mine) == used, (path.name, mine, used)
        assert int(writes) == len([i for i in mine if i in SOLUTIONS]), path.name


# --- the new references agree with the central difference on random inputs ------------------

small = st.floats(-3, 3)


def agrees(analytic, numerical) -> bool:
    """Within the threshold table's pass mark, or absolutely tiny (both near 0)."""
    return all(
        rel_error(a, n) < GRAD_CHECK_PASS or abs(a - n) < 1e-7 for a, n in zip(analytic, numerical)
    )


@settings(max_examples=30)
@given(small, small, small)
def test_square_chain_reference_agrees_with_central_difference(x, y, z):
    assert agrees(
        ch02.square_chain(x, y, z), numerical_grad(lambda a, b, c: (a * b + c) ** 2, x, y, z)
    )


@settings(max_examples=30)
@given(small, small.filter(lambda b: abs(b) > 0.5), small)
def test_divide_backward_reference_is_upstream_times_the_numerical_slopes(a, b, up):
    local = numerical_grad(lambda p, q: p / q, a, b)
    assert agrees(ch03.divide_backward(a, b, up), [up * g for g in local])


@settings(max_examples=30)
@given(small, small)
def test_staged_reference_agrees_with_central_difference(x, y):
    got = ch05.new_staged_gradients(x, y)
    num = numerical_grad(lambda a, b: (a * b).sigmoid() * (a + b), x, y)
    assert agrees((got["dx"], got["dy"]), num)


@settings(max_examples=30)
@given(small, small, small, small)
def test_patterns_reference_agrees_with_central_difference_away_from_ties(x, y, z, w):
    assume(abs(z - w) > 1e-3)
    num = numerical_grad(lambda a, b, c, d: 2 * (a * b + maximum(c, d)), x, y, z, w)
    assert agrees(ch06.pattern_backward(x, y, z, w), num)


@pytest.mark.parametrize("name", sorted(ch05.BUGS))
def test_bug_hunt_references_agree_with_central_difference(name):
    reference, cases = ch05.BUGS[name]
    fns = {
        "fork": lambda a, b: a * b + a,
        "upstream": lambda a, b: (a * b).sigmoid(),
        "sigma": lambda a: a.sigmoid(),
        "swap": lambda a, b, c: a * b * c,
        "leftover": None,
    }
    for args in cases:
        if name == "leftover":
            x, w, b, dout = args
            assert reference(x, w, b, dout) == pytest.approx((x * dout, dout))
        else:
            *inputs, up = args
            num = numerical_grad(fns[name], *inputs)
            got = reference(*args)
            got = got if isinstance(got, tuple) else (got,)
            assert agrees(got, [up * g for g in num])
