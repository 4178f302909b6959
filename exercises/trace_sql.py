"""The traces export written by PostgreSQL (issue 13): a set's network traces keep their lines
after their first four cells (``stored_lines.trace_lines``, written when each variant is made),
and the server puts each variant's student and exercise cells in front of them, in slices
(``sql_stream``), as ``export_sql`` does for the submissions and the answer key.

Only a set of networks whose every trace keeps its lines from this engine version is written
here; any other set's traces are written from their stored values by ``trace_export`` (the
reference, which SQLite runs). ``tests/instructor/test_export_sql.py`` holds the two equal.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import exists, or_, select

import tracer
from exercises import db, sql_stream
from exercises.export_sql import ITEMS, ORDER, PEOPLE, items, people
from exercises.models import Exercise, ProblemSet, ProblemSetItem, StoredTrace, User
from exercises.trace_export import VARIANT_ORDER

TRACES = f"""
WITH e AS MATERIALIZED (  -- each variant's first four cells and its trace's stored lines, in place
    SELECT o.n, t.export_lines, coalesce(p.name, '') || ',' || coalesce(p.email, '') || ',' || i.title
           || ',' || e.variant_index || ',' AS head
    FROM {ORDER}
    JOIN exercises e ON e.id = o.id
    -- by its index (OFFSET 0: a lookup a variant, not a hash of every trace)
    CROSS JOIN LATERAL (SELECT t.export_lines FROM traces t WHERE t.exercise_id = e.id OFFSET 0) t
    JOIN {ITEMS} ON i.id = e.item_id
    LEFT JOIN {PEOPLE} ON p.id = e.user_id
    WHERE e.problem_set_id = %(set)s)
SELECT coalesce(replace(e.export_lines, E'\\x01', e.head), E'\\x01')  -- stored_lines.LINE_HEAD
FROM e
ORDER BY e.n
"""


def traces(problem_set: ProblemSet, progress: Callable[[int], None] | None = None) -> Iterator[str] | None:
    """The traces export's lines after their header (``exports.TRACE_COLUMNS``) for a set of
    networks whose every trace keeps its lines from this engine version; None for any other set
    (``trace_export`` writes it from the stored values). ``progress(rows)`` is told the rows
    written so far after each slice."""
    unstored = db.session().scalar(select(exists().where(
        StoredTrace.exercise_id == Exercise.id, Exercise.problem_set_id == problem_set.id,
        or_(StoredTrace.export_lines.is_(None), StoredTrace.engine_version != tracer.ENGINE_VERSION))))
    if unstored:
        return None
    variants = db.session().execute(
        select(Exercise.id, StoredTrace.row_count).join(StoredTrace, StoredTrace.exercise_id == Exercise.id)
        .join(ProblemSetItem, ProblemSetItem.id == Exercise.item_id)
        .outerjoin(User, User.id == Exercise.user_id)
        .where(Exercise.problem_set_id == problem_set.id).order_by(*VARIANT_ORDER)).all()
    params = {"set": problem_set.id, **people(problem_set.id), **items(problem_set.id)}
    rows = [v.row_count for v in variants]
    size = sql_stream.slice_size(sum(rows), len(rows))
    return _checked(sql_stream.lines(TRACES, params, [v.id for v in variants], size), rows, size, progress)


def _checked(texts: Iterator[str], rows: list[int], size: int, progress) -> Iterator[str]:
    """``texts`` (each variant's lines; ``rows`` their row counts), refusing a trace whose lines
    were cleared after the export began (its stored values changed meanwhile: ``TRACES`` gives
    it as ``LINE_HEAD`` alone), and telling ``progress`` the rows written after each slice of
    ``size`` variants."""
    written = 0
    for n, (text, count) in enumerate(zip(texts, rows, strict=True)):
        if text == "\x01":
            raise ValueError("a stored trace changed while its set was exported; export it again")
        yield text
        written += count
        if progress and (n % size == size - 1 or n == len(rows) - 1):
            progress(written)
