"""Flask CLI commands: create-instructor, demo, trace."""
from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from exercises import db
from exercises.models import Exercise, FieldGrade, User

SPEC = {"layers": [2, 2, 2], "weights": [[[0.1, -0.2], [0.3, 0.4]], [[0.5, -0.6], [0.7, 0.2]]],
        "biases": [[0.1, -0.1], [0.2, 0.05]], "inputs": [0.5, -0.3], "targets": [0.2, 0.9],
        "learning_rate": 0.5}


def test_create_instructor_hashes_the_password(app, runner):
    result = runner.invoke(args=["create-instructor", "--email", "Prof@Example.com", "--name",
                                 "Prof", "--password", "correct horse"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session().scalar(select(User).where(User.email == "prof@example.com"))
        assert user.role == "instructor" and "correct horse" not in user.password_hash
    again = runner.invoke(args=["create-instructor", "--email", "prof@example.com", "--name",
                                "P", "--password", "correct horse"])
    assert again.exit_code != 0 and "already has an account" in again.output


def test_create_instructor_refuses_a_short_password(runner):
    result = runner.invoke(args=["create-instructor", "--email", "a@example.com", "--name", "A",
                                 "--password", "short"])
    assert result.exit_code != 0 and "at least 10" in result.output


def test_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert first.output == second.output
    assert "instructor@example.com" in first.output
    with app.app_context():
        users = db.session().scalars(select(User)).all()
        assert {u.email for u in users} >= {"instructor@example.com", "student@example.com"}
        assert db.session().scalars(select(Exercise)).all()
        grades = db.session().scalars(select(FieldGrade)).all()
        assert len({g.submission_id for g in grades}) == 2  # one attempt per demo student
        flipped = [g for g in grades if g.status == "incorrect"]
        # ∂L/∂ŷ as target minus output, carried through consistently: named on the output δ.
        assert flipped and all(g.misconceptions == ["target_minus_output"] for g in flipped)
        assert {g.key.rsplit(":", 1)[0] for g in flipped} == {"delta:2"}


def test_trace_command_mirrors_python_m_tracer(runner, tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(SPEC))
    out = tmp_path / "trace.csv"
    result = runner.invoke(args=["trace", str(path), "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0]["quantity"] == "x" and rows[-1]["quantity"] == "b_new"


def test_trace_command_exits_2_on_a_bad_spec(runner, tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({**SPEC, "loss": "hinge"}))
    result = runner.invoke(args=["trace", str(path)])
    assert result.exit_code == 2
    assert "loss" in result.output
