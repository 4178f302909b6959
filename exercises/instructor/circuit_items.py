"""Circuit items of a problem set (SPEC §10): a built-in circuit whose variants draw their leaf
values from each variant's seed (template id ``circuit:NAME``), or a pasted circuit that every
student gets as written (template id ``circuit``, the spec in ``knobs["network"]``).

A circuit item's template is a :class:`CircuitItemTemplate`: the circuit's own knobs (which
circuit, what to ask, answer digits, tolerance, attempts) with the set's settings applied over
them, as a network item's template takes them; it generates a variant exactly as a practice
circuit exercise is generated (``generation.circuits``), then carries the set's ECF credit,
feedback and reveal policy. Its answer digits are the item's number, or 4 for ``auto`` (a
circuit's values are small sums and products, and 4 figures always show them).

Exam mode holds networks only: its disguise check (``exam_match``) compares networks, so a
circuit could be traced while the exam is open. A circuit item cannot join an exam-mode set,
and a set holding one cannot be switched to exam mode; both refusals say so.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

import tracer
from exercises import db
from exercises.generation import GeneratedExercise, TemplateError
from exercises.generation.circuit_templates import CIRCUIT_TEMPLATES
from exercises.generation.circuits import check_knobs, generate_circuit
from exercises.models import ProblemSetItem
from exercises.practice import CIRCUIT
from exercises.web.circuit_titles import SET_GIVEN_TITLE
from exercises.web.circuit_titles import TITLES as CIRCUIT_TITLES
from tracer.circuit.keys import circuit_key

PREFIX = CIRCUIT + ":"
SET_KNOBS = ("attempts", "tolerance")            # set settings the circuit generator takes
SET_POLICY = ("ecf_credit", "feedback", "reveal")  # set settings the variant carries


def is_circuit_item(template_id: str | None, knobs: dict[str, Any] | None = None) -> bool:
    """Whether an item (its template id and knobs) is a circuit: a built-in circuit, or a
    given spec with a ``graph`` key."""
    template_id = template_id or ""
    return template_id == CIRCUIT or template_id.startswith(PREFIX) or \
        tracer.is_circuit((knobs or {}).get("network"))


def template_id_of(knobs: dict[str, Any]) -> str:
    """The template id a circuit item stores: ``circuit`` for a given circuit, else
    ``circuit:NAME``."""
    return CIRCUIT if "network" in knobs else PREFIX + knobs["circuit"]


def is_circuit_form(data: dict[str, Any]) -> bool:
    """Whether the item form's data asks for a circuit: a pasted spec with a ``graph`` key
    (a pasted spec decides, whatever template is chosen beside it), else a built-in circuit
    chosen."""
    text = (data.get("network") or "").strip()
    if text:
        try:
            return tracer.is_circuit(json.loads(text))
        except ValueError:
            return False  # the network reader says what is wrong with it
    return is_circuit_item(data.get("template_id"))


def circuit_knobs(template_id: str, knobs: dict[str, Any]) -> dict[str, Any] | None:
    """The knobs of an item added as ``template_id`` and ``knobs`` when it is a circuit, else
    None: a given spec decides by its ``graph`` key; otherwise ``circuit:NAME`` (or a
    ``circuit`` knob) names a built-in circuit."""
    if "network" in knobs:
        return knobs if tracer.is_circuit(knobs["network"]) else None
    if (template_id or "").startswith(PREFIX):
        return {"circuit": template_id[len(PREFIX):], **knobs}
    return knobs if "circuit" in knobs else None


def form_knobs(data: dict[str, Any]) -> dict[str, Any]:
    """A circuit item's knobs from the item form's data: the pasted circuit, or else the
    built-in one chosen, with what to ask and the digits. Raises TemplateError naming the
    knob at fault."""
    text = (data.get("network") or "").strip()
    knobs: dict[str, Any] = {"network": json.loads(text)} if text else \
        {"circuit": (data.get("template_id") or "")[len(PREFIX):]}
    if data.get("ask"):
        raise TemplateError("ask", "a circuit asks for node values and gradients: choose them "
                                   "under \"A circuit asks for\"")
    if data.get("circuit_ask"):
        knobs["ask"] = list(data["circuit_ask"])
    if data.get("answer_digits"):
        knobs["answer_digits"] = data["answer_digits"]
    check_knobs(knobs)
    if text:
        generate_circuit(knobs, None)  # the pasted spec's own errors, named by key
    return knobs


def default_title(knobs: dict[str, Any]) -> str:
    """The English title of a circuit item left untitled (pages translate it)."""
    return CIRCUIT_TITLES.get(knobs.get("circuit"), (SET_GIVEN_TITLE,))[0]


def exam_refusal() -> str:
    """Why a circuit cannot be part of an exam-mode set (see the module docstring)."""
    return _("Exam mode holds networks only: a circuit cannot be part of an exam-mode set, as "
             "tracing it could not be refused while the exam is open.")


def has_circuits(set_id: str) -> bool:
    """Whether a set holds a circuit item."""
    items = db.session().execute(select(ProblemSetItem.template_id, ProblemSetItem.knobs)
                                 .where(ProblemSetItem.problem_set_id == set_id))
    return any(is_circuit_item(template_id, knobs) for template_id, knobs in items)


@dataclass(frozen=True)
class CircuitItemTemplate:
    """What a circuit item's variants are generated from: checked circuit knobs and the set's
    grading policy (see the module docstring)."""

    knobs: dict
    ecf_credit: float = 1.0
    feedback: bool = True
    reveal: str = "always"

    @property
    def network(self) -> dict | None:
        """The given circuit, or None for a built-in one (whose variants have seeds)."""
        return self.knobs.get("network")

    @property
    def answer_digits(self) -> int:
        """The digits every variant asks for."""
        return check_knobs(self.knobs)["answer_digits"]

    def to_dict(self) -> dict:
        """The template as JSON knobs (what a variant stores as its template)."""
        return {**self.knobs, "ecf_credit": self.ecf_credit, "feedback": self.feedback,
                "reveal": self.reveal}

    @classmethod
    def from_dict(cls, stored: dict) -> "CircuitItemTemplate":
        """Read back ``to_dict``."""
        policy = {key: stored[key] for key in SET_POLICY if key in stored}
        return cls({k: v for k, v in stored.items() if k not in SET_POLICY}, **policy)

    def fixed_digits(self, digits: int) -> "CircuitItemTemplate":
        """The same template asking for ``digits`` significant figures."""
        return dataclasses.replace(self, knobs={**self.knobs, "answer_digits": digits})

    def generate(self, seed: int | None) -> GeneratedExercise:
        """The variant of ``seed`` (None for a given circuit) with the set's policy; its
        template is this one's (``to_dict``), as the variant's row stores it."""
        made = generate_circuit(self.knobs, None if self.network is not None else seed)
        return dataclasses.replace(made, template=self.to_dict(), ecf_credit=float(self.ecf_credit),
                                   feedback=bool(self.feedback), reveal=self.reveal)


def is_circuit_template(knobs: dict) -> bool:
    """Whether stored template knobs (``to_dict``) are a circuit item's."""
    return "circuit" in knobs or tracer.is_circuit(knobs.get("network"))


