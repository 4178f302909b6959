"""Submitting answers: parse, grade and store one attempt in one transaction.

The attempt limit holds under concurrent submissions: the exercise row is locked (FOR UPDATE on
PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers) before attempts are counted, and
(exercise, attempt) is unique as a backstop. An invalid submission raises before anything is
written, so it uses no attempt.
"""
from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import func, select

from . import db
from .errors import ApiError, json_kind
from .grading import GradingSettings, InvalidSubmission, Tolerance, grade_submission
from .models import Exercise, FieldGrade, Submission
from .coaching import revealed_keys, without_shown_values


def grading_settings(settings: dict[str, Any]) -> GradingSettings:
    """The grading settings stored with an exercise, as the grader takes them."""
    return GradingSettings(tolerance=Tolerance.from_dict(settings["tolerance"]),
                           answer_digits=settings["answer_digits"],
                           ecf_credit=settings["ecf_credit"], feedback=settings["feedback"])


def attempts_used(sess, exercise_id: str) -> int:
    """How many graded attempts an exercise has."""
    return sess.scalar(select(func.count()).select_from(Submission)
                       .where(Submission.exercise_id == exercise_id)) or 0


def submit(exercise_id: str, answers: Any, user_id: str | None = None) -> dict[str, Any]:
    """Grade and store ``answers`` for an exercise; returns SPEC §8's submission response.

    Raises ApiError: 400 when ``answers`` is not an object, 422 naming each unparseable or
    unknown field (no attempt used), 409 when no attempts are left.
    """
    if not isinstance(answers, dict):
        message = f"answers: must be an object {{key: text or number}}, not {json_kind(answers)}"
        raise ApiError(400, message, {"answers": message})
    with db.write_transaction() as sess:
        exercise = sess.scalar(select(Exercise).where(Exercise.id == exercise_id)
                               .with_for_update())
        if exercise is None:
            raise ApiError(404, "no such exercise")
        limit = exercise.settings.get("attempts")
        used = attempts_used(sess, exercise.id)
        if limit is not None and used >= limit:
            raise ApiError(409, f"no attempts left: all {limit} have been used")
        keys = [field["key"] for field in exercise.fields]
        symbols = {field["key"]: field["symbol"] for field in exercise.fields}
        try:
            result = grade_submission(exercise.spec, keys, answers,
                                      grading_settings(exercise.settings), symbols=symbols)
        except InvalidSubmission as exc:
            raise ApiError(422, "some answers could not be read; no attempt was used",
                           exc.errors) from exc
        result = without_shown_values(result, revealed_keys(sess, exercise.id))
        submission = Submission(exercise_id=exercise.id, user_id=user_id, attempt=used + 1,
                                answers={k: v for k, v in answers.items()},
                                score=result.score, max_score=result.max_score,
                                grading=result.to_record())
        sess.add(submission)
        sess.flush()
        sess.add_all(FieldGrade(submission_id=submission.id, key=grade.key, position=position,
                                submitted=grade.submitted, parsed=grade.parsed,
                                expected=grade.expected, status=grade.status,
                                credit=grade.credit, misconceptions=list(grade.misconceptions),
                                message=grade.message, message_parts=grade.stored_parts(),
                                tolerance=grade.tolerance)
                     for position, grade in enumerate(result.fields.values()))
        left = None if limit is None else limit - used - 1
        best = max(result.score, sess.scalar(select(func.max(Submission.score))
                                             .where(Submission.exercise_id == exercise.id)) or 0.0)
    view = result.public_view(translate=gettext if has_request_context() else str)
    return {"id": submission.id, "attempt": submission.attempt, "attempts_left": left,
            "score": view["score"], "max_score": view["max_score"], "best_score": best,
            "fields": view["fields"]}
