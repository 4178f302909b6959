"""When a student may submit and see a solution, and when an exam is open.

A student's due date is their extension when the instructor gave one, else the set's. Every
time is stored in UTC and shown in the set's time zone; SQLite hands timestamps back without a
time zone, and PostgreSQL in its session's zone, so ``as_utc`` puts every one in UTC before it
is compared.

A set with a late-penalty rule takes work after the due date: each day late, or part of one,
takes ``late_per_day`` percent off the attempt's score, up to ``late_cap`` percent (100 when
unset), and once the cap is reached no more late work is taken. A timed exam opens at
``starts_at``; each student's ``time_limit`` minutes run from when they press "Start the exam"
on the set page (a POST: opening a page never starts the clock); until then the set's exercises
are not shown to them and no answer is taken.
"""
from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from jinja2 import pass_context
from sqlalchemy import func, select

from exercises import db
from exercises.models import Enrollment, Exercise, ProblemSet, Submission, utcnow


def as_utc(moment: datetime | None) -> datetime | None:
    """A timestamp as an aware UTC datetime (None stays None): a naive one is read as UTC
    (SQLite's, and the forms' datetime-local fields, which say UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def form_time(moment: datetime | None) -> datetime | None:
    """A stored timestamp as the naive UTC wall time a datetime-local field shows."""
    return None if moment is None else as_utc(moment).replace(tzinfo=None)


DAY, ZERO = timedelta(days=1), timedelta(0)


def zone(name: str | None) -> ZoneInfo:
    """The IANA time zone ``name`` (UTC for None or an unknown name)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def shown(moment: datetime | None, seconds: bool = False, time_zone: str | None = None) -> str:
    """A timestamp as people read it, in ``time_zone`` (default UTC; a dash for none): the
    zone's abbreviation, or its offset where it has none."""
    if moment is None:
        return "—"
    local = as_utc(moment).astimezone(zone(time_zone))
    name = local.tzname() or ""
    if not name or name[0] in "+-":
        name = "UTC" + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + " " + name


@pass_context
def when(context, moment: datetime | None, seconds: bool = False) -> str:
    """A template filter: ``shown`` in the time zone of the page's ``problem_set`` (UTC on a
    page about no set)."""
    problem_set = context.get("problem_set")
    return shown(moment, seconds, getattr(problem_set, "time_zone", None))


def late_days(due: datetime | None, moment: datetime) -> int:
    """Whole days late (a part of a day counts as a day), 0 when on time."""
    if due is None:
        return 0
    late = as_utc(moment) - as_utc(due)
    return math.ceil(late / DAY) if late > ZERO else 0


def late_percent(problem_set: ProblemSet, due: datetime | None, moment: datetime) -> float:
    """The percent a late-penalty rule takes off an attempt made at ``moment``."""
    if not problem_set.late_per_day:
        return 0.0
    cap = 100.0 if problem_set.late_cap is None else problem_set.late_cap
    return min(cap, late_days(due, moment) * problem_set.late_per_day)


def late_until(problem_set: ProblemSet, due: datetime | None) -> datetime | None:
    """The end of the late period after ``due``: the day the penalty reaches its cap (``due``
    itself when the set takes no late work)."""
    if due is None or not problem_set.late_per_day:
        return due
    cap = 100.0 if problem_set.late_cap is None else problem_set.late_cap
    return as_utc(due) + timedelta(days=math.ceil(cap / problem_set.late_per_day))


def timer_end(problem_set: ProblemSet, enrollment: Enrollment | None) -> datetime | None:
    """When a timed student's time is up (None: no limit, or their timer has not started)."""
    if not problem_set.time_limit or enrollment is None or enrollment.started_at is None:
        return None
    return as_utc(enrollment.started_at) + timedelta(minutes=problem_set.time_limit)


def awaiting_start(problem_set: ProblemSet, enrollment: Enrollment | None) -> bool:
    """Whether the set is timed and this student has not started it yet (its exercises stay
    hidden and no answer is taken until they do)."""
    return bool(problem_set.time_limit) and enrollment is not None \
        and enrollment.started_at is None


