"""Simulated learners: a kernel behind a Jupyter server, an explorer, a slider moved over the wire.

Shared by the hub tests (``tests/test_hub.py``) and the benchmarks (``benchmarks/drag.py``,
``benchmarks/classroom.py``). A learner talks to its server exactly as JupyterLab does: REST to
start a kernel, then the kernel websocket with the ``v1.kernel.websocket.jupyter.org`` binary
protocol; a slider move is a ``comm_msg`` whose data is ``{"method": "update", "state":
{"value": v}}`` for the slider's model. A move is done when the kernel reports idle for it,
having sent the explorer's new SVG picture (what ipywidgets waits for before it sends the next
update of a drag).

Servers are started on 127.0.0.1 with free ports and stopped by their process id
(:func:`stop`): terminate, wait, kill.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = "v1.kernel.websocket.jupyter.org"
SERVEREXT_OFF = "backprop_kit.serverext=False"  # traitlets: a Dict trait on the command line
#: chapter 4's explorer (the 2-D sigmoid neuron), built from the kit's top-level namespace
EXPLORER_CODE = """\
import json
from backprop_kit import explore
w = explore("sigmoid(w0*x0 + w1*x1 + w2)", w0=2, x0=-1, w1=-3, x1=-2, w2=-3)
print(json.dumps({"slider": w.sliders["w0"].model_id, "picture": w.picture.model_id}))
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a process we started, by its id: terminate, wait, then kill."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def wait_http(
    url: str, proc: subprocess.Popen, log: Path, timeout: float = 90, *, any_status: bool = True
) -> None:
    """Wait until ``url`` answers (with 200 unless ``any_status``), or fail with the log."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            if any_status:
                return
            time.sleep(0.3)
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{log.read_text()[-4000:]}")


@dataclass
class JupyterServer:
    """A ``jupyter server`` we started (``proc``), its base URL and token."""

    proc: subprocess.Popen
    url: str
    token: str
    log: Path


def start_jupyter_server(work: Path, *, extension: bool = True) -> JupyterServer:
    """``jupyter server`` on 127.0.0.1 over ``work``, with or without the kit's extension."""
    work.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyter_server",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}",
    ]
    if not extension:
        cmd.append(f"--ServerApp.jpserver_extensions={SERVEREXT_OFF}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = work / f"server-{port}.log"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(work / "config"))
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=work)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/status?token={token}", proc, log)
    except BaseException:
        stop(proc)
        raise
    return JupyterServer(proc, url, token, log)


# --- the kernel websocket, v1 binary protocol -------------------------------------------------


def pack(channel: str, msg: dict[str, Any]) -> bytes:
    """A kernel message as one v1 websocket frame (offsets, channel, the four JSON parts)."""
    parts = [
        json.dumps(msg[k], default=str).encode()
        for k in ("header", "parent_header", "metadata", "content")
    ]
    chan = channel.encode()
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(chan))
    for p in parts:
        offsets.append(offsets[-1] + len(p))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + chan + b"".join(parts)


def unpack(frame: bytes) -> tuple[str, dict[str, Any]]:
    """The channel and message (header, parent_header, metadata, content) of a v1 frame."""
    n = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(n)]
    offsets.append(len(frame))
    chunks = [frame[offsets[i] : offsets[i + 1]] for i in range(n)]
    channel = chunks[0].decode()
    keys = ("header", "parent_header", "metadata", "content")
    msg = {k: json.loads(chunks[i + 1]) for i, k in enumerate(keys)}
    return channel, msg


class KernelError(RuntimeError):
    """The kernel answered a request with an error, or the socket closed."""


