"""Course tools: copying a set, exercises added or retired after publishing, co-instructors and
teaching assistants, the exam start and time limit, late penalties, the set's time zone and the
list of sets in the API; each change in the set's history."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from exercises import db, submissions
from exercises.instructor import course, gradebook, publishing, records, tokens
from exercises.instructor import set_regrade as regrade
from exercises.models import Enrollment, Exercise, ProblemSet, ProblemSetItem, Submission

from .conftest import build_set, join, login, make_user, post_form, true_answers, variants_of

TWO = (("seed-2-2-2", {}), ("tanh-3-3-2", {"ask": ["delta"]}))


def _book(app, set_id):
    with app.app_context():
        return gradebook.gradebook(db.session().get(ProblemSet, set_id))


def _items(app, set_id) -> list[ProblemSetItem]:
    with app.app_context():
        items = db.session().scalars(select(ProblemSetItem).where(
            ProblemSetItem.problem_set_id == set_id).order_by(ProblemSetItem.position)).all()
        db.session().expunge_all()
        return items


def _history(client, set_id) -> str:
    return client.get(f"/instructor/sets/{set_id}/history").get_data(as_text=True)


def _solve(app, exercise, user_id, answers=None):
    with app.app_context():
        return submissions.submit(exercise.id, answers or true_answers(exercise), user_id=user_id)


# --- copy ---------------------------------------------------------------------------------

def test_a_copy_is_a_new_draft_with_the_exercises_and_settings_and_its_own_code(
        app, client, instructor):
    set_id = build_set(app, instructor, items=TWO, attempts=2, pool_size=3,
                       due_at=datetime(2030, 1, 1, tzinfo=UTC))
    with app.app_context():
        sess = db.session()
        first = sess.scalars(select(ProblemSetItem).where(
            ProblemSetItem.problem_set_id == set_id).order_by(ProblemSetItem.position)).first()
        with db.write_transaction() as tx:
            tx.get(ProblemSetItem, first.id).points = 4.0
            tx.get(ProblemSet, set_id).late_per_day = 10.0
    login(client, "teacher@example.com")
    done = post_form(client, f"/instructor/sets/{set_id}/copy", {},
                     form_page=f"/instructor/sets/{set_id}")
    assert done.status_code == 302
    copy_id = done.location.rstrip("/").split("/")[-1]
    assert copy_id != set_id
    with app.app_context():
        sess = db.session()
        original, copy = sess.get(ProblemSet, set_id), sess.get(ProblemSet, copy_id)
        assert copy.status == "draft" and copy.join_code is None and copy.due_at is None
        assert copy.settings == original.settings and copy.settings["attempts"] == 2
        assert copy.pool_size == 3 and copy.late_per_day == 10.0
        assert copy.title == "Week 3: backprop by hand (copy)"
        assert sess.scalar(select(Exercise.id).where(Exercise.problem_set_id == copy_id)) is None
    copied = _items(app, copy_id)
    assert [(i.template_id, i.knobs, i.points) for i in copied] == [
        ("seed-2-2-2", {}, 4.0), ("tanh-3-3-2", {"ask": ["delta"]}, 10.0)]
    with app.app_context():
        publishing.publish(copy_id)
        codes = {db.session().get(ProblemSet, s).join_code for s in (set_id, copy_id)}
    assert len(codes) == 2 and None not in codes
    assert "Made as a copy of Week 3: backprop by hand, with its 2 exercises." in \
        _history(client, copy_id)
    assert "Copied into a new draft, Week 3: backprop by hand (copy)." in _history(client, set_id)


def test_a_copy_leaves_retired_exercises_out(app, instructor):
    set_id = build_set(app, instructor, items=TWO, pool_size=2)
    second = _items(app, set_id)[1]
    with app.app_context():
        course.retire_item(set_id, second.id, instructor)
        copy = course.copy_set(set_id, instructor)
    assert [i.template_id for i in _items(app, copy.id)] == ["seed-2-2-2"]


# --- add and retire after publishing ------------------------------------------------------

def test_an_exercise_added_after_publishing_reaches_every_student_and_keeps_their_work(
        app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2)
    ann = make_user(app, "ann@example.com", "student", "Ann")
    bob = make_user(app, "bob@example.com", "student", "Bob")
    join(app, set_id, ann)
    join(app, set_id, bob)
    (ann_first,) = variants_of(app, set_id, ann)
    _solve(app, ann_first, ann)
    login(client, "teacher@example.com")
    done = post_form(client, f"/instructor/sets/{set_id}/items",
                     {"template_id": "tanh-3-3-2", "title": "Extra: tanh", "ask": ["delta"]},
                     form_page=f"/instructor/sets/{set_id}")
    assert done.status_code == 302
    for student in (ann, bob):
        held = variants_of(app, set_id, student)
        assert [v.template_id for v in held] == ["seed-2-2-2", "tanh-3-3-2"]
    book = _book(app, set_id)
    rows = {row.user.name: row for row in book.rows}
    assert book.max_total == 20
    assert rows["Ann"].cells[0].score == 10 and rows["Ann"].cells[0].attempts == 1
    assert rows["Ann"].cells[1].score is None and rows["Ann"].total == 10
    with app.app_context():
        item = db.session().get(ProblemSetItem, _items(app, set_id)[1].id)
        assert item.answer_digits is not None
    assert ("Exercise Extra: tanh added after publishing; every student who had joined got a "
            "variant of it.") in _history(client, set_id)


def test_a_retired_exercise_stops_counting_but_its_attempts_stay_visible(app, client,
                                                                         instructor):
    set_id = build_set(app, instructor, items=TWO, pool_size=3)
    ann = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, ann)
    seed_variant, tanh_variant = variants_of(app, set_id, ann)
    _solve(app, seed_variant, ann)
    _solve(app, tanh_variant, ann)
    assert _book(app, set_id).rows[0].total == 20
    tanh_item = _items(app, set_id)[1]
    login(client, "teacher@example.com")
    base = f"/instructor/sets/{set_id}"
    assert post_form(client, f"{base}/items/{tanh_item.id}/retire", {},
                     form_page=base).status_code == 302
    book = _book(app, set_id)
    row = book.rows[0]
    assert book.max_total == 10 and row.total == 10
    assert row.cells[1].score == 10 and row.cells[1].attempts == 1 and row.cells[1].retired
    student_page = client.get(f"{base}/students/{ann}").get_data(as_text=True)
    assert student_page.count("Attempt 1") >= 2   # the retired exercise's attempt is listed
    late_comer = make_user(app, "cy@example.com", "student", "Cy")
    join(app, set_id, late_comer)
    assert [v.template_id for v in variants_of(app, set_id, late_comer)] == ["seed-2-2-2"]
    assert "retired: it no longer counts in totals; its attempts stay." in _history(client, set_id)
    assert post_form(client, f"{base}/items/{tanh_item.id}/restore", {},
                     form_page=base).status_code == 302
    assert _book(app, set_id).rows[0].total == 20 and _book(app, set_id).max_total == 20
    assert "restored: it counts in totals again." in _history(client, set_id)


def test_a_student_who_joins_after_a_retirement_sees_only_the_counting_exercises(
        app, client, instructor):
    set_id = build_set(app, instructor, items=TWO, pool_size=3)
    with app.app_context():
        course.retire_item(set_id, _items(app, set_id)[1].id, instructor)
    cy = make_user(app, "cy@example.com", "student", "Cy")
    join(app, set_id, cy)
    login(client, "cy@example.com")
    page = client.get(f"/sets/{set_id}").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>", page.split('id="exercise-list"')[1].split("</tbody>")[0])
    assert len(rows) == 1 and "being prepared" not in page


# --- staff and permissions ----------------------------------------------------------------

@pytest.fixture
def staffed(app, instructor):
    """A published set with one student, a teaching assistant and a co-instructor."""
    set_id = build_set(app, instructor, pool_size=2)
    student = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, student)
    ta = make_user(app, "ta@example.com", name="Tess Assistant")
    co = make_user(app, "co@example.com", name="Cole Instructor")
    with app.app_context():
        course.add_member(set_id, "TA@example.com", "ta", instructor)
        course.add_member(set_id, "co@example.com", "co_instructor", instructor)
    item = _items(app, set_id)[0]
    return {"set": set_id, "student": student, "ta": ta, "co": co, "item": item.id}


TA_FORBIDDEN = (
    ("get", "/edit", None), ("post", "/edit", {"title": "Renamed", "pool_size": 2,
                                               "ecf_credit": 1, "tolerance_mode": "relabs"}),
    ("post", "/items", {"template_id": "seed-2-2-2"}),
    ("post", "/items/{item}/points", {"points": "5"}),
    ("post", "/items/{item}/retire", {}),
    ("post", "/items/{item}/up", {}),
    ("get", "/regrade", None), ("post", "/regrade", {"ecf_credit": 0.5, "tolerance_mode": "relabs",
                                                      "action": "apply"}),
    ("post", "/students/{student}/override", {"item_id": "{item}", "score": 1, "reason": "x"}),
    ("post", "/students/{student}/override/{item}/remove", {}),
    ("post", "/students/{student}/password", {"password": "a new long password"}),
    ("get", "/roster", None),
    ("post", "/staff", {"email": "other@example.com", "role": "ta"}),
    ("post", "/staff/{co}/remove", {}),
    ("post", "/staff/{co}/transfer", {}),
    ("post", "/copy", {}),
    ("post", "/delete", {}),
    ("get", "/exports/grades.csv", None),
)


@pytest.mark.parametrize("method, path, data", TA_FORBIDDEN,
                         ids=[f"{m} {p}" for m, p, _d in TA_FORBIDDEN])
def test_a_teaching_assistant_is_refused_every_grading_change_with_403(
        app, client, staffed, method, path, data):
    base = f"/instructor/sets/{staffed['set']}"
    fill = {key: staffed[key] for key in ("item", "student", "co")}
    url = base + path.format(**fill)
    login(client, "ta@example.com")
    if method == "get":
        assert client.get(url).status_code == 403
    else:
        data = {k: v.format(**fill) if isinstance(v, str) else v for k, v in data.items()}
        response = post_form(client, url, data, form_page=f"{base}/students/{staffed['student']}")
        assert response.status_code == 403
    with app.app_context():
        problem_set = db.session().get(ProblemSet, staffed["set"])
        assert problem_set.title == "Week 3: backprop by hand"
        assert problem_set.owner_id != staffed["ta"]


def test_a_teaching_assistant_sees_the_gradebook_and_grants_extensions(app, client, staffed):
    base = f"/instructor/sets/{staffed['set']}"
    login(client, "ta@example.com")
    for page in ("", "/gradebook", "/statistics", f"/students/{staffed['student']}",
                 "/history", "/staff"):
        assert client.get(base + page).status_code == 200, page
    dashboard = client.get("/instructor/").get_data(as_text=True)
    assert "Week 3: backprop by hand" in dashboard and "teaching assistant" in dashboard
    done = post_form(client, f"{base}/students/{staffed['student']}/extension",
                     {"due_at": "2031-05-01T12:00"},
                     form_page=f"{base}/students/{staffed['student']}")
    assert done.status_code == 302
    with app.app_context():
        due = db.session().scalar(select(Enrollment.due_at).where(
            Enrollment.user_id == staffed["student"]))
    assert (due.year, due.month, due.day, due.hour) == (2031, 5, 1, 12)
    assert "Tess Assistant" in _history(client, staffed["set"])


def test_a_co_instructor_edits_but_cannot_delete_or_hand_over(app, client, staffed):
    base = f"/instructor/sets/{staffed['set']}"
    login(client, "co@example.com")
    edit = post_form(client, f"{base}/edit", {"title": "Renamed by Cole", "pool_size": 2,
                                              "ecf_credit": 1, "tolerance_mode": "relabs",
                                              "reveal": "never"})
    assert edit.status_code == 302
    assert post_form(client, f"{base}/delete", {}, form_page=base).status_code == 403
    assert post_form(client, f"{base}/staff/{staffed['co']}/transfer", {},
                     form_page=base).status_code == 403
    with app.app_context():
        assert db.session().get(ProblemSet, staffed["set"]).title == "Renamed by Cole"


def test_staff_changes_and_a_hand_over_are_in_the_history(app, client, staffed, instructor):
    login(client, "teacher@example.com")
    base = f"/instructor/sets/{staffed['set']}"
    assert post_form(client, f"{base}/staff/{staffed['co']}/transfer", {},
                     form_page=base).status_code == 302
    with app.app_context():
        assert db.session().get(ProblemSet, staffed["set"]).owner_id == staffed["co"]
    assert client.get(f"{base}/gradebook").status_code == 200   # now a co-instructor
    assert post_form(client, f"{base}/delete", {}, form_page=base).status_code == 403
    text = _history(client, staffed["set"])
    assert "Tess Assistant (ta@example.com) added to the staff as teaching assistant." in text
    assert "The set was handed from Ada Teacher to Cole Instructor." in text


def test_staff_are_added_only_by_an_instructor_accounts_email(app, client, staffed):
    make_user(app, "kid@example.com", "student")
    login(client, "teacher@example.com")
    url = f"/instructor/sets/{staffed['set']}/staff"
    for email in ("nobody@example.com", "kid@example.com"):
        refused = post_form(client, url, {"email": email, "role": "ta"})
        assert refused.status_code == 422
        assert f"no instructor account has the email {email}" in refused.get_data(as_text=True)


def test_an_instructor_off_the_staff_gets_404(app, client, staffed):
    make_user(app, "stranger@example.com")
    login(client, "stranger@example.com")
    assert client.get(f"/instructor/sets/{staffed['set']}/gradebook").status_code == 404


# --- exam start and time limit ------------------------------------------------------------

def _submit_page(client, set_id, exercise):
    url = f"/sets/{set_id}/exercises/{exercise.id}"  # the token from a page shown to anyone:
    return post_form(client, url, true_answers(exercise), form_page="/join")  # the exam may be shut


def test_the_timer_is_shown_and_a_submission_after_it_is_refused(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2)
    with app.app_context(), db.write_transaction() as sess:
        sess.get(ProblemSet, set_id).time_limit = 30
    ann = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, ann)
    (variant,) = variants_of(app, set_id, ann)
    login(client, "ann@example.com")
    started = post_form(client, f"/sets/{set_id}/start", {}, form_page=f"/sets/{set_id}")
    assert started.status_code == 303
    page = client.get(f"/sets/{set_id}").get_data(as_text=True)
    timer = re.search(r'<strong role="timer"[^>]*>([^<]+)</strong>', page)
    assert timer and timer.group(1) in ("0 h 30 min", "0 h 29 min")
    with app.app_context():
        started = db.session().scalar(select(Enrollment.started_at).where(
            Enrollment.user_id == ann))
        assert started is not None
        # the student opened the set 31 minutes ago: their 30 minutes are over
        with db.write_transaction() as sess:
            sess.execute(update(Enrollment).where(Enrollment.user_id == ann)
                         .values(started_at=datetime.now(UTC) - timedelta(minutes=31)))
    refused = _submit_page(client, set_id, variant)
    assert refused.status_code == 403
    assert "Your time limit of 30 minutes ended at" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(Submission.id).where(
            Submission.exercise_id == variant.id)) is None


def test_before_the_exam_opens_nothing_is_taken_and_the_timer_waits(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2)
    with app.app_context(), db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id)
        problem_set.time_limit = 30
        problem_set.starts_at = datetime(2040, 3, 1, 9, 0, tzinfo=UTC)
    ann = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, ann)
    (variant,) = variants_of(app, set_id, ann)
    login(client, "ann@example.com")
    assert "This set opens at 2040-03-01 09:00 UTC." in \
        client.get(f"/sets/{set_id}").get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(Enrollment.started_at).where(
            Enrollment.user_id == ann)) is None
    assert _submit_page(client, set_id, variant).status_code == 403


def test_a_submission_within_the_time_limit_is_graded(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2)
    with app.app_context(), db.write_transaction() as sess:
        sess.get(ProblemSet, set_id).time_limit = 30
    ann = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, ann)
    (variant,) = variants_of(app, set_id, ann)
    login(client, "ann@example.com")
    post_form(client, f"/sets/{set_id}/start", {}, form_page=f"/sets/{set_id}")
    assert _submit_page(client, set_id, variant).status_code == 302
    assert _book(app, set_id).rows[0].cells[0].score == 10


# --- late penalty -------------------------------------------------------------------------

DUE = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)


def _late_scene(app, instructor, per_day=10.0, cap=30.0):
    """Ann on a 16-field exercise (10 points): a full-marks attempt and one with 8 fields blank
    (5 points), both made before the due date; tests move them in time."""
    set_id = build_set(app, instructor, pool_size=2, due_at=DUE, attempts=None)
    with app.app_context(), db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id)
        problem_set.late_per_day, problem_set.late_cap = per_day, cap
    ann = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, ann)
    (variant,) = variants_of(app, set_id, ann)
    half = true_answers(variant)
    for key in list(half)[:8]:
        half[key] = ""
    full = _solve(app, variant, ann)["id"]
    partial = _solve(app, variant, ann, half)["id"]
    return set_id, ann, full, partial


def _made_at(app, submission_id, moment):
    with app.app_context(), db.write_transaction() as sess:
        sess.execute(update(Submission).where(Submission.id == submission_id)
                     .values(created_at=moment))


def test_late_penalty_takes_a_share_per_started_day_up_to_the_cap(app, instructor):
    set_id, ann, full, _partial = _late_scene(app, instructor)
    # on time: 10 points
    assert _book(app, set_id).rows[0].cells[0].score == 10
    # 1.5 days late counts as 2 days: 10 − 2 × 10 % of 10 = 8, better than the on-time 5
    _made_at(app, full, DUE + timedelta(days=1, hours=12))
    cell = _book(app, set_id).rows[0].cells[0]
    assert cell.score == pytest.approx(8.0) and cell.late == 20
    # 5 days late: 50 % is capped at 30 %: 7 points
    _made_at(app, full, DUE + timedelta(days=5))
    cell = _book(app, set_id).rows[0].cells[0]
    assert cell.score == pytest.approx(7.0) and cell.late == 30
    # an extension to 2 days after the due date makes the 1.5-day attempt on time again
    _made_at(app, full, DUE + timedelta(days=1, hours=12))
    with app.app_context():
        records.extend(set_id, ann, DUE + timedelta(days=2), instructor)
    cell = _book(app, set_id).rows[0].cells[0]
    assert cell.score == 10 and cell.late == 0


def test_a_penalised_attempt_below_an_on_time_one_does_not_count(app, instructor):
    set_id, _ann, full, partial = _late_scene(app, instructor, per_day=60.0, cap=100.0)
    # 1 day late at 60 % a day: 10 → 4, under the on-time 5 points
    _made_at(app, full, DUE + timedelta(hours=3))
    cell = _book(app, set_id).rows[0].cells[0]
    assert cell.score == pytest.approx(5.0) and cell.late == 0


def test_the_late_penalty_shows_in_the_gradebook_and_the_grades_export(app, client, instructor):
    set_id, _ann, full, _partial = _late_scene(app, instructor)
    _made_at(app, full, DUE + timedelta(days=1, hours=12))
    login(client, "teacher@example.com")
    page = client.get(f"/instructor/sets/{set_id}/gradebook").get_data(as_text=True)
    assert "8/10" in page and "20% late penalty" in page
    grades = client.get(f"/instructor/sets/{set_id}/exports/grades.csv?bom=0")
    lines = grades.get_data(as_text=True).splitlines()
    assert lines[1].startswith("Ann,ann@example.com,8.0,8.0,10")


def test_late_work_is_taken_until_the_cap_is_reached(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2, attempts=None,
                       due_at=datetime.now(UTC) - timedelta(hours=1))
    with app.app_context(), db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id)
        problem_set.late_per_day, problem_set.late_cap = 10.0, 30.0
    ann = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, ann)
    (variant,) = variants_of(app, set_id, ann)
    login(client, "ann@example.com")
    assert _submit_page(client, set_id, variant).status_code == 302
    cell = _book(app, set_id).rows[0].cells[0]
    assert cell.score == pytest.approx(9.0) and cell.late == 10   # 1 started day: 10 %
    with app.app_context(), db.write_transaction() as sess:
        # 30 % at 10 % a day is reached after 3 days: 4 days after the due date, no more
        sess.get(ProblemSet, set_id).due_at = datetime.now(UTC) - timedelta(days=4)
    refused = _submit_page(client, set_id, variant)
    assert refused.status_code == 403
    assert "the due date has passed" in refused.get_data(as_text=True)


def test_a_regrade_preview_counts_late_attempts_with_their_penalty(app, instructor):
    set_id = build_set(app, instructor, pool_size=2, due_at=DUE, attempts=None)
    with app.app_context(), db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id)
        problem_set.late_per_day, problem_set.late_cap = 10.0, 30.0
    ann = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, ann)
    (variant,) = variants_of(app, set_id, ann)
    answers = true_answers(variant)
    for key in answers:
        if key.startswith("delta"):   # 3 % off: wrong at rtol 1 %, right at 5 %
            answers[key] = repr(float(answers[key]) * 1.03)
    made = _solve(app, variant, ann, answers)
    _made_at(app, made["id"], DUE + timedelta(days=1, hours=12))   # 2 days late: −20 %
    before = _book(app, set_id).rows[0].total
    assert before == pytest.approx(made["score"] / made["max_score"] * 10 * 0.8)
    with app.app_context():
        summary = regrade.regrade_set(set_id, {"ecf_credit": 1.0, "tolerance": {
            "mode": "relabs", "rtol": 0.05, "atol": 1e-5, "digits": None}}, instructor,
            apply=False)
    (change,) = summary.students
    assert change.old_total == pytest.approx(before)
    assert change.new_total == pytest.approx(8.0)   # full marks, less 20 %


# --- time zone ----------------------------------------------------------------------------

def test_dates_are_stored_in_utc_and_shown_in_the_sets_time_zone(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2, due_at=datetime(2030, 1, 1, 0, 0, tzinfo=UTC))
    login(client, "teacher@example.com")
    base = f"/instructor/sets/{set_id}"
    saved = post_form(client, f"{base}/edit", {
        "title": "Week 3: backprop by hand", "pool_size": 2, "ecf_credit": 1,
        "tolerance_mode": "relabs", "reveal": "never", "due_at": "2030-01-01T00:00",
        "time_zone": "Asia/Seoul"})
    assert saved.status_code == 302
    with app.app_context():
        stored = db.session().get(ProblemSet, set_id)
        assert stored.time_zone == "Asia/Seoul"
        assert (stored.due_at.hour, stored.due_at.day) == (0, 1)   # still midnight UTC
    page = client.get(base).get_data(as_text=True)
    due = re.search(r"<dt>Due</dt><dd>([^<]+)</dd>", page).group(1)
    assert due == "2030-01-01 09:00 KST"   # UTC+9
    assert "time zone UTC → Asia/Seoul" in _history(client, set_id)
    ann = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, ann)
    client.get("/logout")
    login(client, "ann@example.com")
    assert "Due 2030-01-01 09:00 KST" in client.get(f"/sets/{set_id}").get_data(as_text=True)


def test_an_unknown_time_zone_is_refused_by_name(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2)
    login(client, "teacher@example.com")
    refused = post_form(client, f"/instructor/sets/{set_id}/edit", {
        "title": "T", "pool_size": 2, "ecf_credit": 1, "tolerance_mode": "relabs",
        "reveal": "never", "time_zone": "Mars/Olympus"})
    assert refused.status_code == 422
    assert "Not a time zone name; write one like Asia/Seoul or UTC." in \
        refused.get_data(as_text=True)


# --- API ----------------------------------------------------------------------------------

def test_the_api_lists_the_token_owners_sets_a_page_at_a_time(app, client, instructor):
    other = make_user(app, "other@example.com", name="Other")
    mine = [build_set(app, instructor, publish=False, title=f"Mine {n}") for n in range(3)]
    theirs = build_set(app, other, publish=False, title="Theirs")
    taught = build_set(app, other, publish=False, title="Taught")
    with app.app_context():
        course.add_member(taught, "teacher@example.com", "ta", other)
        token = tokens.create(instructor, "script")
    assert client.get("/api/v1/problem-sets").status_code == 401
    assert client.get("/api/v1/problem-sets",
                      headers={"Authorization": "Bearer bpl_wrong"}).status_code == 401
    auth = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/problem-sets", headers=auth).get_json()
    assert {s["id"]: s["role"] for s in listed["problem_sets"]} == {
        **{s: "owner" for s in mine}, taught: "ta"}
    assert theirs not in {s["id"] for s in listed["problem_sets"]}
    assert (listed["total"], listed["pages"], listed["page"]) == (4, 1, 1)
    first = client.get("/api/v1/problem-sets?per_page=3", headers=auth).get_json()
    second = client.get("/api/v1/problem-sets?per_page=3&page=2", headers=auth).get_json()
    assert first["pages"] == 2 and len(first["problem_sets"]) == 3
    assert len(second["problem_sets"]) == 1
    assert {s["id"] for s in first["problem_sets"] + second["problem_sets"]} == {*mine, taught}
    bad = client.get("/api/v1/problem-sets?page=0", headers=auth)
    assert bad.status_code == 422 and "page" in bad.get_json()["fields"]


# --- Korean -------------------------------------------------------------------------------

def test_the_course_tools_read_in_korean(app, client, staffed):
    login(client, "teacher@example.com")
    client.get("/?lang=ko")
    base = f"/instructor/sets/{staffed['set']}"
    edit = client.get(f"{base}/edit").get_data(as_text=True)
    for label in ("학생별 제한 시간", "지각 감점", "시간대"):
        assert label in edit, label
    staff = client.get(f"{base}/staff").get_data(as_text=True)
    assert "조교" in staff and "공동 강사" in staff and "강사의 이메일" in staff
    done = post_form(client, f"{base}/copy", {}, form_page=base, follow_redirects=True)
    assert "복사했습니다" in done.get_data(as_text=True)
