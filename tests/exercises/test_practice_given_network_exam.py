"""A given network that is an open exam's variant makes no practice exercise (SPEC §7)."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from sqlalchemy import func, select

from exercises import accounts, db
from exercises.instructor import problem_sets, publishing
from exercises.models import Exercise

SETTINGS = {"title": "Midterm", "instructions": "", "attempts": 3, "due_at": None,
            "ecf_credit": 1.0, "feedback": True, "reveal": "after_attempts",
            "tolerance_mode": "relabs", "rtol": 1e-2, "atol": 0.0, "digits": None,
            "pool_size": 2, "exam_mode": True}


def _open_exam_network(app) -> dict:
    with app.app_context():
        owner = accounts.create_user(email="prof@example.com", name="Prof",
                                     password="long enough", role="instructor")
        exam = problem_sets.create_set(owner.id, SETTINGS)
        problem_sets.add_item(exam.id, "seed-2-2-2", {})
        publishing.publish(exam.id)
        variant = db.session().scalars(
            select(Exercise).where(Exercise.problem_set_id == exam.id)).first()
        return dict(variant.spec)


def _exercises(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Exercise))


def test_an_open_exams_network_is_refused_as_a_given_network(app, client):
    spec = _open_exam_network(app)
    before = _exercises(app)
    response = client.post("/api/v1/practice", json={"network": spec})
    assert response.status_code == 403 and "exam" in response.get_json()["error"]
    page = client.get("/practice/new?" + urlencode({"network": json.dumps(spec)}))
    assert page.status_code == 403
    assert _exercises(app) == before
    # another network is fine (the match is on weights, biases and inputs)
    first = spec["inputs"][0]
    other = {**spec, "inputs": [[first[0] + 0.01, *first[1:]]]}
    assert client.post("/api/v1/practice", json={"network": other}).status_code == 201
