"""Problem sets and what hangs on them (revisions 0001, 0002, 0006_instructor, 0007_course):
the set and its ordered exercises, its students (enrollments, the roster), its other
instructors, manual grade overrides and the history of changes.

New columns on existing tables are nullable or carry a server default, so each revision applies
to a database that already holds rows.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Double,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from exercises.models.base import ID, Base, Timestamp, new_id, utcnow


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
    # from when they press "Start the exam" after the start), the late-penalty rule (percent per
    # day late, capped; None: late work is refused) and the zone dates are shown in.
    starts_at: Mapped[datetime | None] = mapped_column(Timestamp)
    time_limit: Mapped[int | None] = mapped_column(Integer)
    late_per_day: Mapped[float | None] = mapped_column(Double)
    late_cap: Mapped[float | None] = mapped_column(Double)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")


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
    # Revision 0007_course: when the student started a timed set ("Start the exam", a POST).
    started_at: Mapped[datetime | None] = mapped_column(Timestamp)


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


Index("ix_grade_overrides_item_user", GradeOverride.item_id, GradeOverride.user_id)
