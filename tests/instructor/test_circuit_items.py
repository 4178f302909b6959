"""Circuit items in problem sets (SPEC §10, issue 17): an instructor adds a built-in circuit or
a pasted circuit spec to a set, publishes it (variants with leaf values drawn from their
seeds), students join, submit and are graded with ECF and the circuit misconceptions, and the
instructor's pages show the fields by their symbols (∂f/∂x), never raw keys.

Expected values are worked out here by hand from CS231n's f = (x + y)·z: q = x + y,
∂f/∂z = q, ∂f/∂q = z, ∂f/∂x = ∂f/∂y = z."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from exercises import db, submissions
from exercises.instructor import answers, problem_sets
from exercises.instructor.problem_sets import SetError
from exercises.models import Exercise, ProblemSet, ProblemSetItem

from ..web.conftest import element_text
from .conftest import build_set, join, login, make_user, post_form, variants_of

CS231N = ("circuit:cs231n", {"circuit": "cs231n"})
GIVEN = {"graph": {"leaves": {"a": 2.0, "b": -3.0}, "nodes": [
    {"name": "p", "op": "mul", "args": ["a", "b"]}, {"name": "f", "op": "add", "args": ["p", "a"]}]}}


def _hand(spec: dict) -> dict[str, float]:
    """CS231n's circuit by hand: every gradient a student is asked for."""
    x, y, z = (spec["graph"]["leaves"][n] for n in "xyz")
    return {"grad:q": z, "grad:z": x + y, "grad:x": z, "grad:y": z}


@pytest.fixture
def student(app):
    return make_user(app, "sam@example.com", role="student", name="Sam Student")


def test_publishing_a_circuit_item_draws_each_variant_s_leaves_from_its_seed(app, instructor):
    set_id = build_set(app, instructor, items=(CS231N,), pool_size=4)
    with app.app_context():
        rows = db.session().scalars(select(Exercise).where(Exercise.problem_set_id == set_id)).all()
        item = db.session().scalar(select(ProblemSetItem).where(ProblemSetItem.problem_set_id == set_id))
        keys = answers.answer_keys(set_id)
    assert item.template_id == "circuit:cs231n" and item.title == "CS231n's circuit f = (x + y)·z"
    assert len(rows) == 4 and len({str(r.spec["graph"]["leaves"]) for r in rows}) == 4
    for row in rows:
        leaves = row.spec["graph"]["leaves"]
        assert all(v == int(v) and -5 <= v <= 5 for v in leaves.values())  # integers, as in the notes
        assert [f["key"] for f in row.fields] == ["grad:q", "grad:z", "grad:x", "grad:y"]
        assert [f["symbol"] for f in row.fields] == ["∂f/∂q", "∂f/∂z", "∂f/∂x", "∂f/∂y"]
        assert keys[row.id] == pytest.approx(_hand(row.spec), abs=1e-12)
        # the set's settings, not the circuit's defaults
        assert row.settings["attempts"] == 3 and row.settings["reveal"] == "after_attempts"
        assert row.settings["tolerance"]["atol"] == 1e-5


def test_a_pasted_circuit_gives_every_student_that_circuit(app, instructor):
    import json
    with app.app_context():
        problem_set = problem_sets.create_set(instructor, {**__import__("tests.instructor.conftest", fromlist=["SET_FORM"]).SET_FORM})
        knobs = problem_sets.item_knobs({"template_id": "seed-2-2-2", "network": json.dumps(GIVEN),
                                         "circuit_ask": ["value", "grad"]})
        problem_sets.add_item(problem_set.id, "seed-2-2-2", knobs)
        problem_sets.publish(problem_set.id)
        rows = db.session().scalars(select(Exercise).where(Exercise.problem_set_id == problem_set.id)).all()
        keys = answers.answer_keys(problem_set.id)
        item = db.session().scalar(select(ProblemSetItem).where(ProblemSetItem.problem_set_id == problem_set.id))
    assert item.template_id == "circuit" and item.title == "Exercise on a given circuit"
    assert all(r.spec["graph"]["leaves"] == {"a": 2.0, "b": -3.0} and r.seed is None for r in rows)
    # p = ab = −6, f = p + a = −4; ∂f/∂p = 1, ∂f/∂b = a = 2, ∂f/∂a = b + 1 = −2 (fan-out)
    assert keys[rows[0].id] == {"value:p": -6.0, "value:f": -4.0, "grad:p": 1.0, "grad:b": 2.0,
                                "grad:a": -2.0}
