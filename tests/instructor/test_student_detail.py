"""A student's page: attempts grouped by exercise, each field by its symbol with the submitted
text, the expected value, the status in words, credit and misconceptions; "view with key" puts
the student's answers beside the key."""
from __future__ import annotations

import pytest

import tracer
from exercises import submissions
from exercises.instructor import sig
from tracer.keys import parse_key

from ..web.conftest import element_text
from .conftest import build_set, gradient_ascent_answers, join, login, make_user, variants_of

TWO = (("seed-2-2-2", {}), ("relu-2-3-1", {"ask": ["delta"]}))
pytestmark = pytest.mark.usefixtures("fixed_seeds")  # the update's misconception is named


def _scene(app, client, instructor):
    set_id = build_set(app, instructor, items=TWO, pool_size=2)
    ben = make_user(app, "ben@example.com", "student", "Ben")
    join(app, set_id, ben)
    first, _second = variants_of(app, set_id, ben)
    answers = gradient_ascent_answers(first)
    blank = first.fields[0]["key"]
    answers[blank] = ""
    with app.app_context():
        submissions.submit(first.id, answers, user_id=ben)
    login(client, "teacher@example.com")
    return set_id, ben, first, answers, blank


def test_attempts_are_grouped_by_exercise_with_symbols_and_the_submitted_text(app, client,
                                                                              instructor):
    set_id, ben, first, answers, blank = _scene(app, client, instructor)
    page = client.get(f"/instructor/sets/{set_id}/students/{ben}").get_data(as_text=True)
    section = element_text(page, "attempts-1")
    assert section.startswith("1. The seed post's 2-2-2 network")
    assert "attempts-2" not in page          # no attempt on exercise 2: no section
    engine = tracer.trace(first.spec)
    update = next(f for f in first.fields if f["key"].startswith("w_new"))
    expected = sig(engine.value(*parse_key(update["key"])), first.settings["answer_digits"])
    # the row of one update: its symbol, what Ben wrote, the key, the status in words
    assert (f"{update['symbol']} {answers[update['key']]} {expected} Incorrect 0 "
            "Step taken the wrong way") in section
    blank_symbol = next(f["symbol"] for f in first.fields if f["key"] == blank)
    assert f"{blank_symbol} — " in section and " Blank 0 " in section
    assert "w_new:" not in section and "delta:" not in section   # symbols, never raw keys


def test_view_with_key_shows_the_students_answers_beside_the_key(app, client, instructor):
    set_id, _ben, first, answers, _blank = _scene(app, client, instructor)
    page = client.get(f"/instructor/sets/{set_id}/variants/{first.id}").get_data(as_text=True)
    key = element_text(page, "answer-key")
    assert "Attempt 1" in key
    engine = tracer.trace(first.spec)
    delta = next(f for f in first.fields if f["key"] == "delta:2:2")  # delta:2:1 left blank
    expected = sig(engine.value(*parse_key("delta:2:2")), first.settings["answer_digits"])
    assert f"{delta['symbol']} {expected} {answers['delta:2:2']} Correct" in key


def test_the_extension_form_says_whether_the_set_has_a_due_date_in_a_sentence(app, client,
                                                                              instructor):
    set_id, ben, _first, _answers, _blank = _scene(app, client, instructor)
    path = f"/instructor/sets/{set_id}/students/{ben}"
    assert element_text(client.get(path).get_data(as_text=True), "set-due") == \
        "The set has no due date."
    korean = client.get(path + "?lang=ko").get_data(as_text=True)
    assert element_text(korean, "set-due") == "세트에 마감일이 없습니다."
