"""An exercise in the browser: statement, diagram and answer form; feedback; worked solution.

Views parse the request, call a service (``submissions.submit``, ``solutions``) and render.
A graded submission redirects back to the page (so a reload never resubmits), which shows the
latest attempt's stored feedback; unreadable answers re-render at once with the typed text
kept and use no attempt.
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, redirect, render_template, request,
                   stream_with_context, url_for)

import tracer

from .. import storage, submissions
from ..errors import ApiError
from . import feedback, ownership, solutions
from .answer_fields import field_groups
from .diagram import drawable, layout
from .practice_form import heading, share_args
from .statement import statement

bp = Blueprint("exercise", __name__, url_prefix="/exercises")


def render_exercise(exercise, typed=None, errors=None, notice=None, status=200):
    """The exercise page; ``typed`` and ``errors`` come from an unreadable submission."""
    spec = tracer.normalize(exercise.spec)
    attempt = None if errors else feedback.latest_attempt(exercise)
    symbols = {f["key"]: f["symbol"] for f in exercise.fields}
    if typed is None:
        typed = attempt.answers if attempt else {}
    share = again = None
    args = share_args(exercise.template_id, exercise.template, exercise.seed) \
        if exercise.kind == "practice" else None
    if args is not None:    # None for a given network, which a link does not carry
        share = url_for("practice.new", _external=True, **args)
        again = url_for("practice.new", **{k: v for k, v in args.items() if k != "seed"})
    title, description = heading(exercise.template_id, exercise.template)
    return render_template(
        "exercise.html", exercise=exercise, title=title, description=description,
        spec=spec, statement=statement(spec),
        diagram=layout(spec) if drawable(spec) else None, groups=field_groups(spec, exercise.fields),
        typed=typed, errors=errors or {}, attempt=attempt,
        summary=feedback.summary(attempt, symbols) if attempt else None,
        attempts_left=feedback.attempts_left(exercise), notice=notice, share_url=share, again_url=again,
        solution_allowed=solutions.solution_allowed(exercise)), status


@bp.get("/<id:exercise_id>")
def show(exercise_id: str):
    """The exercise with its latest feedback, if any."""
    return render_exercise(ownership.exercise_or_404(exercise_id))


@bp.post("/<id:exercise_id>")
def submit(exercise_id: str):
    """Grade the answers; unreadable ones are shown beside their fields, using no attempt."""
    exercise = ownership.exercise_or_404(exercise_id)
    answers = {f["key"]: request.form.get(f["key"], "") for f in exercise.fields}
    try:
        submissions.submit(exercise.id, answers)
    except ApiError as error:
        if error.status == 422:
            return render_exercise(exercise, typed=answers, errors=error.fields or {},
                                   notice=error.message, status=422)
        if error.status == 409:
            return render_exercise(exercise, typed=answers, notice=error.message, status=409)
        raise
    return redirect(url_for("exercise.show", exercise_id=exercise.id, _anchor="feedback"))


@bp.route("/<id:exercise_id>/solution", methods=["GET", "POST"])
def solution(exercise_id: str):
    """The worked solution: a button to reveal it (POST records that), then the walkthrough."""
    exercise = ownership.exercise_or_404(exercise_id)
    if not solutions.solution_allowed(exercise):
        abort(403, description=solutions.solution_refusal(exercise))
    if request.method == "POST":
        solutions.reveal(exercise)
        return redirect(url_for("exercise.solution", exercise_id=exercise.id))
    spec, walkthrough = solutions.walkthrough_of(exercise)
    return render_template("solution.html", exercise=exercise, spec=spec,
                           title=heading(exercise.template_id, exercise.template)[0],
                           diagram=layout(spec) if drawable(spec) else None,
                           walkthrough=walkthrough)


@bp.get("/<id:exercise_id>/trace.csv")
def trace_csv(exercise_id: str):
    """The revealed solution's full trace as SPEC §4 CSV (exact values); ``?bom=1`` starts it
    with a UTF-8 byte-order mark, so spreadsheet programs read δ and ŷ as UTF-8."""
    exercise = ownership.exercise_or_404(exercise_id)
    if not (solutions.solution_allowed(exercise) and exercise.revealed):
        abort(403, description=solutions.solution_refusal(exercise))
    lines = storage.csv_lines(solutions.trace_rows(exercise))
    if request.args.get("bom") == "1":
        lines = solutions.with_bom(lines)
    return Response(stream_with_context(lines), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="exercise-{exercise.id}-trace.csv"'})
