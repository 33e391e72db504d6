"""A Jupyter server extension: kernel websockets send small frames at once (TCP_NODELAY).

jupyter_server never sets it, so a burst of small widget frames (a dragged slider) waits for
the browser's delayed ACK, 40-50 ms an update. ``KernelWebsocketHandler.open`` is wrapped to
call ``self.set_nodelay(True)`` first. Enabled on install, off with ``jupyter server extension
disable backprop_kit.serverext``. The fix belongs upstream; nothing else of the kit is imported."""

from __future__ import annotations

import functools
import importlib
from typing import Any

#: Where jupyter_server has kept the kernel websocket handler (newest first).
HANDLER_LOCATIONS = (
    ("jupyter_server.services.kernels.websocket", "KernelWebsocketHandler"),
    ("jupyter_server.services.kernels.handlers", "KernelWebsocketHandler"),
    ("jupyter_server.services.kernels.handlers", "ZMQChannelsHandler"),
)
_MARK = "_backprop_kit_nodelay"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """The extension's entry point, as jupyter_server asks for it."""
    return [{"module": "backprop_kit.serverext"}]


def _find_handler() -> type | None:
    """The kernel websocket handler class of the installed jupyter_server, or None."""
    for module_name, class_name in HANDLER_LOCATIONS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        handler = getattr(module, class_name, None)
        if isinstance(handler, type) and callable(getattr(handler, "open", None)):
            return handler
    return None


def _with_nodelay(open_method: Any) -> Any:
    """``open_method`` preceded by ``self.set_nodelay(True)``; marked, so never wrapped twice."""

    @functools.wraps(open_method)
    def open(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            self.set_nodelay(True)
        except Exception:  # a closed stream: the original open reports what went wrong
            pass
        return open_method(self, *args, **kwargs)

    setattr(open, _MARK, True)
    return open


def patch(handler: type) -> bool:
    """Make ``handler.open`` set no-delay first; False if it already did (idempotent)."""
    original = getattr(handler, "open")  # noqa: B009 (a class found at run time)
    if getattr(original, _MARK, False):
        return False
    setattr(handler, "open", _with_nodelay(original))  # noqa: B010
    return True


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Called by jupyter_server when the extension is enabled: patch the handler, or warn."""
    log = serverapp.log
    handler = _find_handler()
    if handler is None:
        log.warning(
            "backprop_kit.serverext: no kernel websocket handler found in this jupyter_server; "
            "slider drags may lag by a delayed ACK (TCP_NODELAY not set)"
        )
        return
    patched = patch(handler)
    log.info(
        "backprop_kit.serverext: TCP_NODELAY on kernel websockets (%s.%s%s)",
        handler.__module__,
        handler.__name__,
        "" if patched else ", already set",
    )
