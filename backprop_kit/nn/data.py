"""A 2-D toy data set for chapter 8, made with NumPy from a seed (nothing is downloaded)."""

from __future__ import annotations

import numpy as np

__all__ = ["two_moons"]


def two_moons(n: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, drawn the way ``sklearn.datasets.make_moons`` does.

    The first ``n // 2`` points lie on the upper arc ``(cos t, sin t)``, the others on the
    lower arc ``(1 - cos t, 0.5 - sin t)``, ``t`` evenly spaced in [0, π]; Gaussian noise of
    standard deviation ``noise`` is added, then the points are shuffled. All randomness comes
    from ``np.random.default_rng(seed)``.

    Returns ``X`` (n, 2) and labels ``y`` (n,): -1.0 for the upper arc, +1.0 for the lower.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"two_moons: n must be an int >= 2, got {n!r}")
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise < 10:
        raise ValueError(f"two_moons: noise must be a number in [0, 10), got {noise!r}")
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.cos(outer), 1 - np.cos(inner)])
    y = np.concatenate([np.sin(outer), 1 - np.sin(inner) - 0.5])
    X = np.stack([x, y], axis=1) + rng.normal(scale=noise, size=(n, 2))
    labels = np.concatenate([np.zeros(n_out), np.ones(n_in)]) * 2 - 1  # 0/1 -> -1/+1
    order = rng.permutation(n)
    return X[order], labels[order]
