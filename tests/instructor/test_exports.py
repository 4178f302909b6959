"""CSV exports: each parses, holds the rows it promises with the engine's values, neutralises
formulas in text people wrote, and comes through the API with a personal access token."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

import tracer
from exercises import db, submissions
from exercises.csv_cells import neutralise
from exercises.instructor import tokens
from exercises.models import Exercise
from tracer.keys import parse_key

from .conftest import build_set, gradient_ascent_answers, join, login, make_user, true_answers, variants_of

TWO = (("seed-2-2-2", {}), ("relu-2-3-1", {}))


@pytest.fixture
def exported(app, client, instructor, fixed_seeds):
    """Two students (one named like a formula) with graded attempts, the instructor logged in."""
    set_id = build_set(app, instructor, items=TWO, pool_size=3)
    evil = make_user(app, "evil@example.com", "student", '=HYPERLINK("http://x","click")')
    good = make_user(app, "good@example.com", "student", "Good Student")
    join(app, set_id, evil)
    join(app, set_id, good)
    evil1, _evil2 = variants_of(app, set_id, evil)
    good1, good2 = variants_of(app, set_id, good)
    with app.app_context():
        submissions.submit(evil1.id, {**gradient_ascent_answers(evil1),
                                      evil1.fields[0]["key"]: "-1/2"}, user_id=evil)
        submissions.submit(good1.id, true_answers(good1), user_id=good)
        submissions.submit(good2.id, true_answers(good2), user_id=good)
    login(client, "teacher@example.com")
    return {"set": set_id, "evil": evil1, "good": (good1, good2)}


def download(client, set_id: str, name: str) -> list[dict]:
    response = client.get(f"/instructor/sets/{set_id}/exports/{name}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    # the files people open in Excel start with a byte-order mark, the others do not
    assert text.startswith("\ufeff") == (name in ("grades", "canvas"))
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_grades_have_a_row_per_student_a_column_per_exercise_and_totals(client, exported):
    rows = download(client, exported["set"], "grades")
    assert [r["student"] for r in rows] == ["'=HYPERLINK(\"http://x\",\"click\")", "Good Student"]
    good = rows[1]
    assert list(good) == ["student", "email", "1. The seed post's 2-2-2 network",
                          "2. ReLU hidden layer, linear output, 2-3-1", "total", "max_total",
                          "percent"]
    assert float(good["1. The seed post's 2-2-2 network"]) == 10.0  # 10 points an exercise
    assert float(good["total"]) == 20.0 == float(good["max_total"])
    assert float(good["percent"]) == 100.0
    assert rows[0]["2. ReLU hidden layer, linear output, 2-3-1"] == ""  # never attempted


def test_a_name_starting_with_equals_is_neutralised_in_the_grades_csv(client, exported):
    text = client.get(f"/instructor/sets/{exported['set']}/exports/grades.csv") \
        .get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\",\"click\")"
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_submissions_have_a_row_per_field_per_attempt(client, exported):
    rows = download(client, exported["set"], "submissions")
    evil, (good1, good2) = exported["evil"], exported["good"]
    assert len(rows) == len(evil.fields) + len(good1.fields) + len(good2.fields)
    evil_rows = [r for r in rows if r["email"] == "evil@example.com"]
    assert [r["field"] for r in evil_rows] == [f["key"] for f in evil.fields]
    first = evil_rows[0]
    assert first["submitted"] == "'-1/2" and float(first["parsed"]) == -0.5  # not a plain number
    engine = tracer.trace(evil.spec)
    for row in evil_rows:
        assert float(row["expected"]) == engine.value(*parse_key(row["field"]))
        assert row["attempt"] == "1" and row["time"]
    update = next(r for r in evil_rows if r["field"].startswith("w_new"))
    assert update["status"] == "incorrect" and "gradient_ascent" in update["misconceptions"]
    assert update["submitted"].startswith(("-", "0", "1", "2")) and \
        not update["submitted"].startswith("'")  # a plain number stays a number
    assert update["tolerance"] and update["credit"] == "0.0"
    good_rows = [r for r in rows if r["email"] == "good@example.com"]
    assert {r["status"] for r in good_rows} == {"correct"}


def test_traces_hold_every_variants_rows_with_student_and_exercise(app, client, exported):
    rows = download(client, exported["set"], "traces")
    with app.app_context():
        variants = db.session().scalars(select(Exercise).where(
            Exercise.problem_set_id == exported["set"])).all()
    assert len(rows) == sum(len(tracer.trace(v.spec)) for v in variants)
    assert list(rows[0]) == ["student", "email", "exercise", "variant", "step", "iteration",
                             "sample", "phase", "layer", "unit", "source", "quantity", "symbol",
                             "formula", "substituted", "value"]
    good1 = exported["good"][0]
    mine = [r for r in rows if r["email"] == "good@example.com"
            and r["exercise"].startswith("1.")]
    engine = list(tracer.trace(good1.spec).rows())
    assert [float(r["value"]) for r in mine] == [row["value"] for row in engine]
    assert [r["symbol"] for r in mine] == [row["symbol"] for row in engine]
    assert any(r["student"] == "" for r in rows)  # unassigned pool variants are there too


def test_a_name_with_a_line_break_stays_in_its_cell_in_the_traces(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=2)
    student = make_user(app, "lines@example.com", "student", "Ada\nLovelace")
    join(app, set_id, student)
    login(client, "teacher@example.com")
    rows = download(client, set_id, "traces")
    assert all(len(row) == 16 and None not in row for row in rows)  # no line was cut in two
    mine = [row for row in rows if row["email"] == "lines@example.com"]
    assert mine and {row["student"] for row in mine} == {"Ada\nLovelace"}


def test_answer_key_holds_every_variants_expected_values(app, client, exported):
    rows = download(client, exported["set"], "answer-key")
    with app.app_context():
        variants = db.session().scalars(select(Exercise).where(
            Exercise.problem_set_id == exported["set"])).all()
    assert len(rows) == sum(len(v.fields) for v in variants)
    by_seed = {v.seed: v for v in variants}
    for row in rows:
        engine = tracer.trace(by_seed[int(row["seed"])].spec)
        assert float(row["expected"]) == engine.value(*parse_key(row["field"]))


def test_canvas_grades_follow_the_gradebook_import_layout(client, exported):
    text = client.get(f"/instructor/sets/{exported['set']}/exports/canvas.csv") \
        .get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "Week 3: backprop by hand"]
    assert rows[1][0] == "Points Possible" and rows[1][1:5] == ["", "", "", ""]
    assert float(rows[1][5]) == 20.0  # two exercises of 10 points
    good = next(r for r in rows if r[3] == "good@example.com")
    assert float(good[5]) == 20.0


def test_exports_come_through_the_api_with_a_token(app, client, exported, instructor):
    with app.app_context():
        token = tokens.create(instructor, "nightly backup")
    fresh = app.test_client()  # no session cookie: the token alone must do
    for name in ("grades", "submissions", "traces", "answer-key", "canvas"):
        via_api = fresh.get(f"/api/v1/problem-sets/{exported['set']}/exports/{name}.csv",
                            headers={"Authorization": f"Bearer {token}"})
        assert via_api.status_code == 200, name
        assert via_api.data == client.get(
            f"/instructor/sets/{exported['set']}/exports/{name}.csv").data


@pytest.mark.parametrize("text, expected", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-0.25", "-0.25"), ("+3", "+3"), ("-1e-3", "-1e-3"),
    ("Ada", "Ada"), ("", ""), (None, None), ("-", "'-"), ("−0.5", "−0.5"),
])
def test_neutralise_guards_formulas_but_keeps_plain_numbers(text, expected):
    assert neutralise(text) == expected
