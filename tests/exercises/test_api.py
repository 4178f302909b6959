"""The JSON API of SPEC §8: practice, public view, submissions, solution, traces, errors."""
from __future__ import annotations

import json

import pytest

import tracer
from tracer.keys import parse_key

SEED_SPEC = {
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
    "biases": [[0.10, -0.10], [0.20, 0.05]],
    "inputs": [0.50, -0.30], "targets": [0.20, 0.90], "learning_rate": 0.5,
}


def _practice(client, **knobs):
    response = client.post("/api/v1/practice", json=knobs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _auth(created):
    return {"Authorization": f"Bearer {created['token']}"}


def _true_answers(created, digits=None):
    """The right answers, computed by the engine from the public network (not by grading)."""
    result = tracer.trace(created["network"])
    answers = {}
    for field in created["fields"]:
        value = result.value(*parse_key(field["key"]))
        answers[field["key"]] = f"{value:.{digits or created['answer_digits']}g}"
    return answers


def test_practice_returns_the_public_view_with_a_token(client):
    created = _practice(client, seed=42)
    assert set(created) >= {"id", "token", "seed", "network", "fields", "answer_digits",
                            "tolerance"}
    assert len(created["id"]) >= 22 and created["seed"] == 42
    keys = [f["key"] for f in created["fields"]]
    assert "delta:2:1" in keys and "w_new:2:1:2" in keys and "b_new:1:2" in keys
    again = client.get(f"/api/v1/exercises/{created['id']}", headers=_auth(created))
    assert again.status_code == 200
    assert again.get_json()["network"] == created["network"]


def test_the_same_seed_gives_the_same_exercise(client):
    first, second = _practice(client, seed=7), _practice(client, seed=7)
    assert first["network"] == second["network"] and first["id"] != second["id"]


def test_correct_answers_grade_correct(client):
    created = _practice(client, seed=3)
    response = client.post(f"/api/v1/exercises/{created['id']}/submissions",
                           headers=_auth(created), json={"answers": _true_answers(created)})
    assert response.status_code == 201
    body = response.get_json()
    assert body["score"] == body["max_score"] == len(created["fields"])
    assert body["attempts_left"] is None
    assert {f["status"] for f in body["fields"].values()} == {"correct"}


def test_no_expected_value_appears_in_the_public_view(client):
    created = _practice(client, seed=11)
    result = tracer.trace(created["network"])
    text = json.dumps(created) + client.get(f"/api/v1/exercises/{created['id']}",
                                            headers=_auth(created)).get_data(as_text=True)
    for field in created["fields"]:
        value = result.value(*parse_key(field["key"]))
        for shown in (repr(value), f"{value:.{created['answer_digits']}g}"):
            assert shown not in text, (field["key"], shown)


@pytest.mark.parametrize("bad", ["abc", "nan", "1e999", "1,000", "1" * 65, [1], {"a": 1}, True])
def test_invalid_answers_are_422_naming_the_field_and_use_no_attempt(client, bad):
    created = _practice(client, seed=5, attempts=2)
    url = f"/api/v1/exercises/{created['id']}/submissions"
    response = client.post(url, headers=_auth(created), json={"answers": {"delta:2:1": bad}})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"delta:2:1"}
    ok = client.post(url, headers=_auth(created), json={"answers": {"delta:2:1": "0.1"}})
    assert ok.get_json()["attempts_left"] == 1


def test_unknown_keys_are_422(client):
    created = _practice(client, seed=5)
    response = client.post(f"/api/v1/exercises/{created['id']}/submissions",
                           headers=_auth(created),
                           json={"answers": {"delta:9:9": "1", "bogus": "2"}})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"delta:9:9", "bogus"}


def test_attempt_limit_gives_409(client):
    created = _practice(client, seed=5, attempts=1)
    url = f"/api/v1/exercises/{created['id']}/submissions"
    assert client.post(url, headers=_auth(created), json={"answers": {}}).status_code == 201
    response = client.post(url, headers=_auth(created), json={"answers": {}})
    assert response.status_code == 409
    assert "attempts" in response.get_json()["error"]


def test_another_caller_gets_404_and_no_token_401(client):
    mine, theirs = _practice(client, seed=1), _practice(client, seed=2)
    for path in ("", "/solution"):
        assert client.get(f"/api/v1/exercises/{mine['id']}{path}",
                          headers=_auth(theirs)).status_code == 404
        assert client.get(f"/api/v1/exercises/{mine['id']}{path}").status_code == 401
    response = client.post(f"/api/v1/exercises/{mine['id']}/submissions",
                           headers=_auth(theirs), json={"answers": {}})
    assert response.status_code == 404


def test_solution_is_the_full_trace_of_the_exercise(client):
    created = _practice(client, seed=9)
    response = client.get(f"/api/v1/exercises/{created['id']}/solution", headers=_auth(created))
    assert response.status_code == 200
    body = response.get_json()
    engine = tracer.trace(created["network"]).to_dict()
    assert body["steps"] == engine["steps"]


