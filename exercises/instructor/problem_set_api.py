"""A set's exports for scripts, through the JSON API with a personal access token
(``Authorization: Bearer``; no cookies, so no CSRF): the same files as the export pages
(``export_views.csv_response``)."""
from __future__ import annotations

from flask import Blueprint

from exercises import exports
from exercises.errors import ApiError
from exercises.instructor import staff_queries
from exercises.instructor.access import may
from exercises.instructor.course_api import token_owner
from exercises.instructor.export_views import csv_response

bp = Blueprint("problem_set_api", __name__, url_prefix="/api/v1/problem-sets")


@bp.get("/<id:set_id>/exports/<name>.csv")
def api_download(set_id: str, name: str):
    """An export for scripts: 401 without a valid token, 404 unless the set is the token
    owner's (an unknown id and another instructor's set look the same)."""
    user = token_owner()
    problem_set = staff_queries.problem_set(set_id)
    if problem_set is None or not may(problem_set, user.id, "edit") or name not in exports.EXPORTS:
        raise ApiError(404, "no such problem set or export")
    return csv_response(problem_set, name)
