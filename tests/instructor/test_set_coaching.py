"""Save and check and the coaching ladder in a problem set: the set's ``coaching`` setting
decides how many rungs its students get, every rung is recorded, and the instructor's gradebook
counts them."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from exercises import db
from exercises.instructor import set_regrade as regrade
from exercises.models import Draft, LadderStep, Submission

from .conftest import build_set, join, login, make_user, post_form, true_answers, variants_of


def _student_in(app, client, instructor, **settings):
    set_id = build_set(app, instructor, pool_size=1, **settings)
    student = make_user(app, "s@example.com", "student")
    join(app, set_id, student)
    (variant,) = variants_of(app, set_id, student)
    login(client, "s@example.com")
    return set_id, variant


def _hint_buttons(html: str) -> list[str]:
    return re.findall(r'name="coach" value="([^"]+)" data-rung="(\d)"', html)


@pytest.mark.parametrize("coaching, rungs", [(None, 2), (0, 0), (1, 1), (3, 3)])
def test_the_set_decides_how_many_rungs(app, client, instructor, coaching, rungs):
    settings = {} if coaching is None else {"coaching": str(coaching)}
    set_id, variant = _student_in(app, client, instructor, **settings)
    url = f"/sets/{set_id}/exercises/{variant.id}"
    assert bool(_hint_buttons(client.get(url).get_data(as_text=True))) == (rungs > 0)
    for rung in range(1, rungs + 1):
        assert post_form(client, f"{url}/coach", {"coach": "delta:2:1"},
                         form_page=url).status_code == 302
    assert post_form(client, f"{url}/coach", {"coach": "delta:2:1"},
                     form_page=url).status_code == 409
    with app.app_context():
        recorded = db.session().scalars(select(LadderStep.rung).where(
            LadderStep.exercise_id == variant.id).order_by(LadderStep.rung)).all()
    assert recorded == list(range(1, rungs + 1))


def test_a_set_student_saves_a_draft_and_the_gradebook_counts_hints(app, client, instructor):
    set_id, variant = _student_in(app, client, instructor, coaching="3")
    url = f"/sets/{set_id}/exercises/{variant.id}"
    assert post_form(client, url, {"delta:2:1": "0.5", "action": "save"}).status_code == 302
    assert 'value="0.5"' in client.get(url).get_data(as_text=True)
    blank = post_form(client, url, {"delta:2:1": "0.5", "action": "check"})
    assert blank.status_code == 200 and "Some answers are blank" in blank.get_data(as_text=True)
    for _rung in range(3):
        post_form(client, f"{url}/coach", {"coach": "delta:2:2"}, form_page=url)
    with app.app_context():
        sess = db.session()
        assert sess.scalar(select(func.count()).select_from(Submission)
                           .where(Submission.exercise_id == variant.id)) == 0
        assert sess.get(Draft, variant.id) is not None
    teacher = app.test_client()
    login(teacher, "teacher@example.com")
    book = teacher.get(f"/instructor/sets/{set_id}/gradebook").get_data(as_text=True)
    assert 'data-hints="3" data-values-shown="1"' in book


def test_the_instructor_sets_coaching_in_the_set_form(app, client, instructor):
    login(client, "teacher@example.com")
    html = client.get("/instructor/sets/new").get_data(as_text=True)
    assert 'name="coaching"' in html


def test_a_shown_value_earns_no_credit_even_after_a_regrade(app, client, instructor):
    set_id, variant = _student_in(app, client, instructor, coaching="3")
    url = f"/sets/{set_id}/exercises/{variant.id}"
    for _rung in range(3):
        post_form(client, f"{url}/coach", {"coach": "delta:2:1"}, form_page=url)
    assert post_form(client, url, {**true_answers(variant), "action": "check"}).status_code == 302
    with app.app_context():
        score = db.session().scalar(select(Submission.score)
                                    .where(Submission.exercise_id == variant.id))
    assert score == len(variant.fields) - 1
    with app.app_context():
        summary = regrade.regrade_set(set_id, {"ecf_credit": 0.5, "tolerance": {
            "mode": "relabs", "rtol": 0.02, "atol": 0.0, "digits": None}}, instructor, apply=True)
        score = db.session().scalar(select(Submission.score)
                                    .where(Submission.exercise_id == variant.id))
    assert summary.submissions == 1 and score == len(variant.fields) - 1


def test_no_coaching_on_practice_while_an_exam_locks_solutions(app, client, instructor):
    from datetime import UTC, datetime, timedelta

    from ..web.conftest import start_practice

    due = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(hours=3)
    build_set(app, instructor, pool_size=1, exam_mode=True, due_at=due)
    started = start_practice(client, "/practice/new?seed=5")
    url = started.headers["Location"]
    assert not _hint_buttons(client.get(url).get_data(as_text=True))
    assert post_form(client, f"{url}/coach", {"coach": "delta:2:1"},
                     form_page=url).status_code == 409
