"""User accounts: creation, the password policy, password checks (hashes only; werkzeug's
scrypt) and the session version that ends every session of an account at once.

A login for an email with no account costs the same scrypt check as one with an account (a
dummy hash is checked), so its timing does not tell registered emails apart.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from exercises import db
from exercises.models import User

ROLES = ("instructor", "student")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords.txt")
# One @, a local part and a dotted domain without spaces; each domain label 1-63 letters,
# digits or hyphens, not starting or ending with a hyphen; a top-level label of letters.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
                   r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


class AccountError(ValueError):
    """An account cannot be created or changed as asked; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class EmailTaken(AccountError):
    """The email already has an account (said to people as a mismatch, never as "taken")."""


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    """Why ``email`` (normalized) is not an email address, or None."""
    if len(email) > 254 or not EMAIL.fullmatch(email) or ".." in email:
        return str(_l("Enter an email address such as name@example.com."))
    return None


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list of passwords too common to accept (lower case)."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable, or None: at least MIN_PASSWORD characters, and not
    a common password (compared without case, spaces, or trailing digits and symbols)."""
    if len(password) < MIN_PASSWORD:
        return str(_l("Choose a password of at least %(count)d characters.", count=MIN_PASSWORD))
    if len(password) > MAX_PASSWORD:
        return str(_l("Choose a password of at most %(count)d characters.", count=MAX_PASSWORD))
    folded = "".join(password.lower().split())
    stem = folded.rstrip("0123456789!@#$%^&*()-_=+.?~")
    if folded in common_passwords() or stem in common_passwords() or len(set(folded)) < 4:
        return str(_l("This password is too common or too easy to guess; choose another."))
    return None


def create_user(email: str, name: str, password: str, role: str) -> User:
    """Create and commit a user; raises AccountError on a bad or duplicate email or password.
    The email and password are checked before any lookup, so their errors read the same
    whether or not the email has an account."""
    email = normalize_email(email)
    problem = email_problem(email)
    if problem:
        raise AccountError(problem, "email")
    if role not in ROLES:
        raise AccountError(f"role: must be one of {', '.join(ROLES)}", "role")
    problem = password_problem(password)
    if problem:
        raise AccountError(problem, "password")
    taken = EmailTaken(str(_l("This email and password do not match an account.")), "email")
    password_hash = generate_password_hash(password)
    try:
        with db.write_transaction() as sess:
            if sess.scalar(select(func.count()).select_from(User).where(User.email == email)):
                raise taken
            user = User(email=email, name=name.strip() or email, role=role,
                        password_hash=password_hash)
            sess.add(user)
    except IntegrityError as exc:
        # Another sign-up with this email committed between the check and the insert (on
        # PostgreSQL both can pass the check); the unique index decides, as the check would.
        raise taken from exc
    return user


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash("no account has this password; it only costs time")


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None. An unknown email costs one hash check
    too (see the module docstring)."""
    user = db.session().scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def sign_up(email: str, name: str, password: str, role: str) -> User:
    """A new account, or, for an email that has one, that account when the password is its
    own (signing up twice is logging in). Otherwise EmailTaken, worded as a failed login, and
    both ways cost one hash and one hash check, so neither the answer's words nor its timing
    say more than a login would."""
    try:
        user = create_user(email=email, name=name, password=password, role=role)
    except EmailTaken:
        user = authenticate(email, password)
        if user is None or user.role != role:
            raise
        return user
    check_password_hash(_dummy_hash(), password)
    return user


def end_sessions(sess, user_id: str) -> None:
    """Make every session of the user invalid (in the caller's transaction): the next request
    with an older session version is logged out."""
    sess.execute(update(User).where(User.id == user_id)
                 .values(session_version=User.session_version + 1))


def change_password(user_id: str, current: str, new: str) -> User:
    """Change a user's own password after checking the current one; ends their other
    sessions. Raises AccountError naming the field at fault."""
    user = db.session().get(User, user_id)
    if user is None or not check_password_hash(user.password_hash, current):
        raise AccountError(str(_l("The current password is not right.")), "current")
    problem = password_problem(new)
    if problem:
        raise AccountError(problem, "password")
    password_hash = generate_password_hash(new)
    with db.write_transaction() as sess:
        record = sess.get(User, user_id)
        record.password_hash = password_hash
        end_sessions(sess, user_id)
    db.session().refresh(record)
    return record


def log_out_everywhere(user_id: str) -> None:
    """End every session of the user (logout)."""
    with db.write_transaction() as sess:
        end_sessions(sess, user_id)
