"""Exam mode reaches the JSON API: an open exam's network cannot be traced through it. The
exams here leave the trace tool open to callers without a login (``lock_trace_tool`` off), so
what refuses is the network; the lock itself is tested in tests/instructor/test_exam_lock.py."""
from __future__ import annotations

from sqlalchemy import select

from exercises import accounts, db
from exercises.instructor import problem_sets, publishing
from exercises.models import Exercise

SETTINGS = {"title": "Midterm", "instructions": "", "attempts": 3, "due_at": None,
            "ecf_credit": 1.0, "feedback": True, "reveal": "after_attempts",
            "tolerance_mode": "relabs", "rtol": 1e-2, "atol": 1e-5, "digits": None,
            "pool_size": 2}


def _exam_variant_spec(app, exam_mode: bool) -> dict:
    with app.app_context():
        owner = accounts.create_user(email="prof@example.com", name="Prof",
                                     password="long enough", role="instructor")
        exam = problem_sets.create_set(owner.id, {**SETTINGS, "exam_mode": exam_mode,
                                                  "lock_trace_tool": False})
        problem_sets.add_item(exam.id, "seed-2-2-2", {})
        publishing.publish(exam.id)
        variant = db.session().scalars(
            select(Exercise).where(Exercise.problem_set_id == exam.id)).first()
        return dict(variant.spec)


def test_an_open_exams_network_is_refused_with_403(app, client):
    spec = _exam_variant_spec(app, exam_mode=True)
    for fmt in ("json", "csv"):
        response = client.post(f"/api/v1/traces?format={fmt}", json=spec)
        assert response.status_code == 403
        assert "exam" in response.get_json()["error"]
    first, *rest = spec["inputs"]  # normalized: a batch of one sample
    other = {**spec, "inputs": [[first[0] + 0.01, *first[1:]], *rest]}
    assert client.post("/api/v1/traces", json=other).status_code == 200


def test_without_exam_mode_the_same_network_traces(app, client):
    spec = _exam_variant_spec(app, exam_mode=False)
    assert client.post("/api/v1/traces", json=spec).status_code == 200


def test_a_practice_copy_of_an_open_exams_network_shows_no_solution(app, client):
    """A practice exercise whose network happens to be an open exam's is refused its solution
    in the API and in the browser."""
    spec = _exam_variant_spec(app, exam_mode=True)
    created = client.post("/api/v1/practice", json={"seed": 1}).get_json()
    with app.app_context():
        with db.write_transaction() as sess:
            sess.get(Exercise, created["id"]).spec = spec
    response = client.get(f"/api/v1/exercises/{created['id']}/solution",
                          headers={"Authorization": f"Bearer {created['token']}"})
    assert response.status_code == 403 and "exam" in response.get_json()["error"]
    with app.app_context():
        from exercises.web import solutions

        assert not solutions.solution_allowed(db.session().get(Exercise, created["id"]))
