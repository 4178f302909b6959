"""A timed exam starts on the student's "Start the exam" (a POST), never on opening a page: the
set page shows the time limit and the button, the exercises appear once started, nothing is
taken before, and a second press does not restart the clock. A student whose pool ran dry
gets their variant from the top-up job, not from opening the set page."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from exercises import db
from exercises.instructor import pool
from exercises.models import Enrollment, Exercise, ProblemSet, Submission

from .conftest import build_set, join, login, make_user, post_form, true_answers, variants_of


def _timed_scene(app, instructor, **settings):
    set_id = build_set(app, instructor, pool_size=2)
    with app.app_context(), db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id)
        problem_set.time_limit = 30
        for name, value in settings.items():
            setattr(problem_set, name, value)
    ann = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, ann)
    (variant,) = variants_of(app, set_id, ann)
    return set_id, ann, variant


def _started_at(app, user_id):
    with app.app_context():
        return db.session().scalar(select(Enrollment.started_at).where(Enrollment.user_id == user_id))


def _rows(app):
    with app.app_context():
        sess = db.session()
        return tuple(sess.scalar(select(func.count()).select_from(model))
                     for model in (Enrollment, Exercise, Submission))


def _start(client, set_id):
    return post_form(client, f"/sets/{set_id}/start", {}, form_page=f"/sets/{set_id}")


def test_opening_a_timed_set_shows_the_limit_and_the_button_and_writes_nothing(
        app, client, instructor):
    set_id, ann, variant = _timed_scene(app, instructor)
    login(client, "ann@example.com")
    before = _rows(app)
    page = client.get(f"/sets/{set_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "You have 30 minutes from when you start." in text
    assert 'id="start-exam"' in text and "Start the exam" in text
    assert f"/exercises/{variant.id}" not in text  # no way into an exercise before the start
    assert 'role="timer"' not in text
    assert _started_at(app, ann) is None and _rows(app) == before
    # the exercise page itself leads back to the set page, and starts nothing either
    opened = client.get(f"/sets/{set_id}/exercises/{variant.id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/sets/{set_id}")
    assert client.get(f"/sets/{set_id}/exercises/{variant.id}/solution").status_code == 302
    assert _started_at(app, ann) is None and _rows(app) == before


def test_a_submission_before_the_start_is_refused_and_nothing_is_stored(app, client, instructor):
    set_id, ann, variant = _timed_scene(app, instructor)
    login(client, "ann@example.com")
    url = f"/sets/{set_id}/exercises/{variant.id}"
    refused = post_form(client, url, true_answers(variant), form_page=f"/sets/{set_id}")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Start the exam on the set&#39;s page first: your time limit of 30 minutes" in text
    assert 'id="start-exam"' in text
    korean = post_form(client, url, true_answers(variant), form_page=f"/sets/{set_id}",
                       headers={"Accept-Language": "ko"})
    assert korean.status_code == 403
    assert "먼저 세트 페이지에서 시험을 시작하세요" in korean.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(Submission.id).where(
            Submission.exercise_id == variant.id)) is None
    assert _started_at(app, ann) is None


def test_the_start_button_starts_the_timer_and_shows_the_exercises(app, client, instructor):
    set_id, ann, variant = _timed_scene(app, instructor)
    login(client, "ann@example.com")
    pressed_at = datetime.now(UTC)
    started = _start(client, set_id)
    assert started.status_code == 303 and started.headers["Location"].endswith(f"/sets/{set_id}")
    moment = _started_at(app, ann)
    assert moment is not None
    assert abs(moment.replace(tzinfo=UTC) - pressed_at) < timedelta(minutes=1)
    page = client.get(f"/sets/{set_id}").get_data(as_text=True)
    assert f"/exercises/{variant.id}" in page and 'role="timer"' in page
    assert 'id="start-exam"' not in page
    assert client.get(f"/sets/{set_id}/exercises/{variant.id}").status_code == 200
    graded = post_form(client, f"/sets/{set_id}/exercises/{variant.id}", true_answers(variant))
    assert graded.status_code == 302


def test_a_second_start_does_not_restart_the_timer(app, client, instructor):
    set_id, ann, _variant = _timed_scene(app, instructor)
    login(client, "ann@example.com")
    _start(client, set_id)
    earlier = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    with app.app_context(), db.write_transaction() as sess:
        sess.execute(update(Enrollment).where(Enrollment.user_id == ann).values(started_at=earlier))
    # the start form is gone from the page; a replayed POST (its token from another page) too
    again = post_form(client, f"/sets/{set_id}/start", {}, form_page="/join")
    assert again.status_code == 303
    assert _started_at(app, ann).replace(tzinfo=UTC) == earlier


def test_the_start_is_refused_before_the_exam_opens(app, client, instructor):
    set_id, ann, _variant = _timed_scene(app, instructor,
                                         starts_at=datetime(2040, 3, 1, 9, 0, tzinfo=UTC))
    login(client, "ann@example.com")
    page = client.get(f"/sets/{set_id}").get_data(as_text=True)
    assert "This set opens at 2040-03-01 09:00 UTC." in page and 'id="start-exam"' not in page
    refused = post_form(client, f"/sets/{set_id}/start", {}, form_page="/join",
                        follow_redirects=True)
    assert "This set opens at 2040-03-01 09:00 UTC." in refused.get_data(as_text=True)
    assert _started_at(app, ann) is None


def test_the_start_needs_the_forms_token(app, client, instructor):
    set_id, ann, _variant = _timed_scene(app, instructor)
    login(client, "ann@example.com")
    assert client.post(f"/sets/{set_id}/start", data={}).status_code == 400
    assert _started_at(app, ann) is None


def test_the_set_page_in_korean_offers_the_start(app, client, instructor):
    set_id, _ann, _variant = _timed_scene(app, instructor)
    login(client, "ann@example.com")
    page = client.get(f"/sets/{set_id}", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "시험 시작" in page and "시작한 때부터 30분이 주어집니다" in page


def test_an_untimed_set_lists_its_exercises_without_a_start(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2)
    bea = make_user(app, "bea@example.com", "student", "Bea")
    join(app, set_id, bea)
    (variant,) = variants_of(app, set_id, bea)
    login(client, "bea@example.com")
    page = client.get(f"/sets/{set_id}").get_data(as_text=True)
    assert f"/exercises/{variant.id}" in page and 'id="start-exam"' not in page


def test_a_dry_pool_is_handed_out_by_the_top_up_job_not_by_the_set_page(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=1)
    first, second = (make_user(app, f"s{n}@example.com", "student") for n in range(2))
    join(app, set_id, first)
    join(app, set_id, second)  # the pool of one is spent: the second student waits
    assert variants_of(app, set_id, second) == []
    login(client, "s1@example.com")
    before = _rows(app)
    page = client.get(f"/sets/{set_id}").get_data(as_text=True)
    assert "being prepared" in page and _rows(app) == before
    assert variants_of(app, set_id, second) == []  # opening the page handed nothing out
    app.config["POOL_TOPUP"] = "queue"  # jobs run at once in tests
    with app.app_context():
        pool.schedule_top_up(set_id)
    (handed,) = variants_of(app, set_id, second)
    assert f"/exercises/{handed.id}" in client.get(f"/sets/{set_id}").get_data(as_text=True)
