"""Table-driven robustness of the JSON API (SPEC §8): malformed bodies, wrong content types,
bad submissions, bearer tokens and ids, unknown routes and methods, oversized bodies and specs
that are valid JSON but pathological for the engine. Each refusal is a 4xx in the error shape
whose message names what is wrong; nothing is computed or written for it."""
from __future__ import annotations

import json

import pytest

import tracer
from exercises import accounts
from exercises.instructor import tokens

from .robustness import (  # noqa: F401
    BAD_IDS,
    SEED_SPEC,
    assert_api_error,
    practice,
    row_counts,  # (practice is a fixture)
)


@pytest.mark.parametrize("raw, why", [
    ("", "line 1, column 1"), ("{nope", "line 1, column 2"), ("[1, 2", "line 1"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"answers": {}, "answers": {}}', "'answers' appears twice"),
    ('{"a": 1, "a": 2}', "'a' appears twice"),
    ("1" * 5000, "4300 digits"),
    (b"\xff\xfe\x00\x00", "not valid JSON"),
])
def test_malformed_bodies_are_400_saying_where_and_why(client, practice, raw, why):
    for route in ("/api/v1/traces", "/api/v1/practice",
                  f"/api/v1/exercises/{practice['id']}/submissions"):
        response = client.post(route, data=raw, content_type="application/json",
                               headers=practice["headers"])
        body = assert_api_error(response, 400)
        assert body["error"].startswith("the body is not valid JSON") and why in body["error"]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/xml"])
def test_a_body_that_is_not_json_is_400(client, practice, content_type):
    for route in ("/api/v1/traces", "/api/v1/practice",
                  f"/api/v1/exercises/{practice['id']}/submissions"):
        response = client.post(route, data=json.dumps(SEED_SPEC), content_type=content_type,
                               headers=practice["headers"])
        assert "Content-Type: application/json" in assert_api_error(response, 400)["error"]


@pytest.mark.parametrize("body, status, named", [
    ([], 400, "not an array"), ("x", 400, "not a string"), (None, 400, "not null"),
    ({"answers": [1]}, 400, "answers"), ({"answers": None}, 400, "answers"),
    ({}, 400, "answers: missing"), ({"answers": {}, "extra": 1}, 400, "extra"),
    ({"answers": {"nope": "1"}}, 422, "nope"),
    ({"answers": {"delta:2:1": "1" * 65}}, 422, "delta:2:1"),
    ({"answers": {"delta:2:1": int("1" * 70)}}, 422, "delta:2:1"),
    ({"answers": {"delta:2:1": float("nan")}}, 422, "delta:2:1"),
    ({"answers": {"delta:2:1": "\u0000"}}, 422, "delta:2:1"),
])
def test_bad_submissions_name_what_is_wrong_and_use_no_attempt(app, client, practice, body,
                                                              status, named):
    before = row_counts(app)
    response = client.post(f"/api/v1/exercises/{practice['id']}/submissions",
                           data=json.dumps(body), content_type="application/json",
                           headers=practice["headers"])
    error = assert_api_error(response, status)
    assert named in error["error"] or named in error["fields"], error
    assert row_counts(app) == before


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz",
                                    "Token abc", "Bearer wrong", "Bearer " + "x" * 5000,
                                    "Bearer é", "Bearer a b"])
def test_missing_or_invalid_bearer_tokens_are_401_or_404(client, practice, header):
    headers = {} if header is None else {"Authorization": header}
    exercise = practice["id"]
    calls = [("get", f"/api/v1/exercises/{exercise}", None),
             ("get", f"/api/v1/exercises/{exercise}/solution", None),
             ("post", f"/api/v1/exercises/{exercise}/submissions", {"answers": {}}),
             ("get", f"/api/v1/problem-sets/{exercise}/exports/grades.csv", None)]
    for method, url, body in calls:
        response = getattr(client, method)(url, json=body, headers=headers)
        assert_api_error(response, 401, 404)


def _big(units: int, iterations: int) -> dict:
    """A units-units-units network traced for ``iterations`` steps."""
    row = [0.01] * units
    return {"layers": [units] * 3, "weights": [[row] * units] * 2, "inputs": row,
            "targets": [0.5] * units, "learning_rate": 0.1, "iterations": iterations}


