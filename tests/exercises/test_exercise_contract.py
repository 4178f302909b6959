"""The exercise contract (issue 11): the generated exercise is what a row stores, what loading a
row gives back, what the API shows (its public view) and what grading reads its settings from."""
from __future__ import annotations

import json
import math

import pytest
from sqlalchemy.orm import Session

import tracer
from exercises import db
from exercises.generation import BUILTIN_TEMPLATES, GeneratedExercise, Template, generate
from exercises.generation.circuit_templates import CIRCUIT_TEMPLATES
from exercises.generation.circuits import generate_circuit
from exercises.generation.fields import locate, value_at
from exercises.grading import GradingSettings
from exercises.grading.tolerance import Tolerance
from exercises.models import Exercise

TEMPLATE_IDS = sorted(BUILTIN_TEMPLATES)
CIRCUIT_IDS = sorted(CIRCUIT_TEMPLATES)
SEEDS = (5, 2 ** 31 - 1)
SEED_SPEC = {
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
    "biases": [[0.10, -0.10], [0.20, 0.05]],
    "inputs": [0.50, -0.30], "targets": [0.20, 0.90], "learning_rate": 0.5,
}
# Every hidden z is 3·1 + 3·1 + 0 = 6 > 4: the network fails the z_range condition.
STEEP_SPEC = {**SEED_SPEC, "weights": [[[3.0, 3.0], [3.0, 3.0]], [[0.5, -0.6], [0.7, 0.2]]],
              "biases": [[0.0, 0.0], [0.0, 0.0]], "inputs": [1.0, 1.0]}
CS231N = {"graph": {"leaves": {"x": -2, "y": 5, "z": -4},
                    "nodes": [{"name": "q", "op": "add", "args": ["x", "y"]},
                              {"name": "f", "op": "mul", "args": ["q", "z"]}]}}
# SPEC §8's exercise body, in the order the API writes it.
BODY_KEYS = ["id", "seed", "network", "fields", "answer_digits", "tolerance", "attempts", "reveal",
             "conditions"]


def _store(app, exercise: GeneratedExercise) -> str:
    """Store ``exercise`` as a practice row; its id."""
    with app.app_context(), db.write_transaction() as sess:
        row = Exercise(kind="practice", template_id="test", **exercise.to_row())
        sess.add(row)
        sess.flush()
        return row.id


def _load(app, exercise_id: str) -> GeneratedExercise:
    """The exercise a row stores, read in a session of its own (nothing cached)."""
    with app.app_context(), Session(db.engine()) as fresh:
        return GeneratedExercise.from_row(fresh.get(Exercise, exercise_id))


