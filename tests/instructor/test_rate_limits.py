"""Rate limits: logins per account and per address, sign-ups, join codes, instructor password
resets, traces and practice exercises without a login. A refused request answers 429 with
Retry-After, as JSON under /api/ and as a page elsewhere.

Every test runs with the counters in memory and in Redis (``TEST_REDIS_URL``, default DB 5 on
the loopback server, a fresh key prefix per test); the Redis runs skip on a machine without
one, except under CI=true, where they must run. No test waits for a window to pass: "the
window passed" is the counters cleared, which is what their expiry does.
"""
from __future__ import annotations

import os
import uuid

import pytest

from exercises import create_app
from exercises.instructor import tokens
from exercises.limits import limiter

from ..web.conftest import start_practice
from .conftest import PASSWORD, build_set, csrf_token, make_user

IN_CI = os.environ.get("CI") == "true"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
UNRELATED = {"layers": [2, 1], "weights": [[[0.1, 0.2]]], "inputs": [1.0, 2.0],
             "targets": [0.5], "learning_rate": 0.1}


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["memory", "redis"])
def storage(request) -> str:
    if request.param == "memory":
        return "memory://"
    if not redis_answers(REDIS_URL):
        if IN_CI:
            pytest.fail(f"Redis at {REDIS_URL} does not answer under CI=true")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def limited_app(database_url: str, storage: str, **limits):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                      "SECRET_KEY": "rate-limit-tests-secret-key-32-bytes",
                      "RATELIMIT_STORAGE_URI": storage,
                      "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", **limits})
    app.config["POOL_TOPUP"] = "off"
    return app


@pytest.fixture
def app(database_url, storage, request):
    marker = request.node.get_closest_marker("limits")
    application = limited_app(database_url, storage, **(marker.kwargs if marker else {}))
    yield application
    application.extensions["db_session"].remove()
    application.extensions["db_engine"].dispose()


def log_in(client, email, password, token):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token})


def assert_refused(response, api=False):
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    if api:
        assert "try again in" in response.get_json()["error"]
    else:
        assert "Too many attempts" in response.get_data(as_text=True)


def test_the_41st_wrong_password_in_a_minute_is_refused_and_so_is_the_right_one(app, client):
    make_user(app, "victim@example.com")
    token = csrf_token(client, "/login")
    for attempt in range(40):
        response = log_in(client, "victim@example.com", f"guess number {attempt}", token)
        assert response.status_code == 200, attempt  # the form again, "do not match"
    assert_refused(log_in(client, "victim@example.com", "guess number 40", token))
    assert_refused(log_in(client, "VICTIM@example.com ", PASSWORD, token))
    limiter.reset()  # the window passes
    assert log_in(client, "victim@example.com", PASSWORD, token).status_code == 302


@pytest.mark.limits(RATELIMIT_LOGIN_ACCOUNT="3 per minute")
def test_successful_logins_do_not_count_and_another_account_is_unaffected(app, client):
    make_user(app, "busy@example.com")
    make_user(app, "bystander@example.com")
    token = csrf_token(client, "/login")
    for _ in range(5):
        assert log_in(client, "busy@example.com", PASSWORD, token).status_code == 302
        token = csrf_token(client, "/login")
    for _ in range(3):
        assert log_in(client, "busy@example.com", "not the password", token).status_code == 200
    assert_refused(log_in(client, "busy@example.com", PASSWORD, token))
    assert log_in(client, "bystander@example.com", PASSWORD, token).status_code == 302


