"""The text of a ``COPY (query) TO STDOUT WITH CSV`` streamed to a response (``export_copy``).

A class's export is written in slices of ``SLICE`` attempts or variants, in order (the query
takes them as ``%(order)s``, an array it numbers with ORDINALITY). One slice runs in the
session's transaction. More run two at a time, each on a connection of its own that shares the
session's snapshot (``pg_export_snapshot``): PostgreSQL writes one slice on each core while
the app passes the one before on, and memory holds at most ``READERS`` slices whatever the
class size.

COPY ends each row with a line feed; RFC 4180 (and ``csv.writer``, which SQLite's exports
use) end it with CRLF, so each row's last byte is replaced as it arrives (COPY sends a row a
message; a line feed inside a quoted cell stays as it is, as csv.writer leaves it).
"""
from __future__ import annotations

import codecs
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from psycopg import sql as psql

from exercises import db

SLICE = 1_000  # attempts or variants in one COPY when a class is written two slices at a time
READERS = 2  # slices written at once (the machines this runs on have two cores or more)
_CHUNK = 1 << 16  # bytes passed on at a time
WORK_MEM = "64MB"  # for the one sort of a slice's rows (the default 4MB sorts a class on disk)
_SETTINGS = ("SELECT set_config('jit', 'off', true), set_config('extra_float_digits', '1', true), "
             "set_config('work_mem', %s, true)")


def lines(query: str, params: dict, order: list) -> Iterator[str]:
    """The CSV text of ``query`` over the ids in ``order`` (see the module docstring). Runs with
    JIT compilation off (it costs more than it saves on one pass over a set), floats written in
    their shortest round-trip form and room to sort a slice's rows in memory (``WORK_MEM``)."""
    if len(order) <= SLICE:
        yield from _streamed(db.session().connection().connection.dbapi_connection, query,
                             {**params, "order": order})
        return
    snapshot = db.session().connection().exec_driver_sql("SELECT pg_export_snapshot()").scalar()
    slices = [order[at:at + SLICE] for at in range(0, len(order), SLICE)]
    with ExitStack() as stack:
        readers = [_reader(stack, snapshot) for _ in range(READERS)]
        pool = stack.enter_context(ThreadPoolExecutor(READERS, thread_name_prefix="copy"))
        coming = [pool.submit(_fetched, readers[n], query, {**params, "order": part})
                  for n, part in enumerate(slices[:READERS])]
        for n in range(len(slices)):
            text = coming[n].result()
            following = n + READERS
            if following < len(slices):  # the reader that wrote this slice writes that one
                coming.append(pool.submit(_fetched, readers[n % READERS], query,
                                          {**params, "order": slices[following]}))
            coming[n] = None
            yield text


def _reader(stack: ExitStack, snapshot: str):
    """A connection of its own, in a read-only transaction that sees the session's snapshot."""
    conn = stack.enter_context(db.engine().connect())
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute(psql.SQL("SET TRANSACTION SNAPSHOT {}").format(psql.Literal(snapshot)))
    return raw


def _fetched(raw, query: str, params: dict) -> str:
    """The whole CSV text of one slice."""
    return "".join(_streamed(raw, query, params))


def _streamed(raw, query: str, params: dict) -> Iterator[str]:
    """The CSV text COPY writes for ``query`` on the driver connection ``raw``, in chunks of
    about ``_CHUNK`` bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with raw.cursor() as cursor:
        cursor.execute(_SETTINGS, (WORK_MEM,))
        with cursor.copy(query, params) as copy:
            rows: list = []
            size = 0
            for data in copy:  # a row each, ending in "\n" (each its own buffer: safe to keep)
                rows.append(data)
                size += len(data)
                if size >= _CHUNK:
                    yield decoder.decode(_crlf(rows))
                    rows, size = [], 0
            yield decoder.decode(_crlf(rows), final=True)


def _crlf(rows: list) -> bytes:
    """Rows that each end in a line feed, joined, each ending in CRLF instead (one C call for
    the lot when no cell holds a line feed of its own)."""
    text = b"".join(rows)
    if text.count(b"\n") == len(rows):
        return text.replace(b"\n", b"\r\n")
    return b"".join(bytes(row[:-1]) + b"\r\n" for row in rows)
