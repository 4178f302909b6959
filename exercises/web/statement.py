"""An exercise's statement: the given values and the formulas of the network, as mathematics.

It also says what δ means in the exercise's ``delta_convention`` (SPEC §2), with its formula in
the exercise's naming scheme and, for SGD, the weight update it leads to; the page states the
answer digits beside it.

Everything here is a given value or a symbolic formula. The forward and loss formulas are the
engine's own ``formula`` column (symbols only, in the exercise's naming scheme); the computed
values of those rows are never read, so a statement cannot leak an answer.

A mini-batch shows every sample (its inputs, targets and dropout masks); a run of several steps
shows the optimizer's recurrence with the state carried from step to step; weight decay and
dropout each say what they change, with their formulas.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup

import tracer
from exercises.web.diagram import number
from exercises.web.mathml import equation, math
from tracer import activations as registry
from tracer.naming import Names

UPDATE_RULES = {
    "sgd": [r"\theta^{+} = \theta - \eta \frac{\partial L}{\partial \theta}"],
    "momentum": [r"v = \mu \cdot 0 + \frac{\partial L}{\partial \theta}",
                 r"\theta^{+} = \theta - \eta v"],
    "adam": [r"m = (1 - \beta_1) \frac{\partial L}{\partial \theta}, \quad "
             r"v = (1 - \beta_2) \left(\frac{\partial L}{\partial \theta}\right)^2",
             r"\theta^{+} = \theta - \eta \frac{m / (1 - \beta_1)}{\sqrt{v / (1 - \beta_2)} "
             r"+ \epsilon}"],
}
# With several steps the state of step t − 1 carries into step t (it is 0 before step 1).
STEP_RULES = {
    "sgd": [r"\theta_{t} = \theta_{t-1} - \eta \frac{\partial L}{\partial \theta}(\theta_{t-1})"],
    "momentum": [r"v_{t} = \mu v_{t-1} + \frac{\partial L}{\partial \theta}, \quad v_0 = 0",
                 r"\theta_{t} = \theta_{t-1} - \eta v_{t}"],
    "adam": [r"m_{t} = \beta_1 m_{t-1} + (1 - \beta_1) \frac{\partial L}{\partial \theta}, \quad "
             r"v_{t} = \beta_2 v_{t-1} + (1 - \beta_2) \left(\frac{\partial L}{\partial \theta}\right)^2, "
             r"\quad m_0 = v_0 = 0",
             r"\theta_{t} = \theta_{t-1} - \eta \frac{m_{t} / (1 - \beta_1^{t})}{\sqrt{v_{t} / (1 - \beta_2^{t})} "
             r"+ \epsilon}"],
}


@dataclass
class Statement:
    """What an exercise page states, ready to render."""

    inputs: list[Markup] = field(default_factory=list)
    targets: list[Markup] = field(default_factory=list)
    learning_rate: Markup = Markup("")
    activations: list[tuple[str, Markup, str]] = field(default_factory=list)
    forward: list[Markup] = field(default_factory=list)
    loss: Markup = Markup("")
    update: list[Markup] = field(default_factory=list)
    optimizer_note: str = ""
    parameters: list[tuple[Markup, str, str]] = field(default_factory=list)  # symbol, edge, value
    convention: str = "gradient"            # what δ denotes: ∂L/∂z, or −∂L/∂z ("negative")
    delta_definition: Markup = Markup("")   # δ of the first output unit, by definition
    delta_update: Markup = Markup("")       # SGD's update of one weight written with δ
    pre_activation: str = ""                # the symbol of that unit's pre-activation (a_ŷ1 …)
    activation: str = ""                    # … and of its activation (ŷ1 …)
    seed_names: bool = False                # pre-activations are called a, as in the seed post
    samples: list[tuple[int, list[Markup]]] = field(default_factory=list)  # a batch's or masks'
    training: list[str] = field(default_factory=list)       # batch, steps, decay, dropout
    training_math: list[Markup] = field(default_factory=list)


def _given(value: float) -> str:
    """A given value as LaTeX, written as the diagram writes it (1 rather than 1.0)."""
    return number(value).replace("−", "-")


def layer_name(layer: int, depth: int) -> str:
    """"Output layer", "Hidden layer" or "Hidden layer 2", in the interface's language."""
    if layer == depth:
        return _("Output layer")
    if depth == 2:
        return _("Hidden layer")
    return _("Hidden layer %(number)d", number=layer)


