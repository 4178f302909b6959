"""The JSON API of SPEC §8, under /api/v1. Bearer tokens, no cookies, so no CSRF.

Views only parse the request, call a service function and render its result.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

import tracer
from exercises import lookup, practice, storage, submissions
from exercises.errors import ApiError, json_kind
from exercises.limits import api_practice_limit, api_trace_limit
from exercises.models import Exercise
from exercises.openapi import SUBMISSION_REQUEST, document
from exercises.trace_checks import Caller, bearer_caller, trace_allowed
from exercises.trace_limits import json_chunks, row_budget

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class JsonProblem(ValueError):
    """Text that is not one unambiguous JSON value: ``why``, and where when the decoder knows
    (``line`` and ``column``, 1-based)."""

    def __init__(self, why: str, line: int | None = None, column: int | None = None):
        super().__init__(f"line {line}, column {column}: {why}" if line else why)
        self.why, self.line, self.column = why, line, column


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        twice = next(key for key, _value in pairs if key in seen or seen.add(key))
        raise JsonProblem(f"the key {twice!r} appears twice in one object, so which value is "
                          "meant is ambiguous")
    return result


def parse_json(data: str | bytes) -> Any:
    """The JSON value in ``data``; raises JsonProblem saying what is wrong and where.

    Stricter than ``json.loads`` where that one guesses: a key given twice in one object is
    refused (json.loads keeps the last), and so is nesting too deep to read.
    """
    try:
        return json.loads(data, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise JsonProblem(exc.msg, exc.lineno, exc.colno) from exc
    except RecursionError as exc:
        raise JsonProblem("arrays or objects are nested too deeply") from exc
    except UnicodeDecodeError as exc:
        raise JsonProblem("the text is not UTF-8") from exc
    except JsonProblem:
        raise
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise JsonProblem(str(exc)) from exc


def json_body() -> Any:
    """The request's JSON body, or a 400 saying why it is not one."""
    if not request.is_json:
        raise ApiError(400, "the body must be JSON (Content-Type: application/json)")
    try:
        return parse_json(request.get_data(cache=True))
    except JsonProblem as exc:
        raise ApiError(400, f"the body is not valid JSON ({exc})") from exc


def bearer_token() -> str | None:
    """The bearer token of the Authorization header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def api_caller() -> Caller:
    """Who calls the API: the user an access token names, else anonymous (asked once a request)."""
    if "api_caller" not in g:
        g.api_caller = bearer_caller(bearer_token())
    return g.api_caller


def owned_exercise(exercise_id: str) -> Exercise:
    """The exercise if the caller's token owns it; 401 without a token, 404 otherwise.

    Another caller's exercise answers 404, exactly like an unknown id, so ids cannot be probed.
    """
    token = bearer_token()
    if token is None:
        raise ApiError(401, "this call needs 'Authorization: Bearer <token>'")
    exercise = lookup.exercise(exercise_id)
    if exercise is None or not practice.owns(exercise, bearer=token):
        raise ApiError(404, "no such exercise")
    return exercise


def refuse_during_exams(spec: dict | None, caller: Caller) -> None:
    """403 when exam mode refuses ``caller`` this trace: ``spec`` is an open exam's variant,
    the caller is taking an open exam, or nobody without a login may trace during one."""
    refusal = trace_allowed(spec, caller)
    if refusal:
        raise ApiError(403, refusal)


def refuse_over_budget(rows: int, caller: Caller) -> None:
    """422 when a trace of ``rows`` rows is more than ``caller`` may ask for."""
    budget = row_budget(caller)
    if rows > budget:
        who = "an instructor's token" if caller.role == "instructor" else "a request without a login"
        raise ApiError(422, f"this trace would have {rows} rows; the limit for {who} is "
                            f"{budget} (fewer iterations, samples or units make it shorter)",
                       {"layers": f"{rows} rows is over the limit of {budget}"})


def spec_error(exc: tracer.SpecError) -> ApiError:
    """A 422 naming the spec key the engine refused."""
    return ApiError(422, str(exc), {exc.key: str(exc)} if exc.key else {})


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of this API (exercises/openapi.py)."""
    return jsonify(document())


@bp.post("/traces")
@api_trace_limit
def create_trace():
    """Trace a network spec, or a circuit spec (a ``graph`` key, SPEC §10); JSON by default,
    CSV with ``?format=csv``."""
    spec = json_body()
    if not isinstance(spec, dict):
        raise ApiError(400, "the body must be a JSON object (a network spec), "
                            f"not {json_kind(spec)}")
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ApiError(400, "format: must be json or csv", {"format": "json or csv"})
    caller = api_caller()
    refuse_during_exams(None, caller)
    try:
        normalized = tracer.normalize(spec)
    except tracer.SpecError as exc:
        raise spec_error(exc) from exc
    refuse_over_budget(tracer.row_count(normalized), caller)
    refuse_during_exams(normalized, caller)
    try:
        result = tracer.trace(normalized)
    except tracer.SpecError as exc:  # a valid spec whose values overflow float64 as it runs
        raise spec_error(exc) from exc
    # Streamed from the trace alone: the generators need no request or app context.
    if fmt == "csv":
        return Response(storage.csv_lines(result.rows(), result.columns), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="trace.csv"'})
    return Response(json_chunks(result), mimetype="application/json")


@bp.post("/practice")
@api_practice_limit
def create_practice():
    """Generate a practice exercise from template knobs, or on a given network (knob
    ``network``); 201 with its public view (and the conditions a given network misses) and
    its token."""
    knobs = json_body()
    if not isinstance(knobs, dict):
        raise ApiError(400, "the body must be a JSON object of template knobs, "
                            f"not {json_kind(knobs)}")
    exercise, token = practice.create(knobs, caller=api_caller())
    return jsonify({**practice.exercise_body(exercise), "token": token}), 201


@bp.get("/exercises/<id:exercise_id>")
def show_exercise(exercise_id: str):
    """The public view of an exercise the caller owns."""
    return jsonify(practice.exercise_body(owned_exercise(exercise_id)))


@bp.post("/exercises/<id:exercise_id>/submissions")
def submit(exercise_id: str):
    """Grade a submission; 201 with per-field results, 422 naming bad fields, 409 when spent."""
    exercise = owned_exercise(exercise_id)
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, 'the body must be a JSON object {"answers": {key: text or number}}, '
                            f"not {json_kind(body)}")
    extra = sorted(set(body) - set(SUBMISSION_REQUEST["properties"]))
    if extra:
        raise ApiError(400, f"unknown key(s) {', '.join(extra)}: a submission holds only "
                            '"answers"', {key: "not part of a submission" for key in extra})
    for key in SUBMISSION_REQUEST["required"]:
        if key not in body:
            raise ApiError(400, f"{key}: missing; the body is " + '{"answers": {key: text or '
                                'number}}', {key: "missing"})
    return jsonify(submissions.submit(exercise.id, body["answers"])), 201


@bp.get("/exercises/<id:exercise_id>/solution")
def solution(exercise_id: str):
    """The exercise's full trace; a practice exercise is then marked revealed (a GET that
    writes, kept because SPEC §8's contract says so: the API's caller holds the exercise's
    token, and the reveal only records that the answers were seen)."""
    exercise = owned_exercise(exercise_id)
    refuse_during_exams(exercise.spec, api_caller())
    return Response(practice.reveal_json(exercise), mimetype="application/json")
