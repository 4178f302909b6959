"""What generation and the engine made: an exercise (a practice exercise or a problem set's
variant) and its stored trace.

Floats that must read back bit-identical (trace values) are DOUBLE PRECISION.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Double, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exercises.models.base import ID, Base, Timestamp, new_id, utcnow


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
    # A set's variant of a network: its answer-key lines after their first six cells, written
    # when it is made (``stored_lines``; revision 0008); null for circuits and for variants made
    # before. Deferred: only the export reads it.
    key_lines: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)

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
    # A set's network trace: its traces-export lines after their first four cells, written when
    # it is made (``stored_lines.trace_lines``; revision 0009); null for circuits, practice
    # traces and traces made before. On PostgreSQL a trigger clears them when the trace's stored
    # values or spec change. Deferred: only the export reads it.
    export_lines: Mapped[str | None] = mapped_column(Text, nullable=True, deferred=True)

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


Index("uq_exercises_item_variant", Exercise.item_id, Exercise.variant_index, unique=True)
# Revision 0007_perf2: an exercise's free variants in order (a join claims the first; whether a
# pool runs low reads a few), never the thousands already handed out.
Index("ix_exercises_free", Exercise.item_id, Exercise.variant_index,
      sqlite_where=Exercise.user_id.is_(None), postgresql_where=Exercise.user_id.is_(None))
