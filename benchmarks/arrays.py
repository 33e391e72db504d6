"""Speed of the kit's matmul gate against raw NumPy (a script, not a test).

For n x n float64 matrices it times, in alternating order within each round,

* the kit:  ``D, cache = matmul(W, X)`` then ``dW, dX = matmul_backward(dD, cache)``;
* NumPy:    ``W @ X``, ``dD @ X.T`` and ``W.T @ dD`` (also both backward products in one call),

and prints the median seconds of each and the ratios kit / NumPy. The target is a total
ratio of at most 1.10: the gates validate shapes and dtypes (O(1) work) and must add no
copies. BLAS settings (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE, thread counts) are taken from
the environment as they are and only reported.

Run:  python benchmarks/arrays.py [--sizes 256 1024] [--rounds 40 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import timeit

import numpy as np

from backprop_kit.nn.arrays import matmul, matmul_backward

TARGET = 1.10


def blas_line() -> str | None:
    """numpy's BLAS as threadpoolctl reports it, or None if threadpoolctl is missing."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    parts = [
        f"{info.get('internal_api')} {info.get('version')} ({info.get('num_threads')} threads, "
        f"{info.get('architecture')})"
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    ]
    return "; ".join(parts) or "no BLAS found by threadpoolctl"


def bench(n: int, rounds: int, rng: np.random.Generator) -> dict[str, float]:
    """Median seconds per call of the kit's forward/backward and of the raw NumPy products.

    Each round times every step as a batch of repeated calls (so one sample lasts about
    20 ms and the clock's resolution and one-off page faults do not count), kit and NumPy
    back to back in alternating order, so both see the same machine state. Also returns the
    median over rounds of the per-round ratio kit total / NumPy total.
    """
    W, X, dD = (rng.standard_normal((n, n)) for _ in range(3))
    D, cache = matmul(W, X)
    steps = {
        "kit forward": lambda: matmul(W, X),
        "kit backward": lambda: matmul_backward(dD, cache),
        "W @ X": lambda: W @ X,
        "dD @ X.T": lambda: dD @ X.T,
        "W.T @ dD": lambda: W.T @ dD,
        # the two products in one call, as matmul_backward makes them
        "raw backward": lambda: (dD @ X.T, W.T @ dD),
    }
    one = timeit.Timer(steps["raw backward"]).timeit(3) / 3
    number = max(1, round(0.02 / one))
    pairs = [
        (["kit forward"], ["W @ X"]),
        (["kit backward"], ["raw backward"]),
        ([], ["dD @ X.T", "W.T @ dD"]),
    ]
    times: dict[str, list[float]] = {name: [] for name in steps}
    ratios = []
    for i in range(rounds + 1):  # round 0 is a warm-up (BLAS threads, allocator)
        this = {}
        for kit_names, raw_names in pairs:
            order = kit_names + raw_names if i % 2 == 0 else raw_names + kit_names
            for name in order:
                this[name] = timeit.Timer(steps[name]).timeit(number) / number
        if i == 0:
            continue
        for name, seconds in this.items():
            times[name].append(seconds)
        kit = this["kit forward"] + this["kit backward"]
        ratios.append(kit / (this["W @ X"] + this["raw backward"]))
    dW, dX = matmul_backward(dD, cache)
    assert np.array_equal(dW, dD @ X.T) and np.array_equal(dX, W.T @ dD)
    assert np.array_equal(D, W @ X)
    medians = {name: statistics.median(values) for name, values in times.items()}
    medians["paired ratio"] = statistics.median(ratios)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 1024])
    parser.add_argument(
        "--rounds",
        type=int,
        nargs="+",
        default=[40, 15],
        help="rounds per size (the last value repeats)",
    )
    args = parser.parse_args()

    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    print(
        f"numpy {np.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs{load}"
    )
    blas = blas_line()
    if blas is not None:
        print(f"BLAS: {blas}")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if var in os.environ:
            print(f"{var}={os.environ[var]} (from the environment, unchanged)")

    rng = np.random.default_rng(0)
    for i, n in enumerate(args.sizes):
        rounds = args.rounds[min(i, len(args.rounds) - 1)]
        m = bench(n, rounds, rng)
        print(f"\n{n}x{n} float64, {rounds} alternating rounds, median seconds:")
        print(f"  kit   matmul (forward)           {m['kit forward']:.3e}")
        print(f"  kit   matmul_backward            {m['kit backward']:.3e}")
        for name in ("W @ X", "dD @ X.T", "W.T @ dD"):
            print(f"  numpy {name:<28} {m[name]:.3e}")
        print(f"  numpy dD @ X.T, W.T @ dD (one call) {m['raw backward']:.3e}")
        fwd = m["kit forward"] / m["W @ X"]
        bwd = m["kit backward"] / m["raw backward"]
        total = (m["kit forward"] + m["kit backward"]) / (m["W @ X"] + m["raw backward"])
        verdict = "ok" if max(total, m["paired ratio"]) <= TARGET else "ABOVE TARGET"
        print(f"  ratio forward  kit / (W @ X)                      {fwd:.3f}")
        print(f"  ratio backward kit / (dD @ X.T, W.T @ dD)         {bwd:.3f}")
        print(f"  ratio total    kit / numpy, of the medians        {total:.3f}")
        print(
            f"  ratio total    kit / numpy, median of the rounds  {m['paired ratio']:.3f}"
            f"  (target <= {TARGET:.2f}: {verdict})"
        )


if __name__ == "__main__":
    main()
