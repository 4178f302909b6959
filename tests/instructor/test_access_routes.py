"""Every instructor and student-set route, found in the app's URL map (so a new route is
checked without anyone listing it), by direct URL with each kind of caller who may not use
it: anonymous → the login page, a student → 403 (instructor pages) or 404 (someone else's
variant or submission, a set not joined), another instructor → 404 (the set is not theirs).
POSTs carry a valid CSRF token, so it is the access check that refuses them, and a refused
POST changes nothing."""
from __future__ import annotations

import re

import pytest

from exercises import db, submissions
from exercises.instructor import tokens
from exercises.lti import registrations as lti_registrations
from exercises.lti.models import LtiResourceLink
from exercises.models import Job, ProblemSetItem

from ..exercises.robustness import row_counts
from .conftest import build_set, csrf_token, join, login, make_user, true_answers, variants_of

GUARDED = re.compile(r"^/(instructor|sets)/")


@pytest.fixture
def scene(app, instructor):
    """A published set of the teacher's: Alice and Bob joined, Alice submitted once; Carol is
    a student who did not join; the teacher has an API token."""
    set_id = build_set(app, instructor, pool_size=3)
    alice = make_user(app, "alice@example.com", "student", "Alice")
    bob = make_user(app, "bob@example.com", "student", "Bob")
    make_user(app, "carol@example.com", "student", "Carol")
    make_user(app, "other@example.com", "instructor", "Other Teacher")
    join(app, set_id, alice)
    join(app, set_id, bob)
    (variant,) = variants_of(app, set_id, alice)
    (bobs,) = variants_of(app, set_id, bob)
    with app.app_context():
        submission = submissions.submit(variant.id, true_answers(variant), user_id=alice)["id"]
        item = db.session().query(ProblemSetItem).filter_by(problem_set_id=set_id).one().id
        lms = "https://lms.example"
        registration = lti_registrations.create(instructor, lti_registrations.PlatformFields(
            lms, "client", ("deployment",), lms + "/auth", lms + "/token", lms + "/jwks"))
        with db.write_transaction() as sess:
            link = LtiResourceLink(registration_id=registration.id, resource_link_id="link",
                                   problem_set_id=set_id, ags_scopes=[],
                                   memberships_url=lms + "/memberships")
            sess.add(link)
            sess.flush()
            ids = {"registration_id": registration.id, "link_id": link.id}
        tokens.create(instructor, "script")
        (token,) = tokens.listed(instructor)
        job = db.session().query(Job).filter_by(target=set_id).first()
    return {**ids,
            "job_id": job.id if job else "AAAAAAAAAAAAAAAAAAAAAA", "set_id": set_id, "item_id": item, "user_id": alice, "exercise_id": variant.id,
            "submission_id": submission, "token_id": token.id, "index": 0, "name": "grades",
            "action": "up", "bobs_variant": f"/sets/{set_id}/exercises/{bobs.id}"}


def guarded_routes(app, scene):
    """(method, url) of every instructor and student-set route, filled in with the scene."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not GUARDED.match(rule.rule):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(scene[name]), url)
        routes += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def _call(client, method, url, token):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token, "due_at": "2030-01-01T00:00",
                                  "password": "a new password", "name": "x", "title": "x",
                                  "score": "0", "reason": "x", "ecf_credit": "1",
                                  "pool_size": "1", "tolerance_mode": "relabs",
                                  "action": "apply", "template_id": "seed-2-2-2"})


def test_every_guarded_route_sends_an_anonymous_caller_to_the_login_page(app, client, scene):
    token = csrf_token(client, "/login")
    before = row_counts(app)
    for method, url in guarded_routes(app, scene):
        response = _call(client, method, url, token)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.location.startswith("/login"), (method, url)
    assert row_counts(app) == before


@pytest.mark.parametrize("email", ["bob@example.com", "carol@example.com"])
def test_a_student_gets_403_on_instructor_routes_and_404_on_what_is_not_theirs(
        app, client, scene, email):
    login(client, email)
    token = csrf_token(client, "/sets/")
    own = {f"/sets/{scene['set_id']}"} if email.startswith("bob") else set()
    before = row_counts(app)
    for method, url in guarded_routes(app, scene):
        response = _call(client, method, url, token)
        if url.startswith("/instructor/"):
            expected = 403
        elif own and (method, url) == ("POST", f"/sets/{scene['set_id']}/start"):
            expected = 303  # Bob's own set: untimed, so starting it changes nothing
        else:
            expected = 200 if url in own | {"/sets/"} else 404
        assert response.status_code == expected, (email, method, url, response.status_code)
    assert row_counts(app) == before


def test_another_instructor_gets_404_on_the_set_and_403_on_student_pages(app, client, scene,
                                                                        instructor):
    login(client, "other@example.com")
    token = csrf_token(client, "/instructor/")
    own = {"/instructor/", "/instructor/tokens", "/instructor/sets/new", "/instructor/lti/"}
    before = row_counts(app)
    for method, url in guarded_routes(app, scene):
        response = _call(client, method, url, token)
        if url.startswith("/sets/"):
            expected = {403}
        elif url in own:
            expected = {200, 302, 422}  # their own pages (a new set, a token) work
        elif url.endswith("/revoke"):
            expected = {302}  # revoking someone else's token does nothing, like a stale link
        else:
            expected = {404}
        assert response.status_code in expected, (method, url, response.status_code)
    grew = {name: count for name, count in row_counts(app).items() if count != before[name]}
    assert set(grew) <= {"problem_sets", "access_tokens"}  # made on their own pages
    with app.app_context():
        assert [t.revoked_at for t in tokens.listed(instructor)] == [None]


def test_a_logged_in_browser_session_is_no_key_to_the_export_api(app, client, scene):
    login(client, "teacher@example.com")
    for name in ("grades", "submissions", "traces", "answer-key", "canvas"):
        response = client.get(f"/api/v1/problem-sets/{scene['set_id']}/exports/{name}.csv")
        assert response.status_code == 401 and response.is_json  # bearer tokens only


POST_FORM = re.compile(r"<form\b[^>]*\bmethod=\"post\"[^>]*>(.*?)</form>", re.S | re.I)


def test_every_form_on_every_page_carries_a_csrf_token(app, client, scene):
    """SPEC §7: every POST form of every page a teacher, a student or a visitor can open."""
    pages = {"/", "/practice", "/trace", "/login", "/join", "/practice/new?seed=1"}
    bobs = {"/sets/", f"/sets/{scene['set_id']}", scene["bobs_variant"],
            scene["bobs_variant"] + "/solution"}
    callers = [(None, pages), ("bob@example.com", bobs), ("teacher@example.com", set())]
    forms = 0
    for email, urls in callers:
        if email:
            login(client, email)
        if email == "teacher@example.com":
            urls = {url for method, url in guarded_routes(app, scene)
                    if method == "GET" and url.startswith("/instructor/")
                    and not url.endswith(".csv")}
        for url in urls:
            response = client.get(url, follow_redirects=True)
            for form in POST_FORM.findall(response.get_data(as_text=True)):
                forms += 1
                assert 'name="csrf_token"' in form, (email, url, form[:200])
    assert forms > 20
