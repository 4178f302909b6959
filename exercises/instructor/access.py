"""Access guards (CTFd-style decorators) and lookups that answer 404 for what is not yours.

An instructor sees only the problem sets they own or teach (``SetMember``); a student only
their own variants and submissions. Someone else's id answers exactly like an unknown one, so
ids cannot be probed; a set's teaching assistant asking for what only its instructors may do
gets 403.

What each role may do (``ABILITIES``): ``view`` the set, its gradebook, statistics, students
and history; ``extend`` a student's due date; ``edit`` anything else (settings, exercises,
points, publishing, regrades, overrides, the roster, the staff); ``own``: delete the set or
hand it to a co-instructor.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from exercises import db
from exercises.models import Enrollment, Exercise, ProblemSet, SetMember

ABILITIES = {"owner": {"view", "extend", "edit", "own"},
             "co_instructor": {"view", "extend", "edit"},
             "ta": {"view", "extend"}}


def role_required(role: str):
    """A view decorator: log in first (redirect), then 403 unless the user has ``role``."""
    def decorator(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role != role:
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorator


instructor_required = role_required("instructor")
student_required = role_required("student")


def role_of(problem_set: ProblemSet, user_id: str) -> str | None:
    """``owner``, ``co_instructor``, ``ta`` or None: what ``user_id`` is to the set."""
    if problem_set.owner_id == user_id:
        return "owner"
    return db.session().scalar(select(SetMember.role).where(
        SetMember.problem_set_id == problem_set.id, SetMember.user_id == user_id))


def may(problem_set: ProblemSet, user_id: str, need: str) -> bool:
    """Whether ``user_id`` may do ``need`` (see ``ABILITIES``) on the set."""
    return need in ABILITIES.get(role_of(problem_set, user_id) or "", ())


def owned_set(set_id: str, need: str = "edit") -> ProblemSet:
    """A problem set the current instructor may do ``need`` on: 404 when they have no role
    in it (an unknown id looks the same), 403 when their role does not allow ``need``."""
    problem_set = db.session().get(ProblemSet, set_id)
    role = None if problem_set is None else role_of(problem_set, current_user.id)
    if role is None:
        abort(404)
    if need not in ABILITIES[role]:
        abort(403)
    return problem_set


def enrolled_set(set_id: str) -> tuple[ProblemSet, Enrollment]:
    """A published set the current student has joined, with the enrollment; 404 otherwise."""
    sess = db.session()
    problem_set = sess.get(ProblemSet, set_id)
    enrollment = sess.scalar(select(Enrollment).where(Enrollment.problem_set_id == set_id,
                                                      Enrollment.user_id == current_user.id))
    if problem_set is None or enrollment is None or problem_set.status != "published":
        abort(404)
    return problem_set, enrollment


def own_variant(set_id: str, exercise_id: str) -> Exercise:
    """The current student's variant in a set, or 404."""
    exercise = db.session().get(Exercise, exercise_id)
    if (exercise is None or exercise.kind != "variant" or exercise.problem_set_id != set_id
            or exercise.user_id != current_user.id):
        abort(404)
    return exercise


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default`` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
