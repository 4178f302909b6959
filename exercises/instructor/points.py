"""What a problem-set item is worth: points per item, split over its fields.

An item is worth ``item.points`` (10 unless the instructor says otherwise). A field the
instructor gave its own points (``item.field_points``, field key -> points) is worth those; the
other fields share what is left evenly. So a 25-field exercise and a 13-field one weigh the same
unless the instructor wants otherwise. A graded attempt's points are the sum over its fields of
the field's credit (0..1) times the field's points.
"""
from __future__ import annotations

import math

from flask_babel import gettext as _
from sqlalchemy import select

from exercises import db
from exercises.instructor import variants
from exercises.models import AuditEvent, Exercise, ProblemSet, ProblemSetItem

DEFAULT_POINTS = 10.0
MAX_POINTS = 1000.0


class PointsError(ValueError):
    """Points that cannot be set as asked; the message says why."""


def field_weights(keys: list[str], points: float,
                  field_points: dict[str, float] | None) -> dict[str, float]:
    """The points of each field: its own when set, else an even share of the rest."""
    own = {key: float(value) for key, value in (field_points or {}).items() if key in keys}
    rest = [key for key in keys if key not in own]
    share = (points - sum(own.values())) / len(rest) if rest else 0.0
    return {key: own.get(key, share) for key in keys}


def item_field_list(problem_set: ProblemSet, item: ProblemSetItem) -> list[dict]:
    """The fields (key, symbol, label) every variant of an item asks: a stored variant's, or
    before publishing, those of the variant its template makes first. Raises TemplateError
    when the template makes no exercise."""
    stored = db.session().scalar(select(Exercise.fields).where(Exercise.item_id == item.id)
                                 .limit(1))
    if stored is not None:
        return stored
    template = variants.item_template(problem_set, item)
    made = variants.make(template, None if template.network is not None else 0)
    return made.field_list()


def is_even(item: ProblemSetItem) -> bool:
    """Whether every field of the item is worth the same (no field has its own points)."""
    return not item.field_points


def check(keys: list[str], points: float, field_points: dict[str, float]) -> None:
    """Raise PointsError unless the points make sense for fields ``keys``."""
    if not math.isfinite(points) or not 0 < points <= MAX_POINTS:
        raise PointsError(_("points: give a number above 0 and at most %(max)s",
                                   max=f"{MAX_POINTS:g}"))
    unknown = sorted(set(field_points) - set(keys))
    if unknown:
        raise PointsError(_("points: this exercise has no field %(key)s", key=unknown[0]))
    if any(not math.isfinite(v) or v < 0 for v in field_points.values()):
        raise PointsError(_("points: a field's points must be 0 or more"))
    given = sum(field_points.values())
    if field_points and len(field_points) == len(keys) and not math.isclose(given, points, abs_tol=1e-9):
        raise PointsError(_("points: every field has its own points, and they add up to "
                            "%(given)s, not the exercise's %(points)s", given=f"{given:g}",
                            points=f"{points:g}"))
    if given > points + 1e-9:
        raise PointsError(_("points: the fields' own points add up to %(given)s, more than "
                            "the exercise's %(points)s", given=f"{given:g}",
                            points=f"{points:g}"))


def set_points(set_id: str, item_id: str, keys: list[str], points: float,
               field_points: dict[str, float], actor_id: str) -> None:
    """Change what an item and its fields are worth (draft or published: points only weigh
    the stored grades, they change none), recorded in the set's history."""
    check(keys, points, field_points)
    with db.write_transaction() as sess:
        sess.get(ProblemSet, set_id, with_for_update=True)
        item = sess.get(ProblemSetItem, item_id)
        if item is None or item.problem_set_id != set_id:
            raise PointsError(_("no such exercise in this set"))
        old = {"points": item.points, "field_points": item.field_points or {}}
        item.points, item.field_points = float(points), dict(field_points) or None
        sess.add(AuditEvent(problem_set_id=set_id, actor_id=actor_id, action="points",
                            details={"item": f"{item.position + 1}. {item.title}", "old": old,
                                     "new": {"points": item.points,
                                             "field_points": dict(field_points)}}))
