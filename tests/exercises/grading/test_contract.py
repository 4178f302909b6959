"""SPEC §5, §6 and §8 as a client sees them: practice exercises through the JSON API, graded
against values computed here from the public network with the engine (``tracer.trace``)."""
from __future__ import annotations

import math

import pytest

import tracer
from tracer.keys import parse_key


def _practice(client, **knobs):
    response = client.post("/api/v1/practice", json=knobs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _submit(client, created, answers):
    return client.post(f"/api/v1/exercises/{created['id']}/submissions",
                       headers={"Authorization": f"Bearer {created['token']}"},
                       json={"answers": answers})


def _engine(created):
    """Every field's true value, from the engine's trace of the public network."""
    result = tracer.trace(created["network"])
    return {field["key"]: result.value(*parse_key(field["key"])) for field in created["fields"]}


def _statuses(response):
    assert response.status_code == 201, response.get_json()
    return {key: field["status"] for key, field in response.get_json()["fields"].items()}


@pytest.mark.parametrize("mode", ["sigfig", "decimals"])
def test_a_digits_tolerance_grades_answers_at_its_digits(client, mode):
    created = _practice(client, seed=4, ask=["delta"], tolerance={"mode": mode, "digits": 3})
    assert created["tolerance"]["mode"] == mode and created["tolerance"]["digits"] == 3
    true = _engine(created)
    fmt = "{:.3g}" if mode == "sigfig" else "{:.3f}"
    exact = {key: fmt.format(value) for key, value in true.items()}
    assert set(_statuses(_submit(client, created, exact)).values()) == {"correct"}
    # Two units of the last digit off: beyond the 0.51 of a unit either mode allows.
    def unit(value):
        return 10.0 ** (math.floor(math.log10(abs(value))) - 2) if mode == "sigfig" else 1e-3
    off = {key: repr(value + 2 * unit(value)) for key, value in true.items()}
    assert set(_statuses(_submit(client, created, off)).values()) == {"incorrect"}


@pytest.mark.parametrize("digits", [4, 5, 8])
def test_true_values_rounded_to_the_stated_digits_pass_the_default_tolerance(client, digits):
    # A number of digits is the instructor's: the exercise asks exactly those.
    for seed in range(6):
        created = _practice(client, seed=seed, answer_digits=digits, ask=["z", "a", "delta", "dL_dw"])
        assert created["answer_digits"] == digits
        rounded = {key: f"{value:.{digits}g}" for key, value in _engine(created).items()}
        assert set(_statuses(_submit(client, created, rounded)).values()) == {"correct"}


EVERYTHING = ["z", "a", "loss", "dL_da", "da_dz", "delta", "dL_dw", "dL_db", "w_new", "b_new"]


def _seed_step(network, student=None):
    """One SGD step of the seed-shaped network (sigmoid, mse, a bias per unit) by hand, SPEC
    §2: every value by key, each computed from the student's values upstream where given."""
    student = student or {}
    values = {}

    def put(key, value):
        values[key] = value
        return student.get(key, value)

    (w1, w2), (b1, b2) = network["weights"], network["biases"]
    x, y, eta = network["inputs"][0], network["targets"][0], network["learning_rate"]
    h = [put(f"a:1:{j}", 1 / (1 + math.exp(-put(f"z:1:{j}", w1[j - 1][0] * x[0] + w1[j - 1][1] * x[1]
                                                   + b1[j - 1])))) for j in (1, 2)]
    out = [put(f"a:2:{j}", 1 / (1 + math.exp(-put(f"z:2:{j}", w2[j - 1][0] * h[0] + w2[j - 1][1] * h[1]
                                                    + b2[j - 1])))) for j in (1, 2)]
    put("loss", ((y[0] - out[0]) ** 2 + (y[1] - out[1]) ** 2) / 2)
    d2 = [put(f"delta:2:{j}", put(f"dL_da:2:{j}", out[j - 1] - y[j - 1])
              * put(f"da_dz:2:{j}", out[j - 1] * (1 - out[j - 1]))) for j in (1, 2)]
    d1 = [put(f"delta:1:{k}", put(f"dL_da:1:{k}", w2[0][k - 1] * d2[0] + w2[1][k - 1] * d2[1])
              * put(f"da_dz:1:{k}", h[k - 1] * (1 - h[k - 1]))) for k in (1, 2)]
    for layer, deltas, inputs, w, b in ((2, d2, h, w2, b2), (1, d1, x, w1, b1)):
        for j in (1, 2):
            for k in (1, 2):
                put(f"w_new:{layer}:{j}:{k}",
                    w[j - 1][k - 1] - eta * put(f"dL_dw:{layer}:{j}:{k}", deltas[j - 1] * inputs[k - 1]))
            put(f"b_new:{layer}:{j}", b[j - 1] - eta * put(f"dL_db:{layer}:{j}", deltas[j - 1]))
    return values


def _passes(submitted, true, before=None, digits=4):
    """SPEC §6's default comparison, written out here: 1 % of t plus the rounding allowance
    u(t) (0.51 units of t's ``digits``-th figure), and for an update its step within 1 % of
    the true step plus u(t)."""
    u = 0.51 * 10.0 ** (math.floor(math.log10(abs(true))) - digits + 1) if true else 0.0
    if abs(submitted - true) > 1e-2 * abs(true) + u:
        return False
    if before is None:
        return True
    step, true_step = submitted - before, true - before
    return abs(step - true_step) <= 1e-2 * abs(true_step) + u


def _before(network, key):
    quantity, *index = key.split(":")
    if quantity == "w_new":
        return network["weights"][int(index[0]) - 1][int(index[1]) - 1][int(index[2]) - 1]
    return network["biases"][int(index[0]) - 1][int(index[1]) - 1] if quantity == "b_new" else None


@pytest.mark.parametrize("wrong_key, shift", [("z:1:1", 0.8), ("a:2:2", -0.2), ("delta:2:1", 0.05),
                                              ("dL_da:1:2", 0.1), ("da_dz:2:1", 0.06)])
def test_error_carried_forward_through_every_askable_quantity(client, wrong_key, shift):
    created = _practice(client, seed=12, ask=EVERYTHING)
    network = created["network"]
    keys = [field["key"] for field in created["fields"]]
    true = _seed_step(network)
    assert all(math.isclose(true[key], value, rel_tol=1e-12, abs_tol=1e-15)
               for key, value in _engine(created).items())
    # One wrong value, and every later value computed correctly from the student's own.
    wrong = {wrong_key: true[wrong_key] + shift}
    student = {**_seed_step(network, wrong), **wrong}
    answers = {key: f"{student[key]:.8g}" for key in keys}
    statuses = _statuses(_submit(client, created, answers))
    digits = created["answer_digits"]
    expected = {key: "correct" if _passes(float(answers[key]), true[key], _before(network, key), digits)
                else "carried" for key in keys}
    expected[wrong_key] = "incorrect"
    assert statuses == expected
    assert "carried" in statuses.values()
    # A blank instead of the wrong value: everything after it is graded from the true one.
    statuses = _statuses(_submit(client, created, {
        key: f"{true[key]:.8g}" for key in keys if key != wrong_key}))
    assert statuses == {key: "blank" if key == wrong_key else "correct" for key in keys}


def test_practice_network_is_a_spec_the_trace_route_accepts_and_submissions_have_the_contract_shape(client):
    created = _practice(client, seed=21, ask=["loss", "delta"], attempts=3)
    assert {field["key"] for field in created["fields"]} == {
        "loss", "delta:2:1", "delta:2:2", "delta:1:1", "delta:1:2"}
    assert all(set(field) >= {"key", "symbol", "label"} for field in created["fields"])
    traced = client.post("/api/v1/traces", json=created["network"])
    assert traced.status_code == 200
    true = _engine(created)
    # JSON numbers and text alike; a missing key is blank.
    answers = {"loss": true["loss"], "delta:2:1": f" {true['delta:2:1']:.4g} ",
               "delta:2:2": f"{true['delta:2:2']:.4g}".replace("-", "\u2212")}
    response = _submit(client, created, answers)
    body = response.get_json()
    assert set(body) >= {"score", "max_score", "attempts_left", "fields"}
    assert body["score"] == 3 and body["max_score"] == 5 and body["attempts_left"] == 2
    for field in body["fields"].values():
        assert set(field) == {"status", "credit", "message", "misconceptions"}
    assert _statuses(response) == {"loss": "correct", "delta:2:1": "correct", "delta:2:2": "correct",
                                   "delta:1:1": "blank", "delta:1:2": "blank"}
