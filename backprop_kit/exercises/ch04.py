"""Chapter 4 exercises: the sigmoid neuron and the local gradient of σ.

Every expected answer is computed here by the kit (the gate table and the engine) when the
check runs; nothing is typed in.
"""

from __future__ import annotations

from backprop_kit.circuits import sigmoid_neuron
from backprop_kit.exercises import function_exercise, value_exercise
from backprop_kit.gates import GATES

# The forward value of σ that the notes cache and read off the circuit, to two decimals.
CACHED_SIGMOID_OUTPUT = 0.73


def sigmoid_slope(z: float) -> float:
    """dσ/dz at z, from the kit's σ gate: σ(z) forward, then its local gradient (1 − σ)·σ."""
    gate = GATES["sigmoid"]
    s = gate.forward(z, 0.0, None)
    return gate.local(s, z, 0.0, None)[0]


def neuron_gradients() -> dict[str, float]:
    """∂f/∂(each input) of the notes' neuron σ(w0·x0 + w1·x1 + w2), w = [2, −3, −3],
    x = [−1, −2], by backpropagation through its elementary gates."""
    f = sigmoid_neuron()
    f.backward()
    return {v.label: v.grad for v in f.topological_order() if not v.parents}


function_exercise(
    "ch04-sigmoid-slope",
    "Write dσ/dz as a function of z.",
    reference=sigmoid_slope,
    cases=lambda: [(0.0,), (1.0,), (-2.5,), (4.0,), (-0.3,)],
    hint=(
        "the rule you derived is written with the gate's OUTPUT σ(z), not with its input z. "
        "Compute s = σ(z) = 1 / (1 + e^(−z)) first, then build the slope from s alone."
    ),
    explanation="One forward value, one subtraction, one multiplication.",
)

value_exercise(
    "ch04-dw0",
    "What is ∂f/∂w0 for the neuron w = [2, −3, −3], x = [−1, −2]? (3 decimals or more)",
    expected=lambda: neuron_gradients()["w0"],
    hint=(
        "start from the gradient that reaches the * gate w0·x0 (the same number reaches every "
        "input of the + gates). A * gate hands each input the OTHER input times the upstream "
        "gradient: what does w0 multiply?"
    ),
    decimals=3,
    explanation="Both + gates pass the σ slope on unchanged; the * gate multiplies it by x0.",
)

value_exercise(
    "ch04-sigmoid-local",
    "The σ gate's output is 0.73. What is its local gradient? (3 decimals or more)",
    expected=lambda: GATES["sigmoid"].local(CACHED_SIGMOID_OUTPUT, 0.0, 0.0, None)[0],
    hint=(
        "the σ gate needs only its own cached output s: its slope is a product of two numbers "
        "made from s. Neither s alone nor 1 − s alone is enough."
    ),
    decimals=3,
    explanation="No exponential needed: the cached forward value is all the gate uses.",
)
