"""On PostgreSQL the submissions, answer-key and traces exports are written by the server
(``exercises.export_sql``); everywhere else by Python (``exercises.field_exports``,
``exercises.trace_export``). The two
must write the same bytes: every piece of SQL that stands in for Python (floats as ``repr``,
``neutralise``, ``isoformat`` in UTC) is checked against Python itself on awkward values, then
whole exports of a set with awkward names, titles and answers are compared byte for byte.

These tests run on a PostgreSQL database of their own in both of CI's passes (they skip on a
laptop without one, never under CI=true)."""
from __future__ import annotations

import csv
import io
import math
import random
import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

import tracer
from exercises import (
    create_app,
    db,
    export_sql,
    exports,
    field_exports,
    migrate,
    sql_stream,
    storage,
    submissions,
    trace_export,
    trace_sql,
)
from exercises.csv_cells import neutralise
from exercises.grading import STATUSES
from exercises.instructor import set_regrade
from exercises.models import Exercise, ProblemSet, ProblemSetItem, StoredTrace, Submission

from ..conftest import postgres_database
from .conftest import build_set, join, make_user, true_answers, variants_of


@pytest.fixture(scope="module")
def pg_app(postgres_url):
    """The app on a fresh, migrated PostgreSQL database of its own."""
    with postgres_database(postgres_url, "bl_sql_export") as url:
        migrate.upgrade(url)
        application = create_app({"TESTING": True, "DATABASE_URL": url, "POOL_TOPUP": "off",
                                  "SECRET_KEY": "test-secret-key-that-is-32-bytes-long",
                                  "RATELIMIT_ENABLED": False})
        yield application
        application.extensions["db_session"].remove()
        application.extensions["db_engine"].dispose()


def _sql_column(app, expression: str, values: list, kind: str) -> list:
    """``expression`` (naming column ``x``) of every value, as PostgreSQL works it out."""
    with app.app_context():
        conn = db.session().connection()
        return [row[0] for row in conn.exec_driver_sql(
            f"SELECT {expression} FROM unnest(%(values)s::{kind}[]) WITH ORDINALITY AS t(x, n) ORDER BY n",
            {"values": values})]


def _awkward_floats() -> list[float]:
    """Floats where Python's repr and PostgreSQL's text differ or could: integral values, the
    decade where PostgreSQL switches to exponents a step before Python, the edges of fixed
    notation, signed zero, extremes and non-finite values, and 3,000 random bit patterns."""
    edges = [0.0, -0.0, 1.0, -3.0, 0.5, 0.1, 1e-4, 1e-5, 0.00012345, 9.999e-5, 1e14, 1e15, -1e15,
             1e15 + 0.5, 1234567890123456.0, 9999999999999998.0, 1e16, 2.0 ** 53, 1e22, 1.5e300,
             5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 123456789012345.67,
             -0.0841427, 1 / 3, math.pi * 1e15, float("inf"), float("-inf"), float("nan")]
    rng = random.Random(13)
    patterns = [struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(3_000)]
    scaled = [rng.uniform(-1, 1) * 10.0 ** rng.randint(-8, 17) for _ in range(1_000)]
    return edges + patterns + scaled + [float(rng.randint(-10**6, 10**6)) for _ in range(200)]


def test_floats_are_written_as_pythons_repr(pg_app):
    values = _awkward_floats()
    written = _sql_column(pg_app, export_sql._float("x"), values, "float8")
    wrong = [(repr(v), w) for v, w in zip(values, written) if w != repr(v)]
    assert wrong == [] and len(written) == len(values)
    assert _sql_column(pg_app, export_sql._float("x"), [None], "float8") == [None]


NEUTRALISED = ["=1+1", '=HYPERLINK("http://x","click")', "+1", "-1", "-1/2", "+0.5", "-0.5e-3", "@SUM(A1)",
               "\tx", "\r1", "-", "+", "=", "-١٢", "+１", "1,5", '"q"', "plain", "", "-.5", "-5.", "-e5",
               "+1e5", "-1E+05", "1e5", "-1\n", "한국어", "-x,y"]


