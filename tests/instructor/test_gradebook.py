"""The gradebook (best attempt, overrides), the statistics (share correct per field, the most
frequent misconceptions), and the student's own set page."""
from __future__ import annotations

import pytest

from exercises import db, submissions
from exercises.instructor import gradebook, records
from exercises.models import ProblemSet

from .conftest import build_set, gradient_ascent_answers, join, login, make_user, true_answers, variants_of

TWO = (("seed-2-2-2", {}), ("tanh-3-3-2", {"ask": ["delta"]}))


@pytest.fixture
def graded(app, instructor, fixed_seeds):
    """Ada right at the second try on exercise 1; Ben with gradient ascent; Cy only joined."""
    set_id = build_set(app, instructor, items=TWO, pool_size=3)
    ada, ben, cy = (make_user(app, f"{n}@example.com", "student", n.title())
                    for n in ("ada", "ben", "cy"))
    for student in (ada, ben, cy):
        join(app, set_id, student)
    ada1, _ada2 = variants_of(app, set_id, ada)
    ben1, ben2 = variants_of(app, set_id, ben)
    with app.app_context():
        blanks = {f["key"]: "" for f in ada1.fields}
        submissions.submit(ada1.id, blanks, user_id=ada)
        submissions.submit(ada1.id, true_answers(ada1), user_id=ada)
        submissions.submit(ben1.id, gradient_ascent_answers(ben1), user_id=ben)
        submissions.submit(ben2.id, true_answers(ben2), user_id=ben)
    return {"set": set_id, "ada": ada, "ben": ben, "cy": cy, "ada1": ada1, "ben1": ben1}


def test_the_gradebook_holds_best_attempts_and_attempt_counts(app, graded):
    with app.app_context():
        book = gradebook.gradebook(db.session().get(ProblemSet, graded["set"]))
    # Every exercise is worth 10 points by default, whatever its number of fields.
    assert book.max_scores == [10, 10]
    rows = {row.user.name: row for row in book.rows}
    assert [c.attempts for c in rows["Ada"].cells] == [2, 0]
    assert rows["Ada"].cells[0].score == 10 and rows["Ada"].cells[1].score is None
    # Ben: of the seed network's 4 δ, 8 w⁺ and 4 b⁺, the 4 δ right (12 updates stepped the
    # wrong way): 4 of 16 fields of 10 points; exercise 2 all right.
    assert rows["Ben"].cells[0].score == 4 * 10 / 16 and rows["Ben"].cells[1].score == 10
    assert rows["Ben"].total == 12.5 and rows["Cy"].total == 0 and book.max_total == 20


def test_the_newest_override_counts_and_is_recorded(app, graded, instructor):
    with app.app_context():
        problem_set = db.session().get(ProblemSet, graded["set"])
        item = gradebook.gradebook(problem_set).items[0]
        records.override(graded["set"], graded["ben"], item.id, 6, "partial credit", instructor, 10)
        records.override(graded["set"], graded["ben"], item.id, 7.5, "rechecked", instructor, 10)
        with pytest.raises(records.RecordError):
            records.override(graded["set"], graded["ben"], item.id, 11, "too much", instructor, 10)
        row = gradebook.gradebook(problem_set, user_id=graded["ben"]).rows[0]
        events = records.history(graded["set"], graded["ben"])
    assert row.cells[0].score == 7.5 and row.cells[0].best == 2.5 and row.total == 17.5
    assert [(e.action, e.details["score"], actor) for e, actor, _s in events] == \
        [("override", 7.5, "Ada Teacher"), ("override", 6, "Ada Teacher")]


def test_the_gradebook_page_lists_every_student(app, client, graded):
    login(client, "teacher@example.com")
    page = client.get(f"/instructor/sets/{graded['set']}/gradebook").get_data(as_text=True)
    for name in ("Ada", "Ben", "Cy"):
        assert name in page
    assert "10/10" in page and "2.5/10" in page


def test_the_student_set_page_shows_status_and_score(app, client, graded):
    login(client, "ada@example.com")
    page = client.get(f"/sets/{graded['set']}").get_data(as_text=True)
    assert "solved" in page and "10/10" in page and "not started" in page
    assert "Ben" not in page
