"""The gradebook at class scale: search by name or email, filters, sorting by any column,
pages of 100 rows, and a summary row of the students selected."""
from __future__ import annotations

import re
import statistics
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from exercises import submissions
from exercises.instructor import gradebook_page
from exercises.instructor.gradebook import Cell, Gradebook, Row

from ..web.conftest import element_text
from .conftest import build_set, join, login, make_user, true_answers, variants_of


def _row(n: int, scores: tuple, extended: bool = False) -> Row:
    user = SimpleNamespace(id=f"u{n}", name=f"Student {n:03d}", email=f"s{n}@uni.example")
    enrollment = SimpleNamespace(due_at=datetime(2030, 1, 1, tzinfo=UTC) if extended else None)
    return Row(user, enrollment, [Cell(None, 10, 1 if s is not None else 0, s) for s in scores])


@pytest.fixture
def class_of_250():
    """Student n: exercise 1 scores n % 11 (none when n % 5 == 0), exercise 2 scores 10 for
    even n (none for odd n); every seventh student has an extension."""
    rows = [_row(n, (None if n % 5 == 0 else float(n % 11), 10.0 if n % 2 == 0 else None),
                 extended=n % 7 == 0) for n in range(250)]
    return Gradebook([SimpleNamespace(title="A"), SimpleNamespace(title="B")], [10, 10], rows)


def test_pages_hold_100_rows_and_the_last_page_the_rest(class_of_250):
    first = gradebook_page.page(class_of_250)
    last = gradebook_page.page(class_of_250, number=3)
    assert (len(first.rows), first.pages, len(last.rows)) == (100, 3, 50)
    assert first.rows[0].user.name == "Student 000" and last.rows[-1].user.name == "Student 249"
    assert gradebook_page.page(class_of_250, number=99).number == 3  # clamped


def test_search_matches_name_or_email_ignoring_case(class_of_250):
    by_name = gradebook_page.page(class_of_250, query="student 12")
    assert [r.user.name for r in by_name.rows] == [f"Student {n}" for n in range(120, 130)]
    by_email = gradebook_page.page(class_of_250, query="S249@UNI")
    assert [r.user.email for r in by_email.rows] == ["s249@uni.example"]


@pytest.mark.parametrize("wanted, rule", [
    ("not_started", lambda n: n % 5 == 0 and n % 2 == 1),
    ("complete", lambda n: n % 5 != 0 and n % 2 == 0),
    ("in_progress", lambda n: (n % 5 == 0) != (n % 2 == 1)),
    ("extension", lambda n: n % 7 == 0),
])
def test_filters_select_by_progress_or_extension(class_of_250, wanted, rule):
    shown = gradebook_page.page(class_of_250, wanted=wanted)
    assert shown.matched == sum(rule(n) for n in range(250))
    assert all(rule(int(row.user.id[1:])) for row in shown.rows)


def test_sorting_by_total_and_by_an_exercise(class_of_250):
    def total(n):
        return (0 if n % 5 == 0 else n % 11) + (10 if n % 2 == 0 else 0)
    best = gradebook_page.page(class_of_250, sort="total", descending=True)
    assert [row.total for row in best.rows[:3]] == [20, 20, 20]
    assert best.rows[0].total == max(total(n) for n in range(250))
    by_first = gradebook_page.page(class_of_250, sort="item-1").rows
    assert by_first[0].cells[0].score is None  # no score sorts first ascending
    scored = [r.cells[0].score for r in by_first if r.cells[0].score is not None]
    assert scored == sorted(scored)
    assert gradebook_page.page(class_of_250, sort="item-9").sort == "name"  # no such column


def test_the_summary_is_of_every_selected_student_not_one_page(class_of_250):
    def total(n):
        return (0 if n % 5 == 0 else n % 11) + (10 if n % 2 == 0 else 0)
    summary = gradebook_page.page(class_of_250).summary
    totals = [total(n) for n in range(250)]
    assert summary.students == 250
    assert summary.mean == pytest.approx(sum(totals) / 250)
    assert summary.median == statistics.median(totals)
    assert summary.complete == sum(n % 5 != 0 and n % 2 == 0 for n in range(250))
    firsts = [n % 11 for n in range(250) if n % 5 != 0]
    assert summary.item_means == [pytest.approx(sum(firsts) / len(firsts)), 10.0]


@pytest.fixture
def small_class(app, client, instructor):
    """Zed solved the exercise; Amy and Bob only joined; the teacher logged in."""
    set_id = build_set(app, instructor, pool_size=3)
    ids = {name: make_user(app, f"{name.lower()}@example.com", "student", name)
           for name in ("Zed", "Amy", "Bob")}
    for user_id in ids.values():
        join(app, set_id, user_id)
    (zed,) = variants_of(app, set_id, ids["Zed"])
    with app.app_context():
        submissions.submit(zed.id, true_answers(zed), user_id=ids["Zed"])
    login(client, "teacher@example.com")
    return set_id


def _names(html: str) -> list[str]:
    """The students' names in the order the table's rows show them."""
    rows = element_text(html, "gradebook-rows")
    return sorted((n for n in ("Amy", "Bob", "Zed") if n in rows), key=rows.index)


def test_the_page_sorts_searches_filters_and_sums_up(client, small_class):
    url = f"/instructor/sets/{small_class}/gradebook"
    page = client.get(url).get_data(as_text=True)
    assert _names(page) == ["Amy", "Bob", "Zed"]
    assert element_text(page, "summary-mean") == f"{10 / 3:.2f}".rstrip("0")
    assert element_text(page, "summary-median") == "0"
    assert element_text(page, "summary-completion") == "1 / 3 (33.3%)"
    assert _names(client.get(f"{url}?sort=total&order=desc").get_data(as_text=True))[0] == "Zed"
    assert _names(client.get(f"{url}?q=BOB@").get_data(as_text=True)) == ["Bob"]
    started = client.get(f"{url}?filter=not_started").get_data(as_text=True)
    assert _names(started) == ["Amy", "Bob"]
    assert element_text(started, "gradebook-count") == "2 of 3 students"
    # sort links keep the search and filter
    link = re.search(r'href="([^"]+)" class="sort-link" data-sort="total"', started).group(1)
    assert "filter=not_started" in link and "sort=total" in link
    assert client.get(f"{url}?page=x&sort=nope&filter=nope").status_code == 200
