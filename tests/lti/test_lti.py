"""LTI 1.3 end to end against the platform emulator (``emulator.Platform``): registration,
launches that sign students in and open their set, refused launches with the reason on their
page, grade passback through AGS with the platform's own OAuth2 tokens, deep linking and the
NRPS roster import. Jobs run at once in tests (``JOBS_IMMEDIATE``), so a submission's score
post has reached the emulator when the submission's response comes back."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from exercises import db
from exercises.lti.models import LtiIdentity, LtiMember, LtiRegistration
from exercises.models import Enrollment, Job, Submission, User

from ..instructor.conftest import build_set, login, make_user, post_form, true_answers, variants_of
from .emulator import CLIENT_ID, INSTRUCTOR, LEARNER, NRPS_SCOPE, SCORE_SCOPE, Platform, new_member

TEACHER = "teacher@example.com"
REFUSAL = re.compile(r'id="refusal">(.*?)</p>', re.S)
FORM_ACTION = re.compile(r'<form id="lti-return" method="post" action="([^"]+)"')
JWT_VALUE = re.compile(r'name="JWT" value="([^"]+)"')


@pytest.fixture
def app(app):
    """No waiting between score retries; no pool top-ups (they would add jobs)."""
    app.config.update(LTI_RETRY_DELAYS=(0, 0), POOL_TOPUP="off")
    return app


@pytest.fixture
def platform():
    with Platform() as running:
        yield running


@pytest.fixture
def setup(app, platform):
    """A teacher who registered the emulated platform through the form, and a published set
    of one seed-network exercise (10 points); yields (teacher id, set id)."""
    teacher = make_user(app, TEACHER, name="Ada Teacher")
    client = app.test_client()
    login(client, TEACHER)
    response = post_form(client, "/instructor/lti/", platform.registration_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    platform.tool_keys = client.get("/lti/jwks.json").get_json()
    set_id = build_set(app, teacher, attempts=3)
    return teacher, set_id


def refusal(response) -> str:
    """The reason a refused launch's page gives."""
    found = REFUSAL.search(response.get_data(as_text=True))
    assert found, response.get_data(as_text=True)[:500]
    return html.unescape(found.group(1)).strip()


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(*where))


def test_the_registration_makes_a_key_the_jwks_publishes(app, setup, platform):
    with app.app_context():
        registration = db.session().scalar(select(LtiRegistration))
        assert (registration.issuer, registration.client_id, registration.deployment_ids) == \
            (platform.issuer, CLIENT_ID, ["deployment-1"])
        key_id = registration.key_id
    keys = platform.tool_keys["keys"]
    assert [key["kid"] for key in keys] == [key_id]
    assert keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and "d" not in keys[0]


@pytest.mark.parametrize("field, value, message", [
    ("jwks_url", "ftp://lms.example/jwks", "https://"),
    ("token_url", "http://lms.example/token", "https://"),
    ("deployment_ids", " , ", "deployment id"),
])
def test_a_bad_registration_is_refused_naming_the_field(app, platform, field, value, message):
    make_user(app, TEACHER)
    client = app.test_client()
    login(client, TEACHER)
    response = post_form(client, "/instructor/lti/",
                         {**platform.registration_form(), field: value})
    assert response.status_code == 422
    errors = re.findall(rf'<p class="field-error" id="{field}-error">(.*?)</p>',
                        response.get_data(as_text=True))
    assert errors and message in html.unescape(errors[0])
    assert count(app, LtiRegistration) == 0


def test_a_student_launch_makes_the_account_enrolls_and_opens_the_set(app, setup, platform):
    _teacher, set_id = setup
    client = app.test_client()
    response, _token, _state = platform.launch(client, "lms-student-1", [LEARNER],
                                               custom={"problem_set": set_id})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sets/{set_id}")
    cookie = next(v for k, v in response.headers.items()
                  if k == "Set-Cookie" and v.startswith("session="))
    assert "SameSite=None" in cookie and "Secure" in cookie
    assert f"frame-ancestors 'self' {platform.url}" in \
        response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    page = client.get(f"/sets/{set_id}")
    assert page.status_code == 200
    assert "Week 3: backprop by hand" in page.get_data(as_text=True)
    assert platform.url in page.headers["Content-Security-Policy"]
    with app.app_context():
        user = db.session().scalar(select(User).join(LtiIdentity).where(
            LtiIdentity.subject == "lms-student-1"))
        assert (user.role, user.name, user.email) == \
            ("student", "Student lms-student-1", "lms-student-1@school.example")
        assert db.session().scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.user_id == user.id, Enrollment.problem_set_id == set_id)) == 1
    again = app.test_client()
    assert platform.launch(again, "lms-student-1", [LEARNER],
                           custom={"problem_set": set_id})[0].status_code == 302
    assert count(app, LtiIdentity) == 1 and count(app, Enrollment) == 1


