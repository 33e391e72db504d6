"""A slider drag through a real ``jupyter server``, with and without the kit's server extension.

Run:  python benchmarks/drag.py            # about 1 minute on a 2-core machine

Two ``jupyter server`` processes on 127.0.0.1 over the same empty folder: one as installed
(``backprop_kit.serverext`` enabled: TCP_NODELAY on kernel websockets), one with
``--ServerApp.jpserver_extensions=backprop_kit.serverext=False``. Each gets a kernel
with chapter 4's explorer (``explore("sigmoid(w0*x0 + w1*x1 + w2)", …)``), reached over the
kernel websocket as JupyterLab reaches it (v1 binary protocol, client socket with no-delay).

1. **drag**: back-to-back slider updates (each ``comm_msg`` ``update`` sent as soon as the
   previous one is done: kernel idle, new SVG received), as ipywidgets paces a drag;
2. **occasional**: one move, then a pause of 0.3 s, then the next.

The two servers take turns in rounds, so both see the same load. A third line times the same
update straight to the kernel over ZMQ (jupyter_client, no server, no websocket): the floor.
Printed: median and p95 per case, and the ratio with/without. Goal: drag median at most
10 ms with the extension. Every number is measured in this run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.learners import (  # noqa: E402
    EXPLORER_CODE,
    Learner,
    percentile,
    start_jupyter_server,
    stop,
    token_learner,
)

GOAL_MS = 10.0


async def drag(learner: Learner, n: int) -> list[float]:
    return [await learner.move() for _ in range(n)]


async def occasional(learner: Learner, n: int, pause: float) -> list[float]:
    out = []
    for _ in range(n):
        await asyncio.sleep(pause)
        out.append(await learner.move())
    return out


def zmq_floor(n: int) -> list[float]:
    """The same slider update sent straight to a kernel over ZMQ (jupyter_client)."""
    import json

    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        reply = kc.execute_interactive(EXPLORER_CODE, output_hook=lambda m: None, timeout=60)
        assert reply["content"]["status"] == "ok"
        msg_id = kc.execute("print(json.dumps(w.sliders['w0'].model_id))")
        comm_id = ""
        while True:
            m = kc.get_iopub_msg(timeout=30)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "stream":
                comm_id = json.loads(m["content"]["text"].strip())
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                break
        out, value = [], 2.0
        for _ in range(n):
            value = round(-3.0 if value >= 3.0 else value + 0.01, 2)
            data = {"method": "update", "state": {"value": value}, "buffer_paths": []}
            msg = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
            t0 = time.perf_counter()
            kc.shell_channel.send(msg)
            while True:
                m = kc.get_iopub_msg(timeout=30)
                if (
                    m["parent_header"].get("msg_id") == msg["header"]["msg_id"]
                    and m["msg_type"] == "status"
                    and m["content"]["execution_state"] == "idle"
                ):
                    break
            out.append(time.perf_counter() - t0)
        return out
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def summary(samples: list[float]) -> tuple[float, float]:
    ms = [s * 1000 for s in samples]
    return statistics.median(ms), percentile(ms, 95)


async def measure(rounds: int, n_drag: int, n_occasional: int, pause: float) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bpk-drag-"))
    servers = {}
    learners: dict[str, Learner] = {}
    results: dict[str, dict[str, list[float]]] = {
        k: {"drag": [], "occasional": []} for k in ("with", "without")
    }
    try:
        servers["with"] = start_jupyter_server(work / "with", extension=True)
        servers["without"] = start_jupyter_server(work / "without", extension=False)
        learners = {k: token_learner(s) for k, s in servers.items()}
        for learner in learners.values():
            await learner.start()
            await drag(learner, 20)  # warm-up: imports, first pictures
        for r in range(rounds):
            order = list(servers) if r % 2 == 0 else list(reversed(servers))
            for k in order:
                results[k]["drag"] += await drag(learners[k], n_drag)
            for k in order:
                results[k]["occasional"] += await occasional(learners[k], n_occasional, pause)
        loaded = {
            k: "backprop_kit.serverext: TCP_NODELAY" in s.log.read_text()
            for k, s in servers.items()
        }
    finally:
        for learner in learners.values():
            await learner.close()
        for s in servers.values():
            stop(s.proc)
    return {"results": results, "loaded": loaded}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--drag", type=int, default=100, help="moves per drag round")
    parser.add_argument("--occasional", type=int, default=15, help="moves per occasional round")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between occasional")
    args = parser.parse_args(argv)

    print(f"python {platform.python_version()}, {os.cpu_count()} cores")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    import jupyter_server
    import tornado

    print(f"jupyter_server {jupyter_server.__version__}, tornado {tornado.version}")
    out = asyncio.run(measure(args.rounds, args.drag, args.occasional, args.pause))
    res, loaded = out["results"], out["loaded"]
    print(f"extension loaded: with={loaded['with']}, without={loaded['without']}")
    floor = summary(zmq_floor(args.rounds * args.drag // 2))
    print()
    print(f"{'case':<12} {'server':<22} {'n':>5} {'median ms':>10} {'p95 ms':>8}")
    rows = {}
    for case in ("drag", "occasional"):
        for k, label in (("without", "without the extension"), ("with", "with the extension")):
            med, p95 = rows[(case, k)] = summary(res[k][case])
            print(f"{case:<12} {label:<22} {len(res[k][case]):>5} {med:>10.1f} {p95:>8.1f}")
    n_floor = args.rounds * args.drag // 2
    print(f"{'drag':<12} {'straight to ZMQ':<22} {n_floor:>5} {floor[0]:>10.1f} {floor[1]:>8.1f}")
    print()
    for case in ("drag", "occasional"):
        ratio = rows[(case, "with")][0] / rows[(case, "without")][0]
        print(f"{case}: median with / without = {ratio:.2f}")
    ok = rows[("drag", "with")][0] <= GOAL_MS
    print(f"goal (drag median with the extension <= {GOAL_MS:.0f} ms): {'met' if ok else 'MISSED'}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
