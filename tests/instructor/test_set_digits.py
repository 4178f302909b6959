"""Problem sets and answer digits (issue 9): one item, one number of digits, seen before publishing;
given networks as set items."""
from __future__ import annotations

import json

from sqlalchemy import select

from exercises import db
from exercises.generation import BUILTIN_TEMPLATES, generate
from exercises.instructor import pool, problem_sets, publishing, variants
from exercises.models import Exercise, ProblemSet

from ..web.conftest import element_text
from .conftest import SET_FORM, build_set, join, login, make_user, post_form, variants_of

SEED_POST = {"layers": [2, 2, 2], "activations": "sigmoid", "loss": "mse",
             "weights": [[[0.10, -0.20], [0.30, 0.40]], [[0.50, -0.60], [0.70, 0.20]]],
             "biases": [[0.10, -0.10], [0.20, 0.05]], "inputs": [0.50, -0.30],
             "targets": [0.20, 0.90], "learning_rate": 0.5}
# η = 0.01 needs more than 4 digits for most draws, and some draws need more than others: the
# item's digits must still be one number for all
SLOW = ("seed-2-2-2", {"learning_rate": 0.01})
EXACT = {"atol": 0.0}   # SPEC §6's default; the shared SET_FORM still carries the old 1e-5


def _items(app, set_id):
    with app.app_context():
        items = pool.set_items(set_id)
        db.session().expunge_all()
        return items


def test_every_variant_of_an_item_asks_for_the_same_digits_fixed_at_publishing(app, instructor):
    set_id = build_set(app, instructor, items=(SLOW, ("tanh-3-3-2", {"answer_digits": 7})),
                       pool_size=12, **EXACT)
    with app.app_context():
        sess = db.session()
        items = pool.set_items(set_id)
        slow, fixed = items
        assert fixed.answer_digits == 7
        # auto resolved once for the item: what resolve_digits says for its template
        template = BUILTIN_TEMPLATES["seed-2-2-2"].with_overrides(
            {"learning_rate": 0.01, **sess.get(ProblemSet, set_id).settings})
        assert slow.answer_digits == variants.item_digits(sess.get(ProblemSet, set_id), slow) > 4
        for item in items:
            rows = sess.scalars(select(Exercise).where(Exercise.item_id == item.id)).all()
            assert len(rows) == 12
            assert {row.settings["answer_digits"] for row in rows} == {item.answer_digits}
        # a draw on its own (auto, per seed) would have asked some students for fewer digits
        own = {generate(template, row.seed).answer_digits
               for row in sess.scalars(select(Exercise).where(Exercise.item_id == slow.id))}
        assert min(own) <= slow.answer_digits
        # a top-up keeps the item's digits
        problem_set = sess.get(ProblemSet, set_id)
        made = pool.generate_variants(problem_set, {slow.id: (12, 3)})
        assert {row["settings"]["answer_digits"] for row, _trace in made} == {slow.answer_digits}


def test_the_instructor_sees_each_items_digits_before_publishing(app, client, instructor):
    set_id = build_set(app, instructor, items=(SLOW, ("seed-2-2-2", {"answer_digits": 6})),
                       publish=False, **EXACT)
    slow, six = _items(app, set_id)
    with app.app_context():
        expected = variants.item_digits(db.session().get(ProblemSet, set_id), slow)
    login(client, "teacher@example.com")
    html = client.get(f"/instructor/sets/{set_id}").get_data(as_text=True)
    assert element_text(html, f"digits-{slow.id}") == (
        f"Every variant will ask for {expected} significant figures (fixed when you publish).")
    assert element_text(html, f"digits-{six.id}").startswith(
        "Every variant will ask for 6 significant figures")
    preview = client.get(f"/instructor/sets/{set_id}/items/{slow.id}/variants/3")
    assert element_text(preview.get_data(as_text=True), "answer-digits") == (
        f"Every variant of this exercise asks for {expected} significant figures.")
    # publishing fixes exactly what was shown
    with app.app_context():
        publishing.publish(set_id)
    published = client.get(f"/instructor/sets/{set_id}").get_data(as_text=True)
    assert element_text(published, f"digits-{slow.id}") == (
        f"Every variant asks for {expected} significant figures.")
    assert _items(app, set_id)[0].answer_digits == expected


