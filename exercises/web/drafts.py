"""Save and check: answers saved without checking (a draft), and a question before grading
a submission with blank fields.

An exercise belongs to one student (a set variant) or one browser (practice), so a draft is
kept per exercise, on the server: it uses no attempt, refills the form, and is dropped when an
attempt is graded (the attempt then holds the answers). The answer form's buttons post
``action``: ``check`` grades (after asking about blanks: a dialog with JavaScript, a page
listing them without), ``save`` keeps a draft, ``edit`` returns from the question to the form.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy import delete

from exercises import db
from exercises.grading.grade import InvalidSubmission, parse_submission
from exercises.models import Draft, Exercise, utcnow

MAX_ANSWER = 64   # characters kept per field, as a graded answer keeps (FieldGrade.submitted)


def form_answers(exercise: Exercise) -> dict[str, str]:
    """The typed answer of every asked field, from the posted form ('' when left out)."""
    return {f["key"]: request.form.get(f["key"], "") for f in exercise.fields}


def load(exercise: Exercise) -> dict[str, str] | None:
    """The exercise's saved draft, or None."""
    draft = db.session().get(Draft, exercise.id)
    return dict(draft.answers) if draft is not None else None


def save(exercise: Exercise, answers: dict[str, str]) -> None:
    """Keep ``answers`` as the exercise's draft (replacing an older one). Uses no attempt."""
    kept = {key: text.strip()[:MAX_ANSWER] for key, text in answers.items()}
    with db.write_transaction() as sess:
        draft = sess.get(Draft, exercise.id)
        if draft is None:
            sess.add(Draft(exercise_id=exercise.id, answers=kept))
        else:
            draft.answers, draft.updated_at = kept, utcnow()


def discard(exercise: Exercise) -> None:
    """Drop the draft once an attempt is graded (the attempt keeps its answers)."""
    with db.write_transaction() as sess:
        sess.execute(delete(Draft).where(Draft.exercise_id == exercise.id))


def blank_keys(exercise: Exercise, answers: dict[str, str]) -> list[str]:
    """The asked fields left blank, in the exercise's order."""
    return [f["key"] for f in exercise.fields if not answers.get(f["key"], "").strip()]


def _readable(exercise: Exercise, answers: dict[str, str]) -> bool:
    """Whether every answer can be read; unreadable ones are shown first (grading refuses
    them without using an attempt), and the blanks are asked about after."""
    try:
        parse_submission([f["key"] for f in exercise.fields], answers)
    except InvalidSubmission:
        return False
    return True


def before_grading(exercise: Exercise, groups: list, answers: dict[str, str], back_url: str,
                   render_form: Callable[[dict[str, str]], object]):
    """What to answer before grading, or None to grade now: a saved draft (redirect to
    ``back_url``), the form again (``edit``), or the page asking about blank fields (listed
    from the form's ``groups``)."""
    action = request.form.get("action", "check")
    if action == "save":
        save(exercise, answers)
        flash(_("Your answers are saved. No attempt was used; check them when you are ready."),
              "success")
        return redirect(back_url)
    if action == "edit":
        return render_form(answers)
    blanks = blank_keys(exercise, answers)
    if blanks and request.form.get("confirm_blanks") != "1" and _readable(exercise, answers):
        rows = [f for group in groups for f in group.fields if f.key in blanks]
        return render_template("confirm_blanks.html", exercise=exercise, blanks=rows,
                               answers=answers, action_url=request.path,
                               total=len(exercise.fields), back_url=back_url)
    return None
