"""backprop-kit: see, change and check backpropagation on real circuits.

The scalar engine (``Value``, ``maximum``), numerical gradients (``numerical_grad``,
``grad_check``, ``rel_error``) and staged programs (``staged``) load with ``import
backprop_kit``; drawing and widgets load matplotlib and ipywidgets only when first used.

The map: the general kit (any chapter, any circuit) --

* ``gates`` every gate once; ``engine`` ``Value`` and the backward walk; ``graph`` build, copy,
  recompute and name a circuit's wires; ``numeric`` numerical derivatives and ``rel_error``;
  ``staged`` a circuit as a staged program; ``expr`` a typed formula as a circuit;
* ``layout`` (geometry, colours), ``scene`` (what a picture shows), ``drawing`` (matplotlib),
  ``svg``; ``widgets`` and ``stepper`` the circuit explorer; ``static_view`` and ``a11y``
  pictures that show without a front-end and read for everyone;
* ``arrays`` and ``dimensions`` array gates; ``nn`` scalar and array networks;
  ``engine_check`` a learner's engine against the kit's; ``guard`` autodiff off while a rule
  is checked; ``atomic`` files never half-written; ``exercises`` (its ``__init__``) checking;

chapter material (one chapter each): ``sensitivity`` (1), ``circuits`` (the notes' circuits),
``staged_compare`` (4-6), ``scale_explorer`` (6), ``shapes_explorer`` (7), ``train_explorer``,
``training_troubles`` and ``toy_data`` (8), ``exercises.chNN``; tools run with ``python -m``:
``student``, ``rerun``, ``figures``, ``grading``, ``site``.
"""

from backprop_kit.engine import Value, maximum, sigmoid
from backprop_kit.expr import Expression, ExpressionError, parse
from backprop_kit.gates import GATES, derivative_table
from backprop_kit.numeric import grad_check, numerical_grad, rel_error
from backprop_kit.scene import describe
from backprop_kit.staged import staged

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
