"""CSV exports of a problem set: grades, submissions, traces, answer key, and grades for Canvas.

Each export is a column list and a generator of rows, written by ``storage.csv_lines`` and
streamed, so a large class never sits in memory as one string. Text that people wrote is made
safe to open in a spreadsheet (``csv_cells``: SPEC §7's formula neutralisation).
The grades and Canvas exports start with a UTF-8 byte-order mark by default (Excel needs it to
show Korean names); every export offers it.

``EXPORTS`` is the one table of exports (``Export``: name, columns, rows, description): the
export pages, the API route, the job that writes large files, the tests and the README's
"CSV formats" table all read it.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, select

import tracer
from exercises import db, storage, trace_export
from exercises.csv_cells import TextCache, as_text, neutralise
from exercises.instructor import gradebook, roster
from exercises.instructor.answers import answer_keys
from exercises.instructor.circuit_items import is_circuit_item
from exercises.instructor.policy import as_utc
from exercises.models import Enrollment, Exercise, FieldGrade, ProblemSet, ProblemSetItem, Submission, User, utcnow

SUBMISSION_COLUMNS = ("student", "email", "exercise", "position", "attempt", "field", "symbol",
                      "submitted", "parsed", "expected", "status", "credit", "misconceptions",
                      "tolerance", "time")
TRACE_COLUMNS = ("student", "email", "exercise", "variant") + storage.COLUMNS
# a set with circuit items: a circuit's columns (SPEC §10: node and arg), empty for networks
CIRCUIT_TRACE_COLUMNS = ("student", "email", "exercise", "variant") + tracer.circuit.COLUMNS
KEY_COLUMNS = ("exercise", "position", "variant", "seed", "student", "email", "field", "symbol",
               "label", "expected", "answer_digits")
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


def submissions(problem_set: ProblemSet) -> tuple[tuple[str, ...], Iterator[tuple]]:
    """A row per field per graded attempt, oldest first (tuples in ``SUBMISSION_COLUMNS``
    order). Read as plain columns a chunk at a time; each chunk's exercises' field symbols are
    read once for the chunk (a bounded cache), so memory stays flat whatever the class size."""
    items = {item_id: (as_text(f"{position + 1}. {title}"), position + 1) for item_id, position, title in
             db.session().execute(select(ProblemSetItem.id, ProblemSetItem.position, ProblemSetItem.title)
                                  .where(ProblemSetItem.problem_set_id == problem_set.id))}
    query = (select(User.name, User.email, Exercise.item_id, Exercise.id, Submission.attempt,
                    Submission.created_at, FieldGrade.key, FieldGrade.submitted, FieldGrade.parsed,
                    FieldGrade.expected, FieldGrade.status, FieldGrade.credit,
                    cast(FieldGrade.misconceptions, Text), FieldGrade.tolerance)
             .select_from(FieldGrade)
             .join(Submission, Submission.id == FieldGrade.submission_id)
             .join(Exercise, Exercise.id == Submission.exercise_id)
             .join(User, User.id == Exercise.user_id)
             .where(Exercise.problem_set_id == problem_set.id)
             .order_by(Submission.created_at, Submission.id, FieldGrade.position))

    def rows():
        symbols: dict[str, dict[str, str]] = {}
        people = TextCache()
        last_created = time = None
        result = db.session().connection().execution_options(yield_per=storage.CHUNK).execute(query)
        for chunk in result.partitions():
            missing = {row[3] for row in chunk} - symbols.keys()
            if len(symbols) + len(missing) > 20_000:
                symbols.clear()
                missing = {row[3] for row in chunk}
            if missing:
                symbols.update(_symbols(missing))
            for (name, email, item_id, exercise_id, attempt, created, key, submitted, parsed, expected,
                 status, credit, misconceptions, tolerance) in chunk:
                title, position = items[item_id]
                if created != last_created:  # an attempt's fields share its time
                    last_created, time = created, created.isoformat()
                yield (people(name), people(email), title, position, attempt, key,
                       symbols[exercise_id].get(key), neutralise(submitted), parsed, expected, status,
                       credit, _names(misconceptions), tolerance, time)
    return SUBMISSION_COLUMNS, rows()


def _names(stored: str | None) -> str:
    """A grade's misconception names, joined by ";", from their stored JSON text (most grades
    name none: no JSON is decoded for them)."""
    return "" if stored in (None, "[]", "null") else ";".join(json.loads(stored))


def _symbols(exercise_ids) -> dict[str, dict[str, str]]:
    """Each exercise's field symbols by field key. The field lists are read as their JSON text
    and each distinct text decoded once: a set's variants of one item share theirs."""
    decoded = _Decoded()
    return {exercise_id: decoded.symbols(fields) for exercise_id, fields in db.session().execute(
        select(Exercise.id, cast(Exercise.fields, Text)).where(Exercise.id.in_(list(exercise_ids))))}


class _Decoded(dict):
    """JSON texts decoded once each (bounded): ``value(text)``, and ``symbols(text)`` for a
    field list's symbols by key."""

    def value(self, text: str):
        found = self.get(text)
        if found is None:
            if len(self) > 1_000:
                self.clear()
            found = self[text] = json.loads(text)
        return found

    def symbols(self, text: str) -> dict[str, str]:
        key = ("symbols", text)
        found = self.get(key)
        if found is None:
            found = self[key] = {f["key"]: f["symbol"] for f in self.value(text)}
        return found


