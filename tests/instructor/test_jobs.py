"""Jobs: publishing and regrading run as jobs whose progress the instructor follows, and a job
that runs again after its worker died neither doubles a pool nor applies a regrade twice.

Jobs run at once here (``JOBS_IMMEDIATE``, the default under ``TESTING``); a "crash" is an
exception that is not an ``Exception`` (as a killed process, it leaves the job running).
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from exercises import db, jobs
from exercises.instructor import pool, publishing
from exercises.jobs import queue, records, work
from exercises.models import AuditEvent, Exercise, Job, ProblemSet, utcnow

from ..web.conftest import element_text
from .conftest import build_set, login, make_user, post_form

TWO = (("seed-2-2-2", {}), ("tanh-3-3-2", {}))


class Crash(BaseException):
    """What a killed worker looks like to the code it was running: it never returns."""


def _pools(app, set_id: str) -> dict[str, list[int]]:
    """Every exercise's stored variant indices."""
    with app.app_context():
        rows = db.session().execute(select(Exercise.item_id, Exercise.variant_index)
                                    .where(Exercise.problem_set_id == set_id)).all()
    found: dict[str, list[int]] = {}
    for item_id, index in rows:
        found.setdefault(item_id, []).append(index)
    return {item_id: sorted(indices) for item_id, indices in found.items()}


def test_publishing_from_the_set_page_runs_a_job_and_says_when_it_is_done(app, client,
                                                                          instructor):
    set_id = build_set(app, instructor, items=TWO, publish=False, pool_size=7)
    login(client, "teacher@example.com")
    response = post_form(client, f"/instructor/sets/{set_id}/publish", {},
                         form_page=f"/instructor/sets/{set_id}")
    assert response.status_code == 302
    page = client.get(f"/instructor/sets/{set_id}").get_data(as_text=True)
    assert element_text(page, "job-message") == \
        "Published: 14 variants are ready for your students."
    assert 'value="14"' in page and 'max="14"' in page  # the bar is full
    with app.app_context():
        job = jobs.latest(set_id, "publish")
        assert db.session().get(ProblemSet, set_id).status == "published"
    state = client.get(f"/instructor/jobs/{job.id}/progress").get_json()
    assert (state["state"], state["done"], state["total"], state["active"]) == \
        ("done", 14, 14, False)
    assert [len(indices) for indices in _pools(app, set_id).values()] == [7, 7]


def test_a_running_job_refreshes_the_page_without_javascript_and_polls_with_it(app, client,
                                                                                instructor):
    set_id = build_set(app, instructor, publish=False, pool_size=3)
    with app.app_context():
        publishing.begin_publish(set_id)
        job, _new = records.create("publish", set_id, created_by=instructor)
        with db.write_transaction() as sess:
            records.progress(sess, job.id, 1, 3)
    login(client, "teacher@example.com")
    page = client.get(f"/instructor/sets/{set_id}").get_data(as_text=True)
    assert element_text(page, "job-message") == "Waiting for a worker to start…"
    assert f'<noscript><meta http-equiv="refresh" content="3;url=/instructor/sets/{set_id}">' \
        in page
    assert "jobs.js" in page and 'value="1"' in page and 'max="3"' in page
    with client.get("/static/jobs.js") as script:
        assert script.status_code == 200


def test_only_the_sets_owner_reads_a_jobs_progress(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2, publish=False)
    with app.app_context():
        publishing.begin_publish(set_id)
        job = jobs.start("publish", set_id, created_by=instructor)
    make_user(app, "other@example.com")
    login(client, "other@example.com")
    assert client.get(f"/instructor/jobs/{job.id}/progress").status_code == 404
    assert client.get("/instructor/jobs/nosuchjob00000000000/progress").status_code == 404


