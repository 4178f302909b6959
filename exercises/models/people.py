"""Accounts: instructors and students, and the personal access tokens of the export API."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from exercises.models.base import ID, Base, Timestamp, new_id, utcnow


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
