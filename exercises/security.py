"""App-wide security: CSRF on every form (Flask-WTF) and login sessions (Flask-Login).

The JSON API authenticates with bearer tokens and never reads cookies, so it is exempt from
CSRF; every HTML form carries a token.
"""
from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from . import db
from .models import User

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "instructor.login"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The logged-in user for a session, or None when the account is gone."""
    return db.session().get(User, user_id)


def init_app(app: Flask) -> None:
    """Install CSRF protection and the login manager; exempt the bearer-token API."""
    from . import api

    csrf.init_app(app)
    csrf.exempt(api.bp)
    login_manager.init_app(app)
