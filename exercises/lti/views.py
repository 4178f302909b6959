"""The tool's LTI endpoints (SPEC §11): OIDC login initiation, the launch, the public key set
and the deep-linking response. The platform posts to them from another site, so they carry no
CSRF token: a launch is authenticated by its signed id_token, the deep-linking form by the
random id of the launch it answers, which works once.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user
from pylti1p3.contrib.flask import FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem

from exercises.instructor import pool
from exercises.lti import people, storage
from exercises.lti.framing import SESSION_ORIGIN, frame_origins
from exercises.lti.launch import (
    CUSTOM,
    DEEP_LINKING,
    MESSAGE,
    SET_PARAMETER,
    LaunchRefused,
    ToolLaunch,
    origin,
    platform_origin,
    restore,
)
from exercises.lti.registrations import ToolConfig, key_set, url_problem
from exercises.lti.storage import LIFETIME, DatabaseStorage
from exercises.models import User
from exercises.security import content_security_policy, start_session

bp = Blueprint("lti", __name__, url_prefix="/lti")


def refused(reason: str, status: int = 401):
    """The page that says why a launch or login was refused."""
    return render_template("lti/refused.html", reason=reason), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    """OIDC login initiation: send the browser back to the platform's authentication URL with
    a fresh state (a cookie) and nonce (stored), to come back to ``/lti/launch``.

    A GET that writes, on purpose: LTI 1.3 (OIDC third-party login) lets the platform start the
    login with a GET or a POST, and the nonce must be stored before the browser leaves. It
    stores only that expiring nonce, never a user's data."""
    stored = DatabaseStorage()
    oidc = FlaskOIDCLogin(FlaskRequest(), ToolConfig(), launch_data_storage=stored)
    oidc.set_launch_data_storage(stored).set_launch_data_lifetime(LIFETIME)
    try:
        return oidc.redirect(url_for("lti.launch", _external=True))
    except (OIDCException, LtiException):
        return refused(_("The login request is incomplete (it needs iss and login_hint), or "
                         "its platform is not registered with Backprop Lab."), 400)


@bp.post("/launch")
def launch():
    """A validated launch: a resource link signs the student in (their account made the first
    time) and opens the set, or signs the instructor in and opens its gradebook; a
    deep-linking request lets the instructor pick a set. A refused launch answers its page."""
    message = ToolLaunch()
    try:
        message.validate()
        body, registration = message.body, message.registration.row
        if message.is_deep_link_launch():
            if url_problem(body[DEEP_LINKING].get("deep_link_return_url") or ""):
                raise LaunchRefused(MESSAGE)
            owner = people.owner_for(registration, body["sub"], body.get("email"))
            return render_template("lti/deep_link_pick.html", sets=people.owned_sets(owner),
                                   launch_id=message.get_launch_id())
        if not message.is_resource_launch():
            raise LaunchRefused(MESSAGE)
        problem_set = people.linked_set(registration, body,
                                        (body.get(CUSTOM) or {}).get(SET_PARAMETER))
        if message.check_teacher_access():
            owner = people.owner_for(registration, body["sub"], body.get("email"))
            people.record_link(registration, body, problem_set)
            _sign_in(owner, body)
            return redirect(url_for("gradebook.gradebook", set_id=problem_set.id))
        if problem_set.status != "published":
            raise LaunchRefused(_("This problem set is not open yet: its instructor has not "
                                  "published it."), status=403)
        student = people.student_for(registration, body["sub"], body)
        link = people.record_link(registration, body, problem_set)
        people.enroll_member(link, problem_set, student, body["sub"])
        _sign_in(student, body)
        return redirect(url_for("sets.show", set_id=problem_set.id))
    except LaunchRefused as exc:
        return refused(exc.reason, exc.status)


def _sign_in(user: User, body: dict) -> None:
    session.clear()  # nothing from before the launch survives into its session
    login_user(user)
    start_session(user)
    session[SESSION_ORIGIN] = platform_origin(body)


@bp.get("/jwks.json")
def jwks():
    """The tool's public keys, one per registration, for platforms to verify its JWTs."""
    response = jsonify(key_set())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.post("/deep-link")
def deep_link():
    """Answer a deep-linking request with the picked set: a signed LtiDeepLinkingResponse the
    browser posts back to the platform (a button, pressed by ``lti-autosubmit.js``)."""
    launch_id = request.form.get("launch_id", "")
    try:
        message = restore(launch_id)
        if not message.is_deep_link_launch():
            raise LaunchRefused(MESSAGE, status=400)
        problem_set = people.linked_set(message.registration.row, {},
                                        request.form.get(SET_PARAMETER))
    except LaunchRefused as exc:
        return refused(exc.reason, exc.status)
    points = sum(item.points for item in pool.set_items(problem_set.id))
    resource = (DeepLinkResource().set_url(url_for("lti.launch", _external=True))
                .set_title(problem_set.title)
                .set_custom_params({SET_PARAMETER: problem_set.id})
                .set_lineitem(LineItem().set_score_maximum(points).set_label(problem_set.title)
                              .set_resource_id(problem_set.id)))
    link = message.get_deep_link()
    token = link.get_response_jwt([resource])
    return_url = message.body[DEEP_LINKING]["deep_link_return_url"]
    storage.forget_launch(launch_id)  # the launch answers once
    response = make_response(render_template("lti/deep_link_return.html", action=return_url,
                                             token=token, problem_set=problem_set))
    response.headers["Content-Security-Policy"] = content_security_policy(
        frame_ancestors=" ".join(("'self'", *frame_origins())),
        form_action=" ".join(("'self'", origin(return_url) or "")).strip())
    response.headers["Cache-Control"] = "no-store"
    return response
