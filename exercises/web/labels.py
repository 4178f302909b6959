"""Words shown to people for contract names: quantities, phases, statuses and misconceptions.

Contract names (SPEC §4–§6) stay as they are in URLs, forms and data; these are their
translatable labels. Misconception explanations say what the mistake is and how to avoid it.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

QUANTITIES = {
    "z": _l("pre-activations z"),
    "a": _l("activations a"),
    "loss": _l("the loss L"),
    "dL_da": _l("loss gradients ∂L/∂a"),
    "da_dz": _l("activation derivatives f′(z)"),
    "delta": _l("error signals δ"),
    "dL_dw": _l("weight gradients ∂L/∂w"),
    "dL_db": _l("bias gradients ∂L/∂b"),
    "w_new": _l("updated weights w⁺"),
    "b_new": _l("updated biases b⁺"),
}

PHASES = {
    "input": _l("Given values"),
    "forward": _l("Feedforward"),
    "loss": _l("Loss"),
    "backward": _l("Backpropagation"),
    "update": _l("Parameter update"),
}

STATUSES = {
    "correct": _l("Correct"),
    "carried": _l("Correct method (error carried forward)"),
    "incorrect": _l("Incorrect"),
    "blank": _l("Blank"),
}

MISCONCEPTIONS = {
    "updated_weights_in_backprop": (
        _l("Updated weights used in backpropagation"),
        _l("A hidden δ must use the outgoing weights as they were before this step's update: "
           "all parameters are updated only after the whole backward pass.")),
    "missing_activation_derivative": (
        _l("Missing activation derivative"),
        _l("δ = ∂L/∂z needs the chain rule through the activation: multiply ∂L/∂a by f′(z) of "
           "this unit.")),
    "derivative_of_activation_output": (
        _l("Derivative taken at the output instead of z"),
        _l("f′ is evaluated at the pre-activation z. For the sigmoid, f′(z) = a(1 − a) with "
           "a = σ(z); σ(a)(1 − σ(a)) applies σ twice.")),
    "target_minus_output": (
        _l("Sign of the loss gradient flipped"),
        _l("∂L/∂ŷ is proportional to (ŷ − y), output minus target, not (y − ŷ).")),
    "gradient_ascent": (
        _l("Step taken the wrong way"),
        _l("Gradient descent subtracts: θ⁺ = θ − η·∂L/∂θ. Adding the gradient increases the "
           "loss.")),
    "missing_learning_rate": (
        _l("Learning rate left out"),
        _l("The update is θ⁺ = θ − η·∂L/∂θ: the gradient is scaled by the learning rate η.")),
    "loss_scale": (
        _l("Wrong factor in the loss gradient"),
        _l("Check the constant in ∂L/∂ŷ: for MSE over n outputs it is 2/n·(ŷ − y), for ½Σ "
           "it is (ŷ − y), for Σ it is 2(ŷ − y).")),
    "pre_activation_as_input": (
        _l("Pre-activation used as the weight's input"),
        _l("∂L/∂w = δ · (the activation a of the source unit), the value that flowed along "
           "the edge, not its pre-activation z.")),
    "swapped_weight_indices": (
        _l("Weight indices swapped"),
        _l("W[j][k] connects source unit k to destination unit j; this answer used the "
           "weight of the edge in the other direction.")),
    "missing_bias": (
        _l("Bias left out of the forward pass"),
        _l("Each pre-activation is z = Σ w·a + b: include the unit's bias.")),
    "partial_sum": (
        _l("Only one downstream unit counted"),
        _l("A hidden δ sums over every unit it feeds: δ_j = f′(z_j) · Σ_k w_kj δ_k.")),
    "bias_not_updated": (
        _l("Bias not updated"),
        _l("Biases are parameters too: b⁺ = b − η·∂L/∂b, and ∂L/∂b = δ.")),
}


def misconception(identifier: str) -> tuple[str, str]:
    """The title and explanation of a misconception id (the id itself when it is unknown)."""
    title, explanation = MISCONCEPTIONS.get(identifier, (identifier, ""))
    return str(title), str(explanation)

# The built-in presets' titles and descriptions (exercises.generation.builtins), translatable.
PRESETS = {
    "seed-2-2-2": (
        _l("The seed post's 2-2-2 network"),
        _l("Two inputs, two sigmoid hidden units h1, h2 and two sigmoid outputs ŷ1, ŷ2, MSE "
           "loss, a bias per unit and η = 0.5, named as in the post (w1…w8, b1…b4). Compute "
           "every δ and every updated weight and bias.")),
    "tanh-3-3-2": (
        _l("tanh throughout, 3-3-2"),
        _l("Three inputs, three tanh hidden units and two tanh outputs with MSE loss; targets "
           "lie in [−0.9, 0.9], inside tanh's range. Practise f'(z) = 1 − tanh²(z).")),
    "relu-2-3-1": (
        _l("ReLU hidden layer, linear output, 2-3-1"),
        _l("Two inputs, three ReLU hidden units and one linear output (a regression) with the "
           "half sum of squares loss, so δ_ŷ = ŷ − y. Every hidden unit is clearly on one side "
           "of its kink.")),
    "softmax-3-4-3": (
        _l("Softmax classifier, 3-4-3"),
        _l("Three inputs, four sigmoid hidden units and a softmax output over three classes "
           "with cross-entropy loss and a one-hot target, so the output δ = ŷ − y.")),
}
