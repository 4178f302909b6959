"""Circuit exercises (SPEC §10): a built-in circuit with leaf values drawn from a seed, or a
given circuit, with fields ``value:NAME``, ``grad:NAME`` and ``local_grad:NAME:ARG``.

Fields come in the order one computes them: node values in node order, then the backward
pass as the trace runs it (reverse node order, each node's args in order: a local gradient,
then the arg's gradient), a gradient placed where its last use completes it. The output's own
gradient (1) and constants are never asked. The default asks every gradient.

A draw is a good hand exercise when every value is defined and moderate (|v| ≤ 1000), no
leaf drawn from a range is within 0.5 of 0, a max gate's args differ by more than a rounding step, a ReLU
input is not within 0.05 of its kink, no divisor is within ``min_divisor`` of 0, and an
asked value is below 1e-3 only where it is exactly 0 behind a max or ReLU gate (the side
that gets no gradient).
"""
import numpy as np

import tracer
from exercises.generation.circuit_templates import CIRCUIT_TEMPLATES, CircuitTemplate
from exercises.generation.exercise import GeneratedExercise
from exercises.generation.fields import Field
from exercises.generation.knobs import (
    DEFAULT_TOLERANCE,
    MAX_ATTEMPTS,
    TemplateError,
    check_digits,
    check_tolerance,
    is_int,
)
from tracer.circuit.keys import circuit_key, parse_circuit_key

CIRCUIT_ASKABLE = ("value", "grad", "local_grad")
DEFAULT_ASK = ("grad",)
DEFAULT_DIGITS = 4
MAX_TRIES = 1000
MAX_NODES = 100   # a given circuit's exercise: diagnosis tries every site at every field
MAX_VALUE = 1000.0
# A drawn leaf this close to 0 makes the terms it multiplies vanish beside the others, so a
# mistake that drops one reads like an answer rounded too early.
MIN_LEAF = 0.5
SMALLEST = 1e-3  # an asked value smaller than this reads as 0 at 4 digits beside the others
KNOBS = ("circuit", "network", "seed", "ask", "answer_digits", "tolerance", "attempts")


def check_knobs(knobs: dict) -> dict:
    """The exercise knobs of a circuit exercise, checked, with their defaults; TemplateError
    naming the knob. ``answer_digits`` is a number from 4 to 8 (``auto`` means 4)."""
    extra = sorted(set(knobs) - set(KNOBS))
    if extra:
        raise TemplateError(extra[0], "not a setting of a circuit exercise")
    circuit = knobs.get("circuit")
    if "network" not in knobs and not (isinstance(circuit, str) and circuit in CIRCUIT_TEMPLATES):
        raise TemplateError("circuit", f"must be one of {', '.join(CIRCUIT_TEMPLATES)}")
    ask = knobs.get("ask") or list(DEFAULT_ASK)
    if not isinstance(ask, (list, tuple)) or not all(isinstance(q, str) and q in CIRCUIT_ASKABLE for q in ask) \
            or len(set(ask)) != len(ask):
        raise TemplateError("ask", f"must be a list of distinct quantities from {', '.join(CIRCUIT_ASKABLE)}")
    digits = check_digits(knobs.get("answer_digits", DEFAULT_DIGITS))
    attempts = knobs.get("attempts")
    if attempts is not None and (not is_int(attempts) or not 1 <= attempts <= MAX_ATTEMPTS):
        raise TemplateError("attempts", f"must be a positive integer up to {MAX_ATTEMPTS}, or null")
    return {"ask": [q for q in CIRCUIT_ASKABLE if q in ask],
            "answer_digits": DEFAULT_DIGITS if digits == "auto" else digits,
            "tolerance": check_tolerance(knobs.get("tolerance", dict(DEFAULT_TOLERANCE))),
            "attempts": attempts}


def stored_template(knobs: dict) -> dict:
    """What a circuit exercise stores as its template: its knobs, checked and with their
    defaults, without the seed (stored beside it)."""
    return {key: value for key, value in {**knobs, **check_knobs(knobs)}.items() if key != "seed"}


def fields_of(spec: dict, ask, constants=()) -> tuple[Field, ...]:
    """The fields asking ``ask`` of the normalized circuit ``spec``, in computation order."""
    graph = spec["graph"]
    out = graph["output"]
    found = []
    if "value" in ask:
        found += [Field(circuit_key("value", n["name"]), n["name"], f"value of node {n['name']}")
                  for n in graph["nodes"]]
    first_use = {}
    for node in graph["nodes"]:
        for arg in node["args"]:
            first_use.setdefault(arg, node["name"])  # its gradient is complete after this node
    for node in reversed(graph["nodes"]):
        name = node["name"]
        for arg in node["args"]:
            if arg in constants:
                continue
            if "local_grad" in ask:
                found.append(Field(circuit_key("local_grad", name, arg), f"∂{name}/∂{arg}",
                                   f"local gradient of node {name} with respect to {arg}"))
            if "grad" in ask and first_use[arg] == name:
                kind = "leaf" if arg in graph["leaves"] else "node"
                found.append(Field(circuit_key("grad", arg), f"∂{out}/∂{arg}",
                                   f"gradient of the output {out} with respect to {kind} {arg}"))
    return tuple(found)


