"""Inserting many rows at once, the one dialect-aware piece of the instructor side.

Publishing a set stores tens of thousands of trace values. PostgreSQL takes them fastest as a
COPY on the session's own connection (same transaction); elsewhere SQLAlchemy's
"insertmanyvalues" batches a thousand rows into each INSERT, which a RETURNING clause turns on.
(psycopg parses every long multi-row INSERT anew, which costs more than the database's work.)
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import insert
from sqlalchemy.orm import Session

BATCH = 10_000


def insert_rows(sess: Session, model, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``model``'s table in the session's
    transaction."""
    table = model.__table__
    connection = sess.connection()
    if connection.dialect.name == "postgresql":
        names = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    key = table.primary_key.columns.values()[0]
    batch: list[dict] = []
    for row in rows:
        batch.append(dict(zip(columns, row)))
        if len(batch) == BATCH:
            sess.execute(insert(table).returning(key), batch).close()
            batch = []
    if batch:
        sess.execute(insert(table).returning(key), batch).close()
