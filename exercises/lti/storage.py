"""PyLTI1p3's launch storage in our database, and the one-time use of a launch's nonce.

PyLTI1p3 keeps a login's nonce, a launch's state and its data in a "launch data storage"; by
default the Flask session, a cookie a platform's iframe may not send back. Ours is the
``lti_launch_values`` table: a value per key, with an expiry, written through
``db.write_transaction``. The state cookie PyLTI1p3 sets at login still ties a launch to the
browser that started it.

PyLTI1p3 only checks that a nonce was issued; it never uses one up, so the same id_token could
be posted again. ``consume_nonce`` marks it used in the transaction that reads it (the row is
locked), and a second launch with it is told it was replayed.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage
from sqlalchemy import delete, select

from exercises import db
from exercises.lti.models import LtiLaunchValue
from exercises.models import utcnow

LIFETIME = 3600  # seconds a login's nonce and a launch's data are kept by default
USED = "used"
NONCE_KEY = "lti1p3-nonce-"  # the key PyLTI1p3's session service gives a nonce


class DatabaseStorage(LaunchDataStorage[Any]):
    """Launch values in ``lti_launch_values`` (see the module docstring); keys are PyLTI1p3's
    own, which carry a random nonce, state or launch id."""

    def get_session_cookie_name(self) -> None:
        return None  # no cookie of its own: keys are random and unguessable

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        row = db.session().get(LtiLaunchValue, self._prepare_key(key), populate_existing=True)
        if row is None or _aware(row.expires_at) <= utcnow():
            return None
        return row.value

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        key = self._prepare_key(key)
        expires = utcnow() + timedelta(seconds=exp or LIFETIME)
        with db.write_transaction() as sess:
            row = sess.get(LtiLaunchValue, key, with_for_update=True)
            if row is None:
                sess.add(LtiLaunchValue(key=key, value=value, expires_at=expires))
            else:
                row.value, row.expires_at = value, expires

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None


def consume_nonce(nonce: str) -> str:
    """Use up a login's nonce: "ok" the first time, "used" when a launch already used it,
    "unknown" when no login here issued it (or it expired)."""
    with db.write_transaction() as sess:
        sess.execute(delete(LtiLaunchValue).where(LtiLaunchValue.expires_at < utcnow()))
        row = sess.scalar(select(LtiLaunchValue).where(LtiLaunchValue.key == NONCE_KEY + nonce)
                          .with_for_update())
        if row is None:
            return "unknown"
        if row.value == USED:
            return "used"
        row.value = USED
        return "ok"


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def forget_launch(launch_id: str) -> None:
    """Delete a launch's stored data, so the launch answers once (a deep link's pick)."""
    with db.write_transaction() as sess:
        sess.execute(delete(LtiLaunchValue).where(LtiLaunchValue.key == launch_id))