@dataclass
class Learner:
    """One learner's kernel, explorer and slider, reached over ``base`` (a server or a hub)."""

    base: str  # http://127.0.0.1:PORT or http://127.0.0.1:PORT/user/NAME
    headers: dict[str, str] = field(default_factory=dict)  # token or cookie + xsrf
    kernel_id: str = ""
    slider: str = ""
    picture: str = ""
    session: str = field(default_factory=lambda: uuid.uuid4().hex)
    ws: Any = None
    value: float = 2.0

    async def start(self, timeout: float = 120) -> None:
        """Start a kernel through REST, open its websocket, build chapter 4's explorer."""
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest
        from tornado.websocket import websocket_connect

        client = AsyncHTTPClient()
        resp = await client.fetch(
            HTTPRequest(
                f"{self.base}/api/kernels",
                method="POST",
                body=json.dumps({"name": "python3"}),
                headers={**self.headers, "Content-Type": "application/json"},
                request_timeout=timeout,
            )
        )
        self.kernel_id = json.loads(resp.body)["id"]
        ws_base = self.base.replace("http://", "ws://", 1)
        xsrf = self.headers.get("X-XSRFToken")
        query = f"session_id={self.session}" + (f"&_xsrf={xsrf}" if xsrf else "")
        request = HTTPRequest(
            f"{ws_base}/api/kernels/{self.kernel_id}/channels?{query}",
            headers=self.headers,
            request_timeout=timeout,
        )
        self.ws = await websocket_connect(request, subprotocols=[PROTOCOL])
        self.ws.protocol.stream.set_nodelay(True)  # as browsers do
        out = await self.execute(EXPLORER_CODE, timeout=timeout)
        ids = json.loads(out.strip().splitlines()[-1])
        self.slider, self.picture = ids["slider"], ids["picture"]

    def _msg(self, msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
        return {
            "header": {
                "msg_id": uuid.uuid4().hex,
                "msg_type": msg_type,
                "username": "learner",
                "session": self.session,
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
        }

    async def _recv(self, deadline: float) -> tuple[str, dict[str, Any]]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer from the kernel in time")
        frame = await asyncio.wait_for(self.ws.read_message(), left)
        if frame is None:
            raise KernelError("the kernel websocket closed")
        if isinstance(frame, str):  # not expected with the v1 protocol
            raise KernelError(f"unexpected text frame: {frame[:200]}")
        return unpack(frame)

    async def execute(self, code: str, timeout: float = 60) -> str:
        """Run ``code`` in the kernel; its stdout, or KernelError with the traceback."""
        msg = self._msg("execute_request", {"code": code, "silent": False, "store_history": False})
        msg_id = msg["header"]["msg_id"]
        await self.ws.write_message(pack("shell", msg), binary=True)
        deadline = time.monotonic() + timeout
        out: list[str] = []
        error = ""
        while True:
            channel, reply = await self._recv(deadline)
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            kind = reply["header"]["msg_type"]
            if kind == "stream":
                out.append(reply["content"]["text"])
            elif kind == "error":
                error = "\n".join(reply["content"]["traceback"])
            elif kind == "status" and reply["content"]["execution_state"] == "idle":
                break
        if error:
            raise KernelError(error)
        return "".join(out)

    async def move(self, timeout: float = 60) -> float:
        """Move the slider one step (as in a drag); seconds until the kernel is idle again.

        The move counts only if the explorer's picture came back as a new SVG in between.
        """
        self.value = round(-3.0 if self.value >= 3.0 else self.value + 0.01, 2)
        data = {"method": "update", "state": {"value": self.value}, "buffer_paths": []}
        msg = self._msg("comm_msg", {"comm_id": self.slider, "data": data})
        msg_id = msg["header"]["msg_id"]
        t0 = time.perf_counter()
        await self.ws.write_message(pack("shell", msg), binary=True)
        deadline = time.monotonic() + timeout
        pictured = False
        while True:
            channel, reply = await self._recv(deadline)
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = reply["header"]["msg_type"], reply["content"]
            if kind == "comm_msg" and content.get("comm_id") == self.picture:
                state = content.get("data", {}).get("state", {})
                pictured = pictured or str(state.get("value", "")).startswith("<svg")
            elif kind == "error":
                raise KernelError("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                break
        elapsed = time.perf_counter() - t0
        if not pictured:
            raise KernelError(f"slider move to {self.value}: no new picture came back")
        return elapsed

    async def close(self) -> None:
        """Close the websocket and shut the kernel down (REST DELETE)."""
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest

        if self.ws is not None:
            self.ws.close()
            self.ws = None
        if self.kernel_id:
            try:
                await AsyncHTTPClient().fetch(
                    HTTPRequest(
                        f"{self.base}/api/kernels/{self.kernel_id}",
                        method="DELETE",
                        headers=self.headers,
                        request_timeout=30,
                    )
                )
            except Exception:  # the server may be gone already; it stops its kernels then
                pass


def token_learner(server: JupyterServer) -> Learner:
    """A learner on a plain ``jupyter server``, authenticated by its token."""
    return Learner(server.url, {"Authorization": f"token {server.token}"})


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of ``values``, by nearest rank."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]
