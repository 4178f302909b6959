"""Regrading a set: a preview changes nothing; applying stores new grades, settings and an
audit event, and says how many grades changed and whose."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from exercises import db, submissions
from exercises.instructor import enrollment, pool, records
from exercises.instructor import set_regrade as regrade
from exercises.models import Exercise, FieldGrade, ProblemSet, Submission

from ..web.conftest import element_text
from .conftest import build_set, join, login, make_user, post_form, true_answers, variants_of

# No absolute tolerance, so that 3% off is wrong at 1% however small the value (a tiny δ
# would otherwise pass on the absolute part).
LOOSE = {"ecf_credit": 1.0, "tolerance": {"mode": "relabs", "rtol": 0.05, "atol": 0.0,
                                          "digits": None}}


@pytest.fixture
def scene(app, instructor):
    """Sloppy writes every δ 3% too large: the output δ by a slip, the hidden δ computed
    correctly from those (δ is linear in the δ above, so they are 3% off too); every update
    is right. Exact is right throughout."""
    set_id = build_set(app, instructor, pool_size=2, atol=0.0)
    sloppy = make_user(app, "sloppy@example.com", "student", "Sloppy")
    exact = make_user(app, "exact@example.com", "student", "Exact")
    join(app, set_id, sloppy)
    join(app, set_id, exact)
    (mine,), (theirs,) = variants_of(app, set_id, sloppy), variants_of(app, set_id, exact)
    answers = true_answers(mine)
    for key in ("delta:2:1", "delta:2:2", "delta:1:1", "delta:1:2"):
        answers[key] = repr(float(answers[key]) * 1.03)
    with app.app_context():
        graded = submissions.submit(mine.id, answers, user_id=sloppy)
        submissions.submit(theirs.id, true_answers(theirs), user_id=exact)
    statuses = {key: field["status"] for key, field in graded["fields"].items()}
    # 3% is outside the default 1% tolerance; hidden δ computed from those are carried.
    assert statuses["delta:2:1"] == statuses["delta:2:2"] == "incorrect"
    assert statuses["delta:1:1"] == statuses["delta:1:2"] == "carried"
    assert graded["score"] == 14
    return {"set": set_id, "sloppy": mine}


def _stored(app, exercise_id):
    with app.app_context():
        submission = db.session().scalar(select(Submission)
                                         .where(Submission.exercise_id == exercise_id))
        grades = {g.key: (g.status, g.credit) for g in db.session().scalars(
            select(FieldGrade).where(FieldGrade.submission_id == submission.id))}
        return submission.score, grades


def test_a_preview_lists_the_student_whose_total_changes_and_stores_nothing(app, scene,
                                                                             instructor):
    with app.app_context():
        summary = regrade.regrade_set(scene["set"], LOOSE, instructor, apply=False)
    assert summary.submissions == 2 and summary.attempts_changed == 1
    (sloppy,) = summary.students   # Exact's total does not change, so Exact is not listed
    # 14 of 16 fields right of 10 points, then all 16
    assert (sloppy.student, sloppy.old_total, sloppy.new_total) == ("Sloppy", 8.75, 10.0)
    (item,) = sloppy.items
    symbols = {f["key"]: f["symbol"] for f in scene["sloppy"].fields}
    assert [(f.symbol, f.old_status, f.new_status) for f in item.fields] == [
        (symbols["delta:2:1"], "incorrect", "correct"), (symbols["delta:2:2"], "incorrect",
                                                         "correct"),
        (symbols["delta:1:1"], "carried", "correct"), (symbols["delta:1:2"], "carried",
                                                       "correct")]
    assert all(":" not in f.symbol for f in item.fields)   # symbols, not raw keys
    assert item.fields[0].new_points == pytest.approx(10 / 16)
    assert summary.fields_changed == 4
    assert _stored(app, scene["sloppy"].id)[0] == 14


def test_a_student_whose_best_attempt_does_not_change_is_not_listed(app, scene, instructor):
    """Careful's first attempt is Sloppy's 3% slip, the second is right: loosening the
    tolerance changes the first attempt but not the best, so not the total."""
    careful = make_user(app, "careful@example.com", "student", "Careful")
    join(app, scene["set"], careful)
    with app.app_context():  # the pool of 2 is empty
        pool.top_up(scene["set"])
        enrollment.assign_missing(db.session().get(ProblemSet, scene["set"]), careful)
    (mine,) = variants_of(app, scene["set"], careful)
    answers = true_answers(mine)
    slipped = {**answers, "delta:2:1": repr(float(answers["delta:2:1"]) * 1.03)}
    with app.app_context():
        submissions.submit(mine.id, slipped, user_id=careful)
        submissions.submit(mine.id, answers, user_id=careful)
        summary = regrade.regrade_set(scene["set"], LOOSE, instructor, apply=False)
    assert summary.attempts_changed == 2 and summary.students_graded == 3
    assert [s.student for s in summary.students] == ["Sloppy"]


def test_an_override_keeps_the_total_so_the_student_is_not_listed(app, scene, instructor):
    with app.app_context():
        item_id = scene["sloppy"].item_id
        sloppy = scene["sloppy"].user_id
        records.override(scene["set"], sloppy, item_id, 9, "oral exam", instructor, 10)
        summary = regrade.regrade_set(scene["set"], LOOSE, instructor, apply=False)
    assert summary.students == [] and summary.attempts_changed == 1


def test_applying_a_looser_tolerance_stores_the_new_grades(app, scene, instructor):
    with app.app_context():
        summary = regrade.regrade_set(scene["set"], LOOSE, instructor, apply=True)
    assert summary.attempts_changed == 1
    score, grades = _stored(app, scene["sloppy"].id)
    assert score == 16 and {status for status, _c in grades.values()} == {"correct"}
    with app.app_context():
        sess = db.session()
        assert sess.get(ProblemSet, scene["set"]).settings["tolerance"]["rtol"] == 0.05
        assert all(s["tolerance"]["rtol"] == 0.05 for s in sess.scalars(
            select(Exercise.settings).where(Exercise.problem_set_id == scene["set"])))
        record = sess.scalar(select(Submission.grading)
                             .where(Submission.exercise_id == scene["sloppy"].id))
        assert record["settings"]["tolerance"]["rtol"] == 0.05
        ((event, actor, _subject),) = records.history(scene["set"])
    assert event.action == "regrade" and actor == "Ada Teacher"
    assert event.details["old"]["tolerance"]["rtol"] == 0.01
    assert event.details["students"] == [{"student": "Sloppy", "email": "sloppy@example.com",
                                          "old": 8.75, "new": 10.0}]


def test_the_history_tells_the_regrade_in_a_sentence(app, client, scene, instructor):
    with app.app_context():
        regrade.regrade_set(scene["set"], LOOSE, instructor, apply=True)
    login(client, "teacher@example.com")
    page = client.get(f"/instructor/sets/{scene['set']}/history").get_data(as_text=True)
    assert element_text(page, "event-1") == (
        "Regraded with tolerance relabs rtol 0.01, atol 0 → relabs rtol 0.05, atol 0. "
        "1 of 2 students' totals changed: Sloppy 8.75 → 10. 1 of 2 graded attempts changed.")


def test_no_ecf_credit_takes_the_carried_points_away(app, scene, instructor):
    settings = {"ecf_credit": 0.0, "tolerance": {"mode": "relabs", "rtol": 0.01,
                                                 "atol": 0.0, "digits": None}}
    with app.app_context():
        summary = regrade.regrade_set(scene["set"], settings, instructor, apply=True)
    # the two carried δ lose their point: 14 → 12 of 16 fields, of 10 points
    assert [(c.old_total, c.new_total) for c in summary.students] == [(8.75, 7.5)]
    _score, grades = _stored(app, scene["sloppy"].id)
    assert grades["delta:1:1"] == ("carried", 0.0)


def test_variants_topped_up_after_a_regrade_grade_with_the_new_settings(app, scene, instructor):
    with app.app_context():
        regrade.regrade_set(scene["set"], LOOSE, instructor, apply=True)
    newcomer = make_user(app, "new@example.com", "student")
    join(app, scene["set"], newcomer)  # the pool of 2 is empty: a top-up makes the variant
    with app.app_context():
        assert pool.top_up(scene["set"]) > 0
        enrollment.assign_missing(db.session().get(ProblemSet, scene["set"]), newcomer)
    (variant,) = variants_of(app, scene["set"], newcomer)
    answers = true_answers(variant)
    answers["delta:2:1"] = repr(float(answers["delta:2:1"]) * 1.03)
    with app.app_context():
        result = submissions.submit(variant.id, answers, user_id=newcomer)
    assert result["fields"]["delta:2:1"]["status"] == "correct"


def test_the_regrade_page_previews_then_applies(app, client, scene):
    login(client, "teacher@example.com")
    url = f"/instructor/sets/{scene['set']}/regrade"
    form = {"ecf_credit": "1", "tolerance_mode": "relabs", "rtol": "0.05", "atol": "0"}
    page = post_form(client, url, {**form, "action": "preview"}).get_data(as_text=True)
    assert "Sloppy sloppy@example.com 8.75 → 10 " in element_text(page, "regrade-students")
    assert _stored(app, scene["sloppy"].id)[0] == 14
    page = post_form(client, url, {**form, "action": "apply"}).get_data(as_text=True)
    assert "Regraded 2 graded attempts: 1 changed; 1 students' totals changed." in \
        html.unescape(page)
    assert _stored(app, scene["sloppy"].id)[0] == 16


def test_a_regrade_job_reports_its_progress_and_grades_late_arrivals_in_the_apply(
        app, scene, instructor, monkeypatch):
    from exercises import jobs
    from exercises.jobs import records as job_records

    reports = []
    monkeypatch.setattr(regrade, "PROGRESS_EVERY", 1)
    recorded = job_records.report

    def report(job_id, done, total):
        reports.append((done, total))
        recorded(job_id, done, total)

    monkeypatch.setattr(job_records, "report", report)
    # The sloppy attempt is graded ahead; the exact one "arrives" after that pass, so only
    # the apply transaction can regrade it.
    graded_ahead = regrade._graded_ahead

    def without_the_exact_attempt(set_id, settings, progress):
        graded = graded_ahead(set_id, settings, progress)
        return {sid: report for sid, report in graded.items()
                if sid in sloppy_ids}

    with app.app_context():
        sloppy_ids = set(db.session().scalars(select(Submission.id).where(
            Submission.exercise_id == scene["sloppy"].id)))
    monkeypatch.setattr(regrade, "_graded_ahead", without_the_exact_attempt)
    with app.app_context():
        job = jobs.start("regrade", scene["set"], {"settings": LOOSE}, instructor)
        assert job.state == "done" and job.result["submissions"] == 2
        assert (job.done, job.total) == (2, 2)
    assert reports == [(0, 2), (1, 2), (2, 2)]
    # 3% is inside the loose 5%: the sloppy δ are now right, and the exact attempt (regraded
    # in the apply) keeps every field right.
    score, grades = _stored(app, scene["sloppy"].id)
    assert grades["delta:2:1"][0] == "correct" and score == 16
    with app.app_context():
        exact = db.session().scalars(select(Submission).where(
            Submission.id.not_in(sloppy_ids))).one()
        assert exact.score == 16 and exact.grading["settings"]["tolerance"]["rtol"] == 0.05
