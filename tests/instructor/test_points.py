"""Points: every exercise worth 10 points by default, split evenly over its fields unless a field
has its own points; totals, exports and Canvas's "Points Possible" in points; the migration
keeps an existing set's totals."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import create_engine, text

from exercises import db, migrate, submissions
from exercises.instructor import gradebook, points
from exercises.models import AuditEvent, ProblemSet, ProblemSetItem

from .conftest import build_set, gradient_ascent_answers, join, login, make_user, post_form, true_answers, variants_of

TWO = (("seed-2-2-2", {}), ("tanh-3-3-2", {"ask": ["delta"]}))


@pytest.fixture
def scene(app, instructor, fixed_seeds):
    """Ben: on the seed network (4 δ, 8 w⁺, 4 b⁺) every δ right, every update stepped the wrong
    way; on the tanh one (5 δ) all right. Ada: the tanh one half blank."""
    set_id = build_set(app, instructor, items=TWO, pool_size=2)
    ben = make_user(app, "ben@example.com", "student", "Ben")
    ada = make_user(app, "ada@example.com", "student", "Ada")
    join(app, set_id, ben)
    join(app, set_id, ada)
    ben1, ben2 = variants_of(app, set_id, ben)
    _ada1, ada2 = variants_of(app, set_id, ada)
    with app.app_context():
        submissions.submit(ben1.id, gradient_ascent_answers(ben1), user_id=ben)
        submissions.submit(ben2.id, true_answers(ben2), user_id=ben)
        answers = true_answers(ada2)
        for key in [f["key"] for f in ada2.fields][:2]:
            answers[key] = ""
        submissions.submit(ada2.id, answers, user_id=ada)
    return {"set": set_id, "ben": ben, "ada": ada, "seed_fields": ben1.fields}


def _book(app, set_id):
    with app.app_context():
        return gradebook.gradebook(db.session().get(ProblemSet, set_id))


def _items(app, set_id):
    with app.app_context():
        items = db.session().query(ProblemSetItem).filter_by(problem_set_id=set_id) \
            .order_by(ProblemSetItem.position).all()
        db.session().expunge_all()
        return items


def test_an_exercise_is_worth_10_points_split_evenly_over_its_fields(app, scene):
    book = _book(app, scene["set"])
    rows = {row.user.name: row for row in book.rows}
    assert book.max_scores == [10, 10] and book.max_total == 20
    assert rows["Ben"].cells[0].score == pytest.approx(4 / 16 * 10)   # 4 of 16 fields
    assert rows["Ben"].cells[1].score == 10
    assert rows["Ada"].cells[1].score == pytest.approx(3 / 5 * 10)    # 2 of 5 fields blank
    assert rows["Ben"].total == pytest.approx(12.5)


def test_a_fields_own_points_weigh_it_and_the_rest_share_what_is_left(app, scene, instructor):
    seed_item, tanh_item = _items(app, scene["set"])
    keys = [f["key"] for f in scene["seed_fields"]]
    deltas = [k for k in keys if k.startswith("delta")]
    with app.app_context():
        # 16 points: each δ worth 2 (8 in all); the 12 updates share the other 8
        points.set_points(scene["set"], seed_item.id, keys, 16, {k: 2 for k in deltas},
                          instructor)
        points.set_points(scene["set"], tanh_item.id, [], 5, {}, instructor)
    book = _book(app, scene["set"])
    rows = {row.user.name: row for row in book.rows}
    assert book.max_scores == [16, 5]
    assert rows["Ben"].cells[0].score == pytest.approx(8.0)   # his 4 δ right, no update
    assert rows["Ada"].cells[1].score == pytest.approx(3.0)   # 3 of 5 fields at 1 point
    weights = points.field_weights(keys, 16, {k: 2 for k in deltas})
    assert weights[keys[-1]] == pytest.approx(8 / 12) and sum(weights.values()) == pytest.approx(16)


@pytest.mark.parametrize("total, own, why", [
    (10, {"a": 6, "b": 6}, "add up to 12, more than the exercise's 10"),
    (10, {"a": 3, "b": 3, "c": 3}, "add up to 9, not the exercise's 10"),
    (10, {"z": 1}, "no field z"),
    (0, {}, "above 0"),
    (10, {"a": -1}, "0 or more"),
])
def test_points_that_do_not_add_up_are_refused_with_the_reason(total, own, why):
    with pytest.raises(points.PointsError, match=why):
        points.check(["a", "b", "c"], total, own)


def test_the_points_form_saves_per_field_points_and_records_them(app, client, scene):
    seed_item, _tanh = _items(app, scene["set"])
    delta = next(f for f in scene["seed_fields"] if f["key"].startswith("delta"))
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{scene['set']}"
    response = post_form(client, f"{page}/items/{seed_item.id}/points",
                         {"points": "12", f"field-{delta['key']}": "4.5"}, form_page=page)
    assert response.status_code == 302
    item = _items(app, scene["set"])[0]
    assert (item.points, item.field_points) == (12.0, {delta["key"]: 4.5})
    shown = client.get(page).get_data(as_text=True)
    assert "Worth 12 points" in shown and "Points saved" in shown
    bad = post_form(client, f"{page}/items/{seed_item.id}/points",
                    {"points": "12", f"field-{delta['key']}": "lots"}, form_page=page,
                    follow_redirects=True).get_data(as_text=True)
    assert f"{delta['symbol']}: lots is not a number" in bad
    with app.app_context():
        event = db.session().query(AuditEvent).filter_by(action="points").one()
    assert event.details["old"]["points"] == 10 and event.details["new"]["points"] == 12


def test_exports_and_canvas_points_possible_are_in_points(app, client, scene):
    login(client, "teacher@example.com")
    text_ = client.get(f"/instructor/sets/{scene['set']}/exports/canvas.csv") \
        .get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text_)))
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 20.0
    ben = next(r for r in rows if r[3] == "ben@example.com")
    assert float(ben[5]) == pytest.approx(12.5)
    grades = client.get(f"/instructor/sets/{scene['set']}/exports/grades.csv") \
        .get_data(as_text=True).lstrip("\ufeff")
    ada = next(r for r in csv.DictReader(io.StringIO(grades)) if r["student"] == "Ada")
    assert float(ada["total"]) == pytest.approx(6.0) and float(ada["max_total"]) == 20.0
    assert float(ada["percent"]) == pytest.approx(30.0)


def test_the_migration_keeps_an_existing_items_total_of_one_point_per_field(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrate.upgrade(url, "0005")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, email, name, password_hash, role, created_at,"
                          " session_version) VALUES ('u', 'a@b.c', 'A', 'x', 'instructor',"
                          " '2026-01-01', 0)"))
        conn.execute(text("INSERT INTO problem_sets (id, owner_id, title, instructions, status,"
                          " settings, created_at, pool_size, exam_mode, lock_trace_tool) VALUES"
                          " ('s', 'u', 'T', '', 'published', '{}', '2026-01-01', 1, 0, 1)"))
        for item in ("old", "draft"):
            conn.execute(text(f"INSERT INTO problem_set_items (id, problem_set_id, position,"
                              f" template_id, title, knobs, created_at) VALUES ('{item}', 's',"
                              f" 0, 'seed-2-2-2', 'I', '{{}}', '2026-01-01')"))
        conn.execute(text("INSERT INTO exercises (id, kind, problem_set_id, template, spec,"
                          " fields, settings, revealed, created_at, item_id, variant_index)"
                          " VALUES ('e', 'variant', 's', '{}', '{}', :fields, '{}', 0,"
                          " '2026-01-01', 'old', 0)"),
                     {"fields": '[{"key": "a"}, {"key": "b"}, {"key": "c"}]'})
    migrate.upgrade(url)
    with engine.connect() as conn:
        got = dict(conn.execute(text("SELECT id, points FROM problem_set_items")).all())
    engine.dispose()
    assert got == {"old": 3.0, "draft": 10.0}
