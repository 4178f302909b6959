"""Practice exercises: created on demand from template knobs, owned by whoever made them.

An exercise comes from a built-in template with knobs changed and a seed, or from a given
network (knob ``network``, SPEC §5) with the exercise knobs only; the good-exercise conditions
such a network fails are stored with its settings and reported to its author. A circuit
exercise (SPEC §10) comes from a built-in circuit (knob ``circuit``) and a seed, or from a
given circuit (``network`` holding a spec with a ``graph`` key).

A practice exercise belongs to the API caller holding its bearer token (only the token's
SHA-256 is stored) or to the browser session that made it (a random key in the signed session
cookie). Its spec, fields, settings and full trace are stored in one transaction.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import select

import tracer
from exercises import db, storage
from exercises.domain import Forbidden, InvalidSettings, NotFound, TemplateRefused
from exercises.generation import (
    BUILTIN_TEMPLATES,
    GeneratedExercise,
    Template,
    TemplateError,
    describe,
    generate,
)
from exercises.generation.circuits import generate_circuit, stored_template
from exercises.generation.knobs import MAX_SEED
from exercises.models import Exercise, StoredTrace
from exercises.openapi import PRACTICE_REQUEST
from exercises.trace_checks import ANONYMOUS, Caller, trace_allowed

# The knobs a practice request may hold: the API's documented schema (exercises/openapi.py).
PRACTICE_KNOBS = tuple(PRACTICE_REQUEST["properties"])
# What may accompany a given network: the exercise's own knobs, not the network's.
NETWORK_COMPANIONS = ("network", "ask", "answer_digits", "tolerance", "attempts",
                      "delta_convention")
DEFAULT_TEMPLATE = "seed-2-2-2"
GIVEN_NETWORK = "network"   # the template id of exercises on a given network
CIRCUIT = "circuit"         # ... on a given circuit; "circuit:NAME" on a built-in one
ANONYMOUS_MAX_WEIGHTS = 24  # e.g. 4-4-2, 3-4-3 or 2-2-2-2; a login lifts it to the template limits


def token_hash(token: str) -> str:
    """The stored form of a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()


def template_from_knobs(knobs: dict[str, Any]) -> tuple[Template, int | None]:
    """Validate a practice request body; returns the template and the seed (None for a given
    network).

    Knobs override the named built-in template (the seed post's network by default), or come
    with a given network. Raises InvalidSettings naming the offending key.
    """
    unknown = sorted(set(knobs) - set(PRACTICE_KNOBS))
    if unknown:
        raise InvalidSettings(f"unknown key(s): {', '.join(unknown)}",
                       {key: "not a practice setting" for key in unknown})
    if "network" in knobs:
        return _given_network(knobs), None
    base_id = knobs.get("template", DEFAULT_TEMPLATE)
    if not isinstance(base_id, str) or base_id not in BUILTIN_TEMPLATES:
        raise InvalidSettings(f"template: no built-in template {base_id!r}",
                       {"template": f"one of {', '.join(sorted(BUILTIN_TEMPLATES))}"})
    seed = knobs.get("seed")
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    elif type(seed) is not int or not 0 <= seed <= MAX_SEED:
        raise InvalidSettings(f"seed: must be an integer from 0 to {MAX_SEED}",
                       {"seed": "not an integer in range"})
    overrides = {k: v for k, v in knobs.items() if k not in ("template", "seed")}
    if "layers" in overrides and "naming" not in overrides:
        # The built-in's naming may not fit other layer counts; let the defaults decide.
        overrides["naming"] = None
    try:
        template = BUILTIN_TEMPLATES[base_id].with_overrides(overrides)
    except TemplateError as exc:
        raise template_error(exc) from exc
    return template, seed


def _given_network(knobs: dict[str, Any]) -> Template:
    """The template of an exercise on the given network ``knobs["network"]``."""
    if not isinstance(knobs["network"], dict):
        raise InvalidSettings("network: must be a network spec, a JSON object with layers, "
                            "weights, inputs, targets and learning_rate",
                       {"network": "not a network spec"})
    beside = sorted(set(knobs) - set(NETWORK_COMPANIONS))
    if beside:
        raise InvalidSettings(f"{', '.join(beside)}: not with a given network, whose values and "
                            "settings are its own",
                       {key: "not with a given network" for key in beside})
    try:
        return Template.from_dict(dict(knobs))
    except TemplateError as exc:
        raise template_error(exc) from exc


def refuse_exam_network(template: Template) -> None:
    """Forbidden when ``template`` is a given network that is an open exam's variant (exam
    mode)."""
    if template.network is not None and (refusal := trace_allowed(template.network, None)):
        raise Forbidden(refusal)


def template_error(exc: TemplateError) -> TemplateRefused:
    """The refusal of a template problem; the key is at fault when the error names one. A refusal
    that says what would work is written in the reader's language."""
    message = str(exc)
    if exc.parts and has_request_context():
        text = describe(exc.parts, gettext)
        message = f"{exc.key}: {text}" if exc.key else text
    return TemplateRefused(message, {exc.key: message} if exc.key else {})


