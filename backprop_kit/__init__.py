"""backprop-kit: see, change and check backpropagation on real circuits.

``import backprop_kit`` loads the pure-Python core; ``draw`` and ``explore`` load matplotlib
and ipywidgets on first use. The rooms, lowest layer first (none imports a higher one): ``core``
(gates, engine, graph, numeric, staged, parse, steps, switch, text, circuits); ``pictures``
(view → layout → scene → svg or drawing, style); ``nn`` (arrays, dimensions, net, data: numpy
lives here); ``explorers`` (base, circuit, a11y); ``chapters`` (sensitivity, staged_compare,
scale_explorer, shapes_explorer, train_explorer, training_troubles, engine_check, and sandbox,
the one seam that runs a learner's code); ``exercises`` (``check``/``attempt``/``grade``, a
module per chapter); ``tools`` (student, grading, site, rerun, figures; files, notebooks)."""

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
