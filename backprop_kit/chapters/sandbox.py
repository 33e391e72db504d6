"""The one seam that runs a learner's code, :func:`run_learner_code`: against accidents (an
endless loop, the kit's autodiff inside the rule being written), not tampering.

* **Time limit**: SIGALRM, re-armed every 0.2 s, raises only inside the learner's code (a
  context copy marks it), so a stray alarm cannot leave the switch off or break the next cell;
  without signals (a browser-only Python, a thread) no limit, said once.
* **Frozen result**: built-in numbers, rebuilt tuples and lists, copied arrays, made inside
  the limit. **Autodiff off** (``autodiff_off=exercise_id``): :mod:`~backprop_kit.core.switch`."""

from __future__ import annotations

import numbers
import signal
import sys
import threading
from collections.abc import Callable
from contextvars import ContextVar, copy_context
from typing import Any

from backprop_kit.core import switch

#: Seconds a learner's function may run in one check (all its cases together).
TIME_LIMIT = 3.0
NO_TIME_LIMIT_NOTE = (
    "(Note: here a function that runs too long cannot be stopped automatically, since {why}; "
    "if a check never finishes, interrupt the kernel.)"
)
_INSIDE: ContextVar[bool] = ContextVar("backprop_kit_learner_code", default=False)
_armed = False
_noted_no_limit = False


class LearnerCodeError(Exception):
    """A learner's code raised ``original`` (any ``Exception`` or ``SystemExit``)."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(one_line_error(original))
        self.original = original


class LearnerTimeout(LearnerCodeError):
    """A learner's function ran longer than its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        Exception.__init__(self, f"stopped after {seconds:g} s")
        self.original = self
        self.seconds = seconds


class _TimeUp(BaseException):
    """The alarm, inside a learner's code (a BaseException: ``except Exception`` misses it)."""


_CAUGHT_NOTE = (
    "(The time limit has stopped your code {n} times and it keeps running: a bare `except:` "
    "catches the stop. Write `except Exception:` instead; restart the kernel to stop it now.)"
)
_stops = 0  # alarms raised in the current run: past 10 (2 s late) the code is catching them


def _on_alarm(signum: int, frame: Any) -> None:
    global _stops
    if _INSIDE.get():
        _stops += 1
        if _stops == 10:
            print(_CAUGHT_NOTE.format(n=_stops), file=sys.stderr, flush=True)
        raise _TimeUp()
    if not _armed:  # a late alarm after the limit was taken down: stop the timer
        signal.setitimer(signal.ITIMER_REAL, 0.0)


def _why_no_time_limit() -> str | None:
    if not hasattr(signal, "setitimer"):
        return "this Python has no interval timer signals"
    if threading.current_thread() is not threading.main_thread():
        return "the code does not run in the main thread"
    return None


def run_learner_code(
    fn: Callable[..., Any],
    *args: Any,
    seconds: float = TIME_LIMIT,
    autodiff_off: str | None = None,
) -> Any:
    """``fn(*args)`` as a learner's code, its result frozen: over ``seconds`` LearnerTimeout, an
    Exception or SystemExit LearnerCodeError; NotImplementedError and KeyboardInterrupt pass."""
    global _armed, _noted_no_limit, _stops
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real) or not seconds > 0:
        raise ValueError(f"run_learner_code: seconds must be a positive number, got {seconds!r}")
    nested = _INSIDE.get()  # called from inside learner code: the outer time limit stands

    def inside() -> Any:
        _INSIDE.set(True)
        if autodiff_off is None:
            return _snapshot(fn(*args))
        return switch.run_with_autodiff_off(autodiff_off, lambda: _snapshot(fn(*args)))

    why = None if nested else _why_no_time_limit()
    if why is not None and not _noted_no_limit:
        _noted_no_limit = True
        print(NO_TIME_LIMIT_NOTE.format(why=why))
    previous = None
    try:
        if why is None and not nested:
            previous = signal.signal(signal.SIGALRM, _on_alarm)
            _armed, _stops = True, 0
            signal.setitimer(signal.ITIMER_REAL, min(max(seconds, 1e-3), 1e6), 0.2)
        result = copy_context().run(inside)
        if _stops and not nested:  # it caught the stop and finished late: still over the limit
            raise _TimeUp()
        return result
    except _TimeUp:
        raise LearnerTimeout(seconds) from None
    except NotImplementedError:
        raise
    except (Exception, SystemExit) as err:
        raise LearnerCodeError(err) from err
    finally:
        if why is None and not nested:
            _armed = False
            signal.setitimer(signal.ITIMER_REAL, 0.0)
            if previous is not None:
                signal.signal(signal.SIGALRM, previous)


def _snapshot(x: Any, depth: int = 0, seen: frozenset[int] = frozenset()) -> Any:
    """``x`` as plain data: built-in numbers, rebuilt tuples and lists, copied arrays."""
    if depth > 20 or id(x) in seen:  # too deep, or a list that holds itself
        return x
    if isinstance(x, bool):
        return bool(x)
    if isinstance(x, float):
        return float.__float__(x) if type(x) is not float else x
    if isinstance(x, int):
        return int.__int__(x) if type(x) is not int else x
    if isinstance(x, tuple) and type(x) is not tuple and hasattr(x, "_fields"):
        return x  # a NamedTuple (a cache): its type is part of the answer
    if isinstance(x, (tuple, list)):
        items = [_snapshot(v, depth + 1, seen | {id(x)}) for v in x]
        return tuple(items) if isinstance(x, tuple) else items
    np = sys.modules.get("numpy")  # no array can exist where numpy was never imported
    if np is not None and isinstance(x, np.ndarray):
        return np.array(x, copy=True)
    if np is not None and isinstance(x, np.generic) and x.dtype.kind in "iuf":
        return x.item()
    return x


def one_line_error(err: BaseException, chars: int = 160) -> str:
    """``"TypeError: message"`` on one line, cut to ``chars`` characters."""
    if isinstance(err, SystemExit):
        return "SystemExit (your code called exit() or sys.exit())"
    first = (str(err).strip().splitlines() or [""])[0]
    text = f"{type(err).__name__}: {first}" if first else type(err).__name__
    return text if len(text) <= chars else text[: chars - 1] + "…"
