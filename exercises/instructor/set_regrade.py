"""Regrading a set: new tolerance or ECF credit, every stored submission graded again.

Each submission is regraded from its stored grading record with the grading module's
``regrade``, keeping the digits and feedback it was graded with and taking the new tolerance
and ECF credit. A preview computes the changes without storing them. Applying them runs in one
transaction that first locks and updates every variant's settings, so a submission racing the
regrade either is graded again here or waits and is graded under the new settings. A job that
reports progress grades every stored submission first, outside that transaction (a stored
submission never changes, so its new grade cannot go stale), and the transaction then grades
only what arrived meanwhile.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from exercises import db
from exercises.coaching import shown_in_set, withhold_in_report
from exercises.grading import GradingSettings, regrade
from exercises.instructor import points
from exercises.instructor.gradebook import latest_overrides
from exercises.instructor.policy import late_percent
from exercises.models import AuditEvent, Enrollment, Exercise, FieldGrade, ProblemSet, ProblemSetItem, Submission, User
from exercises.stored_lines import attempt_lines, field_symbols


@dataclass
class FieldChange:
    """One field of the attempt that counts whose grade the regrade changes, in symbols."""

    symbol: str
    old_status: str
    new_status: str
    old_points: float
    new_points: float


@dataclass
class ItemChange:
    """One exercise of a student whose best attempt's points change."""

    exercise: str
    old: float
    new: float
    fields: list[FieldChange]
    overridden: bool = False   # an override counts instead, so the total keeps it


@dataclass
class StudentChange:
    """A student whose set total (best attempts, overrides kept) changes."""

    student: str
    email: str
    old_total: float
    new_total: float
    items: list[ItemChange]


@dataclass
class Summary:
    """What a regrade did (or would do): attempts and fields regraded, and every student whose
    set total changes, old → new."""

    submissions: int = 0
    attempts_changed: int = 0
    fields_changed: int = 0
    students: list[StudentChange] = field(default_factory=list)
    students_graded: int = 0

    def record(self) -> dict:
        """The summary as an audit event's details keep it."""
        return {"submissions": self.submissions, "attempts_changed": self.attempts_changed,
                "fields_changed": self.fields_changed, "students_graded": self.students_graded,
                "students": [{"student": s.student, "email": s.email, "old": s.old_total,
                              "new": s.new_total} for s in self.students]}


PROGRESS_EVERY = 200   # submissions regraded between two progress reports


def _reports(sess, set_id: str, settings: dict, graded: dict | None = None):
    """Each submission of the set with its regrade report and who and what it is; a report in
    ``graded`` (by submission id) is taken as it is."""
    graded = graded or {}
    rows = sess.execute(
        select(Submission, User.name, User.email, ProblemSetItem)
        .join(Exercise, Exercise.id == Submission.exercise_id)
        .join(ProblemSetItem, ProblemSetItem.id == Exercise.item_id)
        .outerjoin(User, User.id == Submission.user_id)
        .where(Exercise.problem_set_id == set_id)
        .order_by(User.name, User.email, ProblemSetItem.position, Submission.attempt)).all()
    shown = shown_in_set(sess, set_id)
    for submission, name, email, item in rows:
        new = GradingSettings.of({**submission.grading["settings"], **settings})
        report = graded.get(submission.id)
        if report is None:
            withheld = {key for key, when in shown.get(submission.exercise_id, ())
                        if when <= submission.created_at}
            report = withhold_in_report(regrade(submission.grading, new), withheld)
        yield submission, report, (name or "", email or "", item)


def _graded_ahead(set_id: str, settings: dict, progress) -> dict:
    """Every stored submission's regrade report, graded outside the write transaction, with
    ``progress(done, total)`` called as it goes."""
    sess = db.session()
    total = sess.scalar(select(func.count(Submission.id)).join(
        Exercise, Exercise.id == Submission.exercise_id).where(Exercise.problem_set_id == set_id))
    progress(0, total)
    graded = {}
    for done, (submission, report, _who) in enumerate(_reports(sess, set_id, settings), 1):
        graded[submission.id] = report
        if done % PROGRESS_EVERY == 0 or done == total:
            progress(done, total)
    sess.rollback()   # end the read; the apply transaction starts afresh
    return graded


def regrade_set(set_id: str, settings: dict, actor_id: str, apply: bool,
                on_applied=None, progress=None) -> Summary:
    """Regrade every submission of a set under ``settings`` (``ecf_credit``, ``tolerance``);
    stores the new grades, the set's new settings and an audit event when ``apply``.
    ``on_applied(sess, summary)`` runs last in the same transaction (a job records itself
    done there, so a regrade is applied once); an exception from it undoes everything.
    With ``progress(done, total)``, the grading is done first and reported as it goes."""
    if not apply:
        return _summarise(set_id, _reports(db.session(), set_id, settings))
    graded = _graded_ahead(set_id, settings, progress) if progress is not None else None
    with db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id, with_for_update=True)
        for variant in sess.scalars(select(Exercise).where(Exercise.problem_set_id == set_id)
                                    .with_for_update()):
            variant.settings = {**variant.settings, **settings}
        old_settings = {key: problem_set.settings.get(key) for key in settings}
        problem_set.settings = {**problem_set.settings, **settings}
        summary = _summarise(set_id, (_store(sess, report)
                                      for report in _reports(sess, set_id, settings, graded)))
        sess.add(AuditEvent(problem_set_id=set_id, actor_id=actor_id, action="regrade",
                            details={"old": old_settings, "new": settings, **summary.record()}))
        if on_applied is not None:
            on_applied(sess, summary)
    return summary