def test_pages_outside_an_lti_session_still_deny_framing(app, setup, platform):
    client = app.test_client()
    login(client, TEACHER)
    page = client.get("/instructor/lti/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    cookie = next(v for k, v in page.headers.items()
                  if k == "Set-Cookie" and v.startswith("session="))
    assert "SameSite=Lax" in cookie


def submit(client, set_id: str, exercise, answers: dict):
    return post_form(client, f"/sets/{set_id}/exercises/{exercise.id}", answers)


def student_id(app, sub: str) -> str:
    with app.app_context():
        return db.session().scalar(select(LtiIdentity.user_id)
                                   .where(LtiIdentity.subject == sub))


def test_a_submission_posts_the_best_score_with_a_token_the_platform_issued(app, setup,
                                                                             platform):
    _teacher, set_id = setup
    client = app.test_client()
    platform.launch(client, "lms-student-2", [LEARNER], custom={"problem_set": set_id})
    [variant] = variants_of(app, set_id, student_id(app, "lms-student-2"))
    right = true_answers(variant)
    assert submit(client, set_id, variant, right).status_code == 302
    # every field right: the whole item's 10 points, of the set's 10
    [first] = platform.scores
    assert (first["scoreGiven"], first["scoreMaximum"], first["userId"]) == \
        (10, 10, "lms-student-2")
    assert (first["activityProgress"], first["gradingProgress"]) == ("Completed", "FullyGraded")
    assert SCORE_SCOPE in platform.tokens[first["_token"]]
    assert platform.assertions[0]["aud"] == platform.url + "/token"
    wrong = {key: "0" for key in right}
    assert submit(client, set_id, variant, wrong).status_code == 302
    # a worse attempt: the best attempt still counts
    assert [(s["scoreGiven"], s["userId"]) for s in platform.scores] == \
        [(10, "lms-student-2"), (10, "lms-student-2")]
    # stamped in order, so a platform keeping the newest timestamp keeps the newest score
    assert platform.scores[0]["timestamp"] < platform.scores[1]["timestamp"]
    with app.app_context():
        assert db.session().scalars(select(Job.state).where(Job.kind == "lti_score")).all() \
            == ["done", "done"]


def test_a_platform_that_refuses_at_first_gets_the_score_on_a_retry(app, setup, platform):
    _teacher, set_id = setup
    client = app.test_client()
    platform.launch(client, "lms-student-3", [LEARNER], custom={"problem_set": set_id})
    [variant] = variants_of(app, set_id, student_id(app, "lms-student-3"))
    platform.refuse_scores = 2
    assert submit(client, set_id, variant, true_answers(variant)).status_code == 302
    assert platform.score_attempts == 3 and [s["scoreGiven"] for s in platform.scores] == [10]


def test_a_platform_that_never_takes_the_score_fails_the_job_not_the_submission(app, setup,
                                                                                platform):
    _teacher, set_id = setup
    client = app.test_client()
    platform.launch(client, "lms-student-4", [LEARNER], custom={"problem_set": set_id})
    [variant] = variants_of(app, set_id, student_id(app, "lms-student-4"))
    platform.refuse_scores = 10
    assert submit(client, set_id, variant, true_answers(variant)).status_code == 302
    assert platform.score_attempts == 3 and platform.scores == []
    assert count(app, Submission) == 1
    with app.app_context():
        job = db.session().scalar(select(Job).where(Job.kind == "lti_score"))
        assert job.state == "failed"
        assert job.error == "The score was not sent to the LMS: the platform answered 503."


def test_a_student_who_joined_with_a_code_posts_no_score(app, setup, platform):
    from ..instructor.conftest import join

    _teacher, set_id = setup
    user = make_user(app, "plain@example.com", role="student")
    join(app, set_id, user)
    client = app.test_client()
    login(client, "plain@example.com")
    [variant] = variants_of(app, set_id, user)
    assert submit(client, set_id, variant, true_answers(variant)).status_code == 302
    assert platform.scores == [] and count(app, Job, Job.kind == "lti_score") == 0


def test_a_replayed_id_token_is_refused(app, setup, platform):
    _teacher, set_id = setup
    client = app.test_client()
    first, token, state = platform.launch(client, "lms-student-5", [LEARNER],
                                          custom={"problem_set": set_id})
    assert first.status_code == 302
    replay = client.post("/lti/launch", data={"id_token": token, "state": state})
    assert replay.status_code == 401
    assert refusal(replay) == ("This launch token was already used; a launch cannot be "
                               "replayed. Open the activity from your course again.")