@pytest.mark.limits(RATELIMIT_LOGIN_ADDRESS="4 per minute")
def test_one_address_guessing_across_accounts_is_refused(app, client):
    token = csrf_token(client, "/login")
    for n in range(4):
        assert log_in(client, f"user{n}@example.com", "wrong password", token).status_code == 200
    assert_refused(log_in(client, "user9@example.com", "wrong password", token))
    other = app.test_client()
    other_token = csrf_token(other, "/login")
    response = other.post("/login", data={"email": "user9@example.com", "password": "wrong",
                                          "csrf_token": other_token},
                          environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 200  # another address has its own count


@pytest.mark.limits(RATELIMIT_SIGNUP="2 per minute")
def test_sign_ups_are_limited(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=3)
    with app.app_context():
        from exercises import db
        from exercises.models import ProblemSet

        code = db.session().get(ProblemSet, set_id).join_code
    for n in range(2):
        fresh = app.test_client()
        token = csrf_token(fresh, f"/join/{code}")
        response = fresh.post(f"/join/{code}/signup", data={
            "name": f"S{n}", "email": f"s{n}@example.com", "password": PASSWORD,
            "csrf_token": token})
        assert response.status_code == 302
    token = csrf_token(client, f"/join/{code}")
    assert_refused(client.post(f"/join/{code}/signup", data={
        "name": "S9", "email": "s9@example.com", "password": PASSWORD, "csrf_token": token}))


@pytest.mark.limits(RATELIMIT_JOIN="3 per minute")
def test_guessing_join_codes_is_refused_after_a_few_misses(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=1)
    with app.app_context():
        from exercises import db
        from exercises.models import ProblemSet

        code = db.session().get(ProblemSet, set_id).join_code
    for _ in range(3):
        assert client.get(f"/join/{code}").status_code == 200  # a right code costs nothing
    for guess in ("AAAA1111", "BBBB2222", "CCCC3333"):
        assert client.get(f"/join/{guess}").status_code == 404
    assert_refused(client.get("/join/DDDD4444"))
    assert_refused(client.get(f"/join/{code}"))


@pytest.mark.limits(RATELIMIT_TRACE="3 per minute")
def test_traces_without_a_login_are_limited_but_not_an_instructors(app, client, instructor):
    for _ in range(3):
        assert client.post("/api/v1/traces", json=UNRELATED).status_code == 200
    assert_refused(client.post("/api/v1/traces", json=UNRELATED), api=True)
    token = csrf_token(client, "/trace")
    assert_refused(client.post("/trace", data={"spec": "{}", "csrf_token": token}))
    with app.app_context():
        personal = tokens.create(instructor, "scripts")
    for _ in range(5):
        assert client.post("/api/v1/traces", json=UNRELATED, headers={
            "Authorization": f"Bearer {personal}"}).status_code == 200


@pytest.mark.limits(RATELIMIT_PRACTICE="2 per minute")
def test_practice_exercises_without_a_login_are_limited(app, client):
    assert client.post("/api/v1/practice", json={"seed": 1}).status_code == 201
    assert start_practice(client, "/practice/new?seed=2").status_code == 302
    assert_refused(client.post("/api/v1/practice", json={"seed": 3}), api=True)
    start = client.get("/practice/new?seed=4")
    assert start.status_code == 200  # the start page makes nothing, so it costs nothing
    assert_refused(client.post("/practice/new?seed=4", data={
        "csrf_token": csrf_token(client, "/practice/new?seed=4")}))


@pytest.mark.limits(RATELIMIT_PRACTICE="1 per minute")
def test_the_refusal_is_in_korean_for_a_korean_reader(app, client):
    client.post("/api/v1/practice", json={"seed": 1})
    response = client.post("/api/v1/practice", json={"seed": 1},
                           headers={"Accept-Language": "ko"})
    assert response.status_code == 429 and "초" in response.get_json()["error"]


@pytest.mark.limits(RATELIMIT_PASSWORD_RESET="2 per minute")
def test_an_instructors_password_resets_are_limited(app, client, instructor):
    from .conftest import join, login

    set_id = build_set(app, instructor, pool_size=2)
    student = make_user(app, "pupil@example.com", role="student")
    join(app, set_id, student)
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{set_id}/students/{student}"
    url = page + "/password"
    for n in range(2):
        response = client.post(url, data={"password": f"a new password {n}",
                                          "csrf_token": csrf_token(client, page)})
        assert response.status_code == 302
    assert_refused(client.post(url, data={"password": "a new password 9",
                                          "csrf_token": csrf_token(client, page)}))