def test_user_text_is_neutralised_as_python_does(pg_app):
    written = _sql_column(pg_app, export_sql._neutral("x"), NEUTRALISED, "text")
    assert written == [neutralise(text) for text in NEUTRALISED]


def test_text_cells_are_quoted_as_the_csv_module_quotes_them(pg_app):
    texts = [*NEUTRALISED, "a\nb", "a\r\nb", '""', "\\.", "x;y", " lead", "tab\tin", "콤마,있음", None]

    def by_csv(text):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow([text, "z"])
        return buffer.getvalue()[: -len(",z\r\n")]
    expected = [by_csv(text) for text in texts]
    assert _sql_column(pg_app, export_sql._cell("x"), texts, "text") == expected
    assert _sql_column(pg_app, export_sql._neutral_cell("x"), texts[:-1], "text") == [
        by_csv(neutralise(text)) for text in texts[:-1]]
    assert [export_sql._quoted(text) for text in texts] == expected


def test_list_parameters_reach_the_server_as_they_are(pg_app):
    """The array literals ``sql_stream`` sends instead of lists: every text back as it was."""
    texts = NEUTRALISED + ["NULL", "null", "", " padded ", "{a,b}", "back\\slash\\", '\\"', "a\tb", None,
                           "줄\r\n바꿈", "'quoted'", "x" * 5_000]
    with pg_app.app_context():
        conn = db.session().connection()
        got = conn.exec_driver_sql("SELECT x FROM unnest(%(v)s::text[]) WITH ORDINALITY AS t(x, n) ORDER BY n",
                                   {"v": sql_stream.array(texts)}).scalars().all()
        numbers = conn.exec_driver_sql("SELECT x FROM unnest(%(v)s::int[]) WITH ORDINALITY AS t(x, n) ORDER BY n",
                                       {"v": sql_stream.array([0, -7, None, 2**31 - 1])}).scalars().all()
        assert conn.exec_driver_sql("SELECT cardinality(%(v)s::text[])", {"v": sql_stream.array([])}).scalar() == 0
    assert got == texts
    assert numbers == [0, -7, None, 2**31 - 1]


def test_times_are_written_as_isoformat_in_utc(pg_app):
    start = datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)
    moments = [start, start + timedelta(microseconds=1), start + timedelta(microseconds=120_000),
               datetime(2026, 12, 1, 2, 3, 4, 999_999, tzinfo=UTC)]
    written = _sql_column(pg_app, export_sql._time("x"), moments, "timestamptz")
    assert written == [moment.isoformat() for moment in moments]


LOOSER = {"ecf_credit": 0.5, "tolerance": {"mode": "relabs", "rtol": 0.2, "atol": 0.0, "digits": None}}
AWKWARD_ANSWERS = ["-1/2", "+0.5", "-0", "1e15", "1234567890123456.5", "2/4", "1e-7", "-3"]


NAMES = ['=HYPERLINK("http://x","click")', "+1", 'Kim, "Jr."', "이서연", "Twin", "Twin", "Line\nbreak"]