def test_a_publish_whose_worker_died_is_sent_again_and_fills_the_pools_once(app, instructor,
                                                                             monkeypatch):
    set_id = build_set(app, instructor, items=TWO, publish=False, pool_size=7)
    monkeypatch.setattr(pool, "CHUNK", 3)
    original, calls = pool.generate_variants, []

    def dies_on_the_third_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise Crash
        return original(*args, **kwargs)
    monkeypatch.setattr(pool, "generate_variants", dies_on_the_third_chunk)
    with app.app_context():
        publishing.begin_publish(set_id)
        with pytest.raises(Crash):
            jobs.start("publish", set_id, created_by=instructor)
        job = jobs.latest(set_id, "publish")
        assert (job.state, job.done, job.total) == ("running", 6, 14)  # two chunks of 3
        assert queue.recover() == 0  # its heartbeat is fresh: it may still be running
        with db.write_transaction() as sess:  # time passes
            sess.execute(update(Job).values(heartbeat_at=utcnow() - timedelta(minutes=5)))
        assert queue.recover() == 1
        job = records.reload(job.id)
        problem_set = db.session().get(ProblemSet, set_id, populate_existing=True)
    assert (job.state, job.done, job.total, job.runs) == ("done", 14, 14, 2)
    assert job.result == {"variants": 14} and job.active_key is None
    assert problem_set.status == "published" and problem_set.join_code
    assert list(_pools(app, set_id).values()) == [list(range(7))] * 2
    with app.app_context():
        work.run(job.id)  # a late duplicate message changes nothing
        assert db.session().scalar(select(func.count(Exercise.id))) == 14


def test_two_runs_of_one_fill_store_each_variant_once(app, instructor):
    set_id = build_set(app, instructor, publish=False, pool_size=5)
    with app.app_context():
        publishing.begin_publish(set_id)
        problem_set = db.session().get(ProblemSet, set_id)
        assert pool.fill(problem_set) == 5
        assert pool.fill(problem_set) == 0
    assert list(_pools(app, set_id).values()) == [list(range(5))]


def test_a_template_that_makes_no_exercise_fails_the_job_and_leaves_a_draft(app, instructor,
                                                                            monkeypatch):
    set_id = build_set(app, instructor, publish=False, pool_size=3)
    from exercises.generation import TemplateError

    def refuse(*_args, **_kwargs):
        raise TemplateError(None, "no good draw")
    monkeypatch.setattr(pool, "generate_variants", refuse)
    with app.app_context():
        publishing.begin_publish(set_id)
        job = jobs.start("publish", set_id, created_by=instructor)
        assert db.session().get(ProblemSet, set_id, populate_existing=True).status == "draft"
    assert (job.state, job.error, job.active_key) == ("failed", "no good draw", None)


def test_a_second_publish_while_one_runs_is_the_same_job(app, instructor):
    set_id = build_set(app, instructor, publish=False, pool_size=2)
    with app.app_context():
        first, new = records.create("publish", set_id, created_by=instructor)
        again, new_again = records.create("publish", set_id, created_by=instructor)
    assert new and not new_again and again.id == first.id


LOOSE = {"ecf_credit": 0.5, "tolerance": {"mode": "relabs", "rtol": 0.05, "atol": 0.0,
                                          "digits": None}}


def test_a_regrade_job_is_applied_once_however_often_it_runs(app, instructor):
    set_id = build_set(app, instructor, pool_size=2)
    with app.app_context():
        job = jobs.start("regrade", set_id, {"settings": LOOSE}, instructor)
        assert job.state == "done" and job.result["submissions"] == 0
        # a second run that started before the first finished (its worker looked dead)
        with pytest.raises(work.AlreadyDone):
            work._regrade(records.reload(job.id))
        work.run(job.id)
        events = db.session().scalar(select(func.count(AuditEvent.id))
                                     .where(AuditEvent.action == "regrade"))
        settings = db.session().get(ProblemSet, set_id, populate_existing=True).settings
    assert events == 1 and settings["ecf_credit"] == 0.5


def test_a_running_regrade_says_how_many_attempts_it_has_graded(app):
    from exercises.jobs.views import describe

    with app.test_request_context("/?lang=ko"):
        running = Job(kind="regrade", state="running", done=400, total=1250)
        assert describe(running) == "다시 채점하는 중: 채점된 시도 1250개 중 400개 완료."
    with app.test_request_context("/"):
        assert describe(running) == "Regrading: 400 of 1250 graded attempts."
