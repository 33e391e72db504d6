"""A training step of chapter 8's vectorised network against the same step by hand in NumPy.

Run:  python benchmarks/train.py [--rounds 25]

The network is micrograd's demo network (2-16-16-1, relu, SVM max-margin loss + L2 with
alpha = 1e-4, 100 two-moons points, SGD): ``nn.ArrayMLP.step`` (the kit's array gates:
``affine``, ``relu``, ``svm_loss``, each with a cache and a backward) against
``_mlp_driver.numpy_step`` (the same arithmetic written in plain NumPy, no gates, no
checks). Both start from the same seeded weights; the script first checks that one step of
each gives the same loss and gradients (to 1e-12), then times them in alternating order,
each sample a batch of steps lasting about 20 ms, and prints the medians and the ratio
kit / NumPy (target: at most 1.2). Every figure is measured in this run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import timeit

import _mlp_driver as d
import numpy as np

from backprop_kit.nn import net as nn

TARGET = 1.2


def networks() -> tuple[nn.ArrayMLP, list[np.ndarray], np.ndarray, np.ndarray]:
    """The kit's array network and the hand-written one's arrays, from the same weights."""
    X, y = (np.array(a) for a in d.make_moons())
    net = nn.ArrayMLP(d.SIZES[0], list(d.SIZES[1:]), activation="relu", seed=d.SEED)
    params = d.numpy_params(d.initial_weights())
    return net, params, X, y


def same_numbers() -> float:
    """The largest difference between the two ways' step-0 loss and gradients."""
    net, params, X, y = networks()
    loss_kit, grads_kit = net.loss_and_grads(X, y, alpha=d.ALPHA)
    loss_np, grads_np = d.numpy_loss_and_grads(params, X, y)
    diffs = [abs(loss_kit - loss_np)] + [
        float(np.max(np.abs(a - b))) for a, b in zip(grads_kit, grads_np, strict=True)
    ]
    return max(diffs)


def bench(rounds: int) -> dict[str, float]:
    """Median seconds per step of each way, and the median of the per-round ratios."""
    net, params, X, y = networks()
    steps = {
        "kit": lambda: net.step(X, y, 0.05, alpha=d.ALPHA),
        "numpy": lambda: d.numpy_step(params, X, y, 99),  # lr = 1 - 0.9 * 99/100 = 0.109
    }
    one = timeit.Timer(steps["numpy"]).timeit(20) / 20
    number = max(1, round(0.02 / one))
    times: dict[str, list[float]] = {name: [] for name in steps}
    ratios = []
    for i in range(rounds + 1):  # round 0 warms up
        order = ["kit", "numpy"] if i % 2 == 0 else ["numpy", "kit"]
        this = {name: timeit.Timer(steps[name]).timeit(number) / number for name in order}
        if i == 0:
            continue
        for name, seconds in this.items():
            times[name].append(seconds)
        ratios.append(this["kit"] / this["numpy"])
    out = {name: statistics.median(v) for name, v in times.items()}
    out["paired ratio"] = statistics.median(ratios)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    load = (
        " load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
        if hasattr(os, "getloadavg")
        else ""
    )
    print(
        f"numpy {np.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPUs,{load}"
    )
    diff = same_numbers()
    print(f"step 0: largest difference in loss and gradients, kit vs numpy: {diff:.1e}")
    if diff > 1e-12:
        raise SystemExit("the two steps compute different numbers: timings not comparable")
    m = bench(args.rounds)
    ratio = m["kit"] / m["numpy"]
    verdict = "ok" if max(ratio, m["paired ratio"]) <= TARGET else "ABOVE TARGET"
    print(f"training step, MLP 2-16-16-1 on 100 points, {args.rounds} alternating rounds:")
    print(f"  kit  ArrayMLP.step (array gates)   {m['kit'] * 1e6:8.1f} us")
    print(f"  hand-written NumPy step            {m['numpy'] * 1e6:8.1f} us")
    print(f"  ratio kit / numpy, of the medians  {ratio:.3f}")
    print(
        f"  ratio kit / numpy, median of the rounds {m['paired ratio']:.3f}"
        f"  (target <= {TARGET}: {verdict})"
    )


if __name__ == "__main__":
    main()