def test_the_student_set_page_and_exercise_state_the_digits(app, client, instructor):
    set_id = build_set(app, instructor, items=(("seed-2-2-2", {"answer_digits": 5}),), **EXACT)
    student = make_user(app, "kim@example.com", role="student")
    join(app, set_id, student)
    login(client, "kim@example.com")
    (item,) = _items(app, set_id)
    html = client.get(f"/sets/{set_id}").get_data(as_text=True)
    assert element_text(html, f"digits-{item.id}") == "5 significant figures"
    (variant,) = variants_of(app, set_id, student)
    page = client.get(f"/sets/{set_id}/exercises/{variant.id}").get_data(as_text=True)
    assert element_text(page, "answer-digits").startswith("Give answers to 5 significant figures")


def test_a_template_that_cannot_meet_the_items_digits_is_not_added(app, instructor):
    with app.app_context():
        problem_set = problem_sets.create_set(instructor, {**SET_FORM, **EXACT})
        try:
            problem_sets.add_item(problem_set.id, "seed-2-2-2",
                                  {"learning_rate": 0.001, "answer_digits": 4})
        except problem_sets.SetError as exc:
            assert "significant figures would work" in str(exc)
        else:
            raise AssertionError("an item that cannot meet its digits was added")


def test_a_given_network_item_gives_every_student_that_network(app, client, instructor):
    set_id = build_set(app, instructor, items=(("seed-2-2-2", {"network": SEED_POST,
                                                              "answer_digits": 4}),),
                       pool_size=3, **EXACT)
    (item,) = _items(app, set_id)
    assert item.template_id == "network" and item.answer_digits == 4
    with app.app_context():
        rows = db.session().scalars(select(Exercise).where(Exercise.item_id == item.id)).all()
        assert len(rows) == 3
        assert all(row.seed is None and row.spec["weights"] == SEED_POST["weights"]
                   for row in rows)
        assert {row.settings["answer_digits"] for row in rows} == {4}
    login(client, "teacher@example.com")
    preview = client.get(f"/instructor/sets/{set_id}/items/{item.id}/variants/0")
    html = preview.get_data(as_text=True)
    assert "under 20 times its rounding allowance at 4 significant figures" in \
        element_text(html, "exercise-conditions")
    # students see the exercise, not the author's report
    student = make_user(app, "lee@example.com", role="student")
    join(app, set_id, student)
    (variant,) = variants_of(app, set_id, student)
    client.get("/logout")
    login(client, "lee@example.com")
    page = client.get(f"/sets/{set_id}/exercises/{variant.id}").get_data(as_text=True)
    assert 'id="exercise-conditions"' not in page


def test_the_item_form_takes_a_network_and_a_delta_convention(app, client, instructor):
    set_id = build_set(app, instructor, items=(), publish=False, **EXACT)
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{set_id}"
    response = post_form(client, f"{page}/items", {"template_id": "seed-2-2-2",
                                                   "delta_convention": "negative",
                                                   "answer_digits": "5"}, form_page=page)
    assert response.status_code == 302
    response = post_form(client, f"{page}/items", {"template_id": "seed-2-2-2",
                                                   "network": json.dumps(SEED_POST)},
                         form_page=page)
    assert response.status_code == 302
    templated, given = _items(app, set_id)
    assert templated.knobs == {"delta_convention": "negative", "answer_digits": 5}
    assert given.template_id == "network" and given.knobs == {"network": SEED_POST}
    html = client.get(page).get_data(as_text=True)
    assert element_text(html, f"digits-{given.id}").startswith(
        "Every variant will ask for 6 significant figures")
    bad = post_form(client, f"{page}/items", {"template_id": "seed-2-2-2", "network": "{oops"},
                    form_page=page, follow_redirects=True)
    assert "network: not JSON" in bad.get_data(as_text=True)
    for not_a_spec in ("null", "[1, 2]"):
        bad = post_form(client, f"{page}/items", {"template_id": "seed-2-2-2",
                                                  "network": not_a_spec},
                        form_page=page, follow_redirects=True)
        assert "network: must be a JSON object" in bad.get_data(as_text=True)
    assert len(_items(app, set_id)) == 2
