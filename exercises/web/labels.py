"""Words shown to people for contract names: quantities, phases, statuses and misconceptions.

Contract names (SPEC §4–§6) stay as they are in URLs, forms and data; these are their
translatable labels. Misconception explanations say what the mistake is and how to avoid it.
"""
from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from exercises.generation import BUILTIN_TEMPLATES
from exercises.grading.misconceptions import REGISTRY
from exercises.web.circuit_titles import SET_GIVEN_TITLE
from exercises.web.circuit_titles import TITLES as CIRCUIT_TITLES

QUANTITIES = {
    "z": _l("pre-activations (weighted sums)"),
    "a": _l("activations (unit outputs)"),
    "loss": _l("the loss L"),
    "dL_da": _l("loss gradients with respect to unit outputs"),
    "da_dz": _l("activation derivatives at the pre-activations"),
    "delta": _l("error signals δ"),
    "dL_dw": _l("weight gradients ∂L/∂w"),
    "dL_db": _l("bias gradients ∂L/∂b"),
    "w_new": _l("updated weights w⁺"),
    "b_new": _l("updated biases b⁺"),
    "velocity": _l("momentum velocities v (optimizer state)"),
    "m": _l("Adam first moments m (optimizer state)"),
    "v": _l("Adam second moments v (optimizer state)"),
}

STATUSES = {
    "correct": _l("Correct"),
    "carried": _l("Correct method (error carried forward)"),
    "incorrect": _l("Incorrect"),
    "blank": _l("Blank"),
}

def misconception(identifier: str) -> tuple[str, str]:
    """The title and explanation of a misconception id in the reader's language, from the
    grading registry (the id itself when it is unknown)."""
    mistake = REGISTRY.get(identifier)
    if mistake is None:
        return identifier, ""
    return gettext(mistake.title), gettext(mistake.explanation)

def translated_title(title: str | None) -> str | None:
    """An exercise title in the reader's language when it is a built-in preset's own title
    (a set item left untitled stores the preset's English title); other titles, written by
    instructors, stay as written."""
    for key, (translated, _text) in PRESETS.items():
        if title == BUILTIN_TEMPLATES[key].title:
            return str(translated)
    if title == SET_GIVEN_TITLE or title in (text for text, _description in CIRCUIT_TITLES.values()):
        return gettext(title)
    return title


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
    "batch-2-2-2": (
        _l("2-2-2 with a batch of 2"),
        _l("The seed post's network on a mini-batch of two samples: each sample's forward pass "
           "and δ values, then the gradient averaged over the batch, ∂L/∂w = ½(δ[1]·a[1] + "
           "δ[2]·a[2]), and one update.")),
    "momentum-two-steps": (
        _l("Two steps of momentum"),
        _l("A 2-2-1 sigmoid network without biases trained two steps with momentum μ = 0.9: the "
           "velocity v ← μ·v + ∂L/∂w and w ← w − η·v of both steps, the second carrying the "
           "first step's velocity and weights.")),
    "adam-one-step": (
        _l("One Adam step"),
        _l("A 2-2-1 sigmoid network, one Adam step (β1 = 0.9, β2 = 0.999, ε = 1e-8): the moments "
           "m and v, then θ⁺ = θ − η·m̂/(√v̂ + ε) with the bias-corrected m̂ = m/(1 − β1) and v̂ "
           "= v/(1 − β2).")),
    "l2-weight-decay": (
        _l("L2 with λ = 0.1"),
        _l("The seed post's network with L2 weight decay λ = 0.1: the loss gains (λ/2)·Σw², so "
           "every weight's gradient gains λw (biases do not decay).")),
    "dropout-hidden": (
        _l("Dropout on the hidden layer"),
        _l("The seed post's network with inverted dropout on the hidden layer, keep probability "
           "p = 0.5 and a given mask r: h = r·σ(z)/p, so a dropped unit passes nothing on and "
           "its δ is 0, and a kept one is scaled by 1/p.")),
}
