"""Regrading a set: new tolerance or ECF credit, every stored submission graded again.

Each submission is regraded from its stored grading record with the grading module's
``regrade``, keeping the digits and feedback it was graded with and taking the new tolerance
and ECF credit. A preview computes the changes without storing them. Applying them runs in one
transaction that first locks and updates every variant's settings, so a submission racing the
regrade either is graded again here or waits and is graded under the new settings.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from .. import db
from ..grading import GradingSettings, Tolerance, regrade
from ..models import (AuditEvent, Exercise, FieldGrade, ProblemSet, ProblemSetItem, Submission,
                      User)


@dataclass
class Change:
    """One submission whose grade a regrade changes."""

    student: str
    email: str
    exercise: str
    attempt: int
    old_score: float
    new_score: float
    explanation: str


@dataclass
class Summary:
    """What a regrade did (or would do)."""

    submissions: int = 0
    fields_changed: int = 0
    changes: list[Change] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        """The students whose grades changed, each once."""
        return sorted({change.student for change in self.changes})


def _reports(sess, set_id: str, settings: dict):
    rows = sess.execute(
        select(Submission, User.name, User.email, ProblemSetItem.title, ProblemSetItem.position)
        .join(Exercise, Exercise.id == Submission.exercise_id)
        .join(ProblemSetItem, ProblemSetItem.id == Exercise.item_id)
        .outerjoin(User, User.id == Submission.user_id)
        .where(Exercise.problem_set_id == set_id)
        .order_by(ProblemSetItem.position, User.name, Submission.attempt)).all()
    tolerance = Tolerance.from_dict(settings["tolerance"])
    for submission, name, email, title, position in rows:
        old = submission.grading["settings"]
        new = GradingSettings(tolerance=tolerance, answer_digits=old["answer_digits"],
                              ecf_credit=settings["ecf_credit"], feedback=old["feedback"])
        yield submission, regrade(submission.grading, new), (name or "", email or "",
                                                             f"{position + 1}. {title}")


def regrade_set(set_id: str, settings: dict, actor_id: str, apply: bool,
                on_applied=None) -> Summary:
    """Regrade every submission of a set under ``settings`` (``ecf_credit``, ``tolerance``);
    stores the new grades, the set's new settings and an audit event when ``apply``.
    ``on_applied(sess, summary)`` runs last in the same transaction (a job records itself
    done there, so a regrade is applied once); an exception from it undoes everything."""
    if not apply:
        return _summarise(_reports(db.session(), set_id, settings))
    with db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id, with_for_update=True)
        for variant in sess.scalars(select(Exercise).where(Exercise.problem_set_id == set_id)
                                    .with_for_update()):
            variant.settings = {**variant.settings, **settings}
        old_settings = {key: problem_set.settings.get(key) for key in settings}
        problem_set.settings = {**problem_set.settings, **settings}
        summary = _summarise(_store(sess, report) for report in _reports(sess, set_id, settings))
        sess.add(AuditEvent(problem_set_id=set_id, actor_id=actor_id, action="regrade",
                            details={"old": old_settings, "new": settings,
                                     "submissions": summary.submissions,
                                     "fields_changed": summary.fields_changed,
                                     "changes": [vars(c) for c in summary.changes]}))
        if on_applied is not None:
            on_applied(sess, summary)
    return summary


def _store(sess, item):
    """Write one regraded submission's new score, record and field grades."""
    submission, report, who = item
    new = report.new
    submission.score, submission.grading = new.score, new.to_record()
    for grade in sess.scalars(select(FieldGrade).where(FieldGrade.submission_id == submission.id)):
        result = new.fields[grade.key]
        grade.status, grade.credit = result.status, result.credit
        grade.misconceptions, grade.message = list(result.misconceptions), result.message
        grade.message_parts = result.stored_parts()
        grade.tolerance, grade.expected, grade.parsed = result.tolerance, result.expected, \
            result.parsed
    return submission, report, who


def _summarise(reports) -> Summary:
    summary = Summary()
    for submission, report, (name, email, title) in reports:
        summary.submissions += 1
        changed = report.changes()
        summary.fields_changed += len(changed)
        if changed or report.score_changed:
            summary.changes.append(Change(name, email, title, submission.attempt,
                                          report.old.score, report.new.score, report.explain()))
    return summary