def test_trace_endpoint_json_and_csv(client):
    response = client.post("/api/v1/traces", json=SEED_SPEC)
    assert response.status_code == 200
    steps = response.get_json()["steps"]
    delta = next(s for s in steps if s["quantity"] == "delta" and s["layer"] == 2
                 and s["unit"] == 1)
    # δ_ŷ1 by hand: mse' = (2/2)(ŷ1 − y1), times ŷ1(1 − ŷ1).
    import math
    h = [1 / (1 + math.exp(-(0.5 * 0.1 + -0.3 * -0.2 + 0.1))),
         1 / (1 + math.exp(-(0.5 * 0.3 + -0.3 * 0.4 - 0.1)))]
    y1 = 1 / (1 + math.exp(-(h[0] * 0.5 + h[1] * -0.6 + 0.2)))
    assert delta["value"] == pytest.approx((y1 - 0.2) * y1 * (1 - y1), rel=1e-12)
    csv_response = client.post("/api/v1/traces?format=csv", json=SEED_SPEC)
    assert csv_response.mimetype == "text/csv"
    assert csv_response.get_data(as_text=True).startswith(
        "step,iteration,sample,phase,layer,unit,source,quantity,symbol,formula,substituted,value")


@pytest.mark.parametrize("body, status, key", [
    ({**SEED_SPEC, "loss": "hinge"}, 422, "loss"),
    ({**SEED_SPEC, "weights": [[[0.1]]]}, 422, "weights"),
    ([1, 2], 400, None),
])
def test_trace_endpoint_rejects_bad_specs(client, body, status, key):
    response = client.post("/api/v1/traces", json=body)
    assert response.status_code == status
    error = response.get_json()
    assert error["error"]
    if key:
        assert any(k.startswith(key) for k in error["fields"])


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/traces", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == {"error": "the body is not valid JSON (line 1, column 2: "
                                            "Expecting property name enclosed in double quotes)",
                                   "fields": {}}


def test_practice_rejects_unknown_knobs_with_422(client):
    response = client.post("/api/v1/practice", json={"colour": "blue"})
    assert response.status_code == 422
    assert "colour" in response.get_json()["fields"]


# --- Answer digits, δ convention and given networks (issue 9) ---------------------------------

def test_answer_digits_are_the_callers_or_the_fewest_that_work(client):
    for digits in (4, 6, 8):
        assert _practice(client, seed=9, answer_digits=digits)["answer_digits"] == digits
    auto = _practice(client, seed=9, answer_digits="auto")
    assert auto["answer_digits"] == _practice(client, seed=9)["answer_digits"]
    assert 4 <= auto["answer_digits"] <= 8


@pytest.mark.parametrize("digits", [3, 9, "5", 4.5, None, "automatic"])
def test_answer_digits_outside_4_to_8_or_auto_are_422_naming_the_key(client, digits):
    response = client.post("/api/v1/practice", json={"answer_digits": digits})
    assert response.status_code == 422
    assert "answer_digits" in response.get_json()["fields"]


def test_a_template_that_cannot_meet_its_digits_is_a_422_naming_what_would_work(client):
    response = client.post("/api/v1/practice", json={"learning_rate": 0.001, "answer_digits": 4,
                                                     "seed": 1})
    assert response.status_code == 422
    body = response.get_json()
    assert "significant figures would work" in body["fields"]["answer_digits"]
    korean = client.post("/api/v1/practice", json={"learning_rate": 0.001, "answer_digits": 4,
                                                   "seed": 1},
                         headers={"Accept-Language": "ko"}).get_json()
    assert "유효숫자" in korean["error"]


@pytest.mark.parametrize("rate", [5e-324, 1e-300])
def test_a_learning_rate_so_small_its_steps_vanish_is_a_422_not_a_500(client, rate):
    # Judging a larger rate scales each try's step by rate/η, which leaves float64 here.
    response = client.post("/api/v1/practice", json={"learning_rate": rate, "seed": 1})
    assert response.status_code == 422
    assert "no good exercise" in response.get_json()["error"]


def test_the_delta_convention_knob_reaches_the_network(client):
    negative = _practice(client, seed=4, delta_convention="negative")
    assert negative["network"]["delta_convention"] == "negative"
    assert _practice(client, seed=4)["network"].get("delta_convention", "gradient") == "gradient"
    bad = client.post("/api/v1/practice", json={"delta_convention": "positive"})
    assert bad.status_code == 422 and "delta_convention" in bad.get_json()["fields"]