def create(knobs: dict[str, Any], browser_key: str | None = None,
           caller: Caller = ANONYMOUS) -> tuple[Exercise, str]:
    """Generate, store and return a practice exercise with a fresh bearer token. An exercise
    on a given network that is an open exam's variant, even disguised, is refused (Forbidden),
    as its trace is: its feedback would grade the exam's answers. Without a login the network
    is bounded (``ANONYMOUS_MAX_WEIGHTS``)."""
    if is_circuit_request(knobs):
        generated, template_id = _circuit_exercise(knobs)
    else:
        template, seed = template_from_knobs(knobs)
        refuse_exam_network(template)
        weights = sum(a * b for a, b in zip(template.layers, template.layers[1:]))
        if caller.anonymous and weights > ANONYMOUS_MAX_WEIGHTS:
            # Generating a good exercise on a larger network can take seconds of CPU (up to 1,000
            # tries), which nobody without a login may spend at will.
            message = (f"layers: without a login a practice network has at most "
                       f"{ANONYMOUS_MAX_WEIGHTS} weights; this one has {weights}")
            raise InvalidSettings(message, {"layers": message})
        try:
            generated = generate(template, seed)
        except TemplateError as exc:
            raise template_error(exc) from exc
        template_id = GIVEN_NETWORK if seed is None else knobs.get("template", DEFAULT_TEMPLATE)
    token = secrets.token_urlsafe(32)
    result = tracer.trace(generated.spec)
    with db.write_transaction() as sess:
        exercise = Exercise(kind="practice", template_id=template_id, **generated.to_row(),
                            token_hash=token_hash(token), browser_key=browser_key)
        sess.add(exercise)
        sess.flush()
        storage.store_trace(sess, result, exercise_id=exercise.id)
    return exercise, token


def is_circuit_request(knobs: dict[str, Any]) -> bool:
    """Whether practice knobs ask for a circuit exercise (SPEC §10): a built-in circuit named by
    ``circuit``, or a circuit spec (a ``graph`` key) given as ``network``."""
    return "circuit" in knobs or tracer.is_circuit(knobs.get("network"))


def _circuit_exercise(knobs: dict[str, Any]):
    """The generated circuit exercise of ``knobs`` and its template id (``circuit:NAME`` for a
    built-in, ``circuit`` for a given circuit); refused naming the knob at fault."""
    seed = None
    if "network" not in knobs:
        seed = knobs.get("seed")
        if seed is None:
            seed = secrets.randbelow(MAX_SEED)
        elif type(seed) is not int or not 0 <= seed <= MAX_SEED:
            raise InvalidSettings(f"seed: must be an integer from 0 to {MAX_SEED}",
                           {"seed": "not an integer in range"})
    try:
        generated = generate_circuit(knobs, seed)
    except TemplateError as exc:
        raise template_error(exc) from exc
    return generated, CIRCUIT if seed is None else f"{CIRCUIT}:{knobs['circuit']}"


def circuit_template(knobs: dict[str, Any]) -> dict[str, Any]:
    """The template a circuit exercise of ``knobs`` stores; refused naming a bad knob."""
    try:
        return stored_template(knobs)
    except TemplateError as exc:
        raise template_error(exc) from exc


def owns(exercise: Exercise, bearer: str | None = None, browser_key: str | None = None) -> bool:
    """Whether the caller (a bearer token or a browser session key) owns a practice exercise."""
    if bearer and exercise.token_hash:
        return hmac.compare_digest(exercise.token_hash, token_hash(bearer))
    if browser_key and exercise.browser_key:
        return hmac.compare_digest(exercise.browser_key, browser_key)
    return False


def translator():
    """The translation of the public view's messages: the reader's language in a request,
    English outside one (None)."""
    return gettext if has_request_context() else None


def exercise_body(exercise: Exercise) -> dict[str, Any]:
    """SPEC §8's exercise body of a stored exercise: its id, then the public view of the
    exercise it stores (``GeneratedExercise.public_view``)."""
    return {"id": exercise.id, **GeneratedExercise.from_row(exercise).public_view(translator())}


def conditions_of(exercise: Exercise) -> list[dict[str, Any]]:
    """The good-exercise conditions a stored exercise's given network fails, as its public
    view shows them (messages in the reader's language)."""
    return GeneratedExercise.from_row(exercise).public_view(translator())["conditions"]


def reveal_json(exercise: Exercise) -> str:
    """Mark a practice exercise revealed and return its stored trace as SPEC §4 JSON."""
    with db.write_transaction() as sess:
        record = sess.get(Exercise, exercise.id)
        record.revealed = True
    stored = db.session().scalar(select(StoredTrace).where(StoredTrace.exercise_id == exercise.id))
    if stored is None:
        raise NotFound("this exercise has no stored trace")
    steps = list(storage.stored_rows(db.session(), stored))
    return json.dumps({"spec": stored.spec, "steps": steps}, ensure_ascii=False)
