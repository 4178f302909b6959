"""The practice configurator's query string: parsed into template knobs, and written back.

A practice exercise's settings and seed live in its URL (``/practice/new?template=…&seed=…``),
so anyone can open exactly that exercise. Only settings that differ from the chosen preset are
written, which keeps shared links short and makes the knobs canonical: the same exercise always
gives the same link.

A pasted network spec (``network``, JSON) replaces the preset and its network settings: the
exercise is that network, with what to ask, the answer digits and the δ convention as chosen.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

import tracer
from exercises.api import JsonProblem, parse_json
from exercises.domain import UnknownPreset, UnreadableSettings
from exercises.generation import AUTO, BUILTIN_TEMPLATES, Template
from exercises.generation.knobs import MAX_BATCH, MAX_DIGITS, MAX_ITERATIONS, MIN_DIGITS
from exercises.practice import CIRCUIT, DEFAULT_TEMPLATE, GIVEN_NETWORK, MAX_SEED
from exercises.web.circuit_pages import circuit_heading
from exercises.web.labels import PRESETS

STANDARD_ASK = ("delta", "w_new", "b_new")
QUERY_KEYS = ("template", "layers", "hidden", "output", "loss", "bias", "update_biases",
              "naming", "learning_rate", "ask", "answer_digits", "seed", "delta_convention",
              "network", "circuit")
MAX_NETWORK_TEXT = 20_000   # characters of a pasted spec; a hand exercise's is well under 2,000


def resolved_activations(layers, activations) -> list[str]:
    """One activation name per layer after the input."""
    if isinstance(activations, str):
        return [activations] * (len(layers) - 1)
    return list(activations)


def _int(text: str, key: str, low: int, high: int, errors: dict) -> int | None:
    try:
        value = int(text.strip())
    except ValueError:
        errors[key] = f"must be a whole number from {low} to {high}"
        return None
    if not low <= value <= high:
        errors[key] = f"must be a whole number from {low} to {high}"
        return None
    return value


def _digits(args: MultiDict, errors: dict) -> int | str | None:
    """The answer digits asked for: a number from 4 to 8, "auto", or None when left blank."""
    text = args.get("answer_digits", "").strip()
    if not text:
        return None
    if text.lower() == AUTO:
        return AUTO
    return _int(text, "answer_digits", MIN_DIGITS, MAX_DIGITS, errors)


def _network_knobs(args: MultiDict) -> dict[str, Any]:
    """Knobs of an exercise on the pasted network: it, and what the exercise asks."""
    errors: dict[str, str] = {}
    text = args["network"].strip()
    knobs: dict[str, Any] = {}
    if len(text) > MAX_NETWORK_TEXT:
        errors["network"] = _("a network spec of at most %(n)d characters", n=MAX_NETWORK_TEXT)
    else:
        try:
            knobs["network"] = parse_json(text)
        except JsonProblem as exc:
            errors["network"] = _("not a JSON network spec: %(why)s", why=str(exc))
    if tracer.is_circuit(knobs.get("network")):  # a circuit asks every gradient (SPEC §10)
        knobs.update({"answer_digits": digits} if (digits := _digits(args, errors)) not in (None, AUTO) else {})
        if errors:
            raise UnreadableSettings(errors)
        return knobs
    ask = [q for q in args.getlist("ask") if q]
    if ask and sorted(ask) != sorted(STANDARD_ASK):   # the form's default: the network's own
        knobs["ask"] = ask
    digits = _digits(args, errors)
    if digits is not None:
        knobs["answer_digits"] = digits
    if convention := args.get("delta_convention", "").strip():
        knobs["delta_convention"] = convention
    if errors:
        raise UnreadableSettings(errors)
    return knobs


def _circuit_knobs(args: MultiDict) -> dict[str, Any]:
    """Knobs of a built-in circuit's exercise (SPEC §10): the circuit, digits and seed."""
    errors: dict[str, str] = {}
    knobs: dict[str, Any] = {"circuit": args["circuit"].strip()}
    digits = _digits(args, errors)
    if digits is not None:
        knobs["answer_digits"] = digits
    return _with_seed(args, knobs, errors)


