"""The CSV text of an export that PostgreSQL writes (``export_sql``), streamed to a response.

The query gives one text per attempt or variant (its CSV lines) for the ids in ``%(order)s``,
an array it numbers WITH ORDINALITY, in that order. A class is written in slices of ``SLICE``
ids (fewer where an id has many rows: ``slice_size``): one slice runs in the session's
transaction; more run ``READERS`` at a time, each on a connection of its own that shares the
session's snapshot (``pg_export_snapshot``), so the server writes a slice on each core while
the app passes the one before on, and memory holds at most ``READERS`` slices whatever the
class size.
"""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from psycopg import sql as psql

from exercises import db

SLICE = 400  # attempts or variants one query writes (a few MB of text)
SLICE_ROWS = 10_000  # at most about this many CSV rows in a slice where the caller knows its rows
READERS = 2  # slices written at once (the machines this runs on have two cores or more)
WORK_MEM = "64MB"  # room to order a slice's rows in memory
_SETTINGS = ("SELECT set_config('jit', 'off', true), set_config('extra_float_digits', '1', true), "
             "set_config('work_mem', %s, true)")


def array(values: list) -> str:
    """A list of texts, ints and Nones as PostgreSQL's array literal (for a ``%(name)s::text[]``
    or ``::int[]`` parameter): written once per export, where the driver would adapt a list
    element by element for every slice (for a class's names, emails and ids that took longer
    than the server's work on the slice)."""
    return "{" + ",".join(
        "NULL" if value is None else str(value) if type(value) is int
        else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values) + "}"


def slice_size(rows: int, count: int) -> int:
    """The ids in a slice of an export of ``rows`` CSV rows over ``count`` ids: ``SLICE``, or
    fewer where that would hold more than ``SLICE_ROWS`` rows (a trace has four times the rows
    of an attempt), so memory holds about the same whatever the export."""
    return max(1, min(SLICE, SLICE_ROWS * count // max(rows, 1)))


def lines(query: str, params: dict, order: list, size: int | None = None) -> Iterator[str]:
    """The CSV text of ``query`` over the ids in ``order`` (see the module docstring), ``size``
    ids a slice (default ``SLICE``), with JIT compilation off (it costs more than it saves on
    one pass over a set) and floats written in their shortest round-trip form. List parameters
    are sent as array literals (``array``)."""
    size = size or SLICE
    params = {name: array(value) if isinstance(value, list) else value for name, value in params.items()}
    if len(order) <= size:
        yield from _written(db.session().connection().connection.dbapi_connection, query,
                            {**params, "order": array(order)})
        return
    snapshot = db.session().connection().exec_driver_sql("SELECT pg_export_snapshot()").scalar()
    slices = [order[at:at + size] for at in range(0, len(order), size)]
    with ExitStack() as stack:
        readers = [_reader(stack, snapshot) for _ in range(READERS)]
        pool = stack.enter_context(ThreadPoolExecutor(READERS, thread_name_prefix="export"))
        coming = [pool.submit(_written, readers[n], query, {**params, "order": array(part)})
                  for n, part in enumerate(slices[:READERS])]
        for n in range(len(slices)):
            text = coming[n].result()
            following = n + READERS
            if following < len(slices):  # the reader that wrote this slice writes that one
                coming.append(pool.submit(_written, readers[n % READERS], query,
                                          {**params, "order": array(slices[following])}))
            coming[n] = None
            yield from text


def _reader(stack: ExitStack, snapshot: str):
    """A connection of its own, in a read-only transaction that sees the session's snapshot."""
    conn = stack.enter_context(db.engine().connect())
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute(psql.SQL("SET TRANSACTION SNAPSHOT {}").format(psql.Literal(snapshot)))
    return raw


def _written(raw, query: str, params: dict) -> list[str]:
    """The CSV texts of one slice (an attempt's or variant's lines each), on the driver
    connection ``raw``."""
    with raw.cursor() as cursor:
        cursor.execute(_SETTINGS, (WORK_MEM,))
        cursor.execute(query, params)
        return [text for (text,) in cursor]