def test_a_given_network_is_exactly_those_values_and_its_failed_conditions_are_reported(client):
    created = _practice(client, network=SEED_SPEC, answer_digits=4)
    network = created["network"]
    for key in ("layers", "weights", "biases", "learning_rate", "loss"):
        assert network[key] == SEED_SPEC[key], key
    assert network["inputs"] in ([SEED_SPEC["inputs"]], SEED_SPEC["inputs"])
    assert created["seed"] is None and created["answer_digits"] == 4
    conditions = {c["condition"]: c for c in created["conditions"]}
    assert "step_size" in conditions
    assert {"w1⁺", "w2⁺"} <= set(conditions["step_size"]["symbols"])
    assert "20 times its rounding allowance at 4 significant figures" in \
        conditions["step_size"]["message"]
    for condition in created["conditions"]:
        assert set(condition) >= {"condition", "message"}
    again = client.get(f"/api/v1/exercises/{created['id']}", headers=_auth(created)).get_json()
    assert again["conditions"] == created["conditions"]
    # nothing computed leaks through the report (w2⁺ itself rounds to a given value, -0.2,
    # which is what equals_given reports, by name)
    assert conditions["equals_given"]["symbols"] == ["w2⁺"]
    result = tracer.trace(network)
    text = json.dumps(created["conditions"])
    for field in created["fields"]:
        value = result.value(*parse_key(field["key"]))
        assert f"{value:.4g}" not in text and repr(value) not in text


def test_a_given_network_with_auto_digits_asks_for_the_fewest_that_pass(client):
    created = _practice(client, network=SEED_SPEC)
    assert created["answer_digits"] == 6 and created["conditions"] == []
    asked = _practice(client, network=SEED_SPEC, ask=["delta"], answer_digits="auto")
    assert [f["key"] for f in asked["fields"]] == ["delta:2:1", "delta:2:2", "delta:1:1",
                                                   "delta:1:2"]


def test_a_given_network_is_graded_like_any_exercise(client):
    created = _practice(client, network=SEED_SPEC, answer_digits=6)
    response = client.post(f"/api/v1/exercises/{created['id']}/submissions",
                           headers=_auth(created), json={"answers": _true_answers(created)})
    assert response.status_code == 201
    body = response.get_json()
    assert body["score"] == body["max_score"] == len(created["fields"])


@pytest.mark.parametrize("body, key", [
    ({"network": SEED_SPEC, "layers": [2, 3, 2]}, "layers"),
    ({"network": SEED_SPEC, "seed": 3}, "seed"),
    ({"network": SEED_SPEC, "template": "tanh-3-3-2"}, "template"),
    ({"network": [1, 2]}, "network"),
    ({"network": {**SEED_SPEC, "weights": [[[0.1, "x"], [0.3, 0.4]], [[0.5, -0.6], [0.7, 0.2]]]}},
     "network.weights[0][0][1]"),
    ({"network": {k: v for k, v in SEED_SPEC.items() if k != "targets"}}, "network.targets"),
    ({"network": {**SEED_SPEC, "iterations": 2}}, "network.iterations"),
    ({"network": {**SEED_SPEC, "inputs": [[0.5, -0.3], [0.1, 0.2]],
                  "targets": [[0.2, 0.9], [0.3, 0.4]]}}, "network.inputs"),
    ({"network": {**SEED_SPEC, "layers": [2, 9, 2],
                  "weights": [[[0.1, 0.1]] * 9, [[0.1] * 9] * 2],
                  "biases": [[0.0] * 9, [0.0, 0.0]]}}, "network.layers"),
    ({"network": SEED_SPEC, "ask": ["m"]}, "ask"),
    ({"network": SEED_SPEC, "answer_digits": 2}, "answer_digits"),
])
def test_a_malformed_given_network_is_a_422_naming_the_key(client, body, key):
    response = client.post("/api/v1/practice", json=body)
    assert response.status_code == 422, response.get_json()
    assert key in response.get_json()["fields"], response.get_json()


@pytest.mark.parametrize("body, key", [
    ({"network": None}, "network"),
    ({"network": "layers"}, "network"),
    ({"network": SEED_SPEC, "delta_convention": "positive"}, "delta_convention"),
])
def test_a_network_knob_that_is_no_spec_is_a_422_naming_it(client, body, key):
    response = client.post("/api/v1/practice", json=body)
    assert response.status_code == 422
    assert key in response.get_json()["fields"]


def test_a_given_network_in_the_negative_convention(client):
    created = _practice(client, network=SEED_SPEC, delta_convention="negative")
    assert created["network"]["delta_convention"] == "negative"
    result = tracer.trace(created["network"])
    assert result.value("delta", 2, 1) == -tracer.trace(SEED_SPEC).value("delta", 2, 1)


def test_a_given_network_that_overflows_as_it_runs_is_a_422_not_a_500(client):
    huge = {**SEED_SPEC, "activations": "linear",
            "weights": [[[1e200, 1e200], [1e200, 1e200]], [[1e200, 1e200], [1e200, 1e200]]],
            "inputs": [1e100, 1e100]}
    response = client.post("/api/v1/practice", json={"network": huge})
    assert response.status_code == 422
    assert any(key.startswith("network") for key in response.get_json()["fields"])
