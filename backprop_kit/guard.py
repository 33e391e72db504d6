"""A switch that turns the kit's automatic differentiation off while a learner's rule is checked.

An exercise whose point is a gradient rule ("write the backward pass of this gate") must not be
passed by calling the kit's own autodiff. While the exercise module runs a learner's function
for such an exercise, it sets :data:`refusal`, and every autodiff entry point of the kit
(``Value.backward``, ``numerical_grad``, ``backprop_grads``, ``grad_check``, the array
``*_backward`` functions, ``numerical_grad_array`` and ``grad_check_array``) calls
:func:`refuse_if_off` first, which then raises :class:`AutodiffRefused` with one line.

This module imports nothing from the kit, so the lowest modules (engine, numeric, arrays) can
import it. The check costs one module-attribute read per call of an entry point (never per
gate), so it does not slow the engine measurably.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

#: None while autodiff is allowed; otherwise the exercise id whose check switched it off.
refusal: str | None = None
#: With ``refusal`` set: the entry points that refuse (None: all of them).
refused: frozenset[str] | None = None
#: With ``refusal`` set: why, in the words the learner reads (None: the gradient rule is asked).
reason: str | None = None


class AutodiffRefused(RuntimeError):
    """Raised by an autodiff entry point while a gradient-rule exercise checks a learner's code."""


def refuse_if_off(what: str) -> None:
    """Raise :class:`AutodiffRefused` naming ``what`` (e.g. ``"Value.backward"``) if autodiff
    is switched off for it; do nothing otherwise."""
    if refusal is not None and (refused is None or what in refused):
        why = reason or "asks for the gradient rule itself"
        raise AutodiffRefused(
            f"this exercise ({refusal}) {why}, so the kit's {what} is switched off while your "
            f"code is checked"
        )


@contextmanager
def autodiff_off(
    exercise_id: str, only: frozenset[str] | None = None, why: str | None = None
) -> Iterator[None]:
    """Within the block, every autodiff entry point refuses — or only those named in ``only``,
    saying ``why`` (see the module docstring)."""
    global refusal, refused, reason
    before = refusal, refused, reason
    refusal, refused, reason = exercise_id, only, why
    try:
        yield
    finally:
        refusal, refused, reason = before


@contextmanager
def inner_call() -> Iterator[None]:
    """An entry point that has passed :func:`refuse_if_off` itself lets the kit's own calls
    inside it through (``nn.backward_accumulate`` calls ``Value.backward``)."""
    global refusal
    before = refusal
    refusal = None
    try:
        yield
    finally:
        refusal = before
