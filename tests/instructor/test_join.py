"""Students joining: accounts on first join, distinct variants from the pool, no generation on
a join, top-ups outside the request, and the student's set page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from exercises import db
from exercises.instructor import enrollment, pool, variants
from exercises.models import Enrollment, Exercise, Job, ProblemSet, User

from .conftest import PASSWORD, build_set, join, login, make_students, make_user, post_form, variants_of

TWO = (("seed-2-2-2", {}), ("tanh-3-3-2", {}))


@pytest.fixture
def no_generation(monkeypatch):
    """Fail the test if anything generates a variant while it is active."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("a variant was generated on a join")
    monkeypatch.setattr(variants, "generate_jobs", refuse)


def test_joining_assigns_distinct_variants_without_generating(app, instructor, request):
    set_id = build_set(app, instructor, items=TWO, pool_size=4)
    students = make_students(app, 3)
    request.getfixturevalue("no_generation")
    for student in students:
        join(app, set_id, student)
    held = [variants_of(app, set_id, s) for s in students]
    assert all(len(h) == 2 for h in held)
    ids = [v.id for h in held for v in h]
    assert len(set(ids)) == 6
    seeds_per_item = [{h[i].seed for h in held} for i in range(2)]
    assert all(len(seeds) == 3 for seeds in seeds_per_item)


def test_joining_again_keeps_the_same_variants(app, instructor):
    set_id = build_set(app, instructor, items=TWO, pool_size=3)
    student = make_user(app, "s@example.com", "student")
    join(app, set_id, student)
    first = [v.id for v in variants_of(app, set_id, student)]
    join(app, set_id, student)
    assert [v.id for v in variants_of(app, set_id, student)] == first
    with app.app_context():
        assert len(db.session().scalars(select(Enrollment)).all()) == 1


def test_an_empty_pool_leaves_the_exercise_waiting_until_a_top_up(app, instructor, monkeypatch):
    set_id = build_set(app, instructor, pool_size=1)
    first, second = (make_user(app, f"s{n}@example.com", "student") for n in range(2))
    join(app, set_id, first)
    scheduled = []
    monkeypatch.setattr(pool, "schedule_top_up", scheduled.append)
    with app.app_context():
        sess = db.session()
        _enrollment, missing = enrollment.join(sess.get(ProblemSet, set_id), sess.get(User, second))
    assert missing == 1 and scheduled == [set_id]
    assert variants_of(app, set_id, second) == []
    with app.app_context():
        added = pool.top_up(set_id)
        assert added == pool.refill(1)
        assert enrollment.assign_missing(db.session().get(ProblemSet, set_id), second) == 0
    (mine,) = variants_of(app, set_id, second)
    assert mine.variant_index == 1
    assert mine.seed == variants.variant_seed(set_id, mine.item_id, 1)


def test_a_pool_is_topped_up_only_when_it_runs_low(app, instructor):
    set_id = build_set(app, instructor, pool_size=20)
    with app.app_context():
        assert pool.top_up(set_id) == 0  # 20 free, low water is 2
    for student in make_students(app, 19):
        join(app, set_id, student)
    with app.app_context():
        assert pool.runs_low(set_id, 20)
        assert pool.top_up(set_id) == pool.refill(20)
        (free, next_index), = pool.free_counts(db.session(), set_id).values()
        assert (free, next_index) == (1 + pool.refill(20), 20 + pool.refill(20))


def test_a_top_up_that_loses_a_race_adds_nothing(app, instructor, monkeypatch):
    set_id = build_set(app, instructor, pool_size=1)
    join(app, set_id, make_user(app, "s@example.com", "student"))
    with app.app_context():
        counts = pool.free_counts(db.session(), set_id)
        problem_set = db.session().get(ProblemSet, set_id)
        # Another process generated the same next indices first:
        made = pool.generate_variants(problem_set, {item: (nxt, pool.refill(1))
                                                    for item, (_free, nxt) in counts.items()})
        with db.write_transaction() as sess:
            pool.store_variants(sess, made)
        monkeypatch.setattr(pool, "free_counts", lambda _sess, _set: counts)
        assert pool.top_up(set_id) == 0
        assert len(db.session().scalars(select(Exercise.id)).all()) == 1 + pool.refill(1)


def test_a_newcomer_makes_an_account_and_joins_through_the_join_link(app, client, instructor):
    set_id = build_set(app, instructor, items=TWO, pool_size=2)
    with app.app_context():
        code = db.session().get(ProblemSet, set_id).join_code
    assert client.get(f"/join/{code.lower()}").status_code == 200
    response = post_form(client, f"/join/{code}/signup",
                         {"name": "Grace", "email": "Grace@Example.com", "password": PASSWORD},
                         form_page=f"/join/{code}")
    assert response.status_code == 302 and response.location.endswith(f"/sets/{set_id}")
    page = client.get(f"/sets/{set_id}").get_data(as_text=True)
    with app.app_context():
        student = db.session().scalar(select(User).where(User.email == "grace@example.com"))
    assert student.role == "student"
    for variant in variants_of(app, set_id, student.id):
        assert f"/sets/{set_id}/exercises/{variant.id}" in page


def test_a_student_keeps_one_account_across_sets(app, client, instructor):
    first = build_set(app, instructor, pool_size=1)
    second = build_set(app, instructor, pool_size=1, title="Week 4")
    student = make_user(app, "s@example.com", "student")
    login(client, "s@example.com")
    for set_id in (first, second):
        with app.app_context():
            code = db.session().get(ProblemSet, set_id).join_code
        response = post_form(client, f"/join/{code}", {})
        assert response.status_code == 302
    page = client.get("/sets/").get_data(as_text=True)
    assert "Week 3: backprop by hand" in page and "Week 4" in page
    assert len(variants_of(app, first, student)) == len(variants_of(app, second, student)) == 1


def test_the_home_page_code_form_leads_to_the_set(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=1)
    with app.app_context():
        code = db.session().get(ProblemSet, set_id).join_code
    response = post_form(client, "/join", {"code": f" {code.lower()} "})
    assert response.status_code == 302 and response.location.endswith(f"/join/{code}")
    assert post_form(client, "/join", {"code": "NOPE1234"}).status_code == 404


def test_instructors_and_drafts_cannot_be_joined(app, client, instructor):
    draft = build_set(app, instructor, publish=False)
    with app.app_context():
        assert db.session().get(ProblemSet, draft).join_code is None
    published = build_set(app, instructor, pool_size=1)
    with app.app_context():
        code = db.session().get(ProblemSet, published).join_code
    login(client, "teacher@example.com")
    assert "Instructor accounts do not join" in client.get(f"/join/{code}").get_data(as_text=True)
    assert post_form(client, f"/join/{code}", {}, form_page="/instructor/tokens").status_code == 403


def test_a_join_that_drains_a_pool_queues_one_top_up_job(app, instructor):
    set_id = build_set(app, instructor, pool_size=2)
    app.config["POOL_TOPUP"] = "queue"  # jobs run at once in tests (JOBS_IMMEDIATE)
    join(app, set_id, make_students(app, 1)[0])  # 1 free left: under the low-water mark of 2
    with app.app_context():
        ((free, next_index),) = pool.free_counts(db.session(), set_id).values()
        (job,) = db.session().scalars(select(Job).where(Job.target == set_id)).all()
    assert (free, next_index) == (1 + 5, 2 + 5)  # refill(2): at least 5 variants
    assert (job.kind, job.state, job.result, job.active_key) == ("topup", "done",
                                                                  {"variants": 5}, None)
