"""An exercise in the browser: statement, diagram and answer form; feedback; worked solution.

Views parse the request, call a service (``submissions.submit``, ``solutions``) and render.
A graded submission redirects back to the page (so a reload never resubmits), which shows the
latest attempt's stored feedback; unreadable answers re-render at once with the typed text
kept and use no attempt. Saving without checking, the question about blank fields
(``drafts``) and the coaching ladder (``ladder``) use no attempt either.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

import tracer
from exercises import storage, submissions
from exercises.domain import InvalidAnswers, NoAttemptsLeft
from exercises.web import answer_errors, circuit_pages, drafts, ladder, ownership, solutions
from exercises.web import stored_feedback as feedback
from exercises.web.answer_fields import field_groups
from exercises.web.diagram import drawable, layout
from exercises.web.practice_form import heading, share_args
from exercises.web.statement import statement

bp = Blueprint("exercise", __name__, url_prefix="/exercises")


def render_exercise(exercise, typed=None, errors=None, notice=None, status=200):
    """The exercise page; ``typed`` and ``errors`` come from an unreadable submission."""
    spec, parts = page_parts(exercise)
    attempt = None if errors else feedback.latest_attempt(exercise)
    symbols = {f["key"]: f["symbol"] for f in exercise.fields}
    draft = drafts.load(exercise) if typed is None else None
    if typed is None:
        typed = draft if draft is not None else attempt.answers if attempt else {}
    share = again = None
    args = share_args(exercise.template_id, exercise.template, exercise.seed) \
        if exercise.kind == "practice" else None
    if args is not None:    # None for a given network, which a link does not carry
        share = url_for("practice.new", _external=True, **args)
        again = url_for("practice.new", **{k: v for k, v in args.items() if k != "seed"})
    title, description = heading(exercise.template_id, exercise.template)
    return render_template(
        "exercise.html", exercise=exercise, title=title, description=description,
        spec=spec, **parts, typed=typed, errors=errors or {}, attempt=attempt,
        summary=feedback.summary(attempt, symbols) if attempt else None,
        attempts_left=feedback.attempts_left(exercise), notice=notice, share_url=share, again_url=again,
        solution_allowed=solutions.solution_allowed(exercise), draft=draft is not None,
        ladder_action=url_for("exercise.coach", exercise_id=exercise.id),
        rungs=ladder.field_rungs(exercise, spec, exercise.settings["answer_digits"])), status


def page_parts(exercise) -> tuple[dict, dict]:
    """An exercise page's spec (normalized) and parts: statement, diagram, answer groups and
    ``circuit`` (a circuit's caption, None for a network). The set pages use it too."""
    if tracer.is_circuit(exercise.spec):
        return exercise.spec, circuit_pages.exercise_parts(exercise.spec, exercise.fields)
    spec = tracer.normalize(exercise.spec)
    return spec, {"statement": statement(spec), "diagram": layout(spec) if drawable(spec) else None,
                  "groups": field_groups(spec, exercise.fields), "circuit": None}


def answer_groups(exercise):
    """The answer form's field groups (a circuit's or a network's)."""
    if tracer.is_circuit(exercise.spec):
        return circuit_pages.field_groups(exercise.spec, exercise.fields)
    return field_groups(tracer.normalize(exercise.spec), exercise.fields)


@bp.get("/<id:exercise_id>")
def show(exercise_id: str):
    """The exercise with its latest feedback, if any."""
    return render_exercise(ownership.exercise_or_404(exercise_id))


@bp.post("/<id:exercise_id>")
def submit(exercise_id: str):
    """Grade the answers; unreadable ones are shown beside their fields, using no attempt."""
    exercise = ownership.exercise_or_404(exercise_id)
    answers = drafts.form_answers(exercise)
    asked = drafts.before_grading(exercise, answer_groups(exercise), answers,
                                  url_for("exercise.show", exercise_id=exercise.id),
                                  lambda typed: render_exercise(exercise, typed=typed))
    if asked is not None:
        return asked
    try:
        submissions.submit(exercise.id, answers)
    except (InvalidAnswers, NoAttemptsLeft) as error:
        status, notice, reasons = answer_errors.refusal(error)
        return render_exercise(exercise, typed=answers, errors=reasons, notice=notice,
                               status=status)
    drafts.discard(exercise)
    return redirect(url_for("exercise.show", exercise_id=exercise.id, _anchor="feedback"))


@bp.post("/<id:exercise_id>/coach")
def coach(exercise_id: str):
    """The next rung of the coaching ladder for the field named by the pressed button; the
    typed answers are kept as a draft, so asking for help loses nothing."""
    exercise = ownership.exercise_or_404(exercise_id)
    drafts.save(exercise, drafts.form_answers(exercise))
    key = request.form.get("coach", "")
    if ladder.climb(exercise, key, current_user.get_id()) is None:
        abort(409, description=_("No further hint is offered for this field."))
    return redirect(url_for("exercise.show", exercise_id=exercise.id,
                            _anchor="f-" + key.replace(":", "-")))


@bp.route("/<id:exercise_id>/solution", methods=["GET", "POST"])
def solution(exercise_id: str):
    """The worked solution: a button to reveal it (POST records that), then the walkthrough."""
    exercise = ownership.exercise_or_404(exercise_id)
    if not solutions.solution_allowed(exercise):
        abort(403, description=solutions.solution_refusal(exercise))
    if request.method == "POST":
        solutions.reveal(exercise)
        return redirect(url_for("exercise.solution", exercise_id=exercise.id))
    title = heading(exercise.template_id, exercise.template)[0]
    if tracer.is_circuit(exercise.spec):
        diagram, walkthrough = circuit_pages.solution_of(exercise)
        return render_template("solution.html", exercise=exercise, spec=exercise.spec, title=title,
                               circuit={"caption": circuit_pages.caption(walkthrough is not None)},
                               diagram=diagram, walkthrough=walkthrough)
    spec, walkthrough = solutions.walkthrough_of(exercise)
    return render_template("solution.html", exercise=exercise, spec=spec, title=title,
                           diagram=layout(spec) if drawable(spec) else None,
                           walkthrough=walkthrough)


@bp.get("/<id:exercise_id>/trace.csv")
def trace_csv(exercise_id: str):
    """The revealed solution's full trace as SPEC §4 CSV (exact values); ``?bom=1`` starts it
    with a UTF-8 byte-order mark, so spreadsheet programs read δ and ŷ as UTF-8."""
    exercise = ownership.exercise_or_404(exercise_id)
    if not (solutions.solution_allowed(exercise) and exercise.revealed):
        abort(403, description=solutions.solution_refusal(exercise))
    columns = tracer.circuit.COLUMNS if tracer.is_circuit(exercise.spec) else storage.COLUMNS
    lines = storage.csv_lines(solutions.trace_rows(exercise), columns)
    if request.args.get("bom") == "1":
        lines = solutions.with_bom(lines)
    return Response(stream_with_context(lines), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="exercise-{exercise.id}-trace.csv"'})
