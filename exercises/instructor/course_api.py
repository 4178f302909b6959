"""``GET /api/v1/problem-sets``: the sets an instructor owns or teaches, for scripts, with a
personal access token (``Authorization: Bearer``; no cookies, so no CSRF), a page at a time."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from exercises.api import bearer_token
from exercises.errors import ApiError
from exercises.instructor import staff_queries, tokens
from exercises.instructor.policy import as_utc

bp = Blueprint("course_api", __name__, url_prefix="/api/v1")
PER_PAGE, MAX_PER_PAGE = 50, 100


def token_owner():
    """The instructor whose personal access token the request carries; 401 without one or
    with one that is not valid (the instructor API's routes all start here)."""
    token = bearer_token()
    if token is None:
        raise ApiError(401, "this call needs 'Authorization: Bearer <personal access token>'")
    user = tokens.user_for(token)
    if user is None:
        raise ApiError(401, "this token is not valid (revoked, mistyped, or not an instructor's)")
    return user


def _stamp(moment) -> str | None:
    return None if moment is None else as_utc(moment).isoformat()


def _number(name: str, default: int, largest: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= largest:
        raise ApiError(422, f"{name}: must be a whole number from 1 to {largest}",
                       {name: f"a whole number from 1 to {largest}"})
    return int(raw)


@bp.get("/problem-sets")
def list_sets():
    """The token owner's sets (owned or taught), newest first: 401 without a valid token,
    422 for a page or page size out of range."""
    user = token_owner()
    page = _number("page", 1, 1_000_000)
    per_page = _number("per_page", PER_PAGE, MAX_PER_PAGE)
    total, rows = staff_queries.sets_page(user.id, page, per_page)
    return jsonify({
        "problem_sets": [{"id": s.id, "title": s.title, "status": s.status,
                          "join_code": s.join_code, "role": r, "students": n, "exercises": k,
                          "due_at": _stamp(s.due_at), "starts_at": _stamp(s.starts_at),
                          "time_zone": s.time_zone, "created_at": _stamp(s.created_at),
                          "published_at": _stamp(s.published_at)}
                         for s, r, n, k in rows],
        "page": page, "per_page": per_page, "total": total,
        "pages": max(1, -(-total // per_page))})
