"""The answer form: one input per asked field, grouped in the order one computes them.

Fields arrive in computation order (forward values, loss, then per layer from the output back:
error signals, gradients, updates); consecutive fields of the same layer and kind form a group,
so the seed network reads "output δ, output updates, hidden δ, hidden updates". In a batch
each per-sample field says its sample; with several steps each group says its step.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup

from exercises.web.mathml import math
from exercises.web.statement import layer_name
from tracer.keys import PER_SAMPLE, parse_key, split_key
from tracer.naming import Names

KIND = {"z": "forward", "a": "forward", "loss": "loss", "dL_da": "signals", "da_dz": "signals",
        "delta": "signals", "dL_dw": "gradients", "dL_db": "gradients", "w_new": "updates",
        "b_new": "updates", "velocity": "updates", "m": "updates", "v": "updates"}


@dataclass
class FieldView:
    """One input of the answer form."""

    key: str
    input_id: str
    symbol_math: Markup  # MathML, for the label
    description: str


@dataclass
class FieldGroup:
    """Consecutive fields of one layer and kind, under one heading."""

    title: str
    fields: list[FieldView] = field(default_factory=list)


def input_id(key: str) -> str:
    """The HTML id of a field's input (keys contain colons, which CSS selectors dislike)."""
    return "f-" + key.replace(":", "-").replace("@", "-s").replace("#", "-t")


def _unit(names: Names, layer: int, unit: int) -> str:
    return names.text("x" if layer == 0 else "a", layer, unit)


def describe(names: Names, quantity: str, layer, unit, source) -> str:
    """A field's description for people, in the interface's language."""
    if quantity == "loss":
        return _("the loss")
    if quantity in ("velocity", "m", "v"):
        param = names.text("w" if source is not None else "b", layer, unit, source)
        return {"velocity": _("velocity of %(param)s", param=param),
                "m": _("first moment m of %(param)s", param=param),
                "v": _("second moment v of %(param)s", param=param)}[quantity]
    if source is not None:
        edge = f"{_unit(names, layer - 1, source)} → {_unit(names, layer, unit)}"
        weight = names.text("w", layer, unit, source)
        if quantity == "w_new":
            return _("updated weight %(weight)s (%(edge)s)", weight=weight, edge=edge)
        return _("gradient of weight %(weight)s (%(edge)s)", weight=weight, edge=edge)
    if quantity in ("dL_db", "b_new"):
        bias = names.text("b", layer, unit)
        if quantity == "b_new":
            return _("updated bias %(bias)s", bias=bias)
        return _("gradient of bias %(bias)s", bias=bias)
    name = _unit(names, layer, unit)
    return {
        "z": _("pre-activation of %(unit)s", unit=name),
        "a": _("activation of %(unit)s", unit=name),
        "dL_da": _("loss gradient with respect to %(unit)s", unit=name),
        "da_dz": _("activation derivative of %(unit)s", unit=name),
        "delta": _("error signal of %(unit)s", unit=name),
    }[quantity]


def _group_title(kind: str, layer: int | None, depth: int) -> str:
    if kind == "loss":
        return _("Loss")
    where = layer_name(layer, depth)
    return {
        "forward": _("%(layer)s: feedforward", layer=where),
        "signals": _("%(layer)s: error signals δ", layer=where),
        "gradients": _("%(layer)s: gradients", layer=where),
        "updates": _("%(layer)s: updated weights and biases", layer=where),
    }[kind]


def field_groups(spec: dict, fields: list[dict]) -> list[FieldGroup]:
    """The exercise's fields (stored order) as titled groups of inputs."""
    names = Names(spec["layers"], spec["naming"])
    depth = len(spec["layers"]) - 1
    batch, steps = len(spec["inputs"]) > 1, spec.get("iterations", 1) > 1
    groups: list[FieldGroup] = []
    current = None
    for stored in fields:
        sample, t = split_key(stored["key"])[1:]
        quantity, layer, unit, source = parse_key(stored["key"])
        group_key = (KIND[quantity], layer, t)
        if group_key != current:
            title = _group_title(KIND[quantity], layer, depth)
            groups.append(FieldGroup(_("Step %(step)d — %(title)s", step=t, title=title) if steps else title))
            current = group_key
        latex, description = names.latex(quantity, layer, unit, source), describe(names, quantity, layer, unit, source)
        if batch and quantity in PER_SAMPLE:
            latex = f"{{{latex}}}^{{[{sample}]}}"
            description = _("%(what)s, sample %(sample)d", what=description, sample=sample)
        groups[-1].fields.append(FieldView(key=stored["key"], input_id=input_id(stored["key"]),
                                           symbol_math=math(latex), description=description))
    return groups
