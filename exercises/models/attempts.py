"""What a student did on an exercise: graded attempts and the stored grade of each field
(SPEC §6), answers saved without checking, and the rungs of the coaching ladder used
(revision 0006_student: an exercise belongs to one student or one browser, so drafts and hints
are kept per exercise).

Parsed and expected answers are DOUBLE PRECISION, so they read back bit-identical.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Double, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exercises.models.base import ID, Base, Timestamp, new_id, utcnow


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
    # The submissions export's lines of this attempt after their first five cells, written
    # with its field grades (``stored_lines``; revision 0008); null for attempts stored before.
    # Deferred: only the export reads it.
    export_lines: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)

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


Index("ix_submissions_exercise_created", Submission.exercise_id, Submission.created_at)
