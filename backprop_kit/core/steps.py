"""The backward pass one gate at a time, as :meth:`Value.backward` performs it: from the
output back, each gate's output gradient (*upstream*) times its local gradient per input
(*local*) is added (*downstream*) to that input's gradient. :func:`backward_walk` yields those
numbers bit for bit, :class:`BackwardSteps` records them for a drawing or a widget."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from backprop_kit.core import switch
from backprop_kit.core.engine import Value, as_number


def backward_walk(
    root: Value, seed: float = 1.0
) -> Iterator[tuple[Value, float, tuple[float, ...], tuple[float, ...]]]:
    """Yields (gate, upstream, local, local × upstream) of ``root.backward(seed)``, no grad set."""
    if not isinstance(root, Value):
        raise TypeError(f"backward_walk needs a Value (a circuit's output), got {type(root)}")
    switch.refuse("backward_walk")
    order = root.topological_order()
    grads = dict.fromkeys(order, 0.0)
    grads[root] = as_number(seed, "seed")
    for node in reversed(order):
        if node.parents:
            up, local = grads[node], node.local_grads()
            down = tuple(d * up for d in local)
            for p, g in zip(node.parents, down):
                grads[p] += g
            yield node, up, local, down


@dataclass(frozen=True)
class Step:
    """Gate ``number`` of the backward pass (1: the output gate), ``gate`` its output wire:
    ``upstream`` = ∂out/∂gate, ``local`` = ∂gate/∂input and ``downstream`` = upstream × local
    (what it adds to each input's gradient), per input in operand order."""

    number: int
    gate: Value
    upstream: float
    local: tuple[float, ...]
    downstream: tuple[float, ...]


class BackwardSteps:
    """The steps of ``root.backward(seed)``, changing no ``.grad``: ``steps[k - 1]`` is step k;
    :meth:`grads_after` the gradients after k steps, by ``backward()``'s float operations."""

    def __init__(self, root: Value, seed: float = 1.0) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"BackwardSteps needs a Value (a circuit's output), got {type(root)}")
        self.root = root
        self.seed = as_number(seed, "seed")
        walk = enumerate(backward_walk(root, self.seed), 1)
        self.steps = tuple(Step(k, node, up, local, down) for k, (node, up, local, down) in walk)

    def __len__(self) -> int:
        return len(self.steps)

    def number_of(self, gate: Value) -> int:
        """The step number (from 1) at which ``gate`` is processed; ValueError if it is none."""
        if number := next((s.number for s in self.steps if s.gate is gate), 0):
            return number
        raise ValueError(
            f"{gate!r} is not a gate of this circuit; pass one of its gates or a step number "
            f"between 1 and {len(self.steps)}"
        )

    def grads_after(self, k: int) -> dict[int, float]:
        """``{id(wire): gradient}`` of the wires reached after ``k`` steps (0 ≤ k ≤ len): at 0
        the output's seed only; a wire of several gates sums what has reached it so far."""
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= len(self.steps):
            raise ValueError(f"step must be an int between 0 and {len(self.steps)}, got {k!r}")
        grads = {id(self.root): self.seed}
        for s in self.steps[:k]:
            for p, g in zip(s.gate.parents, s.downstream):
                grads[id(p)] = grads.get(id(p), 0.0) + g
        return grads
