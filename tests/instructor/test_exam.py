"""Exam mode: while an exam is open, its networks cannot be traced by anyone (``variant_refusal``),
and the public trace tool is closed to callers without a login; before and after, or for a set
that is not an exam, nothing is refused. The disguises are in test_exam_disguises.py."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from exercises import db
from exercises.instructor import problem_sets, records
from exercises.instructor.exam import refusal_message, variant_refusal
from exercises.models import Exercise

from .conftest import SET_FORM, build_set, csrf_token, join, login, make_user, variants_of

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _a_variant(app, set_id: str) -> Exercise:
    with app.app_context():
        variant = db.session().scalar(select(Exercise).where(Exercise.problem_set_id == set_id))
        db.session().expunge(variant)
        return variant


def test_an_open_exams_networks_are_refused_anywhere(app, instructor):
    set_id = build_set(app, instructor, pool_size=2, exam_mode=True)
    spec = _a_variant(app, set_id).spec
    pasted = {key: spec[key] for key in ("layers", "weights", "biases", "inputs", "targets",
                                         "learning_rate")}
    nested = isinstance(spec["inputs"][0], list)
    pasted["inputs"] = spec["inputs"][0] if nested else [spec["inputs"]]  # the other nesting
    pasted["learning_rate"] = 0.1                  # another η does not make it another network
    with app.app_context():
        assert variant_refusal(spec) == refusal_message()
        assert variant_refusal(pasted) == refusal_message()
        changed = json.loads(json.dumps(spec))
        changed["weights"][0][0][0] += 0.01
        assert variant_refusal(changed) is None
        assert variant_refusal({"layers": "nonsense"}) is None  # the caller's validation says why


def test_not_an_exam_or_closed_or_switched_off_is_not_refused(app, instructor):
    plain = build_set(app, instructor, pool_size=1)
    closed = build_set(app, instructor, pool_size=1, exam_mode=True, due_at=NOW - timedelta(hours=1))
    switched = build_set(app, instructor, pool_size=1, exam_mode=True)
    with app.app_context():
        problem_sets.update_set(switched, {**SET_FORM, "exam_mode": False})
        for set_id in (plain, closed, switched):
            assert variant_refusal(_a_variant(app, set_id).spec) is None


def test_an_extension_keeps_the_exam_open(app, instructor):
    set_id = build_set(app, instructor, pool_size=1, exam_mode=True,
                       due_at=NOW - timedelta(hours=1))
    student = make_user(app, "late@example.com", "student")
    join(app, set_id, student)
    (variant,) = variants_of(app, set_id, student)
    with app.app_context():
        assert variant_refusal(variant.spec) is None
        records.extend(set_id, student, NOW + timedelta(hours=1), actor_id=None)
        assert variant_refusal(variant.spec) == refusal_message()


def test_the_trace_tool_refuses_an_open_exam_network_to_a_signed_in_instructor(app, client,
                                                                               instructor):
    set_id = build_set(app, instructor, pool_size=1, exam_mode=True)
    spec = _a_variant(app, set_id).spec
    make_user(app, "other@example.com")
    login(client, "other@example.com")
    token = csrf_token(client, "/trace")
    response = client.post("/trace", data={"spec": json.dumps(spec), "csrf_token": token})
    assert response.status_code == 422
    assert "belongs to an exam that is still open" in response.get_data(as_text=True)
    download = client.post("/trace.csv", data={"spec": json.dumps(spec), "csrf_token": token})
    assert download.status_code == 422
    spec["weights"][0][0][0] += 0.5
    assert client.post("/trace", data={"spec": json.dumps(spec),
                                       "csrf_token": token}).status_code == 200
