"""The public trace tool: paste or upload a network spec (SPEC §3), get its trace rendered as
the exercise walkthrough, with CSV and JSON downloads.

A bad spec answers 422 with the engine's message naming the offending key, never a 500.
Exam mode refuses through ``trace_checks.trace_allowed`` and the row budget of who asks
(``trace_limits``) through ``row_budget``, both before anything is traced. The page renders a
walkthrough of at most ``PAGE_ROWS`` rows; longer traces are offered as downloads, which stream.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _

import tracer
from exercises.api import JsonProblem, parse_json
from exercises.limits import trace_limit
from exercises.trace_checks import trace_allowed, web_caller
from exercises.trace_limits import PAGE_ROWS, json_chunks, row_budget
from exercises.web import circuit_pages
from exercises.web.answer_errors import spec_reason
from exercises.web.diagram import drawable, layout
from exercises.web.walkthrough import build

bp = Blueprint("trace_tool", __name__)
EXAMPLE_SPEC = {
    "layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
    "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
    "biases": [[0.10, -0.10], [0.20, 0.05]], "inputs": [0.50, -0.30], "targets": [0.20, 0.90],
    "learning_rate": 0.5, "naming": "seed",
}


def example_text() -> str:
    """The example spec as JSON with one key per line, short enough to read at a glance."""
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in EXAMPLE_SPEC.items()]
    return "{\n" + ",\n".join(lines) + "\n}"


class SpecProblem(ValueError):
    """The submitted spec cannot be traced; the message says why."""


def submitted_text() -> str:
    """The spec's text: an uploaded file if one was chosen, else the pasted text."""
    upload = request.files.get("file")
    if upload and upload.filename:
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SpecProblem(_("The file is not UTF-8 text.")) from exc
    return request.form.get("spec", "")


def checked_trace(text: str, limit: int | None = None) -> tracer.Trace:
    """Parse, validate and trace a spec's JSON text; raises SpecProblem saying what is wrong.
    ``limit`` caps the rows below the caller's budget (the rendered page's)."""
    caller = web_caller()
    refusal = trace_allowed(None, caller)
    if refusal:
        raise SpecProblem(refusal)
    if not text.strip():
        raise SpecProblem(_("Paste a network spec or choose a file."))
    try:
        spec = parse_json(text)
    except JsonProblem as exc:
        if exc.line is None:
            raise SpecProblem(_("This is not valid JSON: %(why)s.", why=exc.why)) from exc
        raise SpecProblem(_("This is not valid JSON (line %(line)d, column %(column)d: %(why)s).",
                            line=exc.line, column=exc.column, why=exc.why)) from exc
    if not isinstance(spec, dict):
        raise SpecProblem(_("A network spec is a JSON object such as the example."))
    try:
        normalized = tracer.normalize(spec)
    except tracer.SpecError as exc:
        raise SpecProblem(spec_reason(exc)) from exc
    rows, budget = tracer.row_count(normalized), row_budget(caller)
    if rows > budget:
        raise SpecProblem(_("This trace would have %(rows)d rows; the limit is %(limit)d.",
                            rows=rows, limit=budget))
    if limit is not None and rows > limit:
        raise SpecProblem(_("This trace would have %(rows)d rows, too many to show on a page "
                            "(at most %(limit)d); download it as CSV or JSON instead.",
                            rows=rows, limit=limit))
    refusal = trace_allowed(normalized, caller)
    if refusal:
        raise SpecProblem(refusal)
    try:
        return tracer.trace(normalized)
    except tracer.SpecError as exc:  # a valid spec whose values overflow float64 as it runs
        raise SpecProblem(spec_reason(exc)) from exc


@bp.route("/trace", methods=["GET", "POST"])
@trace_limit
def trace_page():
    """The form; after a POST, the spec's walkthrough (or why it cannot be traced)."""
    text = example_text() if request.method == "GET" else None
    result, problem, status = None, None, 200
    if request.method == "POST":
        try:
            text = submitted_text()
            result = checked_trace(text, limit=PAGE_ROWS)
        except SpecProblem as exc:
            problem, status = str(exc), 422
    walkthrough = diagram = circuit = None
    if isinstance(result, tracer.CircuitTrace):
        rows = list(result.rows())
        walkthrough = circuit_pages.walkthrough(result.spec, rows)
        diagram, circuit = circuit_pages.solved_layout(result.spec, rows), {"caption": circuit_pages.caption(True)}
    elif result:
        walkthrough = build(result.spec, result.rows())
        diagram = layout(result.spec) if drawable(result.spec) else None
    return render_template("trace.html", text=text or "", problem=problem, trace=result,
                           walkthrough=walkthrough, diagram=diagram, circuit=circuit), status


@bp.post("/trace.<fmt>")
@trace_limit
def trace_download(fmt: str):
    """The posted spec's trace as a CSV or JSON file."""
    if fmt not in ("csv", "json"):
        return Response(_("Unknown format."), status=404, mimetype="text/plain")
    try:
        result = checked_trace(submitted_text())
    except SpecProblem as exc:
        return Response(str(exc), status=422, mimetype="text/plain")
    # Streamed from the trace alone: the generators need no request or app context.
    if fmt == "json":
        return Response(json_chunks(result), mimetype="application/json",
                        headers={"Content-Disposition": 'attachment; filename="trace.json"'})
    return Response(result.csv_chunks(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="trace.csv"'})
