"""Save and check, the coaching ladder, error pages and My practice, through the Flask client.

Expected values come from the engine run here on the exercise's given values (the
``engine_answers`` fixture), never from a page; what a person reads is found in elements.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from exercises import db
from exercises.models import Draft, LadderStep, Submission

from .conftest import element_text, start_practice

SEED = "template=seed-2-2-2&seed=31"


def start(client):
    path = urlsplit(start_practice(client, f"/practice/new?{SEED}").location).path
    return path, path.rsplit("/", 1)[1]


def token(client, csrf, path):
    return csrf(client.get(path).get_data(as_text=True))


def count(app, model, exercise_id):
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model)
                                   .where(model.exercise_id == exercise_id))


def shown_numbers(html: str) -> set[str]:
    """Every number a person reads on the page (tags dropped; MathML minus signs as '-')."""
    text = re.sub(r"<[^>]+>", " ", html).replace("\u2212", "-")
    return set(re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text))


def secret_forms(value: float, digits: int) -> set[str]:
    """How an expected value would be written: to the answer digits, and to the 6 significant
    figures the trace's substituted column uses."""
    return {f"{value:.{digits}g}", f"{abs(value):.{digits}g}", f"{value:.6g}", f"{abs(value):.6g}"}


def test_blank_fields_ask_first_and_use_no_attempt(app, client, csrf):
    path, exercise_id = start(client)
    response = client.post(path, data={"csrf_token": token(client, csrf, path),
                                       "delta:2:1": "0.1", "action": "check"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert element_text(html, "blank-count").startswith("15 of the 16 answers are blank")
    assert html.count("<li>") >= 15 and count(app, Submission, exercise_id) == 0
    # "Go back to my answers" keeps the typed answer; "Check anyway" grades.
    back = client.post(path, data={"csrf_token": csrf(html), "delta:2:1": "0.1",
                                   "action": "edit", "confirm_blanks": "1"})
    assert back.status_code == 200 and 'value="0.1"' in back.get_data(as_text=True)
    assert count(app, Submission, exercise_id) == 0
    graded = client.post(path, data={"csrf_token": csrf(html), "delta:2:1": "0.1",
                                     "action": "check", "confirm_blanks": "1"})
    assert graded.status_code == 302 and count(app, Submission, exercise_id) == 1


def test_unreadable_answers_are_shown_before_the_blank_question(client, csrf):
    path, _id = start(client)
    response = client.post(path, data={"csrf_token": token(client, csrf, path),
                                       "delta:2:1": "abc", "action": "check"})
    assert response.status_code == 422
    assert "Could not read this answer" in response.get_data(as_text=True)


def test_a_draft_uses_no_attempt_and_refills_the_form(app, client, csrf):
    path, exercise_id = start(client)
    response = client.post(path, data={"csrf_token": token(client, csrf, path),
                                       "delta:2:1": "0.125", "w_new:2:1:1": "1/8",
                                       "action": "save"})
    assert response.status_code == 302
    assert count(app, Submission, exercise_id) == 0 and count(app, Draft, exercise_id) == 1
    html = client.get(path).get_data(as_text=True)
    assert 'value="0.125"' in html and 'value="1/8"' in html
    assert "not been checked" in element_text(html, "draft-note")
    # A graded attempt takes over from the draft.
    client.post(path, data={"csrf_token": csrf(html), "delta:2:1": "0.125",
                            "action": "check", "confirm_blanks": "1"})
    assert count(app, Draft, exercise_id) == 0 and count(app, Submission, exercise_id) == 1


def test_the_ladder_climbs_one_rung_at_a_time_and_hides_values_until_rung_3(
        app, client, csrf, engine_answers, stored_exercise):
    path, exercise_id = start(client)
    truth = engine_answers(exercise_id)
    digits = stored_exercise(exercise_id).settings["answer_digits"]
    secrets = set().union(*(secret_forms(v, digits) for v in truth.values()))
    # b⁺ of an output unit: its substitution holds ∂L/∂b = δ, an asked value.
    key = "b_new:2:1"
    for rung in (1, 2):
        response = client.post(f"{path}/coach", data={"csrf_token": token(client, csrf, path),
                                                      "coach": key})
        assert response.status_code == 302
        html = client.get(path).get_data(as_text=True)
        ladder = element_text(html, "f-b_new-2-1-ladder")
        assert ladder and not (shown_numbers(html) & secrets), rung
    assert "0.5" in element_text(html, "f-b_new-2-1-ladder")   # η, a given number, is put in
    client.post(f"{path}/coach", data={"csrf_token": token(client, csrf, path), "coach": key})
    shown = client.get(path)
    assert shown.headers["Cache-Control"] == "no-store"   # a value is on the page now
    html = shown.get_data(as_text=True)
    assert f"{truth[key]:.{digits}g}" in element_text(html, "f-b_new-2-1-ladder").replace(
        "\u2212", "-")
    with app.app_context():
        rungs = sorted(db.session().scalars(select(LadderStep.rung)
                                            .where(LadderStep.exercise_id == exercise_id)))
    assert rungs == [1, 2, 3]
    # No fourth rung; and the revealed field earns no credit when answered right.
    assert client.post(f"{path}/coach", data={"csrf_token": token(client, csrf, path),
                                              "coach": key}).status_code == 409
    client.post(path, data={"csrf_token": token(client, csrf, path), "action": "check",
                            **{k: f"{v:.8g}" for k, v in truth.items()}})
    with app.app_context():
        score = db.session().scalar(select(Submission.score)
                                    .where(Submission.exercise_id == exercise_id))
    assert score == len(truth) - 1


def test_a_ladder_for_a_field_not_asked_is_refused(client, csrf):
    path, _id = start(client)
    response = client.post(f"{path}/coach", data={"csrf_token": token(client, csrf, path),
                                                  "coach": "z:1:1"})
    assert response.status_code == 409


def test_unknown_pages_are_styled_in_the_readers_language(client):
    english = client.get("/no/such/page")
    assert english.status_code == 404 and english.mimetype == "text/html"
    html = english.get_data(as_text=True)
    assert element_text(html, "error-heading") == "Page not found"
    assert 'href="/practice"' in html
    korean = client.get("/no/such/page?lang=ko").get_data(as_text=True)
    assert element_text(korean, "error-heading") == "페이지를 찾을 수 없음"
    api = client.get("/api/v1/no/such")
    assert api.status_code == 404 and set(api.get_json()) == {"error", "fields"}


def test_an_exercise_from_another_browser_explains_itself(app, client, csrf):
    path, _id = start(client)
    other = app.test_client()
    response = other.get(path)
    assert response.status_code == 404
    assert "another browser" in element_text(response.get_data(as_text=True), "error-message")


def test_an_unexpected_error_is_a_styled_500(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom-for-test?lang=ko")
    assert response.status_code == 500
    assert element_text(response.get_data(as_text=True), "error-heading") == "문제가 발생했습니다"


def test_the_favicon_is_an_icon(client):
    response = client.get("/favicon.ico")
    body = response.data
    response.close()
    assert response.status_code == 200 and response.mimetype == "image/x-icon"
    assert body[:4] == b"\x00\x00\x01\x00"   # the ICO header


def test_my_practice_lists_this_browsers_exercises(app, client, csrf):
    assert "No practice exercise" in client.get("/practice/mine").get_data(as_text=True)
    path, exercise_id = start(client)
    client.post(path, data={"csrf_token": token(client, csrf, path), "delta:2:1": "0.1",
                            "action": "save"})
    html = client.get("/practice/mine").get_data(as_text=True)
    row = re.search(rf'<tr data-exercise="{exercise_id}">.*?</tr>', html, flags=re.S).group(0)
    assert "Answers saved, not checked" in row and f'href="{path}"' in row
    assert "No practice exercise" in app.test_client().get("/practice/mine").get_data(as_text=True)


def test_a_rounded_answer_is_coached_to_keep_the_digits(client, csrf, engine_answers,
                                                        stored_exercise):
    path, exercise_id = start(client)
    truth = engine_answers(exercise_id)
    digits = stored_exercise(exercise_id).settings["answer_digits"]
    rounded = f"{truth['delta:2:1']:.2g}"          # two figures where more are asked
    client.post(path, data={"csrf_token": token(client, csrf, path), "action": "check",
                            "confirm_blanks": "1", "delta:2:1": rounded})
    html = client.get(path).get_data(as_text=True)
    feedback = element_text(html, "f-delta-2-1-feedback")
    assert f"Close — keep {digits} significant figures." in feedback
    korean = client.get(path + "?lang=ko").get_data(as_text=True)
    assert f"유효숫자 {digits}자리를 유지하세요" in element_text(korean, "f-delta-2-1-feedback")


def test_configurator_and_trace_refusals_read_korean(client, csrf):
    html = client.get("/practice/new?learning_rate=-1&lang=ko").get_data(as_text=True)
    assert element_text(html, "cfg-learning_rate-error").endswith("(0, 10] 범위의 숫자여야 합니다")
    html = client.get("/practice/new?seed=abc&lang=ko").get_data(as_text=True)
    assert element_text(html, "cfg-seed-error") == "0부터 2147483647까지의 정수여야 합니다"
    page = client.get("/trace?lang=ko").get_data(as_text=True)
    refused = client.post("/trace", data={"csrf_token": csrf(page),
                                          "spec": '{"layers": [2, 2], "inputs": [1, 2]}'})
    reason = element_text(refused.get_data(as_text=True), "spec-error")
    assert refused.status_code == 422 and "필수 항목입니다" in reason
