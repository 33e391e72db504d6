"""backprop-kit: see, change and check backpropagation on real circuits.

The scalar engine (``Value``, ``maximum``), numerical gradients (``numerical_grad``,
``grad_check``, ``rel_error``) and staged programs (``staged``) load with ``import
backprop_kit``; drawing and widgets load matplotlib and ipywidgets only when first used.

The map (the README's module table says more). General kit: gates, engine, graph, numeric,
staged, expr; view, layout, scene, style, drawing, svg; static_view (the explorers' base),
widgets, stepper, a11y; arrays, dimensions, nn; engine_check, guard, atomic, exercises (its
``__init__``). Chapter material:
sensitivity (1), circuits, staged_compare (4-6), scale_explorer (6), shapes_explorer (7),
train_explorer, training_troubles, toy_data (8), exercises.chNN. Tools (``python -m``):
student, rerun, figures, grading, site.
"""

from backprop_kit.engine import Value, maximum, sigmoid
from backprop_kit.expr import Expression, ExpressionError, parse
from backprop_kit.gates import GATES, derivative_table
from backprop_kit.numeric import grad_check, numerical_grad, rel_error
from backprop_kit.staged import staged
from backprop_kit.view import describe

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
        from backprop_kit.drawing import draw

        return draw
    if name == "explore":
        from backprop_kit.widgets import explore

        return explore
    raise AttributeError(f"module 'backprop_kit' has no attribute {name!r}")
