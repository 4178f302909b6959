"""The home page: start a practice exercise in one click, or join a problem set with a code."""
from __future__ import annotations

from flask import Blueprint, render_template

from exercises.generation import BUILTIN_TEMPLATES
from exercises.practice import DEFAULT_TEMPLATE

bp = Blueprint("home", __name__)

# The instructor side registers the view that joins a problem set under this name; the home
# page shows its form only when it exists.
JOIN_ENDPOINT = "sets.join"


@bp.get("/")
def home():
    """Start the seed post's exercise, pick another preset, or join a problem set."""
    return render_template("home.html", presets=BUILTIN_TEMPLATES, default=DEFAULT_TEMPLATE,
                           join_endpoint=JOIN_ENDPOINT)
