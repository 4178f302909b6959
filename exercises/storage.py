"""Stored traces: bulk insert of an engine trace, streaming read-back and CSV export.

Only the columns that cannot be derived are stored (see ``models.TraceValue``); symbols and
formulas are rendered again from the spec's structure when a trace is exported, one row at a
time, so exporting a trace of a million rows keeps memory flat.
"""
from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

import tracer
from exercises import db
from exercises.models import StoredTrace, TraceValue
from tracer.trace import COLUMNS  # a stored trace's CSV has the engine's columns

CHUNK = 10_000  # rows fetched per round trip when streaming a stored trace
_STORED = ("step", "iteration", "sample", "layer", "unit", "source", "quantity", "value")
VALUE_COLUMNS = ("trace_id", *_STORED)


def store_trace(sess: Session, result: tracer.Trace, exercise_id: str | None = None) -> StoredTrace:
    """Insert ``result`` and all its values in bulk, within the caller's transaction."""
    record = StoredTrace(spec=result.spec, engine_version=tracer.ENGINE_VERSION,
                   row_count=len(result), exercise_id=exercise_id)
    sess.add(record)
    sess.flush()
    db.bulk_insert(sess, TraceValue, VALUE_COLUMNS, (
        (record.id, step, iteration, sample, layer, unit, source, quantity, value)
        for step, iteration, sample, _phase, layer, unit, source, quantity, value
        in result.numeric_rows()))
    return record


def stored_values(sess: Session, trace_id: str) -> Iterator[tuple]:
    """The stored rows of a trace in step order, streamed: (step, iteration, sample, layer,
    unit, source, quantity, value)."""
    table = TraceValue.__table__
    query = (select(*(table.c[name] for name in _STORED)).where(table.c.trace_id == trace_id)
             .order_by(table.c.step))
    # Core, not the ORM: plain rows, fetched CHUNK at a time from a server-side cursor.
    result = sess.connection().execution_options(yield_per=CHUNK).execute(query)
    for row in result:
        yield tuple(row)


def stored_rows(sess: Session, record: StoredTrace) -> Iterator[dict]:
    """Full SPEC §4 rows of a stored trace: stored numbers, symbols and formulas rendered from
    the spec's structure. Raises ValueError if the stored rows do not fit the spec."""
    rendered = tracer.trace(record.spec).rows()
    for stored, row in zip(stored_values(sess, record.id), rendered, strict=True):
        if (stored[0], stored[6], stored[3], stored[4], stored[5]) != (
                row["step"], row["quantity"], row["layer"], row["unit"], row["source"]):
            raise ValueError(f"stored trace {record.id} does not match its spec at step {stored[0]}")
        row["value"] = stored[7]  # each rendered row is a fresh dict
        yield row


def csv_lines(rows: Iterable[dict] | Iterable[tuple], columns: tuple[str, ...] = COLUMNS) -> Iterator[str]:
    """RFC 4180 CSV text for ``rows`` (dicts by column name, or tuples in ``columns`` order), a
    header first, in chunks suitable for streaming."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    rows = iter(rows)
    # csv writes None as an empty cell and a float as str(), which is its shortest round-trip
    # repr, so values read back bit-identical.
    while chunk := list(itertools.islice(rows, 1000)):
        if type(chunk[0]) is dict:
            writer.writerows(map(row.get, columns) for row in chunk)
        else:
            writer.writerows(chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
