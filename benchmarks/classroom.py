"""A classroom on a local JupyterHub: N learners, steady and dragging, with and without the fix.

Run:  python benchmarks/classroom.py              # about 15 minutes on a 2-core machine
      python benchmarks/classroom.py --sizes 1 5  # a quick look

For each variant (the kit's server extension on, as installed; and off, with
``--ServerApp.jpserver_extensions=backprop_kit.serverext=False`` in every learner's server) a
local hub is started with the recipe's settings (``tests/hubs.py``: deploy/local plus the
test-only dummy login on 127.0.0.1). Learners log in through the hub's form, each gets a
kernel with chapter 4's explorer through the proxy. For each class size N = 1, 5, 10, 20, 40
a fresh hub runs with the fix, then one without (the order flipped at every N), so that both
see the same load on a shared machine. At each N:

* **memory**: resident memory of the learners' servers and kernels, per learner (and the
  hub's and the proxy's);
* **steady**: for a while every learner moves the slider once, then pauses 0-1 s (uniform);
* **dragging**: every learner moves back to back (the next update when the last is done);
  moves per second for the whole class, and CPU time of the whole stack per move.

Printed as a table (median and p95 latency of a move, in ms), then the sizing figures
docs/deploy.md uses: learners per GB, and the largest class whose p95 stays under 100 ms
(steady and dragging) per core. Every number is measured in this run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.hubs import Hub, find_chp, login, rss_mb, start_hub, stop_hub  # noqa: E402
from tests.learners import Learner, percentile  # noqa: E402

P95_BOUND_MS = 100.0


def stack_cpu(hub: Hub) -> float:
    """CPU seconds (user + system) used so far by the hub and everything it started."""
    import psutil

    total = 0.0
    root = psutil.Process(hub.proc.pid)
    for p in [root, *root.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


async def join(hub: Hub, names: list[str], concurrency: int = 5) -> list[Learner]:
    """Log learners in (a few at a time, as a class trickles in) and build their explorers."""
    gate = asyncio.Semaphore(concurrency)

    async def one(name: str) -> Learner:
        async with gate:
            learner, _ = await login(hub, name, timeout=600)
            await learner.start(timeout=300)
            await learner.move()
            return learner

    return list(await asyncio.gather(*(one(n) for n in names)))


async def phase(learners: list[Learner], seconds: float, pause: tuple[float, float], seed: int):
    """Every learner moves until ``seconds`` are up, pausing uniform(pause) between moves."""
    rng = random.Random(seed)
    pauses = {id(learner): random.Random(rng.random()) for learner in learners}
    end = time.monotonic() + seconds

    async def run(learner: Learner) -> list[float]:
        out = []
        r = pauses[id(learner)]
        if pause[1] > 0:
            await asyncio.sleep(r.uniform(*pause))  # not all in step
        while time.monotonic() < end:
            out.append(await learner.move(timeout=120))
            if pause[1] > 0:
                await asyncio.sleep(r.uniform(*pause))
        return out

    t0 = time.monotonic()
    results = await asyncio.gather(*(run(learner) for learner in learners))
    wall = time.monotonic() - t0
    return [x * 1000 for r in results for x in r], wall


async def variant(extension: bool, sizes: list[int], steady_s: float, drag_s: float) -> list:
    chp = find_chp()
    if chp is None:
        raise SystemExit("configurable-http-proxy is missing and npm cannot install it")
    work = Path(tempfile.mkdtemp(prefix="bpk-classroom-"))
    hub = start_hub(work, chp, extension=extension)
    rows = []
    learners: list[Learner] = []
    try:
        for n in sizes:
            names = [f"learner{i:02d}" for i in range(len(learners), n)]
            t0 = time.monotonic()
            learners += await join(hub, names)
            joined = time.monotonic() - t0
            await asyncio.sleep(2)
            mem = rss_mb(hub)
            per = (mem["servers"] + mem["kernels"]) / n
            steady, _ = await phase(learners, steady_s, (0.0, 1.0), seed=n)
            cpu0 = stack_cpu(hub)
            drag, wall = await phase(learners, drag_s, (0.0, 0.0), seed=n)
            cpu = stack_cpu(hub) - cpu0
            rows.append(
                {
                    "extension": extension,
                    "n": n,
                    "joined_s": joined,
                    "mb_per_learner": per,
                    "server_mb": mem["servers"] / n,
                    "kernel_mb": mem["kernels"] / n,
                    "hub_mb": mem["hub"],
                    "proxy_mb": mem["proxy"],
                    "steady_med": statistics.median(steady),
                    "steady_p95": percentile(steady, 95),
                    "steady_n": len(steady),
                    "drag_med": statistics.median(drag),
                    "drag_p95": percentile(drag, 95),
                    "moves_per_s": len(drag) / wall,
                    "cpu_ms_per_move": 1000 * cpu / max(1, len(drag)),
                }
            )
            r = rows[-1]
            print(
                f"  [{'with' if extension else 'without'} n={n}] joined in {joined:.0f} s, "
                f"{per:.0f} MB/learner, steady p95 {r['steady_p95']:.0f} ms, "
                f"drag p95 {r['drag_p95']:.0f} ms, {r['moves_per_s']:.0f} moves/s",
                flush=True,
            )
    finally:
        for learner in learners:
            await learner.close()
        stop_hub(hub)
    return rows


def largest(rows: list[dict], key: str) -> int:
    ok = [r["n"] for r in rows if r[key] <= P95_BOUND_MS]
    return max(ok) if ok else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 10, 20, 40])
    parser.add_argument("--steady", type=float, default=10.0, help="seconds of steady moves")
    parser.add_argument("--drag", type=float, default=6.0, help="seconds of dragging")
    parser.add_argument("--only", choices=["with", "without"], help="one variant only")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    print(f"python {platform.python_version()}, {cores} cores")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    rows = []
    variants = [ext for ext in (True, False) if args.only in (None, "with" if ext else "without")]
    # Each class size runs with and without the fix one after the other (a fresh hub each,
    # the order flipped at every size), so both see the same load on a shared machine.
    for i, n in enumerate(sorted(args.sizes)):
        for ext in variants if i % 2 == 0 else variants[::-1]:
            rows += asyncio.run(variant(ext, [n], args.steady, args.drag))
    rows.sort(key=lambda r: (not r["extension"], r["n"]))

    print()
    head = (
        f"{'fix':<8}{'N':>4}{'MB/learner':>11}{'(server':>9}{'kernel)':>8}"
        f"{'steady med':>11}{'p95':>6}{'drag med':>9}{'p95':>6}{'moves/s':>8}{'CPU ms/move':>12}"
    )
    print(head)
    for r in rows:
        print(
            f"{'with' if r['extension'] else 'without':<8}{r['n']:>4}"
            f"{r['mb_per_learner']:>11.0f}{r['server_mb']:>9.0f}{r['kernel_mb']:>8.0f}"
            f"{r['steady_med']:>11.1f}{r['steady_p95']:>6.0f}"
            f"{r['drag_med']:>9.1f}{r['drag_p95']:>6.0f}"
            f"{r['moves_per_s']:>8.0f}{r['cpu_ms_per_move']:>12.1f}"
        )
    hub_mb = max(r["hub_mb"] for r in rows)
    proxy_mb = max(r["proxy_mb"] for r in rows)
    print(f"\nhub {hub_mb:.0f} MB, proxy {proxy_mb:.0f} MB (largest class)")
    print(f"\nsizing (p95 of a move under {P95_BOUND_MS:.0f} ms, on {cores} cores):")
    for ext in (True, False):
        these = [r for r in rows if r["extension"] == ext]
        if not these:
            continue
        mb = statistics.median(r["mb_per_learner"] for r in these)
        sat = max(r["moves_per_s"] for r in these)
        steady, drag = largest(these, "steady_p95"), largest(these, "drag_p95")
        print(
            f"  {'with' if ext else 'without'} the fix: {mb:.0f} MB per learner "
            f"({1000 / mb:.1f} learners per GB); saturation {sat:.0f} moves/s; "
            f"steady: all {steady} measured learners ok ({steady / cores:.1f} per core); "
            f"dragging: {drag} ({drag / cores:.1f} per core)"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
