"""What a request can cost: the row budget of traces by who asks (refused before any work, or
streamed), the expiry of anonymous practice exercises, and the service's hygiene: a 503 when the
database is gone, /healthz that says nothing more, private SQLite files, long secret keys,
no-store on answers, HSTS and trusted proxies."""
from __future__ import annotations

import json
import os
import stat
import tracemalloc
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

import tracer
from exercises import accounts, config, create_app, db
from exercises.instructor import tokens
from exercises.models import Exercise, StoredTrace, Submission, TraceValue, utcnow

MILLION_ROWS = {"layers": [10, 10, 10],
                "weights": [[[0.01 * ((i + j) % 7 - 3) for j in range(10)] for i in range(10)]] * 2,
                "inputs": [0.5] * 10, "targets": [0.5] * 10, "learning_rate": 0.1,
                "optimizer": "adam", "iterations": 820}
SMALL = {"layers": [2, 2, 1], "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]],
         "inputs": [1.0, 2.0], "targets": [0.5], "learning_rate": 0.1}


def test_an_anonymous_million_row_trace_is_refused_with_a_small_answer_and_little_memory(client):
    assert tracer.row_count(tracer.normalize(MILLION_ROWS)) >= 1_000_000
    tracemalloc.start()
    try:
        response = client.post("/api/v1/traces", json=MILLION_ROWS)
        body = response.get_data()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 422
    assert len(body) < 1024
    error = response.get_json()["error"]
    assert "the limit for a request without a login is 100000" in error
    assert peak < 200 * 1024 * 1024


def test_a_signed_in_instructor_gets_more_rows_than_anonymous_callers_streamed(app, client):
    app.config["TRACE_ROWS_ANONYMOUS"] = 50
    spec = {**SMALL, "iterations": 3}
    rows = tracer.row_count(tracer.normalize(spec))
    assert rows > 50
    refused = client.post("/api/v1/traces", json=spec)
    assert refused.status_code == 422 and "50" in refused.get_json()["error"]
    with app.app_context():
        teacher = accounts.create_user("prof@example.com", "Prof", "a long passphrase", "instructor")
        token = tokens.create(teacher.id, "scripts")
    served = client.post("/api/v1/traces", json=spec, headers={"Authorization": f"Bearer {token}"})
    assert served.status_code == 200 and served.is_streamed
    document = json.loads(served.get_data())
    assert len(document["steps"]) == rows
    assert document == json.loads(tracer.trace(spec).to_json())


def test_the_trace_page_renders_a_bounded_walkthrough_and_offers_the_downloads(client,
                                                                               monkeypatch):
    monkeypatch.setattr("exercises.web.trace_tool.PAGE_ROWS", 20)
    page = client.get("/trace").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0] \
        if 'name="csrf_token" type="hidden" value="' in page else \
        page.split('name="csrf_token" value="')[1].split('"')[0]
    form = {"spec": json.dumps(SMALL), "csrf_token": token}
    shown = client.post("/trace", data=form)
    assert shown.status_code == 422
    assert "too many to show on a page" in shown.get_data(as_text=True)
    download = client.post("/trace.csv", data=form)
    assert download.status_code == 200 and download.is_streamed
    assert len(download.get_data(as_text=True).splitlines()) == 1 + tracer.row_count(
        tracer.normalize(SMALL))


def _practice(client, seed):
    created = client.post("/api/v1/practice", json={"seed": seed}).get_json()
    return created["id"], created["token"]


def _age(app, exercise_id, days):
    with app.app_context(), db.write_transaction() as sess:
        sess.execute(update(Exercise).where(Exercise.id == exercise_id).values(
            created_at=utcnow() - timedelta(days=days)))


