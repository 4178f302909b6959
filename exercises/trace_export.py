"""The traces export of a set, streamed from the database in batches (issue 18).

Every variant's stored values are read with plain driver cursors (no ORM object per row): the
variants one cursor, streamed, and their values a batch of traces at a time (one query per
``BATCH_ROWS`` rows), so memory holds one batch whatever the class size; a trace longer than a
batch is streamed alone, ``CHUNK`` rows at a time from a server-side cursor on PostgreSQL.
Each variant is traced again from its spec. A short one's leading columns, symbols and
formulas come from its structure's skeleton (``tracer.skeleton``: rendered once for every
variant of that structure) and only its numbers are formatted here; its stored key columns
(step, layer, unit, source, quantity) must equal the skeleton's. On SQLite the stored rows are
fetched and compared cell by cell; on PostgreSQL the server sends one row per trace, its values
as one float8 array and an MD5 of its key columns, compared with the skeleton's digest (the
keys are a third of the bytes and most of the driver's work). A long or circuit trace's rows
are rendered (``tracer.Trace.row_tuples``), checked column by column and formatted a chunk at
a time by ``tracer.trace.csv_text``.
"""
from __future__ import annotations

import csv
import hashlib
import io
import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext

from sqlalchemy import func, select

import tracer
from exercises import db
from exercises.models import Exercise, ProblemSetItem, StoredTrace, TraceValue, User
from tracer import skeleton
from tracer.spec import compile_spec
from tracer.trace import _cell, csv_text

# the order the per-variant exports (traces, answer key) write variants in: assigned ones
# first, by student name, then email, then exercise and variant
VARIANT_ORDER = (Exercise.user_id.is_(None), User.name, User.email, ProblemSetItem.position,
                 Exercise.variant_index, Exercise.id)
BATCH_ROWS = 5_000  # stored rows fetched by one query (several short traces, or one chunk)
_VALUES = TraceValue.__table__.c
_STORED = (_VALUES.trace_id, _VALUES.step, _VALUES.layer, _VALUES.unit, _VALUES.source,
           _VALUES.quantity, _VALUES.value)


def variants(conn, set_id: str):
    """The set's variants with their trace, assigned ones first (by student name, then email),
    then by exercise and variant: (name, email, position, title, variant, trace id, rows, spec)."""
    query = (select(User.name, User.email, ProblemSetItem.position, ProblemSetItem.title,
                    Exercise.variant_index, StoredTrace.id, StoredTrace.row_count, StoredTrace.spec)
             .select_from(Exercise)
             .join(ProblemSetItem, ProblemSetItem.id == Exercise.item_id)
             .join(StoredTrace, StoredTrace.exercise_id == Exercise.id)
             .outerjoin(User, User.id == Exercise.user_id)
             .where(Exercise.problem_set_id == set_id)
             .order_by(*VARIANT_ORDER))
    return conn.execution_options(yield_per=100).execute(query)


def total_rows(set_id: str) -> int:
    """How many rows the set's traces export has (from the stored row counts)."""
    return db.session().scalar(
        select(func.coalesce(func.sum(StoredTrace.row_count), 0))
        .join(Exercise, Exercise.id == StoredTrace.exercise_id)
        .where(Exercise.problem_set_id == set_id)) or 0


def lines(set_id: str, head: Callable[[tuple], tuple],
          progress: Callable[[int], None] | None = None, conn=None,
          nodes: bool = False) -> Iterator[str]:
    """The export's CSV text after its header, in chunks. ``head(variant)`` gives the leading
    cells of a variant's rows (student, email, exercise, variant); ``progress(rows)`` is told
    after each batch how many rows were written so far. Reads on ``conn`` (default: the
    session's connection; a job reads on a connection of its own). With ``nodes`` the lines
    have a circuit's ``node`` and ``arg`` columns (SPEC §10), empty in a network's rows.

    On PostgreSQL a second thread reads ahead (the next batch's variants and their stored
    values) while this one writes the batch before: the server's work and ours overlap (the
    driver waits for the server without holding the GIL, and takes one query at a time on a
    connection). A long trace is streamed with nothing read ahead."""
    conn = conn if conn is not None else db.session().connection()
    ahead = conn.dialect.name == "postgresql"
    batches = _batches(variants(conn, set_id))
    written, pending = 0, None  # pending: a batch read (or being read), not yet written, and its rows
    with ThreadPoolExecutor(1, thread_name_prefix="trace-export") if ahead else nullcontext() as reader:
        coming = reader.submit(next, batches, None) if ahead else None  # the variants of the next batch
        while (found := coming.result() if ahead else next(batches, None)) is not None:
            batch, size = found
            if batch[0].row_count > BATCH_ROWS:  # a long trace, alone: streamed in chunks, with
                if pending:                      # nothing else reading on the connection
                    yield from _batch(conn, *pending[:2], head, nodes)
                    written, pending = written + pending[2], None
                yield from _long(conn, batch[0], head, nodes)
                written += size
                coming = reader.submit(next, batches, None) if ahead else None
            else:
                read = reader.submit(_read, conn, batch) if ahead else _read(conn, batch)
                coming = reader.submit(next, batches, None) if ahead else None
                if pending:  # written while the reader reads the batches after it
                    yield from _batch(conn, *pending[:2], head, nodes)
                    written += pending[2]
                pending = (batch, read, size)
            if progress:
                progress(written)
        if pending:
            yield from _batch(conn, *pending[:2], head, nodes)
            written += pending[2]
    if progress:
        progress(written)


