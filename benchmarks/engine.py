"""How fast is backprop-kit's scalar engine? Measured against micrograd 0.1.0 and NumPy.

Run:  python benchmarks/engine.py          (needs the ``bench`` extra: micrograd==0.1.0)

What it measures, each part in fresh Python processes started by this script:

1. One training step of micrograd's demo network (MLP 2-16-16-1 with relu, SVM max-margin
   loss + L2 regularisation, all 100 points of a two-moons data set, SGD update), built by the
   same driver code (``_mlp_driver.py``) over micrograd's ``Value`` and over ours. The engines
   run in alternate processes (micrograd, kit, micrograd, kit, ...); each process times
   several steps after one warm-up step. The step-0 losses and gradients of both engines (and
   of NumPy) are printed side by side: the comparison is only fair if they compute the same
   numbers.
2. The same step written by hand with NumPy arrays, for scale.
3. ``backward()`` over chains of 10⁵ and 10⁶ gates: the time per gate stays flat (linear
   growth), while micrograd's recursive topological sort stops with RecursionError after
   about a thousand gates.
4. A circuit is freed by reference counting alone: with the cycle collector switched off, a
   weak reference to a node dies as soon as the circuit is dropped. micrograd's closures make
   reference cycles, so its nodes wait for the collector.

Every figure printed is measured in this run; nothing is hard-coded.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import weakref
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROUNDS = 7  # processes per engine, alternated
STEPS = 5  # training steps per process; the first is a warm-up and is not timed
CHAIN_LENGTHS = (100_000, 1_000_000)
CHAIN_REPEATS = 3
NUMPY_BLOCKS, NUMPY_STEPS = 7, 300
TARGET_RATIO = 0.10  # the kit's step should take at most a tenth of micrograd's


def value_class(engine: str) -> type:
    """The ``Value`` class of ``engine`` ("kit" or "micrograd")."""
    if engine == "kit":
        from backprop_kit import Value
    elif engine == "micrograd":
        from micrograd.engine import Value
    else:
        raise ValueError(f"unknown engine {engine!r}; use 'kit' or 'micrograd'")
    return Value


# --- workers: each runs in its own process and prints one JSON line ---------------------------


def work_mlp(engine: str) -> dict:
    """Time STEPS training steps of the demo MLP on ``engine``; report step 0's loss and grads."""
    import _mlp_driver as d

    Value = value_class(engine)
    X, y = d.make_moons()
    model = d.model(Value)
    times, cpu, losses, grads0 = [], [], [], []
    for k in range(STEPS):
        t0, c0 = time.perf_counter(), time.process_time()
        total = d.train_step(Value, model, X, y, k)
        losses.append(total.data)
        if k == 0:  # the untimed warm-up step: keep its gradients for the comparison
            grads0 = [float(p.grad) for p in model.parameters()]
        del total  # freeing the circuit is part of the step
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {"times": times[1:], "cpu": cpu[1:], "losses": losses, "grads0": grads0}


def work_numpy() -> dict:
    """Time the hand-written NumPy step; report step 0's loss and grads."""
    import _mlp_driver as d
    import numpy as np

    X, y = (np.array(a) for a in d.make_moons())
    params = d.numpy_params(d.initial_weights())
    loss0, grads = d.numpy_loss_and_grads(params, X, y)
    grads0 = d.numpy_flat_grads(grads)
    times, cpu = [], []
    for _ in range(NUMPY_BLOCKS):
        params = d.numpy_params(d.initial_weights())
        for k in range(NUMPY_STEPS):
            t0, c0 = time.perf_counter(), time.process_time()
            d.numpy_step(params, X, y, k % 100)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return {"times": times, "cpu": cpu, "losses": [loss0], "grads0": grads0}