def _with_seed(args: MultiDict, knobs: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """``knobs`` with the link's seed; refused naming every setting that could not be read."""
    if text := args.get("seed", "").strip():
        seed = _int(text, "seed", 0, MAX_SEED, errors)
        if seed is not None:
            knobs["seed"] = seed
    if errors:
        raise UnreadableSettings(errors)
    return knobs


def knobs_from_args(args: MultiDict) -> dict[str, Any]:
    """Practice knobs (for ``practice.create``) from the configurator's query arguments.

    Empty arguments mean "as in the preset"; so do values equal to the preset's. A pasted
    network replaces the preset. Raises UnreadableSettings naming each argument that cannot be
    read (UnknownPreset for a preset that does not exist).
    """
    if args.get("network", "").strip():
        return _network_knobs(args)
    if args.get("circuit", "").strip():
        return _circuit_knobs(args)
    errors: dict[str, str] = {}
    template_id = args.get("template") or DEFAULT_TEMPLATE
    base = BUILTIN_TEMPLATES.get(template_id)
    if base is None:
        raise UnknownPreset()
    knobs: dict[str, Any] = {"template": template_id}
    layers = list(base.layers)
    if text := args.get("layers", "").strip():
        parts = [p for p in re.split(r"[\s,\-–x×]+", text) if p]
        # isdecimal, not isdigit: "²" is a digit that int() cannot read. A count of more than
        # three digits is no hand exercise (and int() refuses thousands of them).
        if parts and all(p.isdecimal() and len(p) <= 3 for p in parts):
            layers = [int(p) for p in parts]
            if layers != list(base.layers):
                knobs["layers"] = layers
        else:
            errors["layers"] = "write the unit counts from input to output, e.g. 2-3-2"
    base_activations = resolved_activations(base.layers, base.activations)
    hidden = args.get("hidden", "").strip() or base_activations[0]
    output = args.get("output", "").strip() or base_activations[-1]
    activations = [hidden] * (len(layers) - 2) + [output]
    if activations != base_activations:
        knobs["activations"] = activations
    for key in ("loss", "bias", "naming", "delta_convention"):
        if (value := args.get(key, "").strip()) and value != getattr(base, key):
            knobs[key] = value
    if (value := args.get("update_biases", "").strip()) in ("1", "0"):
        if (value == "1") != base.update_biases:
            knobs["update_biases"] = value == "1"
    if text := args.get("learning_rate", "").strip():
        try:
            rate = float(text.replace(",", ".").replace("−", "-"))
        except ValueError:
            errors["learning_rate"] = "must be a number such as 0.5"
        else:
            if rate != base.learning_rate:
                knobs["learning_rate"] = rate
    ask = [q for q in args.getlist("ask") if q]
    if ask and tuple(sorted(ask)) != tuple(sorted(STANDARD_ASK)):
        knobs["ask"] = ask
    knobs.update(_training_knobs(args, base, errors))
    digits = _digits(args, errors)
    if digits is not None and digits != base.answer_digits:
        knobs["answer_digits"] = digits
    return _with_seed(args, knobs, errors)


def _training_knobs(args: MultiDict, base: Template, errors: dict) -> dict[str, Any]:
    """The batch, steps and regularization a link asks for, where they differ from the preset's
    (the template checks their ranges)."""
    knobs: dict[str, Any] = {}
    for key, high in (("batch", MAX_BATCH), ("iterations", MAX_ITERATIONS)):
        if text := args.get(key, "").strip():
            value = _int(text, key, 1, high, errors)
            if value is not None and value != getattr(base, key):
                knobs[key] = value
    if (value := args.get("reduction", "").strip()) and value != base.reduction:
        knobs["reduction"] = value
    for key in ("weight_decay", "dropout"):
        if text := args.get(key, "").strip():
            try:
                value = float(text.replace(",", ".").replace("−", "-"))
            except ValueError:
                errors[key] = "must be a number such as 0.1"
                continue
            if key == "weight_decay" and value != base.weight_decay:
                knobs[key] = value
            elif key == "dropout" and (base.dropout is None or {value} != set(base.dropout)):
                knobs[key] = value
    return knobs


def query_errors(fields: dict[str, str], knobs: dict[str, Any] | None) -> dict[str, str]:
    """Errors keyed by the configurator's inputs: a knob's error (``activations[2]``) beside
    the input that set it (``output``). ``knobs`` is None when the query itself was unreadable,
    whose errors already name its inputs."""
    if knobs is None or "circuit" in knobs:  # a circuit's knobs are the query's own names
        return fields
    if "network" in knobs:  # the spec's own keys (network.weights[0]) belong to its text box
        mapped = {}
        for key, message in fields.items():
            mapped.setdefault("network" if key.startswith("network") else key, message)
        return mapped
    layers = knobs.get("layers") or BUILTIN_TEMPLATES[knobs["template"]].layers
    output = f"activations[{len(layers) - 2}]"
    mapped: dict[str, str] = {}
    for key, message in fields.items():
        if key.startswith("activations"):
            key = "output" if key in (output, "activations") else "hidden"
        mapped.setdefault(key, message)
    return mapped


def share_args(template_id: str | None, template: dict[str, Any],
               seed: int | None) -> dict[str, Any] | None:
    """The query arguments that recreate a practice exercise: its preset, changed knobs, seed.
    None for an exercise on a given network, which a link does not carry."""
    if seed is None or template.get("network"):
        return None
    if template.get("circuit"):
        args = {"circuit": template["circuit"]}
        if template["answer_digits"] != 4:
            args["answer_digits"] = str(template["answer_digits"])
        return {**args, "seed": str(seed)}
    template_id = template_id if template_id in BUILTIN_TEMPLATES else DEFAULT_TEMPLATE
    base = BUILTIN_TEMPLATES[template_id]
    args: dict[str, Any] = {"template": template_id}
    if list(template["layers"]) != list(base.layers):
        args["layers"] = "-".join(str(n) for n in template["layers"])
    mine = resolved_activations(template["layers"], template["activations"])
    theirs = resolved_activations(base.layers, base.activations)
    if mine != theirs:
        if len(mine) > 1:
            args["hidden"] = mine[0]
        args["output"] = mine[-1]
    for key in ("loss", "bias", "naming", "delta_convention"):
        if template.get(key) is not None and template.get(key) != getattr(base, key):
            args[key] = template[key]
    if template["update_biases"] != base.update_biases:
        args["update_biases"] = "1" if template["update_biases"] else "0"
    if template["learning_rate"] != base.learning_rate:
        args["learning_rate"] = repr(template["learning_rate"])
    if template["ask"] is not None:
        args["ask"] = list(template["ask"])
    if template["answer_digits"] != base.answer_digits:
        args["answer_digits"] = str(template["answer_digits"])
    for key in ("batch", "iterations", "reduction", "weight_decay"):
        if key in template and template[key] != getattr(base, key):
            args[key] = str(template[key])
    dropout = template.get("dropout")
    if dropout is not None and tuple(dropout) != base.dropout and len(set(dropout)) == 1:
        args["dropout"] = repr(dropout[0])   # a link carries one keep probability for all layers
    args["seed"] = str(seed)
    return args


def preset_defaults(template: Template) -> dict[str, Any]:
    """A preset's settings as the configurator shows them."""
    activations = resolved_activations(template.layers, template.activations)
    return {"layers": "-".join(str(n) for n in template.layers), "hidden": activations[0],
            "output": activations[-1], "loss": template.loss, "bias": template.bias,
            "learning_rate": template.learning_rate, "answer_digits": template.answer_digits,
            "delta_convention": template.delta_convention,
            "ask": list(template.asked_quantities())}


def heading(template_id: str | None, template: dict[str, Any]) -> tuple[str, str]:
    """An exercise's title and description: its preset's (translated) when the network is the
    preset's, else a summary of the network that was asked for."""
    if (template_id or "").startswith(CIRCUIT):
        return circuit_heading(template)
    if template_id == GIVEN_NETWORK or template.get("network"):
        return (_("Practice on a given network"),
                _("The network you gave, exactly as written: layers %(layers)s; loss %(loss)s; "
                  "learning rate η = %(eta)s.",
                  layers="-".join(map(str, template["network"]["layers"])),
                  loss=template["network"]["loss"],
                  eta=template["network"]["learning_rate"]))
    base = BUILTIN_TEMPLATES.get(template_id or "")
    changed = set(share_args(template_id, template, 0)) - {"template", "seed", "ask",
                                                             "answer_digits", "delta_convention"}
    if base is not None and not changed and template.get("title") == base.title:
        title, description = PRESETS.get(template_id, (base.title, base.description))
        return str(title), str(description)
    if template_id not in BUILTIN_TEMPLATES and template.get("title"):
        return template["title"], template.get("description", "")
    activations = resolved_activations(template["layers"], template["activations"])
    return (_("Practice: a %(layers)s network", layers="-".join(map(str, template["layers"]))),
            _("Activations %(activations)s; loss %(loss)s; learning rate η = %(eta)s.",
              activations=", ".join(activations), loss=template["loss"],
              eta=template["learning_rate"]))
