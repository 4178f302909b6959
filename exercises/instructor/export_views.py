"""CSV downloads of a set: in the browser for its instructor, and through the JSON API with a
personal access token (``Authorization: Bearer``; no cookies, so no CSRF)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from .. import db, exports
from ..api import bearer_token
from ..errors import ApiError
from ..models import ProblemSet
from . import tokens
from .access import instructor_required, may, owned_set

bp = Blueprint("exports", __name__, url_prefix="/instructor/sets")
api_bp = Blueprint("problem_set_api", __name__, url_prefix="/api/v1/problem-sets")
DESCRIPTIONS = (
    ("grades", "Grades: a row per student, a column per exercise, totals."),
    ("canvas", "Grades for Canvas: the set's total per student, ready for the gradebook "
               "import (students matched on SIS Login ID = their email)."),
    ("submissions", "Submissions: a row per field per attempt, with the submitted text, "
                    "parsed and expected values, status, credit, misconceptions and tolerance."),
    ("traces", "Traces: every variant's full trace, with its student and exercise."),
    ("answer-key", "Answer key: every variant's expected value of every field."),
)


def csv_response(problem_set: ProblemSet, name: str) -> Response:
    """A streamed CSV download of one export; ``?bom=1`` or ``?bom=0`` chooses the UTF-8
    byte-order mark (default: on for grades and Canvas)."""
    if name not in exports.EXPORTS:
        abort(404)
    bom = {"1": True, "0": False}.get(request.args.get("bom", ""))
    filename = f"{problem_set.join_code or problem_set.id}-{name}.csv"
    return Response(stream_with_context(exports.export_lines(problem_set, name, bom)),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@bp.get("/<id:set_id>/exports/")
@instructor_required
def index(set_id: str):
    """The list of exports with download links and the API route of each."""
    return render_template("instructor/exports.html", problem_set=owned_set(set_id),
                           descriptions=DESCRIPTIONS, bom_by_default=exports.BOM_BY_DEFAULT)


@bp.get("/<id:set_id>/exports/<name>.csv")
@instructor_required
def download(set_id: str, name: str):
    """Download one export."""
    return csv_response(owned_set(set_id), name)


@api_bp.get("/<id:set_id>/exports/<name>.csv")
def api_download(set_id: str, name: str):
    """An export for scripts: 401 without a valid token, 404 unless the set is the token
    owner's (an unknown id and another instructor's set look the same)."""
    token = bearer_token()
    if token is None:
        raise ApiError(401, "this call needs 'Authorization: Bearer <personal access token>'")
    user = tokens.user_for(token)
    if user is None:
        raise ApiError(401, "this token is not valid (revoked, mistyped, or not an instructor's)")
    problem_set = db.session().get(ProblemSet, set_id)
    if problem_set is None or not may(problem_set, user.id, "edit") or name not in exports.EXPORTS:
        raise ApiError(404, "no such problem set or export")
    return csv_response(problem_set, name)