@pytest.fixture(scope="module")
def awkward_set(pg_app):
    """A published set on PostgreSQL whose names, titles and answers are as awkward as a class
    makes them: formulas, numbers, commas, quotes, line breaks, Korean, two students of one
    name; graded attempts right and wrong; pool variants no one holds."""
    app = pg_app
    owner = make_user(app, "teacher@example.com", name="Ada Teacher")
    set_id = build_set(app, owner, items=(("seed-2-2-2", {}), ("relu-2-3-1", {}), ("tanh-3-3-2", {})),
                       pool_size=6)
    with app.app_context(), db.write_transaction() as sess:
        titles = ['=cmd|"/c calc"', 'Week 1, "the seed"\npart 2', "+1"]
        for position, title in enumerate(titles):
            sess.execute(update(ProblemSetItem).where(ProblemSetItem.problem_set_id == set_id,
                                                      ProblemSetItem.position == position).values(title=title))
    students = [make_user(app, f"s{n}@example.com", "student", name) for n, name in enumerate(NAMES)]
    for n, student in enumerate(students):
        join(app, set_id, student)
        for k, exercise in enumerate(variants_of(app, set_id, student)):
            answers = true_answers(exercise)
            keys = list(answers)
            for j, key in enumerate(keys[: n + 2]):  # each student gets a few fields awkwardly
                answers[key] = AWKWARD_ANSWERS[(n + j + k) % len(AWKWARD_ANSWERS)]
            if n % 3 == 0:
                answers[keys[-1]] = ""  # left blank
            with app.app_context():
                submissions.submit(exercise.id, answers, user_id=student)
                if n == 1:
                    submissions.submit(exercise.id, true_answers(exercise), user_id=student)
    with app.app_context():  # a regrade rewrites grades, and the lines stored with them
        summary = set_regrade.regrade_set(set_id, LOOSER, owner, apply=True)
        assert summary.fields_changed > 0
    with app.app_context(), db.write_transaction() as sess:
        # attempts stored before revision 0008, without their lines (every third), one of
        # them on a whole second
        attempts = sess.scalars(select(Submission).order_by(Submission.created_at, Submission.id)).all()
        assert all(attempt.export_lines for attempt in attempts)
        for attempt in attempts[::3]:
            attempt.export_lines = None
        attempts[0].created_at = attempts[0].created_at.replace(microsecond=0)
        # and variants made before it, without their answer-key lines (every third, the last
        # by id among them)
        variants = sess.scalars(select(Exercise).where(Exercise.problem_set_id == set_id)
                                .order_by(Exercise.id.desc())).all()
        assert all(variant.key_lines for variant in variants)
        for variant in variants[::3]:
            variant.key_lines = None
    return set_id


def _python_export(app, set_id: str, writer) -> str:
    with app.app_context():
        columns, rows = writer(db.session().get(ProblemSet, set_id))
        return "".join(storage.csv_lines(rows, columns))


def _served_export(app, set_id: str, name: str) -> str:
    with app.app_context():
        return "".join(exports.export_lines(db.session().get(ProblemSet, set_id), name, bom=False))


@pytest.mark.parametrize("slice_size", [1_000, 4])
@pytest.mark.parametrize(("name", "writer"), [("submissions", field_exports.submissions),
                                              ("answer-key", field_exports.answer_key)])
def test_postgresql_writes_the_same_bytes_as_python(pg_app, awkward_set, name, writer, slice_size,
                                                    monkeypatch):
    """In one query (the set is smaller than a slice), and in slices of four attempts or
    variants written two at a time on connections that share the session's snapshot."""
    monkeypatch.setattr(sql_stream, "SLICE", slice_size)
    reference = _python_export(pg_app, awkward_set, writer)
    served = _served_export(pg_app, awkward_set, name)
    assert served.count("\r\n") > 100  # the set has rows to compare
    assert served == reference


def test_the_served_exports_are_the_copy_form(pg_app, awkward_set, monkeypatch):
    """The comparison above is between two different writers: on PostgreSQL the route's text
    is the server's (the Python writers are not called)."""
    def refuse(_problem_set):
        raise AssertionError("the Python writer ran on PostgreSQL")
    monkeypatch.setitem(exports.EXPORTS, "submissions", replace(exports.EXPORTS["submissions"], rows=refuse))
    assert _served_export(pg_app, awkward_set, "submissions").startswith(
        ",".join(field_exports.SUBMISSION_COLUMNS))


def _reverse_steps(app, trace_id: str) -> None:
    """Store a trace's rows in reverse step order (through a gap: steps are a primary key)."""
    with app.app_context(), db.write_transaction() as sess:
        conn = sess.connection()
        conn.exec_driver_sql("UPDATE trace_values SET step = step + 100000 WHERE trace_id = %(t)s", {"t": trace_id})
        conn.exec_driver_sql("UPDATE trace_values SET step = (SELECT max(step) FROM trace_values "
                             "WHERE trace_id = %(t)s) - step + 1 WHERE trace_id = %(t)s", {"t": trace_id})


