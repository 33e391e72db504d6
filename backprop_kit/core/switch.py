"""The one autodiff switch, off while the sandbox checks a learner's gradient rule: every
autodiff entry point (``Value.backward``, ``numerical_grad``, the array backwards, …) calls
:func:`refuse` first, which then raises :class:`AutodiffRefused` in one line (a guard against
accidents, not tampering). It is a context variable set only in :func:`run_with_autodiff_off`'s
own copy of the context, so whatever is raised inside, it cannot be left off."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, copy_context
from typing import Any, TypeVar

T = TypeVar("T")

#: None: autodiff is on. Otherwise (exercise id, why it is off), for the message.
OFF: ContextVar[tuple[str, str] | None] = ContextVar("backprop_kit_autodiff_off", default=None)


class AutodiffRefused(RuntimeError):
    """An autodiff entry point was called while a gradient-rule exercise checked a learner."""


def refuse(what: str) -> None:
    """Raise :class:`AutodiffRefused` naming ``what`` if the switch is off here; else nothing."""
    off = OFF.get()
    if off is not None:
        raise AutodiffRefused(
            f"this exercise ({off[0]}) {off[1]}, so the kit's {what} is switched off while "
            "your code is checked"
        )


def run_with_autodiff_off(
    exercise_id: str,
    fn: Callable[..., T],
    *args: Any,
    why: str = "asks for the gradient rule itself",
) -> T:
    """``fn(*args)`` with the switch off, in a copy of the current context."""

    def inside() -> T:
        OFF.set((exercise_id, why))
        return fn(*args)

    return copy_context().run(inside)
