"""Submitting answers in the browser: feedback per field, unreadable input, attempts, CSRF."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from exercises import db
from exercises.grading import evaluate
from exercises.models import Exercise, Submission

from .conftest import start_practice


def start(client, query="template=seed-2-2-2&seed=31"):
    path = urlsplit(start_practice(client, f"/practice/new?{query}").location).path
    return path, path.rsplit("/", 1)[1]


def answer(client, csrf, path, answers):
    """Post answers with the page's CSRF token, grading them even when some are blank (the
    confirmation page's "Check anyway"); returns the response."""
    token = csrf(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "confirm_blanks": "1", **answers})


def attempts(app, exercise_id):
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Submission)
                                   .where(Submission.exercise_id == exercise_id))


def statuses(html):
    found = re.findall(r'answer-row status-(\w+)[^>]*>\s*<label for="f-([^"]+)"', html)
    return {key: status for status, key in found}


def test_correct_answers_are_all_marked_correct(client, csrf, engine_answers):
    path, exercise_id = start(client)
    truth = engine_answers(exercise_id)
    response = answer(client, csrf, path, {k: f"{v:.6g}" for k, v in truth.items()})
    assert response.status_code == 302 and response.location.endswith("#feedback")
    html = client.get(path).get_data(as_text=True)
    assert set(statuses(html).values()) == {"correct"}
    assert len(statuses(html)) == len(truth)
    assert "Every answer is correct." in html


def test_a_flipped_output_delta_is_named_and_pointed_at(client, csrf, engine_answers, stored_exercise):
    path, exercise_id = start(client)
    truth = engine_answers(exercise_id)
    # (y − ŷ) for δ_ŷ1, and every later value computed from it, as that student would.
    flipped = {"delta:2:1": -truth["delta:2:1"]}
    values = {**evaluate(stored_exercise(exercise_id).spec, overrides=flipped), **flipped}
    answer(client, csrf, path, {k: f"{values[k]:.6g}" for k in truth})
    html = client.get(path).get_data(as_text=True)
    assert statuses(html)["delta-2-1"] == "incorrect"
    assert statuses(html)["w_new-2-1-1"] == "carried"
    assert 'data-misconception="target_minus_output"' in html
    assert "Sign of the loss gradient flipped" in html
    assert "Start with δ_ŷ1" in html and 'href="#f-delta-2-1"' in html


def test_a_sign_slip_that_nothing_after_it_used_is_not_called_a_misconception(client, csrf,
                                                                                engine_answers):
    # δ_ŷ1 written with the wrong sign, but w5⁺, w7⁺, b3⁺ and the hidden δ all use the right
    # one: the student did not compute with (y − ŷ), so no misconception is named.
    path, exercise_id = start(client)
    truth = engine_answers(exercise_id)
    answers = {k: f"{v:.6g}" for k, v in truth.items()}
    answers["delta:2:1"] = f"{-truth['delta:2:1']:.6g}"
    answer(client, csrf, path, answers)
    html = client.get(path).get_data(as_text=True)
    assert statuses(html)["delta-2-1"] == "incorrect"
    assert "data-misconception=" not in html
    assert "check this value" in html


def test_a_wrong_hidden_delta_says_everything_before_it_is_right(client, csrf, engine_answers):
    path, exercise_id = start(client)
    truth = engine_answers(exercise_id)
    answers = {k: f"{v:.6g}" for k, v in truth.items()}
    answers["delta:1:1"] = f"{truth['delta:1:1'] * 3 + 0.01:.6g}"
    answer(client, csrf, path, answers)
    html = client.get(path).get_data(as_text=True)
    assert "Everything before δ_h1 is right" in html
    assert 'href="#f-delta-1-1"' in html


def test_unreadable_input_is_shown_beside_its_field_and_uses_no_attempt(app, client, csrf,
                                                                         engine_answers):
    path, exercise_id = start(client)
    truth = engine_answers(exercise_id)
    answers = {k: f"{v:.6g}" for k, v in truth.items()}
    answers["w_new:2:1:1"] = "0.4.5"
    response = answer(client, csrf, path, answers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="f-w_new-2-1-1-error"' in html
    assert re.search(r'name="w_new:2:1:1" value="0.4.5"', html)
    assert f'name="delta:2:1" value="{answers["delta:2:1"]}"' in html
    assert "no attempt was used" in html
    assert attempts(app, exercise_id) == 0


def test_feedback_never_shows_an_expected_value(client, csrf, engine_answers, stored_exercise):
    path, exercise_id = start(client)
    answer(client, csrf, path, {})  # every field blank, so every field is wrong
    html = client.get(path).get_data(as_text=True)
    assert html.count("badge-blank") == len(engine_answers(exercise_id))
    digits = stored_exercise(exercise_id).settings["answer_digits"]
    for value in engine_answers(exercise_id).values():
        assert repr(abs(value)) not in html and f"{abs(value):.{digits}g}" not in html


def test_no_attempts_left_answers_409_and_hides_the_submit_button(app, client, csrf):
    path, exercise_id = start(client)
    with app.app_context():
        with db.write_transaction() as sess:
            record = sess.get(Exercise, exercise_id)
            record.settings = {**record.settings, "attempts": 1}
    page = client.get(path).get_data(as_text=True)
    assert "1 attempt left." in page
    answer(client, csrf, path, {})
    html = client.get(path).get_data(as_text=True)
    assert "0 attempts left." in html and "Check my answers" not in html
    response = client.post(path, data={"csrf_token": csrf(html), "confirm_blanks": "1"})
    assert response.status_code == 409
    assert attempts(app, exercise_id) == 1


def test_a_post_without_csrf_token_is_refused(app, client):
    path, exercise_id = start(client)
    assert client.post(path, data={"delta:2:1": "0.1"}).status_code == 400
    assert attempts(app, exercise_id) == 0