def test_a_key_whose_step_differs_in_a_variant_is_still_found_by_its_name(pg_app, awkward_set):
    """The answer key takes a field's value from the step it has in the list's first variant
    when that row is the field's value, else finds it by quantity, layer, unit and source: a
    variant whose rows were stored in another order still gets its own values."""
    with pg_app.app_context():
        trace_id, stored = db.session().connection().exec_driver_sql(
            "SELECT t.id, e.key_lines FROM traces t JOIN exercises e ON e.id = t.exercise_id "
            "WHERE e.problem_set_id = %(set)s ORDER BY e.id DESC LIMIT 1", {"set": awkward_set}).one()
    assert stored is None  # its key is written from its trace (a stored key would not change)
    before = _served_export(pg_app, awkward_set, "answer-key")
    _reverse_steps(pg_app, trace_id)
    try:
        assert _served_export(pg_app, awkward_set, "answer-key") == before == _python_export(
            pg_app, awkward_set, field_exports.answer_key)
    finally:
        _reverse_steps(pg_app, trace_id)


def test_keys_and_statuses_need_no_quoting(pg_app, awkward_set):
    """The query writes a field's key and a grade's status as they are: csv.writer leaves them
    unquoted too (a status is one of the grader's words; a key, a quantity and numbers)."""
    assert all(export_sql._quoted(status) == status for status in STATUSES)
    with pg_app.app_context():
        keys = db.session().connection().exec_driver_sql("SELECT DISTINCT key FROM field_grades").scalars().all()
    assert keys and all(export_sql._quoted(key) == key for key in keys)


@pytest.fixture(scope="module")
def traced_set(pg_app):
    """A published set of three networks on PostgreSQL, its titles and students' names awkward
    (formulas, numbers, commas, quotes, line breaks, Korean), variants no one holds."""
    app = pg_app
    owner = make_user(app, "tracer@example.com", name="Tracy Teacher")
    set_id = build_set(app, owner, items=(("seed-2-2-2", {}), ("softmax-3-4-3", {}), ("relu-2-3-1", {})),
                       pool_size=len(NAMES) + 2)
    with app.app_context(), db.write_transaction() as sess:
        for position, title in enumerate(['=cmd|"/c calc"', 'Week 1, "the seed"\npart 2', "+1"]):
            sess.execute(update(ProblemSetItem).where(ProblemSetItem.problem_set_id == set_id,
                                                      ProblemSetItem.position == position).values(title=title))
    for n, name in enumerate(NAMES):
        join(app, set_id, make_user(app, f"t{n}@example.com", "student", name))
    return set_id


def _python_traces(app, set_id: str) -> str:
    """The traces export as ``trace_export`` writes it from the stored values (SQLite's)."""
    with app.app_context():
        columns, text = exports.traces(db.session().get(ProblemSet, set_id))
        return ",".join(columns) + "\r\n" + "".join(text)


def _stored_trace_lines(app, set_id: str) -> dict[str, str | None]:
    with app.app_context():
        return dict(db.session().execute(
            select(StoredTrace.id, StoredTrace.export_lines).join(Exercise)
            .where(Exercise.problem_set_id == set_id)).all())


@pytest.mark.parametrize("slice_size", [1_000, 4])
def test_postgresql_writes_the_traces_python_writes_from_the_stored_values(pg_app, traced_set, slice_size,
                                                                          monkeypatch):
    monkeypatch.setattr(sql_stream, "SLICE", slice_size)
    assert all(_stored_trace_lines(pg_app, traced_set).values())  # every trace kept its lines

    def refuse(*_args, **_kwargs):
        raise AssertionError("the traces were written from the stored values on PostgreSQL")
    with monkeypatch.context() as patched:  # the served file is the server's
        patched.setattr(trace_export, "lines", refuse)
        served = _served_export(pg_app, traced_set, "traces")
    rows = list(csv.DictReader(io.StringIO(served)))
    assert len(rows) > 1_000 and {row["student"] for row in rows} >= {"'+1", "Line\nbreak", 'Kim, "Jr."', ""}
    assert served == _python_traces(pg_app, traced_set)


def test_a_job_writing_the_traces_on_postgresql_is_told_every_row(pg_app, traced_set, monkeypatch):
    monkeypatch.setattr(sql_stream, "SLICE", 4)
    told: list[int] = []
    with pg_app.app_context():
        problem_set = db.session().get(ProblemSet, traced_set)
        text = "".join(exports.export_lines(problem_set, "traces", bom=False, progress=told.append))
        total = trace_export.total_rows(traced_set)
    assert told == sorted(told) and told[-1] == total == len(list(csv.DictReader(io.StringIO(text))))
    assert len(told) > 2  # after each slice