def item_template(settings: dict[str, Any], item_knobs_: dict[str, Any]) -> CircuitItemTemplate:
    """A circuit item's template: its knobs with the set's ``settings`` over them. Raises
    TemplateError naming a knob the circuit does not accept."""
    knobs = {**item_knobs_, **{key: settings[key] for key in SET_KNOBS if key in settings}}
    check_knobs(knobs)
    policy = {key: settings[key] for key in SET_POLICY if key in settings}
    return CircuitItemTemplate(knobs, **policy)


def circuit_hash(spec: dict) -> str:
    """A fingerprint of a circuit's structure and leaf values (the variants' ``network_hash``)."""
    graph = spec["graph"]
    canonical = json.dumps([graph["nodes"], sorted((k, float(v)) for k, v in graph["leaves"].items())],
                           sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def expected_of(spec: dict, fields: list[dict], stored_values: list[float]) -> dict[str, float]:
    """A circuit variant's answer key from its stored trace values (in step order): each row's
    node and arg follow from the spec's structure, and a fanned-out gradient's field is its
    last (complete) row."""
    rows = tracer.trace(spec).rows()
    found = {circuit_key(row["quantity"], row["node"], row["arg"]): value
             for row, value in zip(rows, stored_values, strict=True)}
    return {f["key"]: found[f["key"]] for f in fields}


def circuit_view(spec: dict, solved: bool = False) -> dict | None:
    """What the instructor's pages draw of a circuit variant (None for a network): the diagram
    with the given values (``solved``: every value and wire gradient too) and its caption."""
    from exercises.web import circuit_pages  # pages only: the services above need no web module

    if not tracer.is_circuit(spec):
        return None
    diagram = circuit_pages.solved_layout(spec, list(tracer.trace(spec).rows())) if solved \
        else circuit_pages.layout(spec)
    return {"diagram": diagram, "caption": circuit_pages.caption(solved),
            "statement": circuit_pages.statement(spec)}


def key_rows(spec: dict, template: dict, fields: list[dict]) -> list[dict]:
    """A circuit variant's printed answer key: every node's value in node order, then every
    gradient in the order the backward pass completes it (a built-in circuit's constants
    have none), each with its symbol, value and whether the exercise asks for it."""
    from exercises.generation.circuits import expected_value, fields_of

    built_in = CIRCUIT_TEMPLATES.get(template.get("circuit"))
    result, asked = tracer.trace(spec), {f["key"] for f in fields}
    return [{"symbol": f.symbol, "value": expected_value(result, f.key), "asked": f.key in asked}
            for f in fields_of(spec, ("value", "grad"), built_in.constants() if built_in else ())]