def _numbers(value) -> list[float]:
    """Every number of a JSON value (numbers only: text is not searched)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, (int, float)):
        return [float(value)]
    items = value.values() if isinstance(value, dict) else value
    return [number for item in items for number in _numbers(item)]


def _at(value: float, digits: int) -> float:
    return float(f"{value:.{digits - 1}e}")


GENERATED = [pytest.param(lambda t=t, s=s: generate(BUILTIN_TEMPLATES[t], s), id=f"{t}-{s}")
             for t in TEMPLATE_IDS for s in SEEDS]
GENERATED += [pytest.param(lambda c=c, s=s: generate_circuit({"circuit": c}, s), id=f"circuit-{c}-{s}")
              for c in CIRCUIT_IDS for s in SEEDS]
GENERATED += [pytest.param(lambda: generate(Template.from_dict({"network": SEED_SPEC})), id="given-network"),
              pytest.param(lambda: generate(Template.from_dict({"network": STEEP_SPEC})), id="steep-network"),
              pytest.param(lambda: generate_circuit({"network": CS231N}, None), id="given-circuit")]


@pytest.mark.parametrize("make", GENERATED)
def test_a_generated_exercise_stored_and_loaded_is_the_same_exercise(app, make):
    generated = make()
    row = generated.to_row()
    assert json.loads(json.dumps(row)) == row   # plain JSON, as the columns hold it
    loaded = _load(app, _store(app, generated))
    assert loaded == generated
    assert loaded.to_dict() == generated.to_dict()
    assert all(loaded.expected[key] == value for key, value in generated.expected.items())


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_the_api_body_is_the_public_view_of_the_stored_exercise(app, client, template_id):
    created = client.post("/api/v1/practice", json={"template": template_id, "seed": 7}).get_json()
    body = client.get(f"/api/v1/exercises/{created['id']}",
                      headers={"Authorization": f"Bearer {created['token']}"}).get_json()
    loaded = _load(app, created["id"])
    assert loaded == generate(BUILTIN_TEMPLATES[template_id], 7)
    assert list(body) == BODY_KEYS
    assert body == {"id": created["id"], **json.loads(json.dumps(loaded.public_view()))}
    assert {key: value for key, value in created.items() if key != "token"} == body


@pytest.mark.parametrize("knobs", [{"circuit": "fan-out", "seed": 3}, {"network": CS231N},
                                   {"network": STEEP_SPEC}], ids=["circuit", "given-circuit", "steep"])
def test_the_api_body_of_a_circuit_or_a_given_network_is_its_public_view(app, client, knobs):
    created = client.post("/api/v1/practice", json=knobs).get_json()
    loaded = _load(app, created["id"])
    view = json.loads(json.dumps(loaded.public_view()))
    assert {key: value for key, value in created.items() if key != "token"} == {"id": created["id"], **view}
    if knobs.get("network") is STEEP_SPEC:
        assert "z_range" in {condition["condition"] for condition in created["conditions"]}


NETWORKS = [param for param in GENERATED if "circuit" not in param.id]
CIRCUITS = [param for param in GENERATED if "circuit" in param.id]


@pytest.mark.parametrize("make", NETWORKS)
def test_the_public_view_of_a_network_never_shows_a_true_value(make):
    exercise = make()
    view = json.loads(json.dumps(exercise.public_view()))
    assert "expected" not in json.dumps(list(view))
    shown = _numbers(view)
    # A value that is exactly 0 (an inactive ReLU's) is exempt from the good-exercise
    # conditions, and 0 is a given value too; every other true value is neither shown as it is
    # nor as the exercise asks for it (rounded to its answer digits).
    digits = exercise.answer_digits
    for value in (value for value in exercise.expected.values() if value != 0):
        assert value not in shown
        assert all(not math.isclose(_at(value, digits), _at(number, digits)) for number in shown if number), value


@pytest.mark.parametrize("make", CIRCUITS)
def test_the_public_view_of_a_circuit_shows_its_leaves_and_no_node_value(make):
    # A circuit's gradient may equal a leaf (∂(q·z)/∂q is z), so its values are told apart by
    # where they are: the network shows leaf values and exponents, never a node's value.
    exercise = make()
    view = json.loads(json.dumps(exercise.public_view()))
    graph = view["network"]["graph"]
    given = {float(v) for v in graph["leaves"].values()} | \
        {float(node["exponent"]) for node in graph["nodes"] if "exponent" in node}
    assert set(_numbers(view["network"])) <= given
    assert all(set(node) <= {"name", "op", "args", "exponent"} for node in graph["nodes"])


def test_grading_settings_come_from_the_exercise_as_its_knobs_set_them():
    tolerance = {"mode": "relabs", "rtol": 0.001, "atol": 0.0, "digits": None}
    exercise = generate(BUILTIN_TEMPLATES["seed-2-2-2"].with_overrides(
        {"answer_digits": 6, "tolerance": tolerance, "ecf_credit": 0.5, "feedback": False}), 1)
    assert exercise.grading_settings() == GradingSettings(
        tolerance=Tolerance(mode="relabs", rtol=0.001, atol=0.0), answer_digits=6, ecf_credit=0.5,
        feedback=False)


def test_a_row_stored_before_conditions_were_kept_loads_with_none(app):
    generated = generate(BUILTIN_TEMPLATES["seed-2-2-2"], 2)
    row = generated.to_row()
    del row["settings"]["conditions"]
    with app.app_context(), db.write_transaction() as sess:
        stored = Exercise(kind="practice", template_id="test", **row)
        sess.add(stored)
        sess.flush()
        exercise_id = stored.id
    assert _load(app, exercise_id) == generated


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_a_loaded_exercise_grades_the_engines_answers_correct_and_a_wrong_one_not(app, template_id):
    exercise = _load(app, _store(app, generate(BUILTIN_TEMPLATES[template_id], 11)))
    result = tracer.trace(exercise.public_view()["network"])   # the engine, from what is shown
    answers = {f.key: f"{value_at(result, locate(f.key)):.{exercise.answer_digits}g}" for f in exercise.fields}
    graded = exercise.grade(answers)
    assert graded.score == graded.max_score == len(exercise.fields)
    first = exercise.fields[0].key
    wrong = exercise.grade({**answers, first: "123.4"})
    assert wrong.fields[first].status != "correct" and wrong.score < wrong.max_score
