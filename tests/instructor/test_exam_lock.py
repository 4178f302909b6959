"""While an exam is open, its students get no trace or practice solution at all, and (unless the
instructor turns it off for the set) nobody without a login does; the refusal says when
tracing reopens. Signed-in users outside the exam trace as before."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from exercises import db
from exercises.instructor import tokens
from exercises.models import ProblemSet

from ..web.conftest import start_practice
from .conftest import build_set, csrf_token, join, login, make_user

UNRELATED = {"layers": [2, 2, 1], "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]],
             "inputs": [1.0, 2.0], "targets": [0.5], "learning_rate": 0.1}
DUE = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0) + timedelta(hours=3)
DUE_SHOWN = DUE.strftime("%Y-%m-%d %H:%M UTC")


def trace_page(client, spec=UNRELATED):
    return client.post("/trace", data={"spec": json.dumps(spec),
                                       "csrf_token": csrf_token(client, "/trace")})


def practice_solution(client):
    """Open a practice exercise in the browser, then ask for its solution."""
    exercise = start_practice(client, "/practice/new?seed=5")
    assert exercise.status_code == 302, exercise.status_code
    return client.get(exercise.headers["Location"] + "/solution")


def test_without_a_login_nothing_is_traced_until_the_exam_closes(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=1, exam_mode=True, due_at=DUE)
    api = client.post("/api/v1/traces", json=UNRELATED)
    assert api.status_code == 403
    assert f"they reopen to everyone at {DUE_SHOWN}" in api.get_json()["error"]
    page = trace_page(client)
    assert page.status_code == 422 and DUE_SHOWN in page.get_data(as_text=True)
    solution = practice_solution(client)
    assert solution.status_code == 403 and DUE_SHOWN in solution.get_data(as_text=True)
    created = client.post("/api/v1/practice", json={"seed": 3}).get_json()
    api_solution = client.get(f"/api/v1/exercises/{created['id']}/solution",
                              headers={"Authorization": f"Bearer {created['token']}"})
    assert api_solution.status_code == 403
    with app.app_context():
        with db.write_transaction() as sess:
            sess.execute(update(ProblemSet).where(ProblemSet.id == set_id).values(
                due_at=datetime.now(UTC) - timedelta(minutes=1)))
    assert client.post("/api/v1/traces", json=UNRELATED).status_code == 200
    assert trace_page(client).status_code == 200
    assert practice_solution(client).status_code == 200


def test_an_exam_without_a_due_date_says_it_reopens_when_the_exam_closes(app, client,
                                                                         instructor):
    build_set(app, instructor, pool_size=1, exam_mode=True)
    response = client.post("/api/v1/traces", json=UNRELATED)
    assert response.status_code == 403
    assert "reopen to everyone when the exam closes" in response.get_json()["error"]


def test_the_message_is_in_korean_for_a_korean_reader(app, client, instructor):
    build_set(app, instructor, pool_size=1, exam_mode=True, due_at=DUE)
    response = client.post("/api/v1/traces", json=UNRELATED,
                           headers={"Accept-Language": "ko"})
    assert response.status_code == 403 and "시험" in response.get_json()["error"]


def test_the_instructor_can_leave_the_trace_tool_open(app, client, instructor):
    build_set(app, instructor, pool_size=1, exam_mode=True, due_at=DUE, lock_trace_tool=False)
    assert client.post("/api/v1/traces", json=UNRELATED).status_code == 200
    assert trace_page(client).status_code == 200


def test_a_draft_or_non_exam_set_locks_nothing(app, client, instructor):
    build_set(app, instructor, pool_size=1, exam_mode=True, publish=False)
    build_set(app, instructor, pool_size=1, exam_mode=False)
    assert client.post("/api/v1/traces", json=UNRELATED).status_code == 200


def test_signed_in_users_outside_the_exam_still_trace(app, client, instructor):
    build_set(app, instructor, pool_size=1, exam_mode=True, due_at=DUE)
    make_user(app, "other@example.com", role="student")
    login(client, "other@example.com")
    assert trace_page(client).status_code == 200
    assert practice_solution(client).status_code == 200
    with app.app_context():
        token = tokens.create(instructor, "scripts")
    api = client.post("/api/v1/traces", json=UNRELATED,
                      headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200


def test_a_student_taking_the_exam_gets_no_trace_or_solution_at_all(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2, exam_mode=True, due_at=DUE,
                       lock_trace_tool=False)
    student = make_user(app, "taker@example.com", role="student")
    join(app, set_id, student)
    login(client, "taker@example.com")
    page = trace_page(client)
    assert page.status_code == 422
    assert "You are taking an exam that is still open" in page.get_data(as_text=True)
    assert client.post("/trace.csv", data={"spec": json.dumps(UNRELATED),
                                           "csrf_token": csrf_token(client, "/trace")}
                       ).status_code == 422
    assert practice_solution(client).status_code == 403
