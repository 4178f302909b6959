"""Lines of the submissions and answer-key exports, written once: an attempt's when it is graded,
a variant's when it is made (issue 13).

A graded attempt never changes after it is stored, except by a regrade; its student's name and
its exercise's title can. So each attempt keeps its export lines after their first five cells
(student, email, exercise, position, attempt) in ``Submission.export_lines``, every line
starting with ``LINE_HEAD``, and on PostgreSQL the export only puts each attempt's first cells
in (``export_sql.SUBMISSIONS``): a class's 100,000 rows are 5,000 texts the server copies.

The lines are written where field grades are (``submissions.submit``, ``set_regrade``) from
the same values, cell by cell as ``field_exports.submissions`` (the reference, which SQLite
runs) writes them. An attempt stored without them (before revision 0008, or one whose text
holds ``LINE_HEAD`` itself) is written by the server from its field grades.

Likewise a set's variant of a network keeps its answer-key lines after their first six cells
(exercise, position, variant, seed, student, email) in ``Exercise.key_lines``: its fields, the
values its trace stores for them and its answer digits never change once it is made
(``variants.generate_chunk``), and ``field_exports.answer_key`` is the reference.

And a set's network trace keeps its traces-export lines after their first four cells (student,
email, exercise, variant) in ``StoredTrace.export_lines`` (revision 0009): its rows as
``trace_export`` writes them from its stored values, the reference, which SQLite runs. On
PostgreSQL a trigger clears them when the trace's stored values or spec change, so the export
writes that set's traces from the values again.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

import tracer
from exercises.csv_cells import neutralise
from tracer import skeleton
from tracer.keys import parse_key
from tracer.trace import csv_text

LINE_HEAD = "\x01"  # no cell holds it: an answer is a number with spaces around, the rest is ours


def utc_time(moment: datetime) -> str:
    """An attempt's time in the export: UTC, as ``datetime.isoformat`` writes it (a stored
    time without a zone is UTC)."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def names(misconceptions: Iterable[str] | None) -> str:
    """A grade's misconception names as the export writes them: joined by ``;``."""
    return ";".join(misconceptions or ())


def _stored(number) -> float | None:
    """A number as the database gives it back (a DOUBLE PRECISION column): a Python float, so
    it is written as ``repr`` writes it whatever type the grader or the engine handed over."""
    return None if number is None else float(number)


def field_symbols(fields: Iterable[Mapping]) -> dict[str, str]:
    """An exercise's field symbols by key, from its stored field list."""
    return {field["key"]: field["symbol"] for field in fields}


def attempt_lines(symbols: Mapping[str, str], grades: Iterable[Mapping], created: datetime) -> str | None:
    """The export lines of one attempt after their first five cells, each starting with
    ``LINE_HEAD``: ``grades`` are its field grades in position order (``key``, ``submitted``,
    ``parsed``, ``expected``, ``status``, ``credit``, ``misconceptions``, ``tolerance``),
    ``symbols`` its exercise's field symbols by key. None when a cell holds ``LINE_HEAD``."""
    time = utc_time(created)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    count = 0
    for grade in grades:
        buffer.write(LINE_HEAD)
        writer.writerow((grade["key"], symbols.get(grade["key"]), neutralise(grade["submitted"]),
                         _stored(grade["parsed"]), _stored(grade["expected"]), grade["status"],
                         _stored(grade["credit"]), names(grade["misconceptions"]), grade["tolerance"], time))
        count += 1
    text = buffer.getvalue()
    return text if text.count(LINE_HEAD) == count else None


def key_lines(fields: Iterable[Mapping], values: Iterable[tuple], digits: int) -> str | None:
    """A variant's answer-key lines after their first six cells, each starting with
    ``LINE_HEAD``: ``fields`` its field list, ``values`` its trace's numeric rows (``step,
    iteration, sample, phase, layer, unit, source, quantity, value``; a field's value is the
    first iteration's row of its quantity, layer, unit and source, as ``answers.answer_keys``
    reads it), ``digits`` its answer digits. None when a field names no stored value."""
    stored = {(quantity, layer, unit, source): value
              for _step, iteration, _sample, _phase, layer, unit, source, quantity, value in values
              if iteration == 1}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    count = 0
    for field in fields:
        value = stored.get(parse_key(field["key"]))
        if value is None:
            return None
        buffer.write(LINE_HEAD)
        writer.writerow((field["key"], field["symbol"], field["label"], _stored(value), digits))
        count += 1
    text = buffer.getvalue()
    return text if text.count(LINE_HEAD) == count else None


def trace_lines(result: tracer.Trace, values: Iterable[tuple]) -> str | None:
    """A network trace's export lines after their first four cells, each starting with
    ``LINE_HEAD``: ``result`` the engine's trace, ``values`` its numeric rows as stored (the
    value last), written as ``trace_export`` writes the stored trace (without a circuit's node
    and arg columns). None when a cell holds ``LINE_HEAD``."""
    numbers = [_stored(row[-1]) for row in values]
    found = skeleton.of(result)
    text = (skeleton.lines(found, result, numbers, LINE_HEAD) if found is not None
            else csv_text(list(result.row_tuples()), numbers, LINE_HEAD, False))
    return text if text.count(LINE_HEAD) == len(numbers) else None