@pytest.mark.parametrize("options, reason", [
    ({"lifetime": -60}, "The launch token has expired. Open the activity from your course "
                        "again."),
    ({"nonce": "a-nonce-this-tool-never-issued"},
     "The launch token's nonce does not match a login started here."),
    ({"extra": {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "deployment-9"}},
     "This deployment is not registered for the platform."),
    ({"signed_by_stranger": True},
     "The launch token's signature does not verify with the platform's keys."),
])
def test_a_bad_launch_is_refused_with_the_reason(app, setup, platform, options, reason):
    from cryptography.hazmat.primitives.asymmetric import rsa

    _teacher, set_id = setup
    if options.pop("signed_by_stranger", False):
        options["key"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = app.test_client()
    response, _token, _state = platform.launch(client, "lms-student-6", [LEARNER],
                                               custom={"problem_set": set_id}, **options)
    assert response.status_code == 401
    assert refusal(response) == reason
    assert count(app, LtiIdentity) == 0 and count(app, Enrollment) == 0


def test_a_launch_without_the_login_state_is_refused(app, setup, platform):
    _teacher, set_id = setup
    _response, state, nonce = platform.login(app.test_client(), "lms-student-7")
    token = platform.id_token(nonce, "lms-student-7", [LEARNER], custom={"problem_set": set_id})
    stranger = app.test_client()  # another browser: no state cookie
    response = stranger.post("/lti/launch", data={"id_token": token, "state": state})
    assert response.status_code == 401
    assert "its state is unknown" in refusal(response)


def test_a_launch_naming_no_set_says_which_parameter_is_missing(app, setup, platform):
    response, _token, _state = platform.launch(app.test_client(), "lms-student-8", [LEARNER])
    assert response.status_code == 400
    assert "problem_set=" in refusal(response)


def test_the_owner_launching_as_instructor_opens_the_gradebook(app, setup, platform):
    _teacher, set_id = setup
    client = app.test_client()
    response, _token, _state = platform.launch(
        client, "lms-teacher", [INSTRUCTOR], custom={"problem_set": set_id},
        extra={"email": TEACHER})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/instructor/sets/{set_id}/gradebook")
    assert client.get(f"/instructor/sets/{set_id}/gradebook").status_code == 200


def test_another_lms_instructor_cannot_open_the_owners_account(app, setup, platform):
    _teacher, set_id = setup
    response, _token, _state = platform.launch(
        app.test_client(), "lms-co-teacher", [INSTRUCTOR], custom={"problem_set": set_id},
        extra={"email": "someone.else@school.example"})
    assert response.status_code == 403
    assert refusal(response).startswith("Only the instructor who registered this platform")


def test_deep_linking_returns_a_response_the_platform_verifies(app, setup, platform):
    _teacher, set_id = setup
    client = app.test_client()
    response, _token, _state = platform.launch(
        client, "lms-teacher", [INSTRUCTOR], message_type="LtiDeepLinkingRequest",
        extra={"email": TEACHER})
    assert response.status_code == 200
    picker = response.get_data(as_text=True)
    assert "Week 3: backprop by hand" in picker
    launch_id = re.search(r'name="launch_id" value="([^"]+)"', picker).group(1)
    answer = client.post("/lti/deep-link", data={"launch_id": launch_id, "problem_set": set_id})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert html.unescape(FORM_ACTION.search(page).group(1)) == platform.url + "/deep-link-return"
    assert f"form-action 'self' {platform.url}" in answer.headers["Content-Security-Policy"]
    claims = platform.verify_deep_link(JWT_VALUE.search(page).group(1))
    lti = "https://purl.imsglobal.org/spec/lti/claim/"
    assert claims[lti + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[lti + "deployment_id"] == "deployment-1"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    [item] = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"problem_set": set_id}
    assert item["lineItem"]["scoreMaximum"] == 10
    assert item["url"].endswith("/lti/launch")
    again = client.post("/lti/deep-link", data={"launch_id": launch_id, "problem_set": set_id})
    assert again.status_code == 400


def test_the_roster_import_enrolls_the_course_s_active_learners(app, setup, platform):
    _teacher, set_id = setup
    client = app.test_client()
    platform.launch(client, "lms-teacher", [INSTRUCTOR], custom={"problem_set": set_id},
                    extra={"email": TEACHER})
    platform.members = [new_member("nrps-a"), new_member("nrps-b"),
                        new_member("nrps-teacher", role=INSTRUCTOR),
                        new_member("nrps-gone", status="Inactive")]
    owner = app.test_client()
    login(owner, TEACHER)
    page = owner.get("/instructor/lti/").get_data(as_text=True)
    action = re.search(r'action="(/instructor/lti/links/[^"]+/roster)"', page).group(1)
    response = post_form(owner, action, {}, form_page="/instructor/lti/", follow_redirects=True)
    assert "2 students of the course are in the set (4 people listed by the platform)." in \
        html.unescape(response.get_data(as_text=True))
    with app.app_context():
        enrolled = db.session().scalars(
            select(LtiIdentity.subject).join(Enrollment, Enrollment.user_id == LtiIdentity.user_id)
            .where(Enrollment.problem_set_id == set_id).order_by(LtiIdentity.subject)).all()
    assert enrolled == ["nrps-a", "nrps-b"]
    assert count(app, LtiMember) == 2
    assert any(NRPS_SCOPE in scopes for scopes in platform.tokens.values())


def test_the_lti_page_counts_the_scores_sent_and_refused(app, setup, platform):
    _teacher, set_id = setup
    client = app.test_client()
    platform.launch(client, "lms-student-9", [LEARNER], custom={"problem_set": set_id})
    [variant] = variants_of(app, set_id, student_id(app, "lms-student-9"))
    submit(client, set_id, variant, true_answers(variant))
    platform.refuse_scores = 10
    submit(client, set_id, variant, true_answers(variant))
    owner = app.test_client()
    login(owner, TEACHER)
    page = html.unescape(owner.get("/instructor/lti/").get_data(as_text=True))
    row = re.search(r'<table class="values listing" id="links">.*?<tbody>(.*?)</tbody>', page,
                    re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells[:4] == ["Neural Networks", "Week 3: backprop by hand", "1",
                         "yes: 1 scores sent, 1 not accepted"]


def test_a_refused_launch_says_why_in_korean(app, setup, platform):
    _teacher, set_id = setup
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    response, _token, _state = platform.launch(client, "lms-student-10", [LEARNER],
                                               custom={"problem_set": set_id}, lifetime=-60)
    assert response.status_code == 401
    assert refusal(response) == "실행 토큰이 만료되었습니다. 강좌에서 활동을 다시 여세요."


def test_another_registration_claiming_the_same_issuer_cannot_reach_its_accounts(app, setup,
                                                                                 platform):
    """Accounts belong to the registration whose keys vouched for them: a second registration
    of the same issuer (another client id, its own keys) gets an account of its own."""
    teacher, set_id = setup
    client = app.test_client()
    assert platform.launch(client, "victim", [LEARNER],
                           custom={"problem_set": set_id})[0].status_code == 302
    with Platform(issuer=platform.issuer, client_id="intruder") as intruder:
        intruder_teacher = make_user(app, "intruder@example.com")
        other = app.test_client()
        login(other, "intruder@example.com")
        assert post_form(other, "/instructor/lti/",
                         intruder.registration_form()).status_code == 302
        own_set = build_set(app, intruder_teacher)
        response = intruder.launch(app.test_client(), "victim", [LEARNER],
                                   custom={"problem_set": own_set})[0]
        assert response.status_code == 302
    with app.app_context():
        accounts = db.session().scalars(select(LtiIdentity.user_id)
                                        .where(LtiIdentity.subject == "victim")).all()
    assert len(set(accounts)) == 2  # the intruder's "victim" is a new account, not the real one


def test_after_an_override_the_instructor_sends_the_scores_again(app, setup, platform):
    from exercises.instructor import records
    from exercises.models import ProblemSetItem

    teacher, set_id = setup
    client = app.test_client()
    platform.launch(client, "lms-student-11", [LEARNER], custom={"problem_set": set_id})
    student = student_id(app, "lms-student-11")
    [variant] = variants_of(app, set_id, student)
    submit(client, set_id, variant, true_answers(variant))
    with app.app_context():
        item = db.session().scalar(select(ProblemSetItem.id)
                                   .where(ProblemSetItem.problem_set_id == set_id))
        records.override(set_id, student, item, 4.0, "late work", teacher, 10)
    owner = app.test_client()
    login(owner, TEACHER)
    page = owner.get("/instructor/lti/").get_data(as_text=True)
    action = re.search(r'action="(/instructor/lti/links/[^"]+/scores)"', page).group(1)
    response = post_form(owner, action, {}, form_page="/instructor/lti/", follow_redirects=True)
    assert "1 scores queued for the LMS." in response.get_data(as_text=True)
    # the override (4 of the item's 10 points) replaces the best attempt's 10
    assert [(s["scoreGiven"], s["scoreMaximum"]) for s in platform.scores] == [(10, 10), (4, 10)]
    cells = re.findall(r"<td>(.*?)</td>", html.unescape(response.get_data(as_text=True)), re.S)
    assert any("yes: 2 scores sent, 0 not accepted" in cell for cell in cells)
