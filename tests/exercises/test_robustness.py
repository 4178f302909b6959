"""Fuzzing the JSON API (SPEC §8) with hypothesis: specs, practice knobs, answers and whole
bodies of every JSON type at every level (NaN and Infinity literals, huge numbers, deep and
odd nesting, unicode, long strings). Never a 5xx, always the error shape with a message naming
what is wrong, and nothing written by a rejected request. Table-driven cases are in
test_robustness_tables.py; the list of every route and where it is fuzzed is at the end."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tracer
from exercises.practice import PRACTICE_KNOBS

from .robustness import (
    JSON_VALUES,
    SEED_SPEC,
    assert_api_error,
    changed,
    key_root,
    practice,  # noqa: F401 (practice is a fixture)
    row_counts,
)

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
SPEC_KEYS = sorted(SEED_SPEC) + ["bias", "update_biases", "optimizer", "reduction", "iterations",
                                 "naming", "leaky_relu_slope"]


def _set_at(value, path, new):
    """``value`` (nested lists/dicts) with the item at ``path`` replaced by ``new``."""
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


def _paths(value, prefix=()):
    """Every path into a nested JSON value, the empty path (the value itself) first."""
    yield prefix
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, item in items:
        yield from _paths(item, prefix + (key,))


SPEC_PATHS = list(_paths(SEED_SPEC))[1:]


@FUZZ
@given(path=st.sampled_from(SPEC_PATHS), value=JSON_VALUES)
def test_a_spec_with_garbage_anywhere_is_traced_or_refused_naming_the_key(app, client, path,
                                                                          value):
    spec = _set_at(SEED_SPEC, path, value)
    before = row_counts(app)
    response = client.post("/api/v1/traces", json=spec)
    assert row_counts(app) == before  # tracing stores nothing
    if response.status_code == 200:
        assert len(response.get_json()["steps"]) == tracer.row_count(tracer.normalize(spec))
        return
    body = assert_api_error(response, 422)
    assert {key_root(key) for key in body["fields"]} <= set(SPEC_KEYS), body
    assert any(key in body["error"] for key in body["fields"]), body


@FUZZ
@given(key=st.sampled_from(SPEC_KEYS) | st.text(max_size=20), value=JSON_VALUES)
def test_any_key_with_any_value_is_traced_or_refused(app, client, key, value):
    response = client.post("/api/v1/traces", json={**SEED_SPEC, key: value})
    if response.status_code != 200:
        body = assert_api_error(response, 422)
        assert body["fields"], body


def test_an_empty_spec_key_is_named(client):
    body = assert_api_error(client.post("/api/v1/traces", json={**SEED_SPEC, "": 1}), 422)
    assert body["fields"] and '""' in body["error"], body


@FUZZ
@given(knobs=st.dictionaries(st.sampled_from(PRACTICE_KNOBS) | st.text(max_size=12),
                             JSON_VALUES, max_size=4))
def test_practice_knobs_of_any_type_make_an_exercise_or_a_422_and_no_rows(app, client, knobs):
    before = row_counts(app)
    response = client.post("/api/v1/practice", json=knobs)
    if response.status_code == 201:
        created = response.get_json()
        assert changed(before, row_counts(app))["exercises"] == 1
        shown = client.get(f"/api/v1/exercises/{created['id']}",
                           headers={"Authorization": f"Bearer {created['token']}"})
        assert shown.status_code == 200
        return
    body = assert_api_error(response, 422)
    assert row_counts(app) == before
    named = set(body["fields"]) or {key for key in knobs if key in body["error"]}
    assert named, body  # the message or the fields name the knob at fault


@FUZZ
@given(answers=st.dictionaries(st.sampled_from(["delta:2:1", "w_new:2:1:2", "b_new:1:1"])
                               | st.text(max_size=12), JSON_VALUES, max_size=5))
def test_any_answers_are_graded_or_refused_and_only_a_graded_attempt_is_stored(
        app, client, practice, answers):
    before = row_counts(app)
    response = client.post(f"/api/v1/exercises/{practice['id']}/submissions",
                           json={"answers": answers}, headers=practice["headers"])
    if response.status_code == 201:
        grew = changed(before, row_counts(app))
        assert grew == {"submissions": 1, "field_grades": len(practice["fields"])}
        assert set(response.get_json()["fields"]) == {f["key"] for f in practice["fields"]}
        return
    body = assert_api_error(response, 422)
    assert row_counts(app) == before
    assert body["fields"] and set(body["fields"]) <= set(map(str, answers)), body


EXTREME = st.sampled_from([1e308, -1e308, 8.98846567431158e+307, 1e154, 5e-324, -0.0, 0.0, None])
ALL_QUANTITIES = ["z", "a", "loss", "dL_da", "da_dz", "delta", "dL_dw", "dL_db", "w_new", "b_new"]


@pytest.mark.parametrize("knobs", [
    {}, {"template": "softmax-3-4-3", "ask": ALL_QUANTITIES},
    {"template": "relu-2-3-1", "ask": ALL_QUANTITIES},
    {"optimizer": "adam", "bias": "shared", "ask": ["delta", "dL_db", "w_new", "b_new"]},
    {"layers": [2, 3, 3, 2], "activations": "tanh", "loss": "sse", "ask": ["dL_da", "delta"]},
])
@settings(FUZZ, max_examples=30)
@given(data=st.data())
def test_answers_of_extreme_size_are_graded_not_overflowed(client, knobs, data):
    """ECF and diagnosis recompute values from the student's answers; 1e308 must not overflow
    into a numpy warning (an error under this suite's filterwarnings) or a 500."""
    created = client.post("/api/v1/practice", json={**knobs, "seed": 3}).get_json()
    answers = {field["key"]: data.draw(EXTREME) for field in created["fields"]}
    response = client.post(f"/api/v1/exercises/{created['id']}/submissions",
                           json={"answers": answers},
                           headers={"Authorization": f"Bearer {created['token']}"})
    assert response.status_code == 201, response.get_json()
    statuses = {result["status"] for result in response.get_json()["fields"].values()}
    assert statuses <= {"correct", "carried", "incorrect", "blank"}


@FUZZ
@given(body=JSON_VALUES)
def test_any_json_body_on_every_post_route_is_handled(app, client, practice, body):
    routes = ["/api/v1/traces", "/api/v1/practice",
              f"/api/v1/exercises/{practice['id']}/submissions"]
    for route in routes:
        response = client.post(route, json=body, headers=practice["headers"])
        assert response.status_code < 500
        if response.status_code >= 400:
            assert_api_error(response, 400, 422)


# Where every route of the app is fuzzed: the API here; the student pages, the trace tool,
# static files, login and health in tests/web/test_robustness_pages.py; joining and signing up
# in tests/instructor/test_robustness_forms.py; changing one's password in
# tests/instructor/test_sessions.py; and every route under /instructor/ and /sets/,
# found in the URL map itself, in tests/instructor/test_access_routes.py and the forms test.
API_ROUTES = {"/api/v1/traces", "/api/v1/practice", "/api/v1/exercises/<id:exercise_id>",
              "/api/v1/exercises/<id:exercise_id>/submissions",
              "/api/v1/exercises/<id:exercise_id>/solution",
              "/api/v1/problem-sets/<id:set_id>/exports/<name>.csv",
              "/api/v1/openapi.json",  # takes no input; schemathesis fuzzes what it documents
              "/api/v1/problem-sets"}  # fuzzed by schemathesis (tests/instructor/test_api_schema.py)
PAGE_ROUTES = {"/", "/practice", "/practice/new", "/exercises/<id:exercise_id>",
               "/exercises/<id:exercise_id>/solution", "/exercises/<id:exercise_id>/trace.csv",
               "/trace", "/trace.<fmt>", "/static/<path:filename>", "/healthz", "/login",
               "/logout", "/join", "/join/<code>", "/join/<code>/signup", "/account/password",
               # fuzzed in tests/web/test_robustness_pages.py
               "/exercises/<id:exercise_id>/coach", "/exercises/<id:exercise_id>/what-if",
               "/practice/mine", "/favicon.ico",
               # fuzzed in tests/lti/test_lti_robustness.py
               "/lti/login", "/lti/launch", "/lti/jwks.json", "/lti/deep-link"}


def test_every_route_is_one_the_robustness_tests_fuzz(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    guarded = {rule for rule in rules if re.match(r"^/(instructor|sets)/", rule)}
    assert rules - guarded == API_ROUTES | PAGE_ROUTES, "a new route: add it to a fuzz test"


@pytest.mark.parametrize("knobs", [{"circuit": ["cs231n"]}, {"circuit": {"a": 1}},
                                   {"circuit": "cs231n", "ask": [["grad"]]},
                                   {"circuit": "cs231n", "ask": [{"q": 1}]}])
def test_a_circuit_knob_of_the_wrong_type_is_named_not_a_500(client, knobs):
    # Found by the knob fuzz above: an unhashable value reached a dict lookup or a set.
    body = assert_api_error(client.post("/api/v1/practice", json=knobs), 422)
    assert set(body["fields"]) & {"circuit", "ask"} or "circuit" in body["error"], body