def _variants(problem_set: ProblemSet):
    """(id, variant index, seed, fields, answer digits, position, title, student name, email) of
    every variant, assigned ones first, as plain rows streamed a chunk at a time."""
    query = (select(Exercise.id, Exercise.variant_index, Exercise.seed, cast(Exercise.fields, Text),
                    cast(Exercise.settings, Text),
                    ProblemSetItem.position, ProblemSetItem.title, User.name, User.email)
             .select_from(Exercise)
             .join(ProblemSetItem, ProblemSetItem.id == Exercise.item_id)
             .outerjoin(User, User.id == Exercise.user_id)
             .where(Exercise.problem_set_id == problem_set.id)
             .order_by(Exercise.user_id.is_(None), User.name, ProblemSetItem.position,
                       Exercise.variant_index))
    return db.session().connection().execution_options(yield_per=KEY_BATCH).execute(query).partitions()


def traces(problem_set: ProblemSet, progress=None,
           conn=None) -> tuple[tuple[str, ...], Iterator[str]]:
    """Every variant's stored trace in SPEC §4 columns (and §10's node and arg when the set has
    circuit items), with its student and exercise: the columns and the CSV text after the
    header (``trace_export``: batched reads, lines formatted a chunk at a time; ``progress``
    and ``conn`` as there)."""
    def head(variant) -> tuple:
        return (as_text(variant.name), as_text(variant.email),
                as_text(f"{variant.position + 1}. {variant.title}"), variant.variant_index)
    nodes = any(is_circuit_item(template_id, knobs) for template_id, knobs in db.session().execute(
        select(ProblemSetItem.template_id, ProblemSetItem.knobs)
        .where(ProblemSetItem.problem_set_id == problem_set.id)))
    return (CIRCUIT_TRACE_COLUMNS if nodes else TRACE_COLUMNS,
            trace_export.lines(problem_set.id, head, progress, conn, nodes))


KEY_BATCH = 500  # variants whose stored values one query of the answer-key export reads


def answer_key(problem_set: ProblemSet) -> tuple[tuple[str, ...], Iterator[tuple]]:
    """Every variant's expected value of every field, with its seed and student (tuples in
    ``KEY_COLUMNS`` order): the variants streamed, their expected values read ``KEY_BATCH``
    variants at a time, each distinct field list and settings text decoded once."""
    def rows():
        people, decoded = TextCache(), _Decoded()
        titles: dict = {}
        for batch in _variants(problem_set):
            keys = answer_keys(problem_set.id, exercise_ids=[row[0] for row in batch])
            for exercise_id, variant, seed, fields, settings, position, title, name, email in batch:
                expected = keys.get(exercise_id, {})
                if (position, title) not in titles:
                    titles[position, title] = as_text(f"{position + 1}. {title}")
                exercise, student, address = titles[position, title], people(name), people(email)
                digits = decoded.value(settings)["answer_digits"]
                for f in decoded.value(fields):
                    yield (exercise, position + 1, variant, seed, student, address, f["key"], f["symbol"],
                           f["label"], expected.get(f["key"]), digits)
    return KEY_COLUMNS, rows()


@dataclass(frozen=True)
class Export:
    """One CSV export of a problem set.

    ``columns`` is the header as documented (``<...>`` marks columns that depend on the set);
    ``rows(problem_set)`` gives the actual header and the rows as dicts, or, for a ``text``
    export, ``rows(problem_set, progress, conn)`` gives the header and CSV text already
    formatted. ``description`` says what it holds, in the reader's language; ``bom``: it
    starts with a UTF-8 byte-order mark by default (opened in Excel, which needs it for Korean
    names); ``count(problem_set)``: its row count, known cheaply, for an export that can grow
    large enough to be written by a job (``export_files``)."""

    name: str
    columns: tuple[str, ...]
    rows: Callable
    description: object
    bom: bool = False
    text: bool = False
    count: Callable[[ProblemSet], int] | None = None


EXPORTS: dict[str, Export] = {export.name: export for export in (
    Export("grades", ("student", "email", "<one column per exercise>", "total", "max_total",
                      "percent"), grades,
           _l("Grades: a row per student, a column per exercise, totals."), bom=True),
    Export("canvas", (*CANVAS_FIXED, "<assignment>"), canvas,
           _l("Grades for Canvas: the set's total per student, ready for the gradebook import "
              "(students matched on SIS Login ID = their email)."), bom=True),
    Export("submissions", SUBMISSION_COLUMNS, submissions,
           _l("Submissions: a row per field per attempt, with the submitted text, parsed and "
              "expected values, status, credit, misconceptions and tolerance.")),
    Export("traces", TRACE_COLUMNS, traces,
           _l("Traces: every variant's full trace, with its student and exercise."),
           text=True, count=lambda problem_set: trace_export.total_rows(problem_set.id)),
    Export("answer-key", KEY_COLUMNS, answer_key,
           _l("Answer key: every variant's expected value of every field.")),
)}


def export_lines(problem_set: ProblemSet, name: str, bom: bool | None = None,
                 progress=None, conn=None) -> Iterator[str]:
    """The CSV text of export ``name`` of a set, in streamable chunks, starting with a UTF-8
    byte-order mark when ``bom`` (default: for the exports people open in Excel). The traces
    export reports ``progress`` and reads on ``conn`` when given (``export_files``)."""
    export = EXPORTS[name]
    if export.text:
        columns, rows = export.rows(problem_set, progress, conn)
    else:
        columns, rows = export.rows(problem_set)
    if bom if bom is not None else export.bom:
        yield "\ufeff"
    if export.text:  # already CSV text
        yield ",".join(columns) + "\r\n"
        yield from rows
        return
    yield from storage.csv_lines(rows, columns)
