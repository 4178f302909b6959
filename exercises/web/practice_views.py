"""Practice in the browser: the configurator, and /practice/new, which opens an exercise.

A GET never writes: ``GET /practice/new`` opens this browser's exercise for those settings and
seed when it has one, and otherwise shows a page whose button POSTs the same URL, which makes
the exercise (so links, prefetchers and crawlers make nothing).

The configurator also takes a pasted network spec; the conditions such a network fails are
shown to its author on the exercise page (``exercise_conditions``, a template global).
"""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from exercises.domain import DomainError
from exercises.generation import BUILTIN_TEMPLATES
from exercises.generation.circuit_templates import CIRCUIT_TEMPLATES
from exercises.generation.knobs import ASKABLE
from exercises.limits import practice_limit
from exercises.practice import (
    CIRCUIT,
    DEFAULT_TEMPLATE,
    GIVEN_NETWORK,
    circuit_template,
    conditions_of,
    is_circuit_request,
    refuse_exam_network,
    template_from_knobs,
)
from exercises.web import answer_errors, ownership
from exercises.web.circuit_pages import circuit_heading
from exercises.web.labels import QUANTITIES
from exercises.web.practice_form import heading, knobs_from_args, preset_defaults, query_errors
from tracer import activations as registry
from tracer.activations import ACTIVATIONS
from tracer.losses import LOSSES

bp = Blueprint("practice", __name__, url_prefix="/practice")


@bp.record_once
def _exercise_conditions(state):
    """The template global ``exercise_conditions(exercise)``: the good-exercise conditions its
    given network fails, each with its message in the reader's language. A global, not a
    context variable, so that imported macros (the statement card) see it."""
    state.app.jinja_env.globals["exercise_conditions"] = conditions_of


def render_configurator(errors: dict[str, str] | None = None, message: str | None = None,
                        status: int = 200):
    """The configurator page, with the submitted values kept and errors beside their fields."""
    template_id = request.args.get("template") or DEFAULT_TEMPLATE
    preset = BUILTIN_TEMPLATES.get(template_id, BUILTIN_TEMPLATES[DEFAULT_TEMPLATE])
    return render_template(
        "practice_configure.html", presets=BUILTIN_TEMPLATES, template_id=template_id,
        defaults=preset_defaults(preset), args=request.args, errors=errors or {},
        message=message, askable=ASKABLE, quantity_labels=QUANTITIES,
        circuits=[(name, circuit_heading({"circuit": name})) for name in CIRCUIT_TEMPLATES],
        hidden_choices=[(a, a) for a in ACTIVATIONS if registry.get(a).elementwise],  # softmax: output only
        output_choices=[(a, a) for a in ACTIVATIONS], loss_choices=[(name, name) for name in LOSSES],
        convention_choices=[("gradient", _("δ = ∂L/∂z (the seed post's)")),
                            ("negative", _("δ = −∂L/∂z (Mitchell; Russell and Norvig)"))]
    ), status


def refused(error: DomainError, knobs):
    """The configurator again with the service's refusal: its notice, and each reason beside
    the input that set it (``knobs`` None when the query itself was unreadable)."""
    status, notice, _reasons = answer_errors.refusal(error)
    return render_configurator(answer_errors.reasons(query_errors(error.fields, knobs)), notice,
                               status)


@bp.get("")
def configure():
    """Choose a preset and change any of its settings."""
    return render_configurator()


@bp.get("/new")
def new():
    """Open this browser's practice exercise for these settings and seed, or offer to make it
    (see the module docstring); a link to here with a seed is a shareable exercise."""
    knobs = None
    try:
        knobs = knobs_from_args(request.args)
        existing = ownership.existing_practice(knobs)
        if existing is not None:
            return redirect(url_for("exercise.show", exercise_id=existing.id))
        if is_circuit_request(knobs):
            template_id, stored = f"{CIRCUIT}:{knobs.get('circuit')}", circuit_template(knobs)
        else:
            template, _seed = template_from_knobs(knobs)
            refuse_exam_network(template)  # no start button for an exam's network
            template_id = GIVEN_NETWORK if "network" in knobs else knobs.get("template", DEFAULT_TEMPLATE)
            stored = template.to_dict()
    except DomainError as error:
        return refused(error, knobs)
    title, description = heading(template_id, stored)
    return render_template("practice_start.html", title=title, description=description,
                           action=url_for("practice.new", **request.args.to_dict(flat=False)))


@bp.post("/new")
@practice_limit
def create():
    """Make the practice exercise the query's settings (and seed) describe, for this browser."""
    knobs = None
    try:
        knobs = knobs_from_args(request.args)
        exercise = ownership.practice_for(knobs)
    except DomainError as error:
        return refused(error, knobs)
    return redirect(url_for("exercise.show", exercise_id=exercise.id))
