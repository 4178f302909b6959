"""User accounts: creation and password checks (hashes only; werkzeug's scrypt)."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from . import db
from .models import User

ROLES = ("instructor", "student")
MIN_PASSWORD = 8


class AccountError(ValueError):
    """An account cannot be created or changed as asked."""


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def create_user(email: str, name: str, password: str, role: str) -> User:
    """Create and commit a user; raises AccountError on a bad or duplicate email or password."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("email: not a valid email address")
    if role not in ROLES:
        raise AccountError(f"role: must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: must have at least {MIN_PASSWORD} characters")
    taken = AccountError(f"email: {email} already has an account")
    try:
        with db.write_transaction() as sess:
            if sess.scalar(select(func.count()).select_from(User).where(User.email == email)):
                raise taken
            user = User(email=email, name=name.strip() or email, role=role,
                        password_hash=generate_password_hash(password))
            sess.add(user)
    except IntegrityError as exc:
        # Another sign-up with this email committed between the check and the insert (on
        # PostgreSQL both can pass the check); the unique index decides, as the check would.
        raise taken from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None."""
    user = db.session().scalar(select(User).where(User.email == normalize_email(email)))
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return user
