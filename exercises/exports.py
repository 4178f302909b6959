"""CSV exports of a problem set: grades, submissions, traces, answer key, and grades for Canvas.

Each export is a column list and a generator of rows, written by ``storage.csv_lines`` and
streamed, so a large class never sits in memory as one string; the traces export formats its
own text (``trace_export``), and on PostgreSQL the server writes the submissions and answer key
(``export_sql``: the same bytes as ``field_exports``' rows). Text that people wrote is made
safe to open in a spreadsheet (``csv_cells``: SPEC §7's formula neutralisation).
The grades and Canvas exports start with a UTF-8 byte-order mark by default (Excel needs it to
show Korean names); every export offers it.

``EXPORTS`` is the one table of exports (``Export``: name, columns, rows, description): the
export pages, the API route, the job that writes large files, the tests and the README's
"CSV formats" table all read it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

import tracer
from exercises import db, export_sql, storage, trace_export, trace_sql
from exercises.csv_cells import TextCache, as_text, neutralise
from exercises.field_exports import KEY_COLUMNS, SUBMISSION_COLUMNS, answer_key, submissions
from exercises.instructor import gradebook, roster
from exercises.instructor.circuit_items import is_circuit_item
from exercises.instructor.policy import as_utc
from exercises.models import Enrollment, ProblemSet, ProblemSetItem, utcnow

TRACE_COLUMNS = ("student", "email", "exercise", "variant") + storage.COLUMNS
# a set with circuit items: a circuit's columns (SPEC §10: node and arg), empty for networks
CIRCUIT_TRACE_COLUMNS = ("student", "email", "exercise", "variant") + tracer.circuit.COLUMNS
CANVAS_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def _title(item: ProblemSetItem) -> str:
    return f"{item.position + 1}. {item.title}"


def grades(problem_set: ProblemSet) -> tuple[tuple[str, ...], Iterator[dict]]:
    """A row per student, a column per exercise (the score that counts), then totals."""
    book = gradebook.gradebook(problem_set)
    titles = [as_text(_title(item)) for item in book.items]
    columns = ("student", "email", *titles, "total", "max_total", "percent")

    def rows():
        for row in book.rows:
            line = {"student": as_text(row.user.name), "email": as_text(row.user.email),
                    "total": float(row.total), "max_total": book.max_total,
                    "percent": round(100.0 * row.total / book.max_total, 2)
                    if book.max_total else None}
            line.update({title: None if cell.score is None else float(cell.score)
                         for title, cell in zip(titles, row.cells)})
            yield line
    return columns, rows()


def canvas(problem_set: ProblemSet) -> tuple[tuple[str, ...], Iterator[dict]]:
    """The set's total per student in the layout Canvas's gradebook imports: the fixed student
    columns (filled from the roster where it knows the student), one assignment column, and a
    "Points Possible" row first. Students are matched on SIS Login ID, the roster's or else the
    email they log in with. A student with no score on any exercise stays blank (Canvas keeps
    what it has) until their due date has passed, then counts 0; roster students who never
    joined likewise."""
    book = gradebook.gradebook(problem_set)
    listed = roster.entries_by_email(problem_set.id)
    due = {user_id: due_at for user_id, due_at in db.session().execute(
        select(Enrollment.user_id, Enrollment.due_at)
        .where(Enrollment.problem_set_id == problem_set.id))}
    now = utcnow()
    assignment = as_text(problem_set.title)
    columns = (*CANVAS_FIXED, assignment)

    def past(due_at) -> bool:
        due_at = as_utc(due_at or problem_set.due_at)
        return due_at is not None and due_at <= now

    def line(name, email, entry, score):
        # ids stay what Canvas wrote (numbers included); names and sections stay text
        return {"Student": as_text(name), "ID": neutralise(entry.canvas_id) if entry else None,
                "SIS User ID": neutralise(entry.sis_user_id) if entry else None,
                "SIS Login ID": as_text(entry.sis_login_id if entry and entry.sis_login_id
                                        else email),
                "Section": as_text(entry.section) if entry else None, assignment: score}

    def rows():
        yield {"Student": "Points Possible", assignment: book.max_total}
        joined = set()
        for row in book.rows:
            joined.add(row.user.email)
            started = any(cell.score is not None for cell in row.cells)
            score = float(row.total) if started or past(due.get(row.user.id)) else None
            yield line(row.user.name, row.user.email, listed.get(row.user.email), score)
        for email, entry in listed.items():
            if email not in joined:
                yield line(entry.name, email, entry, 0.0 if past(None) else None)
    return columns, rows()


def traces(problem_set: ProblemSet, progress=None,
           conn=None) -> tuple[tuple[str, ...], Iterator[str]]:
    """Every variant's stored trace in SPEC §4 columns (and §10's node and arg when the set has
    circuit items), with its student and exercise: the columns and the CSV text after the
    header (``trace_export``: batched reads, lines formatted a chunk at a time; ``progress``
    and ``conn`` as there)."""
    cells = TextCache()  # a class repeats each name, email and title on many variants

    def head(variant) -> tuple:
        return (cells(variant.name), cells(variant.email),
                cells(f"{variant.position + 1}. {variant.title}"), variant.variant_index)
    nodes = _has_circuits(problem_set)
    return (CIRCUIT_TRACE_COLUMNS if nodes else TRACE_COLUMNS,
            trace_export.lines(problem_set.id, head, progress, conn, nodes))


def _has_circuits(problem_set: ProblemSet) -> bool:
    """Whether any exercise of the set is a circuit (SPEC §10)."""
    return any(is_circuit_item(template_id, knobs) for template_id, knobs in db.session().execute(
        select(ProblemSetItem.template_id, ProblemSetItem.knobs)
        .where(ProblemSetItem.problem_set_id == problem_set.id)))


@dataclass(frozen=True)
class Export:
    """One CSV export of a problem set.

    ``columns`` is the header as documented (``<...>`` marks columns that depend on the set);
    ``rows(problem_set)`` gives the actual header and the rows as dicts, or, for a ``text``
    export, ``rows(problem_set, progress, conn)`` gives the header and CSV text already
    formatted. ``description`` says what it holds, in the reader's language; ``bom``: it
    starts with a UTF-8 byte-order mark by default (opened in Excel, which needs it for Korean
    names); ``count(problem_set)``: its row count, known cheaply, for an export that can grow
    large enough to be written by a job (``export_files``); ``sql(problem_set)``: on
    PostgreSQL, the same CSV text after the header, written by the server (``export_sql``), or
    None where that export has no such form for the set (a ``text`` export's takes ``progress``
    too, as its ``rows`` does)."""

    name: str
    columns: tuple[str, ...]
    rows: Callable
    description: object
    bom: bool = False
    text: bool = False
    count: Callable[[ProblemSet], int] | None = None
    sql: Callable[[ProblemSet], Iterator[str] | None] | None = None


EXPORTS: dict[str, Export] = {export.name: export for export in (
    Export("grades", ("student", "email", "<one column per exercise>", "total", "max_total",
                      "percent"), grades,
           _l("Grades: a row per student, a column per exercise, totals."), bom=True),
    Export("canvas", (*CANVAS_FIXED, "<assignment>"), canvas,
           _l("Grades for Canvas: the set's total per student, ready for the gradebook import "
              "(students matched on SIS Login ID = their email)."), bom=True),
    Export("submissions", SUBMISSION_COLUMNS, submissions,
           _l("Submissions: a row per field per attempt, with the submitted text, parsed and "
              "expected values, status, credit, misconceptions and tolerance."),
           sql=export_sql.submissions),
    Export("traces", TRACE_COLUMNS, traces,
           _l("Traces: every variant's full trace, with its student and exercise."),
           text=True, count=lambda problem_set: trace_export.total_rows(problem_set.id),
           sql=lambda problem_set, progress=None: None if _has_circuits(problem_set)
           else trace_sql.traces(problem_set, progress)),
    Export("answer-key", KEY_COLUMNS, answer_key,
           _l("Answer key: every variant's expected value of every field."),
           sql=lambda problem_set: None if _has_circuits(problem_set) else export_sql.answer_key(problem_set)),
)}


def export_lines(problem_set: ProblemSet, name: str, bom: bool | None = None,
                 progress=None, conn=None) -> Iterator[str]:
    """The CSV text of export ``name`` of a set, in streamable chunks, starting with a UTF-8
    byte-order mark when ``bom`` (default: for the exports people open in Excel). The traces
    export reports ``progress`` and reads on ``conn`` when given (``export_files``)."""
    export = EXPORTS[name]
    text = None
    if export.sql and db.session().get_bind().dialect.name == "postgresql":
        text = export.sql(problem_set, progress) if export.text else export.sql(problem_set)
    if text is not None:  # PostgreSQL writes it
        columns = export.columns
    elif export.text:
        columns, text = export.rows(problem_set, progress, conn)
    else:
        columns, rows = export.rows(problem_set)
    if bom if bom is not None else export.bom:
        yield "\ufeff"
    if text is None:
        yield from storage.csv_lines(rows, columns)
        return
    yield ",".join(columns) + "\r\n"  # the header (plain names: nothing to quote)
    yield from text

