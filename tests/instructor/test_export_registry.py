"""The one table of exports (``exercises.exports.EXPORTS``) is what the exports page, the API's
schema, the README's "CSV formats" table and the files themselves show."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from exercises import export_files
from exercises.exports import EXPORTS
from exercises.openapi import document

from ..web.conftest import element_text
from .conftest import SET_FORM, build_set, join, login, make_user

README = Path(__file__).resolve().parents[2] / "README.md"
ITEMS = (("seed-2-2-2", {}), ("relu-2-3-1", {}))
TITLES = ("1. The seed post's 2-2-2 network", "2. ReLU hidden layer, linear output, 2-3-1")
# What the page says of each export, written out here (not read from the code).
ENGLISH = {
    "grades": "Grades: a row per student, a column per exercise, totals.",
    "canvas": "Grades for Canvas: the set's total per student, ready for the gradebook import "
              "(students matched on SIS Login ID = their email).",
    "submissions": "Submissions: a row per field per attempt, with the submitted text, parsed "
                   "and expected values, status, credit, misconceptions and tolerance.",
    "traces": "Traces: every variant's full trace, with its student and exercise.",
    "answer-key": "Answer key: every variant's expected value of every field.",
}
KOREAN = {
    "grades": "성적: 학생마다 한 행, 문제마다 한 열, 그리고 합계.",
    "canvas": "Canvas용 성적: 학생별 과제 총점으로, 성적표 가져오기에 바로 쓸 수 있습니다 "
              "(학생은 SIS Login ID = 이메일로 연결됩니다).",
    "submissions": "제출: 시도마다 항목마다 한 행으로, 제출한 글, 읽은 값과 기대값, 상태, 점수, "
                   "오개념, 허용 오차를 담습니다.",
    "traces": "Trace: 모든 variant의 전체 trace와 그 학생 및 문제.",
    "answer-key": "정답표: 모든 variant의 모든 항목의 기대값.",
}


def test_the_registry_holds_the_five_exports_in_page_order():
    assert list(EXPORTS) == ["grades", "canvas", "submissions", "traces", "answer-key"]
    assert all(export.name == name for name, export in EXPORTS.items())
    assert [name for name, export in EXPORTS.items() if export.bom] == ["grades", "canvas"]
    assert export_files.JOB_EXPORTS == ("traces",)


def test_the_readme_table_lists_the_registry_with_its_columns():
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## CSV formats"):text.index("## Testing")]
    rows = re.findall(r"^\| `([\w-]+)\.csv` \|[^`|]*`([^`]+)`", table, re.MULTILINE)
    assert [name for name, _columns in rows] == list(EXPORTS)
    for name, columns in rows:
        assert columns == ",".join(EXPORTS[name].columns), name


def test_the_api_schema_names_exactly_the_registry():
    route = document()["paths"]["/api/v1/problem-sets/{set_id}/exports/{name}.csv"]["get"]
    name = next(p for p in route["parameters"] if p["name"] == "name")
    assert sorted(name["schema"]["enum"]) == sorted(EXPORTS)


def test_the_page_describes_every_export_in_english_and_korean(app, client, instructor):
    set_id = build_set(app, instructor)
    login(client, "teacher@example.com")
    url = f"/instructor/sets/{set_id}/exports/"
    page = client.get(url).get_data(as_text=True)
    for name, sentence in ENGLISH.items():
        assert element_text(page, f"export-{name}-description") == sentence
        assert element_text(page, f"export-{name}") == f"{name}.csv"
    client.get("/?lang=ko")
    page = client.get(url).get_data(as_text=True)
    for name, sentence in KOREAN.items():
        assert element_text(page, f"export-{name}-description") == sentence


def test_each_file_has_the_documented_columns(app, client, instructor):
    set_id = build_set(app, instructor, items=ITEMS)
    join(app, set_id, make_user(app, "s@example.com", "student", "Student"))
    login(client, "teacher@example.com")
    expand = {"<one column per exercise>": TITLES, "<assignment>": (SET_FORM["title"],)}
    for name, export in EXPORTS.items():
        response = client.get(f"/instructor/sets/{set_id}/exports/{name}.csv")
        assert response.status_code == 200, name
        header = next(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        expected = [cell for column in export.columns for cell in expand.get(column, (column,))]
        assert header == expected, name
