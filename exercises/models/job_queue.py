"""The background jobs' table (``exercises.jobs``): publishing, regrading, topping up pools."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from exercises.models.base import ID, Base, Timestamp, new_id, utcnow


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
