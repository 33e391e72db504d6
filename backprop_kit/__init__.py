"""backprop-kit: see, change and check backpropagation on real circuits.

``import backprop_kit`` loads the pure-Python core; ``draw`` and ``explore`` load matplotlib
and ipywidgets on first use. The rooms, lowest layer first (none imports a higher one):

- ``core``: gates (the table of operations), engine (``Value``, ``backward()``), graph,
  numeric, staged, parse, steps, switch (the autodiff switch), text, circuits (worked circuits);
- ``pictures``: view → layout → scene → svg (live) or drawing (matplotlib), style;
- ``nn``: arrays, dimensions, net (neurons, layers, MLPs), data (two moons): numpy lives here;
- ``explorers``: base, circuit (``explore``), a11y;
- ``chapters``: each chapter's material (sensitivity, staged_compare, scale_explorer,
  shapes_explorer, train_explorer, training_troubles, engine_check) and sandbox, the one seam
  that runs a learner's code;
- ``exercises``: ``check``/``attempt``/``grade`` and one module per chapter;
- ``tools``: the instructor tools behind ``backprop-kit`` (student, grading, site, rerun,
  figures), their one writer (files) and notebook reader (notebooks).
"""

from backprop_kit.core.engine import Value, maximum
from backprop_kit.core.gates import GATES, derivative_table
from backprop_kit.core.numeric import grad_check, numerical_grad, rel_error
from backprop_kit.core.parse import Expression, ExpressionError, parse
from backprop_kit.core.staged import staged
from backprop_kit.pictures.view import describe

sigmoid = Value.sigmoid  # sigmoid(x): σ(x) as one gate, the function form of x.sigmoid()

__all__ = [
    "Expression",
    "ExpressionError",
    "GATES",
    "Value",
    "derivative_table",
    "describe",
    "draw",
    "explore",
    "grad_check",
    "maximum",
    "numerical_grad",
    "parse",
    "rel_error",
    "sigmoid",
    "staged",
]
__version__ = "0.1.0"


def __getattr__(name: str):
    """``draw`` and ``explore`` load matplotlib / ipywidgets on first use, not at import."""
    if name == "draw":
        from backprop_kit.pictures.drawing import draw

        return draw
    if name == "explore":
        from backprop_kit.explorers.circuit import explore

        return explore
    raise AttributeError(f"module 'backprop_kit' has no attribute {name!r}")
