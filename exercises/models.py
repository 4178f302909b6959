"""The domain's tables, as SQLAlchemy 2 typed models.

Ids that appear in URLs are random 128-bit, URL-safe strings (SPEC §7). Floats that must read
back bit-identical (trace values, parsed and expected answers) are DOUBLE PRECISION. JSON
columns hold plain data produced by the engine, generation and grading modules.
"""
from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Deterministic constraint names, so Alembic revisions name them the same on every dialect.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A random URL-safe id of 128 bits (22 characters)."""
    return secrets.token_urlsafe(16)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


ID = String(32)
Timestamp = DateTime(timezone=True)


class User(UserMixin, Base):
    """An instructor or a student. Students get an account when they first join a set."""

    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # "instructor" | "student"
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # Revision 0003: bumped at logout, password change and reset, which ends every session
    # whose cookie carries an older number (``security.load_user``).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ProblemSet(Base):
    """An instructor's ordered list of exercises with its own settings."""

    __tablename__ = "problem_sets"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | published
    join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime | None] = mapped_column(Timestamp)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # The expected class size: variants generated per exercise when the set is published.
    pool_size: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    exam_mode: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Revision 0003: while this exam is open, nobody without a login may trace or see a
    # practice solution (the instructor may turn this off for a set).
    lock_trace_tool: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The coaching ladder's highest rung for the set's students (revision 0006_student);
    # None: the default (web.ladder).
    coaching: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # Revision 0007_course: an exam's start and each student's time limit (minutes, counted
    # from when they first open the set after the start), the late-penalty rule (percent per
    # day late, capped; None: late work is refused) and the zone dates are shown in.
    starts_at: Mapped[datetime | None] = mapped_column(Timestamp)
    time_limit: Mapped[int | None] = mapped_column(Integer)
    late_per_day: Mapped[float | None] = mapped_column(Double)
    late_cap: Mapped[float | None] = mapped_column(Double)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")


