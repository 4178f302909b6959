"""How much one request may trace: a row budget by who asks, checked before anything is traced.

A trace's cost grows with its rows (time, memory, response size), and ``tracer.row_count``
knows them from the spec alone, so a request over its budget is refused before any work. A
caller without a login gets ``TRACE_ROWS_ANONYMOUS`` (10⁵ by default), a signed-in instructor
``TRACE_ROWS_SIGNED_IN`` (SPEC §8's 10⁶); the pages render a walkthrough of at most
``TRACE_ROWS_PAGE`` rows and offer the downloads past it. Responses within the budget are
streamed, so even the largest is never held whole in memory.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from flask import current_app

import tracer
from exercises.trace_checks import Caller

ANONYMOUS_ROWS = 100_000
SIGNED_IN_ROWS = 1_000_000
PAGE_ROWS = 20_000
STREAM_CHUNK = 1000  # rows per piece of a streamed response


def row_budget(caller: Caller) -> int:
    """The most rows ``caller`` may trace in one request."""
    if caller.role == "instructor":
        return current_app.config.get("TRACE_ROWS_SIGNED_IN", SIGNED_IN_ROWS)
    return current_app.config.get("TRACE_ROWS_ANONYMOUS", ANONYMOUS_ROWS)


def json_chunks(result: tracer.Trace) -> Iterator[str]:
    """The trace's JSON (exactly ``Trace.to_json``'s text) in pieces of STREAM_CHUNK rows."""
    head = json.dumps({"spec": result.spec, "engine_version": tracer.ENGINE_VERSION},
                      ensure_ascii=False)
    yield head[:-1] + ', "steps": ['
    batch: list[str] = []
    first = True
    for row in result.rows():
        batch.append(json.dumps(row, ensure_ascii=False))
        if len(batch) == STREAM_CHUNK:
            yield ("" if first else ", ") + ", ".join(batch)
            batch, first = [], False
    if batch:
        yield ("" if first else ", ") + ", ".join(batch)
    yield "]}"