def _draw(template: CircuitTemplate, rng) -> dict:
    leaves = {}
    for name, value in template.leaves.items():
        if isinstance(value, tuple):
            value = round(float(rng.uniform(*value)), template.decimals) + 0.0
        leaves[name] = value
    return {"graph": {"leaves": leaves, "nodes": [dict(n) for n in template.nodes]}}


def problems(spec: dict, fields, decimals: int = 2, min_divisor: float = 0.5, drawn=()) -> list[str]:
    """What keeps a circuit from being a good hand exercise (empty when nothing does)."""
    try:
        result = tracer.trace(spec)
    except tracer.SpecError as error:
        return [str(error)]
    found = [f"leaf {name} is near 0" for name in drawn if abs(spec["graph"]["leaves"][name]) < MIN_LEAF]
    values = {r["node"]: r["value"] for r in result.rows() if r["quantity"] == "value"}
    for node in spec["graph"]["nodes"]:
        args = [values[a] for a in node["args"]]
        op = node["op"]
        if op == "max" and abs(args[0] - args[1]) < 10.0 ** -decimals:
            found.append(f"max gate {node['name']} has two equal args")
        if op == "relu" and abs(args[0]) < 0.05:
            found.append(f"relu {node['name']} is at its kink")
        if (op == "div" and abs(args[1]) < min_divisor) or \
                (op == "pow" and node["exponent"] < 0 and abs(args[0]) < min_divisor):
            found.append(f"node {node['name']} divides by nearly 0")
    if any(abs(v) > MAX_VALUE for v in values.values()):
        found.append(f"a value exceeds {MAX_VALUE:g}")
    routing = any(node["op"] in ("max", "relu") for node in spec["graph"]["nodes"])
    for field in fields:
        true = expected_value(result, field.key)
        if abs(true) < SMALLEST and not (true == 0 and routing):
            found.append(f"{field.symbol} is nearly 0")
    return found


def expected_value(result, key: str) -> float:
    """The value a circuit trace holds for a field key."""
    quantity, node, arg = parse_circuit_key(key)
    return result.value(quantity, node=node, arg=arg)


def _exercise(template: dict, seed, spec, fields, knobs) -> GeneratedExercise:
    result = tracer.trace(spec)
    return GeneratedExercise(template=template, seed=seed, spec=result.spec, fields=fields,
                    answer_digits=knobs["answer_digits"], tolerance=knobs["tolerance"],
                    attempts=knobs["attempts"], ecf_credit=1.0, feedback=True, reveal="always",
                    expected={f.key: expected_value(result, f.key) for f in fields})


def generate_circuit(knobs: dict, seed: int | None) -> GeneratedExercise:
    """The exercise of a built-in circuit (knob ``circuit``) drawn from ``seed``, or on the given
    circuit ``knobs["network"]`` (no seed); TemplateError naming the knob at fault."""
    checked = check_knobs(knobs)
    stored = stored_template(knobs)
    if "network" in knobs:
        for knob in ("circuit", "seed"):
            if knob in knobs:
                raise TemplateError(knob, "not with a given circuit, whose values are its own")
        if len(knobs["network"].get("graph", {}).get("nodes", ()) or ()) > MAX_NODES:
            raise TemplateError("network.graph.nodes", f"a circuit exercise has at most {MAX_NODES} nodes")
        try:
            spec = tracer.normalize(knobs["network"])
            tracer.trace(spec)
        except tracer.SpecError as error:
            raise TemplateError(f"network.{error.key}", error.message,
                                ((error.template, error.params),)) from None
        return _exercise(stored, None, spec, fields_of(spec, checked["ask"]), checked)
    template = CIRCUIT_TEMPLATES[knobs["circuit"]]
    drawn = [name for name in template.leaves if name not in template.constants()]
    for attempt in range(MAX_TRIES):
        spec = _draw(template, np.random.default_rng([seed, attempt]))
        try:
            spec = tracer.normalize(spec)
        except tracer.SpecError:
            continue
        fields = fields_of(spec, checked["ask"], template.constants())
        if not problems(spec, fields, template.decimals, template.min_divisor, drawn):
            return _exercise(stored, seed, spec, fields, checked)
    raise TemplateError("circuit", f"no good exercise in {MAX_TRIES} draws from seed {seed}")