class Exercise(Base):
    """One generated variant: template knobs + seed -> network spec, fields and settings.

    ``kind`` is "practice" (owned by a browser session or an API token) or "variant" (in a
    problem set's pool). Only the token's hash is stored. An exercise on a given network
    (SPEC §5) has no seed.
    """

    __tablename__ = "exercises"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    template_id: Mapped[str | None] = mapped_column(String(64))
    problem_set_id: Mapped[str | None] = mapped_column(ForeignKey("problem_sets.id"), index=True)
    seed: Mapped[int | None] = mapped_column(Integer)
    template: Mapped[dict[str, Any]] = mapped_column(JSON)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    browser_key: Mapped[str | None] = mapped_column(String(64), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # A problem-set variant: its item, its place in the item's pool (seeds follow from it),
    # the hash of its network for exam mode, and when it was assigned to ``user_id``.
    item_id: Mapped[str | None] = mapped_column(
        ForeignKey("problem_set_items.id", ondelete="CASCADE"), index=True)
    variant_index: Mapped[int | None] = mapped_column(Integer)
    network_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(Timestamp)

    trace: Mapped[StoredTrace | None] = relationship(back_populates="exercise", uselist=False)


class StoredTrace(Base):
    """A stored engine trace: the spec it came from and the engine version that made it."""

    __tablename__ = "traces"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    exercise_id: Mapped[str | None] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"),
                                                    unique=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    engine_version: Mapped[str] = mapped_column(String(32))
    row_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    exercise: Mapped[Exercise | None] = relationship(back_populates="trace")


class TraceValue(Base):
    """One row of a stored trace: the SPEC §4 columns that cannot be derived from the spec.

    ``phase``, ``symbol``, ``formula`` and ``substituted`` follow from the quantity and the
    spec's structure, and are rendered again when the trace is read.
    """

    __tablename__ = "trace_values"
    trace_id: Mapped[str] = mapped_column(ForeignKey("traces.id", ondelete="CASCADE"),
                                          primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    iteration: Mapped[int] = mapped_column(Integer)
    sample: Mapped[int | None] = mapped_column(Integer)
    layer: Mapped[int | None] = mapped_column(SmallInteger)
    unit: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[int | None] = mapped_column(Integer)
    quantity: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Double)


class Submission(Base):
    """One graded attempt. ``attempt`` is unique per exercise, so attempts cannot be double counted."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("exercise_id", "attempt"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    exercise_id: Mapped[str] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Double)
    max_score: Mapped[float] = mapped_column(Double)
    grading: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    grades: Mapped[list[FieldGrade]] = relationship(back_populates="submission",
                                                    order_by="FieldGrade.position")


class FieldGrade(Base):
    """The stored grade of one field of one submission (SPEC §6's stored fields)."""

    __tablename__ = "field_grades"
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"),
                                               primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    submitted: Mapped[str] = mapped_column(String(64))
    parsed: Mapped[float | None] = mapped_column(Double)
    expected: Mapped[float] = mapped_column(Double)
    status: Mapped[str] = mapped_column(String(16))
    credit: Mapped[float] = mapped_column(Double)
    misconceptions: Mapped[list[str]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text, default="")
    # The message as [id, params] parts (revision 0004); null for grades stored before it.
    message_parts: Mapped[list | None] = mapped_column(JSON, nullable=True)
    tolerance: Mapped[str] = mapped_column(String(200))

    submission: Mapped[Submission] = relationship(back_populates="grades")


Index("ix_submissions_exercise_created", Submission.exercise_id, Submission.created_at)


# --- Problem sets (instructor experience) -------------------------------------------------
# Added by revision 0002. New columns on existing tables are nullable or carry a server
# default, so the revision applies to a database that already holds rows.

class ProblemSetItem(Base):
    """One exercise of a problem set, in order: a template's knobs (set settings apply later),
    or a given network (``template_id`` "network", the spec in ``knobs["network"]``).

    ``answer_digits`` is fixed when the set is published (revision 0003): the item's own
    number, or what ``auto`` resolved to then, so every variant asks for the same digits.
    """

    __tablename__ = "problem_set_items"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    problem_set_id: Mapped[str] = mapped_column(ForeignKey("problem_sets.id", ondelete="CASCADE"),
                                                index=True)
    position: Mapped[int] = mapped_column(Integer)
    template_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    knobs: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    answer_digits: Mapped[int | None] = mapped_column(SmallInteger)
    # Revision 0006_instructor: the points the item is worth, split evenly over its fields
    # except those given their own points in ``field_points`` (field key -> points).
    points: Mapped[float] = mapped_column(Double, default=10.0, server_default="10")
    field_points: Mapped[dict[str, float] | None] = mapped_column(JSON, nullable=True)
    # Revision 0007_course: when the item was retired after publishing (it stops counting in
    # totals; its variants and attempts stay).
    retired_at: Mapped[datetime | None] = mapped_column(Timestamp)


class Enrollment(Base):
    """A student in a problem set, with a personal due date when the instructor extended it."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("problem_set_id", "user_id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    problem_set_id: Mapped[str] = mapped_column(ForeignKey("problem_sets.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(Timestamp)
    joined_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # Revision 0007_course: when the student first opened a timed set (their timer's start).
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)


class GradeOverride(Base):
    """An instructor's manual score for one student's exercise; the newest one counts."""

    __tablename__ = "grade_overrides"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    item_id: Mapped[str] = mapped_column(ForeignKey("problem_set_items.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    score: Mapped[float] = mapped_column(Double)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class AuditEvent(Base):
    """Who changed what and when: extensions, overrides, regrades, password resets."""

    __tablename__ = "audit_events"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    problem_set_id: Mapped[str | None] = mapped_column(
        ForeignKey("problem_sets.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # None: a CLI command
    action: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class AccessToken(Base):
    """A personal access token for the export API; only its SHA-256 is stored."""

    __tablename__ = "access_tokens"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)



class Job(Base):
    """One piece of background work (``exercises/jobs``): what it is, how far it got, how it
    ended. ``active_key`` ("kind:target") is set while the job is queued or running and unique,
    so one set never has two publishes or two top-ups at once; ``heartbeat_at`` moves with
    every step, so a job whose worker died is found and run again."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # publish | regrade | topup | expire
    target: Mapped[str | None] = mapped_column(String(32), index=True)  # a problem set's id
    active_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # running | done | failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)
    heartbeat_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)

Index("uq_exercises_item_variant", Exercise.item_id, Exercise.variant_index, unique=True)
# Revision 0007_perf2: an exercise's free variants in order (a join claims the first; whether a
# pool runs low reads a few), never the thousands already handed out.
Index("ix_exercises_free", Exercise.item_id, Exercise.variant_index,
      sqlite_where=Exercise.user_id.is_(None), postgresql_where=Exercise.user_id.is_(None))
Index("ix_grade_overrides_item_user", GradeOverride.item_id, GradeOverride.user_id)


# --- Drafts and the coaching ladder (student experience) ----------------------------------
# Added by revision 0006_student. An exercise belongs to one student (a set variant) or one
# browser (practice), so a draft and a hint are kept per exercise.


class Draft(Base):
    """Answers saved without checking: no attempt, refilled into the form until the next check."""

    __tablename__ = "drafts"
    exercise_id: Mapped[str] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"),
                                             primary_key=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class LadderStep(Base):
    """One rung of the coaching ladder a student used on one field: 1 the formula in symbols,
    2 the formula with the exercise's numbers, 3 the value (which then earns no credit)."""

    __tablename__ = "ladder_steps"
    __table_args__ = (UniqueConstraint("exercise_id", "key", "rung",
                                       name="uq_ladder_steps_exercise_key_rung"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    exercise_id: Mapped[str] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"),
                                             index=True)
    key: Mapped[str] = mapped_column(String(64))
    rung: Mapped[int] = mapped_column(SmallInteger)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class RosterEntry(Base):
    """A student on a set's class list (revision 0006_instructor), imported from a CSV: what the
    Canvas export needs to match them (Canvas's ID, SIS User ID, SIS Login ID, section). A
    student is matched to their account by email; being on the roster is not joining."""

    __tablename__ = "roster_entries"
    __table_args__ = (UniqueConstraint("problem_set_id", "email"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    problem_set_id: Mapped[str] = mapped_column(ForeignKey("problem_sets.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    canvas_id: Mapped[str | None] = mapped_column(String(64))
    sis_user_id: Mapped[str | None] = mapped_column(String(100))
    sis_login_id: Mapped[str | None] = mapped_column(String(254))
    section: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class SetMember(Base):
    """A co-instructor (``co_instructor``: everything the owner may, except deleting or
    transferring the set) or a teaching assistant (``ta``: sees the gradebook, statistics and
    students, grants extensions, changes no grading) of a set (revision 0007_course)."""

    __tablename__ = "set_members"
    __table_args__ = (UniqueConstraint("problem_set_id", "user_id"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True, default=new_id)
    problem_set_id: Mapped[str] = mapped_column(ForeignKey("problem_sets.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


# The LTI 1.3 tables live with the LTI package; importing it here registers them on ``Base``.
from exercises.lti import models as _lti_models  # noqa: E402,F401
