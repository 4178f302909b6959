"""Batch, multi-step, weight-decay and dropout exercises through the JSON API and the pages:
made from the built-in templates and the new knobs, solved with the engine's values, and a
wrong step-1 answer carried into step 2."""
from __future__ import annotations

import pytest

import tracer
from exercises.generation.fields import locate, value_at


def _practice(client, **knobs):
    response = client.post("/api/v1/practice", json=knobs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _auth(created):
    return {"Authorization": f"Bearer {created['token']}"}


def _true_values(created):
    """Each field's value, computed by the engine from the public network (not by grading)."""
    result = tracer.trace(created["network"])
    return {field["key"]: value_at(result, locate(field["key"])) for field in created["fields"]}


def _submit(client, created, answers):
    response = client.post(f"/api/v1/exercises/{created['id']}/submissions", headers=_auth(created),
                           json={"answers": answers})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["fields"]


@pytest.mark.parametrize("knobs, keys", [
    ({"template": "batch-2-2-2", "seed": 4}, {"delta:2:1@2", "delta:1:2@2", "w_new:2:1:2"}),
    ({"template": "momentum-two-steps", "seed": 4}, {"velocity:2:1:2#2", "w_new:1:2:1#2"}),
    ({"template": "adam-one-step", "seed": 4}, {"m:2:1:1", "v:1:2:2", "b_new:2:1"}),
    ({"template": "l2-weight-decay", "seed": 4}, {"dL_dw:1:1:1", "w_new:2:2:2"}),
    ({"template": "dropout-hidden", "seed": 4}, {"delta:1:1", "w_new:1:2:2"}),
    ({"layers": [2, 2, 1], "batch": 3, "reduction": "sum", "iterations": 2, "optimizer": "adam",
      "weight_decay": 0.05, "dropout": 0.8, "ask": ["delta", "m", "w_new"], "seed": 9},
     {"delta:1:2@3#2", "m:1:2:1#2", "w_new:2:1:1#2"}),
])
def test_new_exercises_are_made_and_the_right_answers_pass(client, knobs, keys):
    created = _practice(client, **knobs)
    assert keys <= {f["key"] for f in created["fields"]}
    true = _true_values(created)
    digits = created["answer_digits"]
    fields = _submit(client, created, {key: f"{value:.{digits}g}" for key, value in true.items()})
    assert {key: field["status"] for key, field in fields.items()} == {key: "correct" for key in true}


def test_the_network_shows_every_sample_and_the_regularization(client):
    created = _practice(client, layers=[2, 2, 1], batch=2, iterations=2, weight_decay=0.1,
                        dropout=0.5, seed=3)
    network = created["network"]
    assert len(network["inputs"]) == len(network["targets"]) == 2
    assert network["iterations"] == 2 and network["weight_decay"] == 0.1
    assert network["dropout"] == [0.5] and len(network["dropout_masks"]) == 2


def test_a_wrong_step_one_update_is_carried_into_step_two(client):
    created = _practice(client, template="momentum-two-steps", seed=4)
    true = _true_values(created)
    digits = created["answer_digits"]
    answers = {key: f"{value:.{digits}g}" for key, value in true.items()}
    wrong = true["w_new:2:1:1"] + 0.3           # a slip in one step-1 update
    answers["w_new:2:1:1"] = f"{wrong:.{digits}g}"
    # Step 2 worked from the slip: recompute with the engine from the student's step-1 weight.
    spec = dict(created["network"], iterations=1)
    first = tracer.trace(dict(spec, iterations=1))
    weights = [[[first.value("w_new", l, j, k) for k in range(1, len(row) + 1)]
                for j, row in enumerate(layer, 1)] for l, layer in enumerate(spec["weights"], 1)]
    weights[1][0][0] = wrong
    velocity = {(l, j, k): first.value("velocity", l, j, k) for l, layer in enumerate(spec["weights"], 1)
                for j, row in enumerate(layer, 1) for k in range(1, len(row) + 1)}
    second = tracer.trace(dict(spec, weights=weights))  # its velocity starts at 0: add μ·v₁ by hand
    mu, eta = spec["optimizer"]["momentum"], spec["learning_rate"]
    for (l, j, k), v1 in velocity.items():
        v2 = mu * v1 + second.value("dL_dw", l, j, k)
        answers[f"velocity:{l}:{j}:{k}#2"] = f"{v2:.{digits + 2}g}"
        answers[f"w_new:{l}:{j}:{k}#2"] = f"{weights[l - 1][j - 1][k - 1] - eta * v2:.{digits + 2}g}"
    fields = _submit(client, created, answers)
    assert fields["w_new:2:1:1"]["status"] == "incorrect"
    assert fields["w_new:2:1:1#2"]["status"] == "carried"
    assert fields["velocity:2:1:1#2"]["status"] == "carried"
    assert fields["velocity:1:1:1"]["status"] == "correct"
    assert fields["w_new:1:1:1#2"]["status"] in ("carried", "correct")


@pytest.mark.parametrize("template", ["batch-2-2-2", "momentum-two-steps", "adam-one-step",
                                      "l2-weight-decay", "dropout-hidden"])
def test_exercise_and_solution_pages_render(client, template):
    from tests.web.conftest import start_practice

    response = start_practice(client, f"/practice/new?template={template}&seed=2")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "name=\"" in html