def _batches(variants) -> Iterator[tuple[list, int]]:
    """The variants in batches of about ``BATCH_ROWS`` stored rows (a longer trace alone), and
    each batch's row count."""
    batch: list = []
    size = 0
    for variant in variants:
        if variant.row_count > BATCH_ROWS:
            if batch:
                yield batch, size
            yield [variant], variant.row_count
            batch, size = [], 0
            continue
        batch.append(variant)
        size += variant.row_count
        if size >= BATCH_ROWS:
            yield batch, size
            batch, size = [], 0
    if batch:
        yield batch, size


def _prefix(cells: tuple) -> str:
    """The leading cells of a variant's lines, quoted as ``csv.writer`` quotes them in a line
    ending in CRLF (a line break in a name is quoted too)."""
    return "".join(("" if cell is None else _cell(str(cell))) + "," for cell in cells)


def _read(conn, batch: list) -> tuple[dict, dict]:
    """A batch's stored values: on PostgreSQL each network trace's (key digest, values) and a
    circuit's rows; elsewhere every trace's rows."""
    if conn.dialect.name != "postgresql":
        return _stored_rows(conn, [v.id for v in batch]), {}
    circuits = [v.id for v in batch if tracer.is_circuit(v.spec)]
    return (_stored_rows(conn, circuits) if circuits else {},
            _stored_digests(conn, [v.id for v in batch if not tracer.is_circuit(v.spec)]))


def _batch(conn, batch: list, read, head, nodes: bool) -> Iterator[str]:
    """The lines of several short traces, from their stored values (``_read``'s, or a future
    of them). A network whose structure is known is not traced again: its spec is compiled
    (without its weights and biases, which are stored values too) and its numbers read from
    its stored values (``skeleton.stored_lines``)."""
    rows, digests = read.result() if isinstance(read, Future) else read
    aggregated = conn.dialect.name == "postgresql"
    for variant in batch:
        if tracer.is_circuit(variant.spec):
            yield "".join(_variant_chunks(variant, head, [rows.get(variant.id, [])], nodes))
            continue
        # its weights and biases are in its stored values: only the rest of the spec is read
        net, result = compile_spec(variant.spec, parameters=False), None
        structure = skeleton.known(net, nodes)
        if structure is None or structure.stored is None:
            result = tracer.trace(variant.spec)
            structure = skeleton.of(result, nodes)
        if structure is None:  # a network trace without a skeleton (not expected below BATCH_ROWS rows)
            stored = rows[variant.id] if variant.id in rows else _stored_rows(conn, [variant.id]).get(variant.id, [])
            yield "".join(_variant_chunks(variant, head, [stored], nodes, result))
            continue
        if aggregated:
            digest, values = digests.get(variant.id, ("", []))
            if digest != _digest(structure.keys) or len(values) != len(structure.keys[0]):
                raise ValueError(f"stored trace {variant.id} does not match its spec")
        else:
            stored = rows.get(variant.id, [])
            got = list(zip(*stored)) if stored else [()] * 7  # trace_id, step, layer, unit, source, quantity, value
            if (got[1], got[2], got[3], got[4], got[5]) != structure.keys:
                raise ValueError(f"stored trace {variant.id} does not match its spec")
            values = got[6]
        text = skeleton.stored_lines(structure, net, values, _prefix(head(variant))) if result is None else None
        if text is None:
            result = result if result is not None else tracer.trace(variant.spec)
            text = skeleton.lines(structure, result, values, _prefix(head(variant)))
        yield text


def _stored_rows(conn, trace_ids: list) -> dict[str, list[tuple]]:
    """The stored rows of the traces, by trace id, in step order."""
    query = (select(*_STORED).where(_VALUES.trace_id.in_(trace_ids)).order_by(_VALUES.trace_id, _VALUES.step))
    return {trace_id: list(rows) for trace_id, rows in
            itertools.groupby(_plain_rows(conn, query), key=lambda row: row[0])}


