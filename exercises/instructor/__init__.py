"""The instructor experience: accounts and roles, problem sets with variant pools, students in
sets, gradebook and statistics, regrading, extensions and overrides, exam mode, CSV exports
and a printable view. ``init_app`` registers the blueprints, commands and template helpers."""
from __future__ import annotations

from flask import Flask

from exercises.instructor.exam import exam_refusal

__all__ = ["exam_refusal", "init_app", "sig"]


def sig(value: float | None, digits: int) -> str:
    """A value with ``digits`` significant figures, trailing zeros kept (0.50000 says five
    figures where 0.5 would not), as an answer key writes it."""
    return "" if value is None else f"{value:#.{digits}g}"


def init_app(app: Flask) -> None:
    """Register the instructor and student-set blueprints, the export API, the CLI commands,
    the exam-mode trace check and the template helpers."""
    from exercises.instructor import (
        auth,
        commands,
        course_api,
        course_views,
        export_views,
        gradebook_views,
        printing,
        problem_set_api,
        problem_sets_views,
        record_views,
        roster_views,
        tokens,
    )
    from exercises.instructor.circuit_items import circuit_view
    from exercises.instructor.forms import REVEAL_CHOICES
    from exercises.instructor.history_text import action_name, describe, role_name
    from exercises.instructor.policy import shown, when
    from exercises.models import utcnow
    from exercises.security import csrf
    from exercises.trace_checks import Caller, register_bearer_resolver, register_trace_check
    from exercises.web.diagram import drawable, layout
    from exercises.web.labels import STATUSES, misconception

    for blueprint in (auth.bp, problem_sets_views.bp, gradebook_views.bp,
                      record_views.bp, export_views.bp, problem_set_api.bp, printing.bp,
                      roster_views.bp, course_views.bp, course_api.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(problem_set_api.bp)  # bearer tokens, never cookies
    csrf.exempt(course_api.bp)
    commands.init_app(app)
    register_trace_check(app, exam_refusal)

    def token_caller(token: str) -> Caller | None:
        user = tokens.user_for(token) if token.startswith(tokens.PREFIX) else None
        return Caller(user.id, user.role) if user is not None else None

    register_bearer_resolver(app, token_caller)
    app.jinja_env.filters.update(sig=sig, utc=shown, when=when)
    app.jinja_env.globals.update(
        zip=zip, misconception_title=lambda mistake: misconception(mistake)[0],
        status_label=lambda status: str(STATUSES.get(status, status)), describe_event=describe,
        event_action=action_name, role_label=role_name, now_utc=utcnow,
        instructor_diagram=lambda spec: layout(spec) if drawable(spec) else None,
        instructor_circuit=circuit_view,
        reveal_label=lambda reveal: str(dict(REVEAL_CHOICES).get(reveal, reveal)))