def _change(app, statement: str, params: dict) -> None:
    with app.app_context(), db.write_transaction() as sess:
        sess.connection().exec_driver_sql(statement, params)


def test_a_trace_whose_stored_values_change_is_written_from_them(pg_app, traced_set):
    """The database clears a trace's lines when its values, rows or spec change (revision 0009's
    triggers): the set's traces are then written from the stored values, changes included."""
    kept = _stored_trace_lines(pg_app, traced_set)
    first, second, third = sorted(kept)[:3]
    try:
        _change(pg_app, "UPDATE trace_values SET value = 0.125 WHERE trace_id = %(t)s AND step = 1", {"t": first})
        lines = _stored_trace_lines(pg_app, traced_set)
        assert lines[first] is None and all(lines[t] == kept[t] for t in kept if t != first)
        with pg_app.app_context():
            assert trace_sql.traces(db.session().get(ProblemSet, traced_set)) is None
        served = _served_export(pg_app, traced_set, "traces")
        assert served == _python_traces(pg_app, traced_set)
        assert "0.125" in [row["value"] for row in csv.DictReader(io.StringIO(served)) if row["step"] == "1"]
        _change(pg_app, "DELETE FROM trace_values WHERE trace_id = %(t)s AND step = "
                "(SELECT max(step) FROM trace_values WHERE trace_id = %(t)s)", {"t": second})
        _change(pg_app, "UPDATE traces SET spec = spec WHERE id = %(t)s", {"t": third})
        lines = _stored_trace_lines(pg_app, traced_set)
        assert lines[second] is None and lines[third] is None
        # a writer that writes the lines with the spec keeps them
        _change(pg_app, "UPDATE traces SET spec = spec, export_lines = %(l)s WHERE id = %(t)s",
                {"t": third, "l": kept[third]})
        assert _stored_trace_lines(pg_app, traced_set)[third] == kept[third]
    finally:  # put the set back as it was made, for the tests after this one
        with pg_app.app_context(), db.write_transaction() as sess:
            stored = {t: sess.get(StoredTrace, t) for t in (first, second)}
            result = {t: tracer.trace(stored[t].spec) for t in stored}
            for t in stored:
                conn = sess.connection()
                conn.exec_driver_sql("DELETE FROM trace_values WHERE trace_id = %(t)s", {"t": t})
                storage_rows = [(t, *row[:3], *row[4:]) for row in result[t].numeric_rows()]
                conn.exec_driver_sql(
                    "INSERT INTO trace_values (trace_id, step, iteration, sample, layer, unit, source, quantity, value) "
                    "SELECT * FROM unnest(%(t)s::text[], %(s)s::int[], %(i)s::int[], %(m)s::int[], %(l)s::int[], "
                    "%(u)s::int[], %(o)s::int[], %(q)s::text[], %(v)s::float8[])",
                    dict(zip("tsimluoqv", map(list, zip(*storage_rows)))))
                conn.exec_driver_sql("UPDATE traces SET export_lines = %(l)s WHERE id = %(t)s", {"t": t, "l": kept[t]})
    assert _stored_trace_lines(pg_app, traced_set) == kept
    assert _served_export(pg_app, traced_set, "traces") == _python_traces(pg_app, traced_set)


def test_a_slice_of_long_traces_holds_fewer_variants():
    """A slice holds ``SLICE`` ids, or as many as keep it near ``SLICE_ROWS`` rows."""
    assert sql_stream.slice_size(rows=21 * 5_000, count=5_000) == sql_stream.SLICE  # attempts of 21 fields
    per_trace = sql_stream.slice_size(rows=81 * 5_000, count=5_000)  # 3-4-3 traces of 81 rows
    assert per_trace < sql_stream.SLICE and 81 * per_trace <= sql_stream.SLICE_ROWS < 81 * (per_trace + 1)
    assert sql_stream.slice_size(rows=50_000, count=1) == 1 and sql_stream.slice_size(rows=0, count=0) == 1