def work_chain(n: int) -> dict:
    """Build a chain of ``n`` gates (alternately ``* 1.0000001`` and ``+ 0.5``); time backward."""
    from backprop_kit import Value

    build, backward = [], []
    for _ in range(CHAIN_REPEATS):
        x = Value(0.5)
        t0 = time.perf_counter()
        v = x
        for _ in range(n // 2):
            v = v * 1.0000001
            v = v + 0.5
        t1 = time.perf_counter()
        v.backward()
        t2 = time.perf_counter()
        build.append(t1 - t0)
        backward.append(t2 - t1)
        expected = 1.0000001 ** (n // 2)  # ∂v/∂x: the product of the scale factors
        assert abs(x.grad - expected) <= 1e-9 * expected, (x.grad, expected)
        del v, x
    return {"build": build, "backward": backward}


def micrograd_backward_fails(n: int) -> bool:
    """Does micrograd's backward() raise RecursionError on a chain of ``n`` gates?"""
    from micrograd.engine import Value

    v = Value(0.5)
    for i in range(n):
        v = v * 1.0000001 if i % 2 == 0 else v + 0.5
    try:
        v.backward()
    except RecursionError:
        return True
    return False


def work_recursion() -> dict:
    """micrograd on chains of a few lengths, and the shortest chain on which it fails."""
    tried = {n: micrograd_backward_fails(n) for n in (500, 1000, 2000, 5000)}
    lo, hi = 1, 5000  # backward works at lo, fails at hi
    assert not micrograd_backward_fails(lo) and micrograd_backward_fails(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if micrograd_backward_fails(mid) else (mid, hi)
    return {"tried": tried, "first_failure": hi, "limit": sys.getrecursionlimit()}


def gate_outputs(out: object, engine: str) -> list:
    """Every node of the circuit that a gate produced (not the inputs, not the parameters)."""
    if engine == "kit":
        return [v for v in out.topological_order() if v.op]
    nodes, stack, seen = [], [out], {id(out)}
    while stack:  # micrograd's own topological sort recurses; walk its graph by hand
        v = stack.pop()
        if v._op:
            nodes.append(v)
        for p in v._prev:
            if id(p) not in seen:
                seen.add(id(p))
                stack.append(p)
    return nodes


def work_freed(engine: str) -> dict:
    """With the cycle collector off, is a circuit freed as soon as it is dropped?"""
    import _mlp_driver as d

    Value = value_class(engine)
    X, y = d.make_moons()
    model = d.model(Value)
    gc.collect()
    gc.disable()
    total = d.loss(Value, model, X, y)
    total.backward()
    refs = [weakref.ref(v) for v in gate_outputs(total, engine)]
    del total
    alive = sum(r() is not None for r in refs)
    found = gc.collect()  # objects that only the cycle collector could free
    gc.enable()
    return {"checked": len(refs), "alive_after_del": alive, "found_by_gc_collect": found}


WORKERS = {
    "mlp": lambda args: work_mlp(args[0]),
    "numpy": lambda args: work_numpy(),
    "chain": lambda args: work_chain(int(args[0])),
    "recursion": lambda args: work_recursion(),
    "freed": lambda args: work_freed(args[0]),
}


# --- the driver: start the workers, print the table -------------------------------------------


def run(*args: str) -> dict:
    """Run this script as a worker in a fresh process; return its JSON answer."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f} ms"


def rel_diff(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def main() -> None:
    t_start = time.perf_counter()
    print(
        f"Python {platform.python_version()}, micrograd {metadata.version('micrograd')}, "
        f"numpy {metadata.version('numpy')}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"gc thresholds {gc.get_threshold()}, load average {os.getloadavg()[0]:.1f}"
    )

    # 1. the demo MLP, engines alternated
    results: dict[str, list[dict]] = {"micrograd": [], "kit": []}
    for _ in range(ROUNDS):
        for engine in results:
            results[engine].append(run("mlp", engine))
    nump = run("numpy")

    def median_of(key: str, runs: list[dict]) -> float:
        return statistics.median(t for r in runs for t in r[key])

    runs = {"micrograd 0.1.0": results["micrograd"], "backprop-kit Value": results["kit"]}
    runs["NumPy, by hand (arrays)"] = [nump]
    wall = {name: median_of("times", rs) for name, rs in runs.items()}
    cpu = {name: median_of("cpu", rs) for name, rs in runs.items()}
    ratios = [
        statistics.median(k["times"]) / statistics.median(m["times"])
        for m, k in zip(results["micrograd"], results["kit"])
    ]
    ratio = statistics.median(ratios)
    mg, kit, npy = wall.values()

    print(
        f"\n1. One training step of micrograd's demo MLP 2-16-16-1 (relu, SVM loss + L2, "
        f"100 two-moons points)\n   micrograd and kit: {ROUNDS} alternated processes each x "
        f"{STEPS - 1} timed steps; NumPy: {len(nump['times'])} steps"
    )
    print(f"   {'':<26}{'median step':>13}{'':>14}{'median CPU time':>17}")
    print(f"   {'engine':<26}{'(wall clock)':>13}{'vs micrograd':>14}{'of the process':>17}")
    for name in runs:
        print(f"   {name:<26}{ms(wall[name]):>13}{wall[name] / mg:>13.4f}x{ms(cpu[name]):>17}")
    print(
        f"   kit / micrograd, median of the {ROUNDS} per-round ratios: {ratio:.3f} "
        f"(rounds: {', '.join(f'{r:.3f}' for r in ratios)})"
    )
    cpu_ratio = cpu["backprop-kit Value"] / cpu["micrograd 0.1.0"]
    print(f"   kit / micrograd in CPU time: {cpu_ratio:.3f}")
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"   target: kit <= {TARGET_RATIO:.2f} x micrograd -> {verdict} it ({ratio:.3f})")
    print(
        f"   NumPy step: {npy * 1e6:.1f} µs; the kit's scalar step takes {kit / npy:,.0f} times "
        f"as long, micrograd's {mg / npy:,.0f} times"
    )

    # the same numbers?
    mg_loss = results["micrograd"][0]["losses"][0]
    kit_loss = results["kit"][0]["losses"][0]
    np_loss = nump["losses"][0]
    print("\n   Same computation? step-0 loss and gradients (337 parameters):")
    print(f"   micrograd loss {mg_loss!r}")
    print(f"   kit loss       {kit_loss!r}   rel. diff {rel_diff(kit_loss, mg_loss):.1e}")
    print(f"   NumPy loss     {np_loss!r}   rel. diff {rel_diff(np_loss, mg_loss):.1e}")
    mg_g = results["micrograd"][0]["grads0"]
    for name, g in (("kit", results["kit"][0]["grads0"]), ("NumPy", nump["grads0"])):
        worst = max(abs(a - b) for a, b in zip(g, mg_g)) / max(abs(b) for b in mg_g)
        print(f"   {name:<5} gradients vs micrograd: max |diff| / max |grad| = {worst:.1e}")
    same_losses = all(
        rel_diff(a, b) <= 1e-12
        for m, k in zip(results["micrograd"], results["kit"])
        for a, b in zip(m["losses"], k["losses"])
    )
    print(f"   every step's loss agrees to 1e-12 in every round: {same_losses}")
    if rel_diff(kit_loss, mg_loss) > 1e-12 or rel_diff(np_loss, mg_loss) > 1e-12:
        raise SystemExit("the engines do not compute the same loss: the timing is not comparable")

    # 2. long chains
    print(
        "\n2. backward() on a chain of gates (alternately *1.0000001 and +0.5), "
        f"median of {CHAIN_REPEATS}"
    )
    print(f"   {'gates':>10}{'build':>13}{'backward':>13}{'backward per gate':>20}")
    per_gate = {}
    for n in CHAIN_LENGTHS:
        c = run("chain", str(n))
        b, bw = statistics.median(c["build"]), statistics.median(c["backward"])
        per_gate[n] = bw / n
        print(f"   {n:>10,}{ms(b):>13}{ms(bw):>13}{bw / n * 1e9:>17.0f} ns")
    a, b = CHAIN_LENGTHS
    print(f"   per-gate time ratio {b:,} / {a:,}: {per_gate[b] / per_gate[a]:.2f} (1 = linear)")

    rec = run("recursion")
    tried = ", ".join(
        f"{n}: {'RecursionError' if bad else 'ok'}" for n, bad in rec["tried"].items()
    )
    print(f"   micrograd, recursion limit {rec['limit']}: {tried}")
    print(f"   micrograd's shortest failing chain: {rec['first_failure']} gates")

    # 3. freed without the cycle collector
    print("\n3. The demo's circuit dropped with the cycle collector off (gc.disable()):")
    for engine in ("kit", "micrograd"):
        f = run("freed", engine)
        print(
            f"   {engine:<10} {f['alive_after_del']} of {f['checked']} watched nodes still alive "
            f"after del; gc.collect() then found {f['found_by_gc_collect']:,} unreachable objects"
        )
    print(
        f"\n(total {time.perf_counter() - t_start:.0f} s; load average now "
        f"{os.getloadavg()[0]:.1f}: other processes on the machine slow the wall-clock figures)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        sys.path.insert(0, str(HERE))
        print(json.dumps(WORKERS[sys.argv[2]](sys.argv[3:])))
    else:
        main()