@pytest.mark.parametrize("spec, key", [
    ({**SEED_SPEC, "layers": []}, "layers"),
    ({**SEED_SPEC, "layers": [0]}, "layers"),
    ({**SEED_SPEC, "layers": [2, -2, 2]}, "layers[1]"),
    ({**SEED_SPEC, "layers": [2, 2.0, 2]}, "layers[1]"),
    ({**SEED_SPEC, "layers": [2, True, 2]}, "layers[1]"),
    ({**SEED_SPEC, "learning_rate": True}, "learning_rate"),
    ({**SEED_SPEC, "learning_rate": "NaN"}, "learning_rate"),
    ({**SEED_SPEC, "learning_rate": 10 ** 400}, "learning_rate"),
    ({**SEED_SPEC, "inputs": ["Infinity", 0]}, "inputs[0]"),
    ({**SEED_SPEC, "iterations": 1001}, "iterations"),
    ({**SEED_SPEC, "optimizer": {"name": "adam", "beta1": "x"}}, "optimizer.beta1"),
    # 10⁷ + 1 parameters, refused before the weights are even looked at.
    ({"layers": [1, 10 ** 7 + 1], "bias": "none", "weights": [], "inputs": [1], "targets": [1],
      "learning_rate": 1}, "layers"),
    # Valid, but its values overflow float64 while the engine runs.
    ({**SEED_SPEC, "learning_rate": 1e308, "optimizer": "adam", "iterations": 5},
     "learning_rate"),
])
def test_pathological_specs_are_422_naming_the_key(client, spec, key):
    for fmt in ("json", "csv"):
        body = assert_api_error(client.post(f"/api/v1/traces?format={fmt}", json=spec), 422)
        assert key in body["fields"] and body["error"].startswith(key), body


def test_a_trace_over_the_row_limit_is_refused_before_anything_is_computed(client,
                                                                           monkeypatch):
    def no_tracing(_spec):
        raise AssertionError("the engine ran a trace that the row limit refuses")

    monkeypatch.setattr(tracer, "trace", no_tracing)
    body = assert_api_error(client.post("/api/v1/traces", json=_big(20, 1000)), 422)
    assert "limit for a request without a login is 100000" in body["error"]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_id_that_is_no_id_of_ours_is_a_404_in_the_error_shape(client, practice, bad):
    for method, url in (("get", f"/api/v1/exercises/{bad}"),
                        ("get", f"/api/v1/exercises/{bad}/solution"),
                        ("post", f"/api/v1/exercises/{bad}/submissions")):
        response = getattr(client, method)(url, json={"answers": {}}, headers=practice["headers"])
        assert_api_error(response, 404)


@pytest.mark.parametrize("bad", BAD_IDS + ["secrets", "grades.csv", "..", "%2e%2e"])
def test_exports_of_sets_or_names_that_do_not_exist_are_404(app, client, bad):
    with app.app_context():
        teacher = accounts.create_user("t@example.com", "T", "a long password", "instructor")
        headers = {"Authorization": f"Bearer {tokens.create(teacher.id, 'script')}"}
    for url in (f"/api/v1/problem-sets/{bad}/exports/grades.csv",
                f"/api/v1/problem-sets/{'A' * 22}/exports/{bad}.csv"):
        assert_api_error(client.get(url, headers=headers), 404)


@pytest.mark.parametrize("method, path, status, named", [
    ("GET", "/api/v1/nope", 404, "GET /api/v1/nope"),
    ("POST", "/api/v2/traces", 404, "POST /api/v2/traces"),
    ("GET", "/api/", 404, "GET /api/"),
    ("POST", "/api/v1/traces/", 404, "POST /api/v1/traces/"),
    ("GET", "/api/v1/traces", 405, "use POST"),
    ("DELETE", "/api/v1/practice", 405, "DELETE is not allowed on /api/v1/practice"),
    ("PUT", "/api/v1/exercises/abc", 405, "use GET"),
    ("PATCH", "/api/v1/exercises/abc/submissions", 405, "use POST"),
    ("POST", "/api/v1/problem-sets/abc/exports/grades.csv", 405, "use GET"),
])
def test_unknown_api_routes_and_methods_name_what_was_asked(client, method, path, status, named):
    body = assert_api_error(client.open(path, method=method, json={}), status)
    assert named in body["error"], body


def test_a_body_over_2_mb_is_413_on_every_post_route(client, practice):
    huge = json.dumps({"answers": {"delta:2:1": "1" * (2 * 1024 * 1024)}})
    for route in ("/api/v1/traces", "/api/v1/practice",
                  f"/api/v1/exercises/{practice['id']}/submissions"):
        response = client.post(route, data=huge, content_type="application/json",
                               headers=practice["headers"])
        assert "2 MB" in assert_api_error(response, 413)["error"]


@pytest.mark.parametrize("fmt", ["xml", "", "CSV", "json\u0000"])
def test_an_unknown_trace_format_is_400_naming_it(client, fmt):
    body = assert_api_error(client.post(f"/api/v1/traces?format={fmt}", json=SEED_SPEC), 400)
    assert "format" in body["error"], body


@pytest.mark.parametrize("seed", range(6))
def test_a_preset_whose_targets_do_not_fit_the_loss_is_422_for_every_seed(app, client, seed):
    """The tanh preset's targets lie in [−0.9, 0.9]; with bce (targets in [0, 1]) the engine
    refused only the seeds that drew a negative target, as a 500."""
    before = row_counts(app)
    response = client.post("/api/v1/practice", json={"template": "tanh-3-3-2", "loss": "bce",
                                                      "activations": "sigmoid", "seed": seed})
    assert "targets" in assert_api_error(response, 422)["fields"]
    assert row_counts(app) == before