def _parameters(spec: dict, names: Names) -> list[tuple[Markup, str, str]]:
    """Every given weight and bias (the diagram's numbers, as a table for screen readers and
    narrow screens), in the naming scheme's numbering."""
    sizes, found = spec["layers"], []
    for layer in range(1, len(sizes)):
        weights = []
        for unit in range(1, sizes[layer] + 1):
            for source in range(1, sizes[layer - 1] + 1):
                text = names.text("w", layer, unit, source)
                edge = f"{names.text('x' if layer == 1 else 'a', layer - 1, source)} → " \
                       f"{names.text('a', layer, unit)}"
                value = spec["weights"][layer - 1][unit - 1][source - 1]
                weights.append((text, names.latex("w", layer, unit, source), edge, value))
        if spec["naming"] != "matrix":  # numbered schemes: list w1, w2, … in number order
            weights.sort(key=lambda w: int(re.sub(r"\D", "", w[0])))
        found += [(math(latex), edge, number(value)) for _text, latex, edge, value in weights]
        if spec["bias"] == "per_unit":
            found += [(math(names.latex("b", layer, unit)), names.text("a", layer, unit),
                       number(spec["biases"][layer - 1][unit - 1]))
                      for unit in range(1, sizes[layer] + 1)]
        elif spec["bias"] == "shared":
            found.append((math(names.latex("b", layer)), layer_name(layer, len(sizes) - 1),
                          number(spec["biases"][layer - 1])))
    return found


def _delta(spec: dict, names: Names, result: Statement) -> None:
    """δ's definition and the update it gives, shown for the first output unit and its first
    incoming weight, in the exercise's convention and names."""
    depth = len(spec["layers"]) - 1
    convention = spec.get("delta_convention", "gradient")
    delta, z = names.latex("delta", depth, 1), names.latex("z", depth, 1)
    weight, source = names.latex("w", depth, 1, 1), names.latex("a", depth - 1, 1)
    sign, step = ("-", "+") if convention == "negative" else ("", "-")
    result.convention = convention
    result.delta_definition = math(rf"{delta} = {sign}\frac{{\partial L}}{{\partial {z}}}")
    optimizer = spec["optimizer"]["name"] if isinstance(spec["optimizer"], dict) \
        else spec["optimizer"]
    if optimizer == "sgd":   # momentum and Adam do not step by η·δ·a; their rules are shown
        result.delta_update = math(
            rf"{weight}^{{+}} = {weight} {step} \eta \, {delta} \, {source}")
    result.pre_activation = names.text("z", depth, 1)
    result.activation = names.text("a", depth, 1)
    result.seed_names = spec["naming"] == "seed"


