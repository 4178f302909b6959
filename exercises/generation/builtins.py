"""The exercise templates that ship with Backprop Lab, keyed by a stable id.

Every one is a small extension of the seed post's network, sized to be done by hand.
"""

from .template import Template

BUILTIN_TEMPLATES: dict[str, Template] = {
    "seed-2-2-2": Template.from_dict({
        "title": "The seed post's 2-2-2 network",
        "description": "Two inputs, two sigmoid hidden units h1, h2 and two sigmoid outputs ŷ1, "
                       "ŷ2, MSE loss, a bias per unit and η = 0.5, named as in the post "
                       "(w1…w8, b1…b4). Compute every δ and every updated weight and bias.",
        "layers": [2, 2, 2],
        "activations": "sigmoid",
        "loss": "mse",
        "bias": "per_unit",
        "learning_rate": 0.5,
        "naming": "seed",
    }),
    "tanh-3-3-2": Template.from_dict({
        "title": "tanh throughout, 3-3-2",
        "description": "Three inputs, three tanh hidden units and two tanh outputs with MSE "
                       "loss; targets lie in [−0.9, 0.9], inside tanh's range. Practise "
                       "f'(z) = 1 − tanh²(z).",
        "layers": [3, 3, 2],
        "activations": "tanh",
        "loss": "mse",
        "targets": {"low": -0.9, "high": 0.9, "decimals": 2},
    }),
    "relu-2-3-1": Template.from_dict({
        "title": "ReLU hidden layer, linear output, 2-3-1",
        "description": "Two inputs, three ReLU hidden units and one linear output (a "
                       "regression) with the half sum of squares loss, so δ_ŷ = ŷ − y. "
                       "Every hidden unit is clearly on one side of its kink.",
        "layers": [2, 3, 1],
        "activations": ["relu", "linear"],
        "loss": "half_sse",
    }),
    "softmax-3-4-3": Template.from_dict({
        "title": "Softmax classifier, 3-4-3",
        "description": "Three inputs, four sigmoid hidden units and a softmax output over three "
                       "classes with cross-entropy loss and a one-hot target, so the output "
                       "δ = ŷ − y.",
        "layers": [3, 4, 3],
        "activations": ["sigmoid", "softmax"],
        "loss": "cross_entropy",
    }),
}
