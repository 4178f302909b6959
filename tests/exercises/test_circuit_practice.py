"""Circuit exercises through the practice API: a built-in circuit (knob ``circuit``) drawn from a
seed, or a given circuit (``network`` holding a ``graph`` spec); stored, graded, solved."""

import pytest

from exercises.generation.circuit_templates import CIRCUIT_TEMPLATES
from exercises.generation.circuits import generate_circuit

CS231N = {"graph": {"leaves": {"x": -2, "y": 5, "z": -4},
                    "nodes": [{"name": "q", "op": "add", "args": ["x", "y"]},
                              {"name": "f", "op": "mul", "args": ["q", "z"]}]}}


def _auth(created):
    return {"Authorization": f"Bearer {created['token']}"}


def test_a_given_circuit_asks_every_gradient_and_grades_cs231ns_answers(client):
    response = client.post("/api/v1/practice", json={"network": CS231N})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["seed"] is None and created["network"]["graph"]["output"] == "f"
    assert [(f["key"], f["symbol"]) for f in created["fields"]] == [
        ("grad:q", "∂f/∂q"), ("grad:z", "∂f/∂z"), ("grad:x", "∂f/∂x"), ("grad:y", "∂f/∂y")]
    answers = {"grad:q": "-4", "grad:z": "3", "grad:x": "-4", "grad:y": "-4"}
    graded = client.post(f"/api/v1/exercises/{created['id']}/submissions", json={"answers": answers},
                         headers=_auth(created))
    assert graded.status_code == 201
    assert [f["status"] for f in graded.get_json()["fields"].values()] == ["correct"] * 4
    solution = client.get(f"/api/v1/exercises/{created['id']}/solution", headers=_auth(created)).get_json()
    local = next(s for s in solution["steps"] if s["quantity"] == "local_grad" and s["arg"] == "z")
    assert (local["node"], local["value"]) == ("f", 3.0)


def test_a_built_in_circuit_is_the_same_exercise_for_the_same_seed(client):
    first = client.post("/api/v1/practice", json={"circuit": "max-gate", "seed": 11}).get_json()
    second = client.post("/api/v1/practice", json={"circuit": "max-gate", "seed": 11}).get_json()
    assert first["network"] == second["network"]
    leaves = first["network"]["graph"]["leaves"]
    assert leaves["two"] == 2.0 and all(round(v, 1) == v for v in leaves.values())
    assert "grad:two" not in [f["key"] for f in first["fields"]]   # a constant is never asked
    # ∂f/∂z by hand: f = 2·(x·y + max(z, w)), so the max gate sends 2 to the larger of z, w.
    larger = "grad:z" if leaves["z"] > leaves["w"] else "grad:w"
    smaller = "grad:w" if larger == "grad:z" else "grad:z"
    answers = {larger: "2", smaller: "0"}
    graded = client.post(f"/api/v1/exercises/{first['id']}/submissions", json={"answers": answers},
                         headers=_auth(first)).get_json()
    statuses = {key: f["status"] for key, f in graded["fields"].items()}
    assert statuses[larger] == statuses[smaller] == "correct"


@pytest.mark.parametrize("knobs, key", [
    ({"circuit": "nope"}, "circuit"),
    ({"circuit": "cs231n", "ask": ["delta"]}, "ask"),
    ({"circuit": "cs231n", "layers": [2, 2]}, "layers"),
    ({"circuit": "cs231n", "seed": -1}, "seed"),
    ({"network": CS231N, "seed": 3}, "seed"),
    ({"network": {"graph": {"leaves": {"x": 1}, "nodes": [{"name": "f", "op": "log", "args": ["y"]}]}}},
     "network.graph.nodes[0].args[0]"),
    ({"network": {"graph": {"leaves": {"x": 1}, "nodes": [{"name": "n0", "op": "neg", "args": ["x"]}] + [
        {"name": f"n{i}", "op": "neg", "args": [f"n{i - 1}"]} for i in range(1, 101)]}}}, "network.graph.nodes"),
])
def test_bad_circuit_knobs_are_refused_naming_the_knob(client, knobs, key):
    response = client.post("/api/v1/practice", json=knobs)
    assert response.status_code == 422
    assert key in response.get_json()["fields"], response.get_json()


@pytest.mark.parametrize("name", list(CIRCUIT_TEMPLATES))
def test_every_built_in_circuit_generates_good_exercises(name):
    for seed in range(20):
        exercise = generate_circuit({"circuit": name}, seed)
        assert exercise.fields and all(k.startswith("grad:") for k in exercise.expected)
        leaves = exercise.spec["graph"]["leaves"]
        assert all(abs(v) >= 0.5 for v in leaves.values())
