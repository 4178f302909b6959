"""Personal access tokens: how an instructor's scripts fetch exports without a browser.

A token is shown once when it is made; only its SHA-256 is stored (as for practice tokens), so
a copy of the database grants no access. Tokens carry a recognisable prefix so that secret
scanners and people can tell what a leaked string is.
"""
from __future__ import annotations

import hmac
import secrets

from sqlalchemy import select

from exercises import db
from exercises.models import AccessToken, User, utcnow
from exercises.practice import token_hash

PREFIX = "bpl_"


def create(user_id: str, name: str) -> str:
    """Make a token for an instructor; returns the token itself (never stored)."""
    token = PREFIX + secrets.token_urlsafe(32)
    with db.write_transaction() as sess:
        sess.add(AccessToken(user_id=user_id, name=name.strip(), token_hash=token_hash(token)))
    return token


def listed(user_id: str) -> list[AccessToken]:
    """An instructor's tokens, newest first (revoked ones included, marked)."""
    return list(db.session().scalars(select(AccessToken).where(AccessToken.user_id == user_id)
                                     .order_by(AccessToken.created_at.desc())))


def revoke(user_id: str, token_id: str) -> bool:
    """Revoke one of the user's tokens; False when it is not theirs or already revoked."""
    with db.write_transaction() as sess:
        token = sess.get(AccessToken, token_id)
        if token is None or token.user_id != user_id or token.revoked_at is not None:
            return False
        token.revoked_at = utcnow()
    return True


def user_for(token: str) -> User | None:
    """The instructor a live token belongs to, or None; records when it was last used."""
    digest = token_hash(token)
    record = db.session().scalar(select(AccessToken).where(AccessToken.token_hash == digest))
    if (record is None or record.revoked_at is not None
            or not hmac.compare_digest(record.token_hash, digest)):
        return None
    user = db.session().get(User, record.user_id)
    if user is None or user.role != "instructor":
        return None
    with db.write_transaction() as sess:
        sess.get(AccessToken, record.id).last_used_at = utcnow()
    return user
