"""The exports with a row per field, written in Python: submissions (a row per field per graded
attempt) and the answer key (a row per field per variant).

These are the reference forms: SQLite runs them, and on PostgreSQL ``export_sql`` has the
server write the same text (``tests/instructor/test_export_sql.py`` holds the two equal).
Rows are tuples in their columns' order, read as plain columns a chunk at a time, so memory
stays flat whatever the class size.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import Text, cast, select

from exercises import db, storage
from exercises.csv_cells import TextCache, as_text, neutralise
from exercises.instructor.answers import answer_keys
from exercises.models import Exercise, FieldGrade, ProblemSet, ProblemSetItem, Submission, User
from exercises.stored_lines import names, utc_time
from exercises.trace_export import VARIANT_ORDER

SUBMISSION_COLUMNS = ("student", "email", "exercise", "position", "attempt", "field", "symbol",
                      "submitted", "parsed", "expected", "status", "credit", "misconceptions",
                      "tolerance", "time")
ATTEMPT_ORDER = (Submission.created_at, Submission.id)  # the submissions export's, oldest first
KEY_COLUMNS = ("exercise", "position", "variant", "seed", "student", "email", "field", "symbol",
               "label", "expected", "answer_digits")


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
             .order_by(*ATTEMPT_ORDER, FieldGrade.position))

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
                if created != last_created:  # an attempt's fields share its time (in UTC)
                    last_created = created
                    time = utc_time(created)
                yield (people(name), people(email), title, position, attempt, key,
                       symbols[exercise_id].get(key), neutralise(submitted), parsed, expected, status,
                       credit, _names(misconceptions), tolerance, time)
    return SUBMISSION_COLUMNS, rows()


def _names(stored: str | None) -> str:
    """A grade's misconception names, joined by ";", from their stored JSON text (most grades
    name none: no JSON is decoded for them)."""
    return "" if stored in (None, "[]", "null") else names(json.loads(stored))


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
             .order_by(*VARIANT_ORDER))
    return db.session().connection().execution_options(yield_per=KEY_BATCH).execute(query).partitions()


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


