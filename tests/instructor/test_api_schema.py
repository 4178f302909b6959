"""schemathesis against /api/v1/openapi.json on a live server: every documented operation, with
valid, missing and wrong bearer tokens (a practice exercise's token, an instructor's personal
access token) and real or random ids. Fails on any 5xx, any response that breaks the document
(status, content type, body schema), and any documented status no request produced.

The counts (operations, generated cases, statuses seen) are written to
test-artifacts/schemathesis.json.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from exercises.instructor import tokens
from exercises.openapi import document

from .conftest import build_set, make_user

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "schemathesis.json"
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance)
EXAMPLES = 80
SEEN: dict[str, set[int]] = defaultdict(set)
CASES: dict[str, int] = defaultdict(int)


SCHEMA = schemathesis.openapi.from_dict(document())
SCHEMA.config.generation.update(modes=list(GenerationMode), max_examples=EXAMPLES)


@pytest.fixture
def api(app, live_server) -> dict:
    """A live server that serves the document, with a practice exercise (2 attempts, so its
    409 comes) and a published set of an instructor who has a personal access token."""
    served = requests.get(f"{live_server}/api/v1/openapi.json", timeout=30)
    assert served.status_code == 200 and served.json() == document()
    teacher = make_user(app, "schema-teacher@example.com")
    with app.app_context():
        access = tokens.create(teacher, "schemathesis")
    made = requests.post(f"{live_server}/api/v1/practice", json={"seed": 11, "attempts": 2},
                         timeout=30).json()
    return {"base": live_server, "set_id": build_set(app, teacher), "access": access,
            "exercise_id": made["id"], "practice": made["token"]}


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_document(case, api):
    label = f"{case.operation.method.upper()} {case.operation.path}"
    if case.method.upper() != case.operation.method.upper():   # schemathesis probes a wrong
        label = f"other methods on {case.operation.path}"      # method: 405 expected
    # Cases take turns (deterministically) with the right token, none and a wrong one, and
    # with the real id or the generated one.
    turn = CASES[label]
    CASES[label] += 1
    real = turn // 3 % 2 == 0
    if "{exercise_id}" in case.operation.path:
        if real:
            case.path_parameters["exercise_id"] = api["exercise_id"]
        token = (api["practice"], None, "not-a-token")[turn % 3]
    elif "{set_id}" in case.operation.path:
        if real:
            case.path_parameters["set_id"] = api["set_id"]
        token = (api["access"], None, "bpl_not-a-token")[turn % 3]
    else:
        token = (None, api["access"])[turn % 2]
    headers = {key: value for key, value in (case.headers or {}).items()
               if key.lower() != "authorization"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    case.headers = headers
    response = case.call(base_url=api["base"], timeout=60)
    SEEN[label].add(response.status_code)
    case.validate_response(response, checks=CHECKS)


def test_every_documented_status_was_returned(app, live_server):
    """Runs after the operations above (same module, later): each explicit status in the
    document was produced at least once."""
    served = requests.get(f"{live_server}/api/v1/openapi.json", timeout=30).json()
    documented = {f"{method.upper()} {path}": {int(s) for s in op["responses"] if s.isdigit()}
                  for path, ops in served["paths"].items() for method, op in ops.items()}
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps({"operations": len(documented),
                                    "cases": sum(CASES[label] for label in documented),
                                    "cases_per_operation": CASES,
                                    "statuses": {k: sorted(v) for k, v in SEEN.items()}},
                                   indent=2))
    assert set(documented) <= set(SEEN), "an operation was not exercised"
    assert all(SEEN[label] <= {405, 200} for label in set(SEEN) - set(documented)), SEEN
    missing = {label: sorted(statuses - SEEN[label]) for label, statuses in documented.items()
               if statuses - SEEN[label]}
    assert missing == {}, f"documented but never returned: {missing}"
