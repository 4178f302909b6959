"""The OpenAPI 3.1 document of /api/v1, served at ``/api/v1/openapi.json`` (apispec).

The request schemas here are the ones the handlers check bodies with: ``api.py`` refuses keys
outside ``SUBMISSION_REQUEST`` and requires its ``required``; ``practice.PRACTICE_KNOBS`` is
``PRACTICE_REQUEST``'s property list; ``TRACE_REQUEST``'s required keys are the engine's own
(``tracer.spec.REQUIRED``, which ``tracer.normalize`` enforces). What they leave to the domain
(a template's ranges, a network's shapes) answers 422 naming the key, as documented. Response
schemas describe what the handlers build (``practice.exercise_body``, ``submissions.submit``,
the engine's trace rows); tests/deploy/test_openapi.py runs schemathesis against them.
"""
from __future__ import annotations

from functools import lru_cache

from apispec import APISpec

from exercises.generation.knobs import MAX_ATTEMPTS, MAX_DIGITS, MAX_SEED, MIN_DIGITS, NAMINGS, REVEALS
from tracer.spec import DELTA_CONVENTIONS, KNOWN, REQUIRED

ANY = {}
NULLABLE_INT = {"type": ["integer", "null"]}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# Request bodies --------------------------------------------------------------------------------
TRACE_REQUEST = {
    "type": "object", "description": "A network spec (SPEC §3); unknown keys are refused (422).",
    "required": list(REQUIRED),
    "properties": {key: ANY for key in sorted(KNOWN)},
}
# The seed post's network (README): the document's example, and the first body a client tries.
SEED_SPEC = {"layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
             "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
             "biases": [[0.10, -0.10], [0.20, 0.05]], "inputs": [0.50, -0.30],
             "targets": [0.20, 0.90], "learning_rate": 0.5}
PRACTICE_REQUEST = {
    "type": "object", "additionalProperties": False,
    "description": "Template knobs, all optional, or a given `network` with only `ask`, "
                   "`answer_digits`, `tolerance`, `attempts` and `delta_convention`.",
    "properties": {
        "template": {"type": "string", "description": "a built-in template id"},
        "layers": ANY, "activations": ANY, "loss": ANY, "bias": ANY, "update_biases": ANY,
        "learning_rate": ANY, "optimizer": ANY, "ask": ANY,
        "answer_digits": {"oneOf": [{"type": "integer", "minimum": MIN_DIGITS,
                                     "maximum": MAX_DIGITS}, {"const": "auto"}]},
        "tolerance": {"type": "object"},
        "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED},
        "naming": {"enum": [*NAMINGS, None]},
        "attempts": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ATTEMPTS},
        "delta_convention": {"enum": list(DELTA_CONVENTIONS)},
        "network": {"type": "object", "description": "a network spec of one sample and one "
                                                     "iteration (SPEC §5), or a circuit spec "
                                                     "(a `graph` key, SPEC §10)"},
        "circuit": {"type": "string", "description": "a built-in circuit (SPEC §10)"},
        "batch": ANY, "reduction": ANY, "iterations": ANY, "weight_decay": ANY, "dropout": ANY,
    },
}
SUBMISSION_REQUEST = {
    "type": "object", "additionalProperties": False, "required": ["answers"],
    "properties": {"answers": {"type": "object", "description": "field key → text or number",
                               "additionalProperties": {"type": ["string", "number"]}}},
}

