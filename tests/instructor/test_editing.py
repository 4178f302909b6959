"""Editing a published set: grading fields read-only with the reason and a save that keeps the
other edits; every settings change, override (and its removal) and extension in the history as
a sentence; publishing confirmed with what becomes fixed; reveal after the due date waits for
the last extension."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from exercises import db
from exercises.instructor import policy, records
from exercises.models import Enrollment, Exercise, ProblemSet

from ..web.conftest import element_text
from .conftest import SET_FORM, build_set, join, login, make_user, post_form, variants_of


def _form(**changes) -> dict:
    data = {**SET_FORM, "lock_trace_tool": True, **changes}
    return {key: ("y" if value is True else value) for key, value in data.items()
            if value not in (None, False)}


def test_grading_fields_are_read_only_and_a_save_keeps_the_other_edits(app, client,
                                                                       instructor):
    set_id = build_set(app, instructor)
    login(client, "teacher@example.com")
    url = f"/instructor/sets/{set_id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Read-only: this set is published" in element_text(page, "grading-read-only")
    rtol = re.search(r'<input[^>]*id="rtol"[^>]*>', page).group(0)
    assert "readonly" in rtol and 'value="0.01"' in rtol
    # a looser tolerance sent anyway, beside a real edit of the attempts: the edit is saved,
    # the tolerance is not (it changes through Regrade)
    response = post_form(client, url, _form(attempts=5, rtol=0.2), follow_redirects=True)
    assert "Settings saved." in response.get_data(as_text=True)
    with app.app_context():
        problem_set = db.session().get(ProblemSet, set_id)
        assert problem_set.settings["attempts"] == 5
        assert problem_set.settings["tolerance"]["rtol"] == 0.01
        ((event, _actor, _s),) = records.history(set_id)
    assert event.action == "settings" and event.details["changes"] == {"attempts": [3, 5]}
    history = client.get(f"/instructor/sets/{set_id}/history").get_data(as_text=True)
    assert element_text(history, "event-1") == \
        "Settings changed: attempts per exercise 3 → 5."


def test_an_override_can_be_removed_and_both_are_in_the_history(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=1)
    student = make_user(app, "s@example.com", "student", "Sam")
    join(app, set_id, student)
    (variant,) = variants_of(app, set_id, student)
    with app.app_context():
        records.override(set_id, student, variant.item_id, 7.5, "paper", instructor, 10)
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{set_id}/students/{student}"
    assert "Remove override" in client.get(page).get_data(as_text=True)
    done = post_form(client, f"{page}/override/{variant.item_id}/remove", {}, form_page=page,
                     follow_redirects=True).get_data(as_text=True)
    assert "Override removed" in done and "Remove override" not in done
    history = client.get(f"/instructor/sets/{set_id}/history").get_data(as_text=True)
    assert element_text(history, "event-1") == (
        "Score set by hand on The seed post's 2-2-2 network (7.5) removed: the best attempt "
        "counts again.")
    assert element_text(history, "event-2") == \
        "Score on The seed post's 2-2-2 network set to 7.5: paper"


def test_an_extension_reads_as_a_sentence(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=1)
    student = make_user(app, "s@example.com", "student", "Sam")
    join(app, set_id, student)
    with app.app_context():
        records.extend(set_id, student, datetime(2031, 3, 4, 15, 30, tzinfo=UTC), instructor)
    login(client, "teacher@example.com")
    history = client.get(f"/instructor/sets/{set_id}/history").get_data(as_text=True)
    assert element_text(history, "event-1") == \
        "Due date the set's due date → 2031-03-04 15:30 UTC."


def test_publishing_asks_first_and_says_what_becomes_fixed(app, client, instructor):
    set_id = build_set(app, instructor, publish=False)
    login(client, "teacher@example.com")
    page = client.get(f"/instructor/sets/{set_id}/publish").get_data(as_text=True)
    fixes = element_text(page, "publish-fixes")
    assert "cannot be undone" in fixes and "The 1 exercise, its order" in fixes
    assert "tolerance and the ECF credit" in fixes
    with app.app_context():
        assert db.session().get(ProblemSet, set_id).status == "draft"   # asking stores nothing


def test_reveal_after_the_due_date_waits_for_the_last_extension(app, client, instructor):
    past = datetime.now(UTC) - timedelta(hours=1)
    set_id = build_set(app, instructor, pool_size=2, reveal="after_due", due_at=past)
    early, late = (make_user(app, f"{n}@example.com", "student", n) for n in ("early", "late"))
    join(app, set_id, early)
    join(app, set_id, late)
    with app.app_context():
        records.extend(set_id, late, datetime.now(UTC) + timedelta(days=1), instructor)
    (mine,) = variants_of(app, set_id, early)
    with app.app_context():
        sess = db.session()
        problem_set = sess.get(ProblemSet, set_id)
        exercise = sess.get(Exercise, mine.id)
        enrollment = sess.query(Enrollment).filter_by(user_id=early).one()
        # the early student's own due date has passed, but a classmate may still submit
        assert policy.past_due(problem_set, enrollment)
        assert not policy.solution_visible(exercise, problem_set, enrollment)
    with app.app_context(), db.write_transaction() as sess:
        sess.execute(update(Enrollment).where(Enrollment.user_id == late)
                     .values(due_at=past))
    with app.app_context():
        sess = db.session()
        assert policy.solution_visible(sess.get(Exercise, mine.id),
                                       sess.get(ProblemSet, set_id),
                                       sess.query(Enrollment).filter_by(user_id=early).one())
    login(client, "teacher@example.com")
    form = client.get(f"/instructor/sets/{set_id}/students/{early}").get_data(as_text=True)
    assert "until the last extension of the set has passed" in element_text(form, "reveal-waits")
