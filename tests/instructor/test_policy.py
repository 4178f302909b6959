"""The set's rules on the student's exercise page: due dates and extensions, attempt limits,
and each reveal policy for the worked solution. Nothing shows an expected value early."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exercises import submissions
from exercises.instructor import records

from .conftest import build_set, csrf_token, join, login, make_user, post_form, true_answers, variants_of

PAST = datetime.now(UTC).replace(tzinfo=None, microsecond=0) - timedelta(hours=1)
FUTURE = PAST + timedelta(days=2)


def _student_in(app, client, instructor, **settings):
    set_id = build_set(app, instructor, pool_size=1, **settings)
    student = make_user(app, "s@example.com", "student")
    join(app, set_id, student)
    (variant,) = variants_of(app, set_id, student)
    login(client, "s@example.com")
    return set_id, student, variant


def test_the_exercise_page_shows_the_sets_attempts_and_no_answer(app, client, instructor):
    set_id, _student, variant = _student_in(app, client, instructor, attempts=2)
    page = client.get(f"/sets/{set_id}/exercises/{variant.id}").get_data(as_text=True)
    assert "2 attempts left." in page
    for value in true_answers(variant).values():
        assert value not in page and value[:8] not in page


def test_submitting_through_the_page_grades_and_counts_down(app, client, instructor):
    set_id, _student, variant = _student_in(app, client, instructor, attempts=2)
    url = f"/sets/{set_id}/exercises/{variant.id}"
    response = post_form(client, url, true_answers(variant))
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "1 attempt left." in page and "Attempt 1: 16 of 16 points." in page
    assert post_form(client, url, {"delta:2:1": "abc"}).status_code == 422  # uses no attempt
    assert "1 attempt left." in client.get(url).get_data(as_text=True)


def test_after_the_due_date_submissions_are_refused_unless_extended(app, client, instructor):
    set_id, student, variant = _student_in(app, client, instructor, due_at=PAST)
    url = f"/sets/{set_id}/exercises/{variant.id}"
    response = post_form(client, url, true_answers(variant))
    assert response.status_code == 403 and "due date has passed" in response.get_data(as_text=True)
    with app.app_context():
        records.extend(set_id, student, FUTURE, actor_id=None)
    assert post_form(client, url, true_answers(variant)).status_code == 302


def test_the_instructor_extends_through_the_student_page(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=1, due_at=PAST)
    student = make_user(app, "s@example.com", "student", "Sam")
    join(app, set_id, student)
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{set_id}/students/{student}"
    response = post_form(client, f"{page}/extension", {"due_at": FUTURE.strftime("%Y-%m-%dT%H:%M")},
                         form_page=page)
    assert response.status_code == 302
    history = client.get(f"/instructor/sets/{set_id}/history").get_data(as_text=True)
    assert "extension" in history and "Sam" in history and "Ada Teacher" in history
    assert FUTURE.strftime("%Y-%m-%d %H:%M UTC") in history   # the history reads as a sentence


@pytest.mark.parametrize("reveal, attempts, steps, visible", [
    ("always", None, [], [True]),
    ("never", 1, ["right"], [False, False]),
    ("after_correct", None, ["wrong", "right"], [False, False, True]),
    ("after_attempts", 2, ["right", "wrong"], [False, False, True]),
    ("after_attempts", None, ["right"], [False, False]),
])
def test_reveal_policies(app, client, instructor, reveal, attempts, steps, visible):
    set_id, student, variant = _student_in(app, client, instructor, reveal=reveal,
                                           attempts=attempts)
    url = f"/sets/{set_id}/exercises/{variant.id}/solution"
    seen = [client.get(url).status_code == 200]
    for step in steps:
        answers = true_answers(variant) if step == "right" else \
            {f["key"]: "0.5" for f in variant.fields}
        with app.app_context():
            submissions.submit(variant.id, answers, user_id=student)
        seen.append(client.get(url).status_code == 200)
    assert seen == visible


def test_after_due_reveals_once_the_students_own_due_date_passes(app, client, instructor):
    set_id, student, variant = _student_in(app, client, instructor, reveal="after_due",
                                           due_at=PAST)
    url = f"/sets/{set_id}/exercises/{variant.id}/solution"
    assert client.get(url).status_code == 200
    with app.app_context():
        records.extend(set_id, student, FUTURE, actor_id=None)
    assert client.get(url).status_code == 403


def test_a_revealed_solution_shows_the_walkthrough(app, client, instructor):
    set_id, _student, variant = _student_in(app, client, instructor, reveal="always")
    url = f"/sets/{set_id}/exercises/{variant.id}/solution"
    assert "Show the worked solution" in client.get(url).get_data(as_text=True)
    token = csrf_token(client, url)
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Step by step" in page