# Responses -------------------------------------------------------------------------------------
ERROR = {"type": "object", "required": ["error", "fields"],
         "properties": {"error": {"type": "string"},
                        "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}
FIELD = {"type": "object", "required": ["key", "symbol", "label"],
         "properties": {"key": {"type": "string"}, "symbol": {"type": "string"},
                        "label": {"type": "string"}}}
CONDITION = {"type": "object", "required": ["condition", "symbols", "digits", "message"],
             "properties": {"condition": {"type": "string"},
                            "symbols": {"type": "array", "items": {"type": "string"}},
                            "digits": NULLABLE_INT, "message": {"type": "string"}}}
TOLERANCE = {"type": "object", "required": ["mode"],
             "properties": {"mode": {"type": "string"}, "rtol": {"type": ["number", "null"]},
                            "atol": {"type": ["number", "null"]}, "digits": NULLABLE_INT}}
EXERCISE = {
    "type": "object",
    "required": ["id", "seed", "network", "fields", "answer_digits", "tolerance", "attempts",
                 "reveal", "conditions"],
    "properties": {"id": {"type": "string"}, "seed": NULLABLE_INT,
                   "network": {"type": "object"},
                   "fields": {"type": "array", "items": ref("Field")},
                   "answer_digits": {"type": "integer"}, "tolerance": ref("Tolerance"),
                   "attempts": NULLABLE_INT, "reveal": {"enum": list(REVEALS)},
                   "conditions": {"type": "array", "items": ref("Condition")}},
}
PRACTICE_CREATED = {"allOf": [ref("Exercise"), {"type": "object", "required": ["token"],
                                                "properties": {"token": {"type": "string"}}}]}
FIELD_RESULT = {"type": "object", "required": ["status", "credit", "message", "misconceptions"],
                "properties": {"status": {"enum": ["correct", "carried", "incorrect", "blank"]},
                               "credit": {"type": "number"}, "message": {"type": "string"},
                               "misconceptions": {"type": "array",
                                                  "items": {"type": "string"}}}}
SUBMISSION_RESULT = {
    "type": "object",
    "required": ["id", "attempt", "attempts_left", "score", "max_score", "best_score", "fields"],
    "properties": {"id": {"type": "string"}, "attempt": {"type": "integer", "minimum": 1},
                   "attempts_left": NULLABLE_INT, "score": {"type": "number"},
                   "max_score": {"type": "number"}, "best_score": {"type": "number"},
                   "fields": {"type": "object", "additionalProperties": ref("FieldResult")}},
}
TRACE_ROW = {
    "type": "object",
    "required": ["step", "iteration", "sample", "phase", "layer", "unit", "source", "quantity",
                 "symbol", "formula", "substituted", "value"],
    "properties": {"step": {"type": "integer"}, "iteration": {"type": "integer"},
                   "sample": NULLABLE_INT, "phase": {"type": "string"}, "layer": NULLABLE_INT,
                   "unit": NULLABLE_INT, "source": NULLABLE_INT,
                   "quantity": {"type": "string"}, "symbol": {"type": "string"},
                   "formula": {"type": "string"}, "substituted": {"type": "string"},
                   "value": {"type": "number"}},
}
TRACE = {"type": "object", "required": ["spec", "steps"],
         "properties": {"spec": {"type": "object"}, "engine_version": {"type": "string"},
                        "steps": {"type": "array", "items": ref("TraceRow")}}}
STAMP = {"type": ["string", "null"], "format": "date-time"}
PROBLEM_SET = {
    "type": "object",
    "required": ["id", "title", "status", "join_code", "role", "students", "exercises", "due_at",
                 "starts_at", "time_zone", "created_at", "published_at"],
    "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                   "status": {"enum": ["draft", "publishing", "published"]},
                   "join_code": {"type": ["string", "null"]},
                   "role": {"enum": ["owner", "co_instructor", "ta"]},
                   "students": {"type": "integer"},
                   "exercises": {"type": "integer", "description": "not counting retired ones"},
                   "due_at": STAMP, "starts_at": STAMP, "time_zone": {"type": "string"},
                   "created_at": {"type": "string", "format": "date-time"},
                   "published_at": STAMP},
}
PROBLEM_SET_PAGE = {
    "type": "object", "required": ["problem_sets", "page", "per_page", "total", "pages"],
    "properties": {"problem_sets": {"type": "array", "items": ref("ProblemSet")},
                   "page": {"type": "integer", "minimum": 1},
                   "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
                   "total": {"type": "integer", "minimum": 0},
                   "pages": {"type": "integer", "minimum": 1}},
}
SCHEMAS = {"ProblemSet": PROBLEM_SET, "ProblemSetPage": PROBLEM_SET_PAGE,
           "Error": ERROR, "Field": FIELD, "Condition": CONDITION, "Tolerance": TOLERANCE,
           "Exercise": EXERCISE, "PracticeCreated": PRACTICE_CREATED,
           "FieldResult": FIELD_RESULT, "SubmissionResult": SUBMISSION_RESULT,
           "TraceRow": TRACE_ROW, "Trace": TRACE, "TraceRequest": TRACE_REQUEST,
           "PracticeRequest": PRACTICE_REQUEST, "SubmissionRequest": SUBMISSION_REQUEST}

# Operations ------------------------------------------------------------------------------------
ERRORS = {400: "the body is not JSON, not an object, or has keys that do not belong",
          401: "no bearer token, or one that is not valid",
          404: "no such id, or not the token owner's",
          409: "no attempts left", 422: "a value is invalid (the message names the key)"}
OTHER = ("any other error in the same shape: 403 (exam mode), 413 (body over 2 MB), 429 (rate "
         "limit, with Retry-After), 503 (database unreachable, with Retry-After)")
PRACTICE_TOKEN = [{"practiceToken": []}]
ACCESS_TOKEN = [{"accessToken": []}]
OPTIONAL_ACCESS_TOKEN = [{}, {"accessToken": []}]


def _json(schema_name: str) -> dict:
    return {"application/json": {"schema": ref(schema_name)}}


def _responses(ok: int, ok_content: dict, description: str, errors: tuple[int, ...]) -> dict:
    responses = {str(ok): {"description": description, "content": ok_content}}
    for status in errors:
        responses[str(status)] = {"description": ERRORS[status], "content": _json("Error")}
    responses["default"] = {"description": OTHER, "content": _json("Error")}
    return responses


def _id(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$"}}


EXERCISE_ID = _id("exercise_id", "the `id` that POST /api/v1/practice returned")
OPERATIONS = {
    "/api/v1/traces": {"post": {
        "summary": "Trace a network spec", "operationId": "createTrace",
        "security": OPTIONAL_ACCESS_TOKEN,
        "parameters": [{"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": ref("TraceRequest"), "example": SEED_SPEC}}},
        "responses": _responses(200, {**_json("Trace"), "text/csv": {"schema": {"type": "string"}}},
                                "the trace (JSON, or CSV with ?format=csv)", (400, 422))}},
    "/api/v1/practice": {"post": {
        "summary": "Make a practice exercise", "operationId": "createPractice",
        "security": OPTIONAL_ACCESS_TOKEN,
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": ref("PracticeRequest"), "example": {"template": "seed-2-2-2", "seed": 7}}}},
        "responses": _responses(201, _json("PracticeCreated"),
                                "the exercise's public view and its bearer token", (400, 422))}},
    "/api/v1/exercises/{exercise_id}": {"get": {
        "summary": "An exercise's public view (never an answer)", "operationId": "getExercise",
        "security": PRACTICE_TOKEN, "parameters": [EXERCISE_ID],
        "responses": _responses(200, _json("Exercise"), "the public view", (401, 404))}},
    "/api/v1/exercises/{exercise_id}/submissions": {"post": {
        "summary": "Submit answers to be graded", "operationId": "submitAnswers",
        "security": PRACTICE_TOKEN, "parameters": [EXERCISE_ID],
        "requestBody": {"required": True, "content": _json("SubmissionRequest")},
        "responses": _responses(201, _json("SubmissionResult"), "the graded attempt",
                                (400, 401, 404, 409, 422))}},
    "/api/v1/exercises/{exercise_id}/solution": {"get": {
        "summary": "The full trace; marks a practice exercise revealed",
        "operationId": "getSolution", "security": PRACTICE_TOKEN, "parameters": [EXERCISE_ID],
        "responses": _responses(200, _json("Trace"), "the trace", (401, 404))}},
    "/api/v1/problem-sets": {"get": {
        "summary": "The problem sets the token's instructor owns or teaches, newest first",
        "operationId": "listProblemSets", "security": ACCESS_TOKEN,
        "parameters": [
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                       "maximum": 1_000_000}},
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                           "maximum": 100},
             "description": "sets per page (default 50)"}],
        "responses": _responses(200, _json("ProblemSetPage"), "one page of the sets",
                                (401, 422))}},
    "/api/v1/problem-sets/{set_id}/exports/{name}.csv": {"get": {
        "summary": "A problem set's CSV export", "operationId": "getExport",
        "security": ACCESS_TOKEN,
        "parameters": [_id("set_id", "a problem set of the token's instructor"),
                       {"name": "name", "in": "path", "required": True,
                        "schema": {"enum": ["grades", "submissions", "traces", "answer-key",
                                            "canvas"]}}],
        "responses": _responses(200, {"text/csv": {"schema": {"type": "string"}}}, "the CSV",
                                (401, 404))}},
}


@lru_cache(maxsize=1)
def document() -> dict:
    """The OpenAPI 3.1 document (built once per process)."""
    spec = APISpec(title="Backprop Lab API", version="1", openapi_version="3.1.0",
                   info={"description": "Traces, practice exercises and grading (SPEC §8). "
                                        "Errors are {\"error\", \"fields\"} with a 4xx status."})
    spec.components.security_scheme("practiceToken", {
        "type": "http", "scheme": "bearer",
        "description": "the `token` POST /api/v1/practice returned with the exercise"})
    spec.components.security_scheme("accessToken", {
        "type": "http", "scheme": "bearer", "bearerFormat": "bpl_…",
        "description": "an instructor's personal access token (the API tokens page)"})
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    for path, operations in OPERATIONS.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