# On PostgreSQL the server does the per-row work for traces with a skeleton: one row per trace,
# its values as one float8 array (binary, loaded in C) and its key columns as an MD5 of their
# text, compared with the same digest of the keys its spec renders (``_digest``), instead of
# sending every key cell of every row.
_AGGREGATED = """
SELECT trace_id,
       md5(string_agg(step || ',' || coalesce(layer::text, '') || ',' || coalesce(unit::text, '')
                      || ',' || coalesce(source::text, '') || ',' || quantity, ';' ORDER BY step)),
       array_agg(value ORDER BY step)
FROM trace_values WHERE trace_id = ANY(%s) GROUP BY trace_id
"""
_DIGESTS: dict[int, tuple] = {}  # id(keys) -> (keys, digest); holding keys keeps the id valid


def _stored_digests(conn, trace_ids: list) -> dict[str, tuple[str, list[float]]]:
    """Each trace's (key digest, values) as ``_AGGREGATED`` reads them (PostgreSQL)."""
    if not trace_ids:
        return {}
    cursor = conn.connection.dbapi_connection.cursor(binary=True)
    try:
        cursor.execute(_AGGREGATED, (trace_ids,))
        return {trace_id: (digest, values) for trace_id, digest, values in cursor.fetchall()}
    finally:
        cursor.close()


def _digest(keys: tuple) -> str:
    """The MD5 of key columns (step, layer, unit, source, quantity, as column tuples), the way
    ``_AGGREGATED`` computes it from stored rows."""
    known = _DIGESTS.get(id(keys))
    if known is not None and known[0] is keys:
        return known[1]
    text = ";".join(
        f"{step},{'' if layer is None else layer},{'' if unit is None else unit},"
        f"{'' if source is None else source},{quantity}" for step, layer, unit, source, quantity in zip(*keys))
    digest = hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
    if len(_DIGESTS) > 1_000:
        _DIGESTS.clear()
    _DIGESTS[id(keys)] = (keys, digest)
    return digest


def _plain_rows(conn, query) -> list[tuple]:
    """The rows of ``query`` as the driver's plain tuples: SQLAlchemy's Row objects cost more
    per row than fetching it (the columns are plain numbers and text, needing no conversion)."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _long(conn, variant, head, nodes: bool) -> Iterator[str]:
    """The lines of one long trace, streamed ``BATCH_ROWS`` stored rows at a time."""
    query = (select(*_STORED).where(_VALUES.trace_id == variant.id).order_by(_VALUES.step))
    result = conn.execution_options(yield_per=BATCH_ROWS).execute(query)
    yield from _variant_chunks(variant, head, result.partitions(), nodes)


def _variant_chunks(variant, head, chunks, nodes: bool, result=None) -> Iterator[str]:
    """A variant's lines, a chunk of stored rows at a time; ValueError when the stored rows do
    not fit the rows its spec renders (another engine, or a damaged trace)."""
    result = result if result is not None else tracer.trace(variant.spec)
    if tracer.is_circuit(variant.spec):
        yield _circuit(variant, head, result, [row for chunk in chunks for row in chunk], nodes)
        return
    prefix = _prefix(head(variant))
    rendered = result.row_tuples()
    for stored in chunks:
        if not stored:
            continue
        mine = list(itertools.islice(rendered, len(stored)))
        got = list(zip(*stored))  # trace_id, step, layer, unit, source, quantity, value
        want = list(zip(*mine)) if mine else [()] * 12
        if (got[1], got[2], got[3], got[4], got[5]) != (
                want[0], want[4], want[5], want[6], want[7]):
            raise ValueError(f"stored trace {variant.id} does not match its spec")
        yield csv_text(mine, got[6], prefix, nodes)
    if next(rendered, None) is not None:
        raise ValueError(f"stored trace {variant.id} does not match its spec")


def _circuit(variant, head, result, stored: list, nodes: bool) -> str:
    """A circuit variant's lines (a few dozen rows: written by ``csv.writer``), with its stored
    values; its rows carry node and arg, so the file must have those columns."""
    rows = list(result.rows())
    if not nodes or [(r[1], r[5]) for r in stored] != [(r["step"], r["quantity"]) for r in rows]:
        raise ValueError(f"stored trace {variant.id} does not match its spec")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    cells = list(head(variant))
    for row, values in zip(rows, stored):
        writer.writerow(cells + [row[c] for c in tracer.circuit.COLUMNS[:-1]] + [values[6]])
    return buffer.getvalue()
