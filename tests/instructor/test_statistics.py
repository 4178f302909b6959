"""Statistics: per field, students per status of their best attempt; misconceptions only where
the grader named them on a wrong answer; every number links to the students behind it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from exercises import db, submissions
from exercises.instructor import statistics
from exercises.models import FieldGrade, ProblemSet, Submission

from ..web.conftest import element_text
from .conftest import build_set, gradient_ascent_answers, join, login, make_user, true_answers, variants_of


@pytest.fixture
def graded(app, client, instructor, fixed_seeds):
    """Ada: blanks, then all right (best: all right). Ben: every δ right, every update the
    wrong way (gradient ascent). Cy: only joined."""
    set_id = build_set(app, instructor, pool_size=3)
    ada, ben, cy = (make_user(app, f"{n}@example.com", "student", n.title())
                    for n in ("ada", "ben", "cy"))
    for student in (ada, ben, cy):
        join(app, set_id, student)
    (ada1,), (ben1,) = variants_of(app, set_id, ada), variants_of(app, set_id, ben)
    with app.app_context():
        submissions.submit(ada1.id, {f["key"]: "" for f in ada1.fields}, user_id=ada)
        submissions.submit(ada1.id, true_answers(ada1), user_id=ada)
        submissions.submit(ben1.id, gradient_ascent_answers(ben1), user_id=ben)
    login(client, "teacher@example.com")
    return {"set": set_id, "ada": ada, "ben": ben, "fields": ada1.fields, "ben1": ben1}


def _stats(app, set_id):
    with app.app_context():
        return statistics.statistics(db.session().get(ProblemSet, set_id))


def test_each_field_counts_students_by_the_status_of_their_best_attempt(app, graded):
    (st,) = _stats(app, graded["set"])
    assert st.students == 2   # Cy has no attempt; Ada's blank attempt is not her best
    for f in st.fields:
        if f.field["key"].startswith("delta"):
            assert f.counts == {"correct": 2}
        else:   # Ada right, Ben's step the wrong way
            assert f.counts == {"correct": 1, "incorrect": 1}
    # 16 fields x 2 students: 4 δ x 2 + 12 updates x 1 correct = 20 of 32 answers
    assert st.answer_shares() == {"correct": 20 / 32, "carried": 0.0, "incorrect": 12 / 32,
                                  "blank": 0.0}


def test_misconceptions_count_only_names_on_wrong_answers(app, graded):
    (st,) = _stats(app, graded["set"])
    assert st.misconceptions[0] == ("gradient_ascent", 1)
    assert dict(st.misconceptions)["gradient_ascent"] == 1
    # a name stored beside a correct answer (Ada's δ) explains nothing: not counted
    with app.app_context(), db.write_transaction() as sess:
        ada_best = sess.scalar(select(Submission.id).where(Submission.user_id == graded["ada"],
                                                           Submission.attempt == 2))
        sess.execute(update(FieldGrade).where(FieldGrade.submission_id == ada_best,
                                              FieldGrade.key == "delta:2:1")
                     .values(misconceptions=["missing_bias"]))
    (after,) = _stats(app, graded["set"])
    assert "missing_bias" not in dict(after.misconceptions)
    assert all("missing_bias" not in dict(f.misconceptions) for f in after.fields)


def test_the_page_links_each_count_to_its_students(app, client, graded):
    page = client.get(f"/instructor/sets/{graded['set']}/statistics").get_data(as_text=True)
    update_key = next(f["key"] for f in graded["fields"] if f["key"].startswith("w_new"))
    symbol = next(f["symbol"] for f in graded["fields"] if f["key"] == update_key)
    row = next(i for i, f in enumerate(graded["fields"], 1) if f["key"] == update_key)
    assert element_text(page, f"field-1-{row}").startswith(f"{symbol} 1 0 1 0")
    link = re.search(r'href="([^"]+status=incorrect[^"]*)"', page).group(1).replace("&amp;", "&")
    behind = client.get(link).get_data(as_text=True)
    assert element_text(behind, "behind-students") == "Ben ben@example.com"
    mistake = re.search(r'href="([^"]+misconception=gradient_ascent)"', page).group(1) \
        .replace("&amp;", "&")
    behind = client.get(mistake).get_data(as_text=True)
    assert element_text(behind, "behind-students") == "Ben ben@example.com"
    base = f"/instructor/sets/{graded['set']}/statistics/students"
    assert client.get(f"{base}?item=nope&status=correct&field=x").status_code == 404
    item = re.search(r"item=([\w-]+)", link).group(1)
    assert client.get(f"{base}?item={item}&status=wrongish&field=x").status_code == 400


def test_every_bar_is_a_share_of_the_same_students(app, client, graded):
    page = client.get(f"/instructor/sets/{graded['set']}/statistics").get_data(as_text=True)
    widths = re.findall(r'class="bar bar-(\w+)" style="width: ([\d.]+)%"', page)
    # 2 students: every segment is 50 % or 100 %, and each field's segments add up to 100 %
    assert {float(w) for _s, w in widths} <= {50.0, 100.0}
    field_segments = [float(w) for s, w in widths if s != "mistake"]
    assert sum(field_segments) == 100.0 * len(graded["fields"])
