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

from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: None while autodiff is allowed; otherwise the exercise id whose check switched it off.
refusal: str | None = None
#: With ``refusal`` set: the entry points that refuse (None: all of them).
refused: frozenset[str] | None = None
#: With ``refusal`` set: why, in the words the learner reads (None: the gradient rule is asked).
reason: str | None = None


class AutodiffRefused(RuntimeError):
    """Raised by an autodiff entry point while a gradient-rule exercise checks a learner's code."""


# importlib.reload(guard) must not make a second class that the checks' ``except`` misses
AutodiffRefused = globals().get("_CLASS", AutodiffRefused)  # type: ignore[misc]
_CLASS = AutodiffRefused


def refuse_if_off(what: str) -> None:
    """Raise :class:`AutodiffRefused` naming ``what`` (e.g. ``"Value.backward"``) if autodiff
    is switched off for it; do nothing otherwise."""
    if refusal is not None and (refused is None or what in refused):
        why = reason or "asks for the gradient rule itself"
        raise AutodiffRefused(
            f"this exercise ({refusal}) {why}, so the kit's {what} is switched off while your "
            f"code is checked"
        )


#: Called with True when every entry point is switched off and with False when that ends:
#: ``gates`` registers one that swaps each gate's local-gradient rule for a refusing one, so
#: the gate table itself (``GATES["div"].local``) cannot stand in for the rule either.
_switches: list[Callable[[bool], None]] = globals().get("_switches", [])  # kept on reload


def on_switch(fn: Callable[[bool], None]) -> None:
    """Register ``fn(off)``, called when a full refusal starts (True) and ends (False)."""
    _switches.append(fn)


@contextmanager
def autodiff_off(
    exercise_id: str, only: frozenset[str] | None = None, why: str | None = None
) -> Iterator[None]:
    """Within the block, every autodiff entry point refuses — or only those named in ``only``,
    saying ``why`` (see the module docstring)."""
    global refusal, refused, reason
    before = refusal, refused, reason
    refusal, refused, reason = exercise_id, only, why
    full = only is None and before[0] is None
    if full:
        for fn in _switches:
            fn(True)
    try:
        yield
    finally:
        refusal, refused, reason = before
        if full:
            for fn in _switches:
                fn(False)


def tampered(exercise_id: str) -> bool:
    """True if code run under :func:`autodiff_off` switched the refusal off behind its back
    (assigned ``refusal``, replaced :func:`refuse_if_off`, or reloaded this module)."""
    import sys

    return (
        refusal != exercise_id
        or refuse_if_off is not _REFUSE_IF_OFF
        or sys.modules.get(__name__) is not _THIS
    )


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


_REFUSE_IF_OFF = refuse_if_off
_THIS = __import__("sys").modules[__name__]
