"""The exercise templates that ship with Backprop Lab, keyed by a stable id.

Every one is a small extension of the seed post's network, sized to be done by hand.
"""

from exercises.generation.template import Template

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
    "batch-2-2-2": Template.from_dict({
        "title": "2-2-2 with a batch of 2",
        "description": "The seed post's network on a mini-batch of two samples: each sample's "
                       "forward pass and δ values, then the gradient averaged over the batch, "
                       "∂L/∂w = ½(δ[1]·a[1] + δ[2]·a[2]), and one update.",
        "layers": [2, 2, 2],
        "activations": "sigmoid",
        "loss": "mse",
        "learning_rate": 0.5,
        "naming": "seed",
        "batch": 2,
        "reduction": "mean",
    }),
    "momentum-two-steps": Template.from_dict({
        "title": "Two steps of momentum",
        "description": "A 2-2-1 sigmoid network without biases trained two steps with momentum "
                       "μ = 0.9: the velocity v ← μ·v + ∂L/∂w and w ← w − η·v of both steps, "
                       "the second carrying the first step's velocity and weights.",
        "layers": [2, 2, 1],
        "activations": "sigmoid",
        "loss": "mse",
        "bias": "none",
        "learning_rate": 0.5,
        "optimizer": {"name": "momentum", "momentum": 0.9},
        "iterations": 2,
        "ask": ["velocity", "w_new"],
    }),
    "adam-one-step": Template.from_dict({
        "title": "One Adam step",
        "description": "A 2-2-1 sigmoid network, one Adam step (β1 = 0.9, β2 = 0.999, ε = 1e-8): "
                       "the moments m and v, then θ⁺ = θ − η·m̂/(√v̂ + ε) with the bias-corrected "
                       "m̂ = m/(1 − β1) and v̂ = v/(1 − β2).",
        "layers": [2, 2, 1],
        "activations": "sigmoid",
        "loss": "mse",
        "learning_rate": 0.1,
        "optimizer": "adam",
        "ask": ["m", "v", "w_new", "b_new"],
    }),
    "l2-weight-decay": Template.from_dict({
        "title": "L2 with λ = 0.1",
        "description": "The seed post's network with L2 weight decay λ = 0.1: the loss gains "
                       "(λ/2)·Σw², so every weight's gradient gains λw (biases do not decay).",
        "layers": [2, 2, 2],
        "activations": "sigmoid",
        "loss": "mse",
        "learning_rate": 0.5,
        "naming": "seed",
        "weight_decay": 0.1,
        "ask": ["delta", "dL_dw", "w_new", "b_new"],
    }),
    "dropout-hidden": Template.from_dict({
        "title": "Dropout on the hidden layer",
        "description": "The seed post's network with inverted dropout on the hidden layer, keep "
                       "probability p = 0.5 and a given mask r: h = r·σ(z)/p, so a dropped unit "
                       "passes nothing on and its δ is 0, and a kept one is scaled by 1/p.",
        "layers": [2, 2, 2],
        "activations": "sigmoid",
        "loss": "mse",
        "learning_rate": 0.5,
        "naming": "seed",
        "dropout": 0.5,
    }),
}
