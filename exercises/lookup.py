"""Look-ups by id that views ask before they check who may see the row (the views build no
SQL themselves)."""
from __future__ import annotations

from exercises import db
from exercises.models import Exercise


def exercise(exercise_id: str) -> Exercise | None:
    """The exercise (practice or variant) with this id, None for an unknown id."""
    return db.session().get(Exercise, exercise_id)
