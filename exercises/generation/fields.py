"""The fields of an exercise: which values a student fills in, their keys, symbols and labels.

Fields come in the order a student computes them by hand, the seed post's order: the forward
quantities asked (``z``, ``a``, layer by layer), the loss, then layer by layer from the output
back: each unit's ``dL_da``, ``da_dz`` and ``delta``, the layer's gradients, then the layer's
updates. So the seed network asks δ_ŷ1, δ_ŷ2, w5⁺…w8⁺, b3⁺, b4⁺, then δ_h1, δ_h2, w1⁺…w4⁺,
b1⁺, b2⁺. Weights within a layer follow the naming scheme's numbering: by destination unit,
except the seed scheme's output layer, which it numbers by source unit (w5: h1→ŷ1, w6: h1→ŷ2).

``da_dz`` is never a field of a layer whose activation has a ``constant_derivative`` in the
registry (linear, ReLU, leaky ReLU: every unit's answer would be the same number), nor of
softmax (the engine has no such row).

A batch asks each per-sample quantity sample by sample (``delta:2:1``, ``delta:2:1@2``), and a
run of several steps asks everything again for each step (``w_new:2:1:2#2``), step by step.
Optimizer state (``velocity``, ``m``, ``v``) comes right before the layer's updates.
"""

from dataclasses import dataclass

from exercises.generation.knobs import ASKABLE
from exercises.generation.spec_builder import layer_activations
from tracer import activations as registry
from tracer import losses
from tracer.keys import PER_SAMPLE, key_of, split_key
from tracer.naming import Names, symbol


@dataclass(frozen=True)
class Field:
    """One value a student fills in: its contract key, its symbol and a label for people."""

    key: str
    symbol: str
    label: str

    def to_dict(self) -> dict:
        """The field as the JSON object of SPEC §8."""
        return {"key": self.key, "symbol": self.symbol, "label": self.label}


def _weight_order(spec: dict, layer: int) -> list[tuple[int, int]]:
    units, sources = spec["layers"][layer], spec["layers"][layer - 1]
    pairs = [(j, k) for j in range(1, units + 1) for k in range(1, sources + 1)]
    if spec["naming"] == "seed" and layer == len(spec["layers"]) - 1:
        pairs.sort(key=lambda pair: (pair[1], pair[0]))
    return pairs


def _bias_positions(spec: dict, layer: int) -> list[tuple[int, int | None]]:
    if spec["bias"] == "shared":
        return [(layer, None)]
    return [(layer, j) for j in range(1, spec["layers"][layer] + 1)]


STATE = {"sgd": (), "momentum": ("velocity",), "adam": ("m", "v")}


def positions(spec: dict, ask) -> list[tuple]:
    """Every ``(quantity, layer, unit, source, sample, iteration)`` of the asked quantities that
    the trace of the normalized ``spec`` holds, in the order a student computes them."""
    found = []
    for t in range(1, spec["iterations"] + 1):
        found += [(*position, t) for position in _step_positions(spec, ask)]
    return found


def _step_positions(spec, ask):
    """One iteration's ``(quantity, layer, unit, source, sample)``."""
    sizes, activations = spec["layers"], layer_activations(spec)
    last = len(sizes) - 1
    has_bias = spec["bias"] != "none"
    samples = range(1, len(spec["inputs"]) + 1)
    found = [(q, l, j, None, s) for l in range(1, last + 1) for s in samples
             for j in range(1, sizes[l] + 1) for q in ("z", "a") if q in ask]
    if "loss" in ask:
        found.append(("loss", None, None, None, 1))
    state = [q for q in STATE[spec["optimizer"]["name"]] if q in ask]
    for l in range(last, 0, -1):
        per_unit = [q for q in ("dL_da", "da_dz", "delta") if q in ask
                    and not (q == "dL_da" and l == last and losses.is_fused(activations[-1], spec["loss"]))
                    and not (q == "da_dz" and registry.get(activations[l - 1]).constant_derivative)]
        found += [(q, l, j, None, s) for s in samples for j in range(1, sizes[l] + 1) for q in per_unit]
        updated = has_bias and spec["update_biases"]
        if "dL_dw" in ask:
            found += [("dL_dw", l, j, k, 1) for j, k in _weight_order(spec, l)]
        if "dL_db" in ask and has_bias:
            found += [("dL_db", l, j, None, 1) for _, j in _bias_positions(spec, l)]
        # Each parameter's state in the engine's order (m then v), weights then biases.
        found += [(q, l, j, k, 1) for j, k in _weight_order(spec, l) for q in state]
        if updated:
            found += [(q, l, j, None, 1) for _, j in _bias_positions(spec, l) for q in state]
        if "w_new" in ask:
            found += [("w_new", l, j, k, 1) for j, k in _weight_order(spec, l)]
        if "b_new" in ask and updated:
            found += [("b_new", l, j, None, 1) for _, j in _bias_positions(spec, l)]
    return found


