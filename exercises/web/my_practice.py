"""My practice: the practice exercises this browser started, to come back to.

Practice belongs to a browser (its session key, ``ownership``), so the list is this browser's,
for a signed-in student too (their problem-set work is under "My problem sets"). Each row says
where the exercise stands: not started, a draft saved, attempts made, or all correct, with the
best score.
"""
from __future__ import annotations

from flask import Blueprint, render_template, session

from exercises.web.ownership import SESSION_KEY
from exercises.web.practice_list import practice_rows

bp = Blueprint("mine", __name__)


@bp.get("/practice/mine")
def my_practice():
    """The list (reads only: a browser without a key yet sees an empty list)."""
    key = session.get(SESSION_KEY)
    return render_template("my_practice.html",
                           rows=practice_rows(key if isinstance(key, str) else None))