def test_anonymous_practice_unused_for_30_days_is_deleted_with_its_trace(app, client, runner):
    old, _ = _practice(client, 1)
    old_but_used, token = _practice(client, 2)
    recent, _ = _practice(client, 3)
    for exercise_id in (old, old_but_used):
        _age(app, exercise_id, 45)
    answered = client.post(f"/api/v1/exercises/{old_but_used}/submissions",
                           json={"answers": {}}, headers={"Authorization": f"Bearer {token}"})
    assert answered.status_code == 201
    result = runner.invoke(args=["expire-practice"])
    assert result.exit_code == 0 and "deleted 1 practice exercise" in result.output
    with app.app_context():
        sess = db.session()
        left = set(sess.scalars(select(Exercise.id)))
        assert left == {old_but_used, recent}
        traces = sess.scalar(select(func.count()).select_from(StoredTrace))
        assert traces == 2
        orphans = sess.scalar(select(func.count()).select_from(TraceValue).where(
            ~TraceValue.trace_id.in_(select(StoredTrace.id))))
        assert orphans == 0
        assert sess.scalar(select(func.count()).select_from(Submission)) == 1
    assert runner.invoke(args=["expire-practice", "--days", "0"]).exit_code == 2  # 1 or more


def _exercises(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Exercise))


def test_a_get_of_practice_new_never_writes(app, client):
    start = client.get("/practice/new?seed=11")
    assert start.status_code == 200 and "Start this exercise" in start.get_data(as_text=True)
    assert _exercises(app) == 0
    token = start.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    made = client.post("/practice/new?seed=11", data={"csrf_token": token})
    assert made.status_code == 302 and _exercises(app) == 1
    again = client.get("/practice/new?seed=11")
    assert again.headers["Location"] == made.headers["Location"]
    assert _exercises(app) == 1
    assert client.post("/practice/new?seed=12").status_code == 400  # no CSRF token: nothing
    assert _exercises(app) == 1


def test_without_a_login_a_practice_network_is_small(app, client):
    refused = client.post("/api/v1/practice", json={"layers": [4, 4, 4], "seed": 1})
    assert refused.status_code == 422
    assert "at most 24 weights" in refused.get_json()["fields"]["layers"]
    assert client.post("/api/v1/practice", json={"layers": [3, 4, 3], "seed": 1}).status_code == 201


def test_a_lost_database_answers_503_not_500(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "s" * 32,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite3"})
    client = app.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json() == {"status": "unavailable"}
    api = client.post("/api/v1/practice", json={"seed": 1})
    assert api.status_code == 503 and "database" in api.get_json()["error"]
    assert api.headers["Retry-After"]
    page = client.get("/exercises/AAAAAAAAAAAAAAAAAAAAAA")
    assert page.status_code == 503 and "try again" in page.get_data(as_text=True)


def test_healthz_says_only_ok(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    from exercises import migrate

    migrate.upgrade(f"sqlite:///{path}")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.chmod(path, 0o644)
    db.make_engine(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize("key", [" ", "short", "x" * 31])
def test_a_short_secret_key_is_refused(tmp_path, monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(config.ConfigError, match="at least 32 bytes"):
        config.load(str(tmp_path))


def test_answers_are_never_cached(client):
    token = client.get("/practice/new?seed=4").get_data(as_text=True).split(
        'name="csrf_token" value="')[1].split('"')[0]
    exercise = client.post("/practice/new?seed=4", data={"csrf_token": token}).headers["Location"]
    solution = client.get(exercise + "/solution")
    assert solution.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/exercises/nope").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_hsts_only_behind_https(database_url):
    plain = create_app({"TESTING": True, "SECRET_KEY": "s" * 32, "DATABASE_URL": database_url})
    secure = create_app({"TESTING": True, "SECRET_KEY": "s" * 32, "DATABASE_URL": database_url,
                         "SESSION_COOKIE_SECURE": True})
    assert "Strict-Transport-Security" not in plain.test_client().get("/").headers
    assert "max-age" in secure.test_client().get("/").headers["Strict-Transport-Security"]
    for app in (plain, secure):
        app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("proxies, seen", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_client_address_comes_from_trusted_proxies_only(database_url, proxies, seen):
    app = create_app({"TESTING": True, "SECRET_KEY": "s" * 32, "DATABASE_URL": database_url,
                      "TRUSTED_PROXIES": proxies})

    @app.get("/whoami")
    def whoami():
        from flask import request

        return request.remote_addr

    answer = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.get_data(as_text=True) == seen
    app.extensions["db_engine"].dispose()