def _store(sess, item):
    """Write one regraded submission's new score, record and field grades."""
    submission, report, who = item
    new = report.new
    submission.score, submission.grading = new.score, new.to_record()
    grades = sess.scalars(select(FieldGrade).where(FieldGrade.submission_id == submission.id)
                          .order_by(FieldGrade.position)).all()
    for grade in grades:
        result = new.fields[grade.key]
        grade.status, grade.credit = result.status, result.credit
        grade.misconceptions, grade.message = list(result.misconceptions), result.message
        grade.message_parts = result.stored_parts()
        grade.tolerance, grade.expected, grade.parsed = result.tolerance, result.expected, \
            result.parsed
    # the export's stored lines follow the grades (stored_lines)
    submission.export_lines = attempt_lines(
        field_symbols(sess.get(Exercise, submission.exercise_id).fields),
        ({"key": g.key, "submitted": g.submitted, "parsed": g.parsed, "expected": g.expected,
          "status": g.status, "credit": g.credit, "misconceptions": g.misconceptions,
          "tolerance": g.tolerance} for g in grades), submission.created_at)
    return submission, report, who


def _late_factors(set_id: str):
    """A function from a submission to the share of its points a late-penalty rule leaves
    (``policy.late_percent``; 1 without a rule), as the gradebook counts them."""
    problem_set = db.session().get(ProblemSet, set_id)
    if not problem_set.late_per_day:
        return lambda submission: 1.0
    dues = dict(db.session().execute(select(Enrollment.user_id, Enrollment.due_at).where(
        Enrollment.problem_set_id == set_id)).all())

    def factor(submission) -> float:
        due = dues.get(submission.user_id) or problem_set.due_at
        return (100.0 - late_percent(problem_set, due, submission.created_at)) / 100.0
    return factor


def _summarise(set_id: str, reports) -> Summary:
    """Per student and exercise, the best attempt's points before and after (SPEC §6: an
    exercise's score is its best attempt; an override, when there is one, counts instead), and
    the students whose set total changes. Late attempts count with their penalty, and a
    retired exercise in no total, as in the gradebook."""
    summary = Summary()
    overrides = latest_overrides(set_id)
    late_factor = _late_factors(set_id)
    best: dict[tuple, list] = {}   # (student, item) -> [old points, new points, new best report]
    who: dict[str, tuple[str, str]] = {}
    items: dict[str, ProblemSetItem] = {}
    for submission, report, (name, email, item) in reports:
        summary.submissions += 1
        changed = report.changes()
        summary.fields_changed += len(changed)
        summary.attempts_changed += bool(changed or report.score_changed)
        weights = points.field_weights(list(report.old.field_keys), item.points,
                                       item.field_points)
        factor = late_factor(submission)
        old = factor * sum(weights[k] * report.old.fields[k].credit
                           for k in report.old.field_keys)
        new = factor * sum(weights[k] * report.new.fields[k].credit
                           for k in report.new.field_keys)
        entry = best.setdefault((submission.user_id, item.id), [old, new, report, weights])
        entry[0] = max(entry[0], old)
        if new > entry[1]:
            entry[1:] = [new, report, weights]
        who[submission.user_id] = (name, email)
        items[item.id] = item
    totals: dict[str, list] = {}   # student -> [old total, new total, item changes]
    retired = set(db.session().scalars(select(ProblemSetItem.id).where(
        ProblemSetItem.problem_set_id == set_id, ProblemSetItem.retired_at.is_not(None))))
    for (user_id, item_id), score in overrides.items():
        if user_id in who and item_id not in retired:
            totals.setdefault(user_id, [0.0, 0.0, []])
            totals[user_id][0] += score
            totals[user_id][1] += score
    for (user_id, item_id), (old, new, report, weights) in best.items():
        total = totals.setdefault(user_id, [0.0, 0.0, []])
        overridden = (item_id, user_id) in overrides
        if not overridden and item_id not in retired:
            total[0] += old
            total[1] += new
        if round(old, 9) != round(new, 9):
            item = items[item_id]
            total[2].append(ItemChange(
                f"{item.position + 1}. {item.title}", old, new, overridden=overridden,
                fields=[FieldChange(report.new.symbols.get(c.key, c.key), c.old_status,
                                    c.new_status, weights[c.key] * c.old_credit,
                                    weights[c.key] * c.new_credit) for c in report.changes()]))
    summary.students_graded = len(who)
    for user_id, (old, new, changes) in totals.items():
        if round(old, 9) != round(new, 9):
            summary.students.append(StudentChange(*who[user_id], old, new, changes))
    summary.students.sort(key=lambda s: (s.student.casefold(), s.email))
    return summary
