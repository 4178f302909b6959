"""Roster import (a simple CSV or Canvas's own export) with a preview and per-line errors; the
Canvas export filled from it, blank for students without attempts until the due date; the
UTF-8 byte-order mark; names that look like numbers kept as text."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from exercises import db, submissions
from exercises.csv_cells import as_text
from exercises.instructor import roster
from exercises.models import ProblemSet

from ..web.conftest import element_text
from .conftest import build_set, join, login, make_user, post_form, true_answers, variants_of

SIMPLE = ("name,email,SIS id,section\n"
          "Ada Lovelace,ADA@example.com,S001,Mon 9:00\n"
          "No Mail,,S002,Mon 9:00\n"
          "Bad Mail,not-an-email,S003,Tue\n"
          "Ada Again,ada@example.com,S004,Tue\n"
          "김민준,minjun@example.com,S005,Tue\n")
CANVAS = ("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Week 3 (1234)\n"
          "    Points Possible,,,,,20\n"
          "\"Lee, Grace\",98765,G-77,grace@example.com,Section 2,\n"
          "Test Student,555,,,Section 2,\n")


def test_a_simple_roster_reads_with_an_error_per_bad_line():
    preview = roster.read(SIMPLE)
    assert [(e["name"], e["email"], e["sis_user_id"], e["section"]) for e in preview.entries] \
        == [("Ada Lovelace", "ada@example.com", "S001", "Mon 9:00"),
            ("김민준", "minjun@example.com", "S005", "Tue")]
    assert preview.errors == [(3, "no email"), (4, "not-an-email is not an email address"),
                              (5, "ada@example.com is already on an earlier line")]


def test_canvas_own_export_reads_with_its_columns():
    preview = roster.read(CANVAS)
    assert preview.errors == [] and preview.problem is None
    (grace,) = preview.entries   # Points Possible and the test student are Canvas's own rows
    assert grace == {"email": "grace@example.com", "name": "Lee, Grace", "canvas_id": "98765",
                     "sis_user_id": "G-77", "sis_login_id": "grace@example.com",
                     "section": "Section 2"}


def test_a_file_without_an_email_column_is_refused_whole():
    assert "email" in roster.read("name,phone\nAda,123\n").problem


@pytest.fixture
def course(app, client, instructor):
    """A set due in a week; Grace joined and solved it, Hal joined and did nothing; Ivy is on
    the roster only."""
    set_id = build_set(app, instructor, pool_size=3,
                       due_at=datetime.now(UTC) + timedelta(days=7))
    grace = make_user(app, "grace@example.com", "student", "Grace Lee")
    hal = make_user(app, "hal@example.com", "student", "+1")
    for student in (grace, hal):
        join(app, set_id, student)
    (variant,) = variants_of(app, set_id, grace)
    with app.app_context():
        submissions.submit(variant.id, true_answers(variant), user_id=grace)
    login(client, "teacher@example.com")
    return {"set": set_id}


def test_the_roster_page_previews_then_imports(app, client, course):
    url = f"/instructor/sets/{course['set']}/roster"
    upload = {"file": (io.BytesIO(SIMPLE.encode("utf-8-sig")), "class.csv"),
              "action": "preview"}
    page = post_form(client, url, upload, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert element_text(text, "roster-summary") == "2 students can be imported; 3 lines cannot."
    assert element_text(text, "roster-errors").endswith(
        "3 no email 4 not-an-email is not an email address "
        "5 ada@example.com is already on an earlier line")
    assert "Nobody yet." in text   # a preview stores nothing
    done = post_form(client, url, {"text": SIMPLE, "action": "import"}, follow_redirects=True)
    assert "2 students imported to the roster." in done.get_data(as_text=True)
    assert "김민준 minjun@example.com" in element_text(done.get_data(as_text=True), "roster")


def _canvas(client, set_id, **query):
    response = client.get(f"/instructor/sets/{set_id}/exports/canvas.csv", query_string=query)
    return response.get_data(as_text=True)


def test_canvas_fills_roster_columns_and_leaves_no_attempt_blank_before_the_due_date(
        app, client, course):
    with app.app_context():
        roster.store(course["set"], roster.read(CANVAS).entries + [
            {"email": "ivy@example.com", "name": "Ivy", "canvas_id": "4", "sis_user_id": None,
             "sis_login_id": None, "section": "Section 1"}])
    text = _canvas(client, course["set"])
    assert text.startswith("\ufeff")
    rows = {r["Student"]: r for r in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))}
    grace = rows["Grace Lee"]
    assert (grace["ID"], grace["SIS User ID"], grace["SIS Login ID"], grace["Section"]) == \
        ("98765", "G-77", "grace@example.com", "Section 2")
    assert float(grace["Week 3: backprop by hand"]) == 10.0
    assert rows["'+1"]["Week 3: backprop by hand"] == ""        # no attempt, not yet due
    assert rows["'+1"]["SIS Login ID"] == "hal@example.com"     # not on the roster
    assert rows["Ivy"]["Week 3: backprop by hand"] == "" and rows["Ivy"]["ID"] == "4"
    with app.app_context(), db.write_transaction() as sess:
        sess.execute(update(ProblemSet).where(ProblemSet.id == course["set"])
                     .values(due_at=datetime.now(UTC) - timedelta(hours=1)))
    rows = {r["Student"]: r for r in csv.DictReader(
        io.StringIO(_canvas(client, course["set"]).removeprefix("\ufeff")))}
    assert rows["'+1"]["Week 3: backprop by hand"] == "0.0"     # due date passed: 0
    assert rows["Ivy"]["Week 3: backprop by hand"] == "0.0"


def test_every_export_offers_the_byte_order_mark(client, course):
    base = f"/instructor/sets/{course['set']}/exports"
    assert client.get(f"{base}/grades.csv").data.startswith(b"\xef\xbb\xbf")
    assert not client.get(f"{base}/grades.csv?bom=0").data.startswith(b"\xef\xbb\xbf")
    assert not client.get(f"{base}/submissions.csv").data.startswith(b"\xef\xbb\xbf")
    assert client.get(f"{base}/submissions.csv?bom=1").data.startswith(b"\xef\xbb\xbf")
    page = client.get(f"{base}/").get_data(as_text=True)
    assert 'id="export-submissions-excel"' in page and 'id="export-grades-plain"' in page


@pytest.mark.parametrize("text, expected", [
    ("+1", "'+1"), ("-3", "'-3"), ("1e5", "'1e5"), ("42", "'42"), ("=A1", "'=A1"),
    ("Ada", "Ada"), ("Lee, Grace", "Lee, Grace"), (None, None),
])
def test_names_that_look_like_numbers_stay_text(text, expected):
    assert as_text(text) == expected