def _training(spec: dict, names: Names, result: Statement) -> None:
    """Each sample's given values (in a batch, or with dropout masks) and what the batch, the
    steps, weight decay and dropout change."""
    depth, count = len(spec["layers"]) - 1, len(spec["inputs"])
    masks = spec.get("dropout_masks")
    if count > 1 or masks:
        for s in range(count):
            given = [math(f"{names.latex('x', 0, k)} = {_given(v)}") for k, v in enumerate(spec["inputs"][s], 1)]
            given += [math(f"{names.latex('y', depth, j)} = {_given(v)}") for j, v in enumerate(spec["targets"][s], 1)]
            for l, mask in enumerate(masks[s] if masks else (), 1):
                given += [math(f"{names.latex('mask', l, j)} = {r}") for j, r in enumerate(mask, 1)]
            result.samples.append((s + 1, given))
    if count > 1:
        result.training.append(
            _("A mini-batch of %(count)d samples: each sample has its own forward pass, loss and δ; "
              "the loss and every gradient are the mean over the samples.", count=count)
            if spec.get("reduction", "mean") == "mean" else
            _("A mini-batch of %(count)d samples: each sample has its own forward pass, loss and δ; "
              "the loss and every gradient are the sum over the samples.", count=count))
    if spec.get("iterations", 1) > 1:
        result.training.append(_(
            "%(steps)d training steps on the same batch: step t starts from the parameters updated "
            "in step t − 1 and carries the optimizer's state from it.", steps=spec["iterations"]))
    if spec.get("weight_decay"):
        result.training.append(_(
            "L2 weight decay λ = %(decay)s: the loss gains (λ/2)·Σw² over every weight (biases do "
            "not decay), so every weight's gradient gains λ·w.", decay=spec["weight_decay"]))
    if spec.get("dropout") is not None:
        keep = ", ".join(f"{p:g}" for p in spec["dropout"])
        result.training.append(_(
            "Inverted dropout on the hidden layers, keep probability p = %(keep)s: a = r·f(z)/p "
            "with the mask r given per sample, so a dropped unit (r = 0) passes nothing on and "
            "its δ is 0.", keep=keep))


def statement(spec: dict) -> Statement:
    """The statement of the network of a normalized one-sample ``spec``."""
    names = Names(spec["layers"], spec["naming"])
    depth = len(spec["layers"]) - 1
    inputs = spec["inputs"][0] if isinstance(spec["inputs"][0], list) else spec["inputs"]
    targets = spec["targets"][0] if isinstance(spec["targets"][0], list) else spec["targets"]
    result = Statement(
        inputs=[math(f"{names.latex('x', 0, k)} = {_given(v)}") for k, v in enumerate(inputs, 1)],
        targets=[math(f"{names.latex('y', depth, j)} = {_given(v)}")
                 for j, v in enumerate(targets, 1)],
        learning_rate=math(rf"\eta = {spec['learning_rate']!r}"),
        parameters=_parameters(spec, names))
    _delta(spec, names, result)
    activations = spec["activations"]
    per_layer = [activations] * depth if isinstance(activations, str) else list(activations)
    for layer, name in enumerate(per_layer, 1):
        activation = registry.get(name)
        definition = activation.definition
        if activation.uses_slope:
            definition += rf", \quad \alpha = {spec['leaky_relu_slope']!r}"
        result.activations.append((layer_name(layer, depth), math(definition), _(activation.description)))
    for row in tracer.trace(spec).rows():
        if row["phase"] in ("backward", "update"):
            break  # only the forward and loss formulas are stated; the rest costs ~80 % of rows
        if row["iteration"] != 1 or row["sample"] not in (None, 1):
            continue
        latex = names.latex(row["quantity"], row["layer"], row["unit"], row["source"])
        if row["phase"] == "forward":
            result.forward.append(equation(latex, row["formula"]))
        elif row["quantity"] == "loss" and row["sample"] is None:
            result.loss = equation(latex, row["formula"])
        elif row["phase"] == "loss":   # a batch's per-sample loss, or the penalty
            result.training_math.append(equation(latex if row["sample"] is None else "L_s",
                                                 row["formula"].replace("L_1", "L_s")))
    _training(spec, names, result)
    optimizer = spec["optimizer"]["name"] if isinstance(spec["optimizer"], dict) else spec["optimizer"]
    rules = STEP_RULES if spec.get("iterations", 1) > 1 else UPDATE_RULES
    result.update = [math(rule) for rule in rules[optimizer]]
    if optimizer == "momentum":
        result.optimizer_note = _("Momentum μ = %(mu)s; the velocity starts at 0.",
                                  mu=spec["optimizer"]["momentum"])
    elif optimizer == "adam":
        result.optimizer_note = _("Adam with β₁ = %(b1)s, β₂ = %(b2)s, ε = %(eps)s; m and v start at 0.",
                                  b1=spec["optimizer"]["beta1"], b2=spec["optimizer"]["beta2"],
                                  eps=spec["optimizer"]["eps"])
    return result