def start_timer(problem_set: ProblemSet, enrollment: Enrollment) -> bool:
    """Start a student's time limit (their "Start the exam"), once: True when this call started
    it; False when the set is untimed, already started, or does not take answers now (not
    open yet, or past due: ``start_refusal`` says why). A second call never restarts it."""
    if not awaiting_start(problem_set, enrollment) or start_refusal(problem_set, enrollment):
        return False
    with db.write_transaction() as sess:
        locked = sess.get(Enrollment, enrollment.id, with_for_update=True)
        started = locked.started_at is None
        if started:
            locked.started_at = utcnow()
    db.session().refresh(enrollment)
    return started


def due_for(problem_set: ProblemSet, enrollment: Enrollment | None) -> datetime | None:
    """The due date that applies to a student: their extension, else the set's."""
    if enrollment is not None and enrollment.due_at is not None:
        return as_utc(enrollment.due_at)
    return as_utc(problem_set.due_at)


def past_due(problem_set: ProblemSet, enrollment: Enrollment | None) -> bool:
    """Whether the student's due date has passed."""
    due = due_for(problem_set, enrollment)
    return due is not None and utcnow() >= due


def submit_refusal(problem_set: ProblemSet, enrollment: Enrollment) -> str | None:
    """Why a student may not submit to the set now, or None when they may (a timed set takes
    answers only once the student has started it)."""
    refusal = start_refusal(problem_set, enrollment)
    if refusal is None and awaiting_start(problem_set, enrollment):
        return _("Start the exam on the set's page first: your time limit of %(minutes)d "
                 "minutes runs from when you start.", minutes=problem_set.time_limit)
    return refusal


def start_refusal(problem_set: ProblemSet, enrollment: Enrollment) -> str | None:
    """Why the set takes no answers now whether or not a timed student has started (not
    open, not opened yet, time or due date over), or None."""
    now = utcnow()
    if problem_set.status != "published":
        return _("this problem set is not open")
    if problem_set.starts_at is not None and now < as_utc(problem_set.starts_at):
        return _("This set opens at %(time)s.", time=shown(problem_set.starts_at,
                                                          time_zone=problem_set.time_zone))
    ends = timer_end(problem_set, enrollment)
    if ends is not None and now >= ends:
        return _("Your time limit of %(minutes)d minutes ended at %(time)s; no more "
                 "submissions are accepted.", minutes=problem_set.time_limit,
                 time=shown(ends, time_zone=problem_set.time_zone))
    due = due_for(problem_set, enrollment)
    if due is not None and now >= due:
        if problem_set.late_per_day and now < late_until(problem_set, due):
            return None
        return _("the due date has passed; no more submissions are accepted")
    return None


def attempt_summary(exercise_id: str) -> tuple[int, bool]:
    """(graded attempts, whether any attempt scored full marks) for an exercise."""
    used, best = db.session().execute(
        select(func.count(Submission.id), func.max(Submission.score - Submission.max_score))
        .where(Submission.exercise_id == exercise_id)).one()
    return used, best is not None and best >= 0


def solution_visible(exercise: Exercise, problem_set: ProblemSet,
                     enrollment: Enrollment | None) -> bool:
    """Whether the set's reveal policy lets the student see this variant's worked solution."""
    reveal = exercise.settings.get("reveal", "never")
    if reveal == "always":
        return True
    if reveal == "after_due":
        # after the last due date of the set, extensions included: a worked solution shown
        # to one student would reach a classmate who may still submit
        last = latest_due(problem_set)
        return last is not None and utcnow() >= last
    if reveal in ("after_correct", "after_attempts"):
        used, solved = attempt_summary(exercise.id)
        if reveal == "after_correct":
            return solved
        limit = exercise.settings.get("attempts")
        return limit is not None and used >= limit
    return False


def latest_due(problem_set: ProblemSet) -> datetime | None:
    """The last moment any student of the set may still submit, late work included (None:
    no due date)."""
    if problem_set.due_at is None:
        return None
    extended = db.session().scalar(select(func.max(Enrollment.due_at))
                                   .where(Enrollment.problem_set_id == problem_set.id))
    last = max(d for d in (as_utc(problem_set.due_at), as_utc(extended)) if d is not None)
    return late_until(problem_set, last)  # late work is still coming in until then


def exam_open(problem_set: ProblemSet) -> bool:
    """Whether a set in exam mode is open: published and before every student's due date.

    An exam without a due date stays open until the instructor turns exam mode off.
    """
    if not problem_set.exam_mode or problem_set.status != "published":
        return False
    due = latest_due(problem_set)
    return due is None or utcnow() < due
