"""The public trace tool: paste or upload a spec, get the walkthrough and downloads."""
from __future__ import annotations

import copy
import csv
import io
import json
import math

import pytest

from exercises.trace_checks import register_trace_check
from exercises.web.trace_tool import EXAMPLE_SPEC


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def seed_example_by_hand():
    """δ_ŷ1 and w5⁺ of SPEC §3's example, computed by hand (MSE over 2 outputs, sigmoid)."""
    h1, h2 = sigmoid(0.5 * 0.1 + -0.3 * -0.2 + 0.1), sigmoid(0.5 * 0.3 + -0.3 * 0.4 - 0.1)
    y1 = sigmoid(h1 * 0.5 + h2 * -0.6 + 0.2)
    delta = (2 / 2) * (y1 - 0.2) * y1 * (1 - y1)
    return delta, 0.5 - 0.5 * delta * h1


def post_spec(client, csrf, spec_text, url="/trace"):
    token = csrf(client.get("/trace").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "spec": spec_text})


def test_the_form_starts_with_the_seed_example(client):
    html = client.get("/trace").get_data(as_text=True)
    assert "&#34;layers&#34;: [2, 2, 2]," in html and 'name="file"' in html


def test_the_example_is_traced_with_the_values_a_hand_computation_gives(client, csrf):
    response = post_spec(client, csrf, json.dumps(EXAMPLE_SPEC))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    delta, w5 = seed_example_by_hand()
    assert f"{delta:.6g}" in html and f"{w5:.6g}" in html
    assert html.count('<li class="step') == 61 - 16  # every row but the 16 given values
    assert "<svg" in html


def test_an_uploaded_file_is_traced(client, csrf):
    token = csrf(client.get("/trace").get_data(as_text=True))
    upload = (io.BytesIO(json.dumps(EXAMPLE_SPEC).encode()), "net.json")
    response = client.post("/trace", data={"csrf_token": token, "spec": "", "file": upload},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert f"{seed_example_by_hand()[0]:.6g}" in response.get_data(as_text=True)


def broken(**changes):
    spec = copy.deepcopy(EXAMPLE_SPEC)
    for key, value in changes.items():
        if value is None:
            del spec[key]
        else:
            spec[key] = value
    return json.dumps(spec)


@pytest.mark.parametrize("text, named", [
    (broken(weights=None), "weights"),
    (broken(loss="bce", activations=["sigmoid", "softmax"]), "loss"),
    (broken(learning_rate="fast"), "learning_rate"),
    (broken(colour="blue"), "colour"),
    ('{"layers": [2, 2', "not valid JSON"),
    ("[1, 2, 3]", "JSON object"),
    ("", "Paste a network spec"),
])
def test_a_bad_spec_answers_422_with_a_message_naming_the_problem(client, csrf, text, named):
    response = post_spec(client, csrf, text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    message = html.split('id="spec-error">', 1)[1].split("</p>", 1)[0]
    assert named in message


def test_a_trace_over_the_row_limit_is_refused_before_computing(client, csrf):
    wide = {"layers": [10, 30, 10], "weights": [[[0.01] * 10] * 30, [[0.01] * 30] * 10],
            "inputs": [0.5] * 10, "targets": [0.5] * 10, "learning_rate": 0.1, "iterations": 1000}
    response = post_spec(client, csrf, json.dumps(wide))
    assert response.status_code == 422
    assert "the limit is 100000" in response.get_data(as_text=True)  # no login: 10⁵ rows


def test_csv_and_json_downloads_carry_every_row(client, csrf):
    csv_response = post_spec(client, csrf, json.dumps(EXAMPLE_SPEC), "/trace.csv")
    rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
    assert csv_response.mimetype == "text/csv" and len(rows) == 61
    delta_row = next(r for r in rows if r["symbol"] == "δ_ŷ1")
    assert float(delta_row["value"]) == pytest.approx(seed_example_by_hand()[0], rel=1e-12)
    json_response = post_spec(client, csrf, json.dumps(EXAMPLE_SPEC), "/trace.json")
    body = json_response.get_json()
    assert len(body["steps"]) == 61 and body["spec"]["bias"] == "per_unit"
    assert post_spec(client, csrf, broken(weights=None), "/trace.csv").status_code == 422


def test_a_registered_check_can_refuse_traces(app, client, csrf):
    register_trace_check(app, lambda spec, caller: "Tracing is closed during the exam.")
    response = post_spec(client, csrf, json.dumps(EXAMPLE_SPEC))
    assert response.status_code == 422
    assert "Tracing is closed during the exam." in response.get_data(as_text=True)


def spec_error_text(response) -> str:
    """The refusal as the page states it, in the #spec-error notice, without its markup."""
    html = response.get_data(as_text=True)
    return html.split('id="spec-error">', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize("text, korean", [
    (broken(learning_rate=-1), "learning_rate: 0보다 커야 합니다"),
    (broken(layers=[2, 0, 2]), "layers[1]: 양의 정수여야 합니다. 받은 값: 0"),
    (broken(inputs=[0.5]), "inputs: 수 2개의 리스트여야 하는데 항목이 1개입니다"),
    (broken(colour="blue"), "colour: 명세의 키가 아닙니다"),
    (json.dumps({"graph": {"leaves": {"x": 1.0}, "nodes": [
        {"name": "f", "op": "log", "args": ["x", "x"]}], "output": "f"}}),
     "graph.nodes[0].args: log는 인자 1개를 받는데 2개가 주어졌습니다"),
])
def test_the_engines_refusals_read_in_korean_with_their_keys_and_values(client, csrf, text,
                                                                         korean):
    client.get("/trace?lang=ko")
    response = post_spec(client, csrf, text)
    assert response.status_code == 422
    assert spec_error_text(response).endswith(korean)