def _unit_name(names: Names, layer: int, unit: int) -> str:
    return names.text("x", 0, unit) if layer == 0 else names.text("a", layer, unit)


def _label(spec: dict, names: Names, quantity: str, layer, unit, source, sample=1, iteration=1) -> str:
    label = _plain_label(spec, names, quantity, layer, unit, source)
    marks = []
    if len(spec["inputs"]) > 1 and quantity in PER_SAMPLE:
        marks.append(f"sample {sample}")
    if spec["iterations"] > 1:
        marks.append(f"step {iteration}")
    return f"{label} ({', '.join(marks)})" if marks else label


_STATE_LABELS = {"velocity": "velocity", "m": "Adam first moment m", "v": "Adam second moment v"}


def _plain_label(spec: dict, names: Names, quantity: str, layer, unit, source) -> str:
    if quantity == "loss":
        return "loss"
    if quantity in _STATE_LABELS:
        param = names.text("w" if source is not None else "b", layer, unit, source)
        return f"{_STATE_LABELS[quantity]} of {param}"
    role = "output" if layer == len(spec["layers"]) - 1 else "hidden"
    if source is not None:
        weight = names.text("w", layer, unit, source)
        edge = f"{_unit_name(names, layer - 1, source)}→{_unit_name(names, layer, unit)}"
        what = "updated weight" if quantity == "w_new" else "gradient of weight"
        return f"{what} {weight} ({edge})"
    if quantity in ("dL_db", "b_new"):
        what = "updated" if quantity == "b_new" else "gradient of"
        bias = names.text("b", layer, unit)
        if unit is None:
            return f"{what} shared bias {bias} of layer {layer}"
        return f"{what} bias {bias} ({role} unit {_unit_name(names, layer, unit)})"
    name = _unit_name(names, layer, unit)
    return {
        "z": f"pre-activation of {role} unit {name}",
        "a": f"activation of {role} unit {name}",
        "dL_da": f"loss gradient with respect to {name}",
        "da_dz": f"activation derivative of {role} unit {name}",
        "delta": f"error signal of {role} unit {name}",
    }[quantity]


def fields_for(spec: dict, ask) -> tuple[Field, ...]:
    """The fields asking the quantities ``ask`` of the normalized ``spec``, in computation order."""
    names = Names(spec["layers"], spec["naming"])   # one per network: it caches symbols
    plain = len(spec["inputs"]) == 1 and spec["iterations"] == 1
    fields = []
    for quantity, layer, unit, source, sample, t in positions(spec, ask):
        text = names.text(quantity, layer, unit, source) if plain else \
            symbol(spec, quantity, layer, unit, source, sample=sample, iteration=t)
        fields.append(Field(key_of(quantity, layer, unit, source, sample=sample, iteration=t), text,
                            _label(spec, names, quantity, layer, unit, source, sample, t)))
    return tuple(fields)


def locate(key: str) -> tuple:
    """``(quantity, layer, unit, source, sample, iteration)`` of a field key."""
    base, sample, t = split_key(key)
    quantity, layer, unit, source = base.split(":") + [None] * (4 - len(base.split(":")))
    return (quantity, *(None if part is None else int(part) for part in (layer, unit, source)), sample, t)


def value_at(trace, position) -> float:
    """The value of a trace at a position of :func:`positions` (or :func:`locate`)."""
    quantity, layer, unit, source, sample, t = position
    if quantity == "loss":
        return trace.value("loss", iteration=t)
    per_sample = quantity in PER_SAMPLE
    return trace.value(quantity, layer, unit, source, sample=sample if per_sample else None, iteration=t)


def parse_field_key(key: str, spec: dict) -> tuple[str, int | None, int | None, int | None]:
    """Split ``key`` into ``(quantity, layer, unit, source)`` after checking that it names a
    value a student could be asked in the network of the normalized ``spec`` (its sample and
    step included: see :func:`locate`).

    Raises ValueError saying why when the key is malformed or names no such value.
    """
    split_key(key)
    parsed = locate(key)
    if parsed[0] not in ASKABLE:
        raise ValueError(f"{key!r} names a given value, not an answer")
    if parsed not in positions(spec, {parsed[0]}):
        raise ValueError(f"{key!r} names no value of this network")
    return parsed[:4]
