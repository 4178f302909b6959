"""Submitting answers: parse and grade outside any lock, then count and store one attempt in
one short write transaction (one commit).

The grade depends only on the stored exercise (spec, fields, settings) and the answers, so it
is computed before the write lock is taken; writers queue only for the attempt count and the
inserts. The attempt limit holds under concurrent submissions: the exercise row is locked
(FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers) before attempts are
counted, and (exercise, attempt) is unique as a backstop. Should the exercise have changed
while grading (a regrade applying new settings), it is graded again inside the lock, so a
stored grade always matches the settings stored beside it. An invalid submission raises before
anything is written, so it uses no attempt.
"""
from __future__ import annotations

from typing import Any

from blinker import Namespace
from flask import current_app, has_request_context
from flask_babel import gettext
from sqlalchemy import func, insert, select

from exercises import db
from exercises.coaching import revealed_keys, without_shown_values
from exercises.domain import InvalidAnswers, Malformed, NoAttemptsLeft, NotFound
from exercises.errors import json_kind
from exercises.generation import GeneratedExercise
from exercises.grading import InvalidSubmission
from exercises.models import Exercise, FieldGrade, Submission, new_id, utcnow
from exercises.stored_lines import attempt_lines, field_symbols

# Sent after a graded attempt is stored (committed), with its ``submission_id``, the
# exercise's ``problem_set_id`` (None for practice) and ``user_id``; receivers
# (``exercises.lti``: grade passback) run in the request and must not raise.
graded = Namespace().signal("graded")


def attempts_used(sess, exercise_id: str) -> int:
    """How many graded attempts an exercise has."""
    return sess.scalar(select(func.count()).select_from(Submission)
                       .where(Submission.exercise_id == exercise_id)) or 0


def _check_left(limit: int | None, used: int) -> None:
    if limit is not None and used >= limit:
        raise NoAttemptsLeft(limit)


def _graded_on(exercise: Exercise) -> tuple:
    """What a grade depends on besides the answers."""
    return exercise.spec, exercise.fields, exercise.settings


def _grade(contract: GeneratedExercise, answers: dict[str, Any]):
    """Grade ``answers`` against a stored exercise, under its grading settings."""
    try:
        return contract.grade(answers)
    except InvalidSubmission as exc:
        raise InvalidAnswers(exc.errors) from exc


def _field_rows(submission_id: str, result) -> list[dict[str, Any]]:
    return [{"submission_id": submission_id, "key": grade.key, "position": position,
             "submitted": grade.submitted, "parsed": grade.parsed, "expected": grade.expected,
             "status": grade.status, "credit": grade.credit,
             "misconceptions": list(grade.misconceptions), "message": grade.message,
             "message_parts": grade.stored_parts(), "tolerance": grade.tolerance}
            for position, grade in enumerate(result.fields.values())]


def submit(exercise_id: str, answers: Any, user_id: str | None = None) -> dict[str, Any]:
    """Grade and store ``answers`` for an exercise; returns SPEC §8's submission response.

    Raises (``domain``) Malformed when ``answers`` is not an object, NotFound for an unknown
    exercise, NoAttemptsLeft when no attempts are left, InvalidAnswers naming each unparseable
    or unknown field (no attempt used).
    """
    if not isinstance(answers, dict):
        message = f"answers: must be an object {{key: text or number}}, not {json_kind(answers)}"
        raise Malformed(message, {"answers": message})
    exercise = db.session().get(Exercise, exercise_id)
    if exercise is None:
        raise NotFound("no such exercise")
    contract = GeneratedExercise.from_row(exercise)
    if contract.attempts is not None:  # spent: refused before any grading
        _check_left(contract.attempts, attempts_used(db.session(), exercise.id))
    graded_on = _graded_on(exercise)
    result = _grade(contract, answers)
    record = result.to_record()
    with db.write_transaction() as sess:
        exercise = sess.scalar(select(Exercise).where(Exercise.id == exercise_id)
                               .with_for_update().execution_options(populate_existing=True))
        if exercise is None:
            raise NotFound("no such exercise")
        if _graded_on(exercise) != graded_on:
            contract = GeneratedExercise.from_row(exercise)
            result = _grade(contract, answers)
            record = result.to_record()
        # A field whose value the coaching ladder showed earns no credit (read under the lock,
        # so a value shown while grading counts too).
        coached = without_shown_values(result, revealed_keys(sess, exercise.id))
        if coached is not result:
            result, record = coached, coached.to_record()
        limit = contract.attempts
        used, best = sess.execute(select(func.count(), func.max(Submission.score))
                                  .where(Submission.exercise_id == exercise.id)).one()
        _check_left(limit, used)
        submission_id, created = new_id(), utcnow()
        grades = _field_rows(submission_id, result)
        sess.execute(insert(Submission), [{
            "id": submission_id, "exercise_id": exercise.id, "user_id": user_id,
            "attempt": used + 1, "answers": dict(answers), "score": result.score,
            "max_score": result.max_score, "grading": record, "created_at": created,
            "export_lines": attempt_lines(field_symbols(exercise.fields), grades, created)}])
        sess.execute(insert(FieldGrade), grades)
    graded.send(current_app._get_current_object(), submission_id=submission_id,
                exercise_id=exercise.id, problem_set_id=exercise.problem_set_id, user_id=user_id)
    left = None if limit is None else limit - used - 1
    view = result.public_view(translate=gettext if has_request_context() else str)
    return {"id": submission_id, "attempt": used + 1, "attempts_left": left,
            "score": view["score"], "max_score": view["max_score"],
            "best_score": max(result.score, best or 0.0), "fields": view["fields"]}
