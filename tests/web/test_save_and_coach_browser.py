"""Save and check, the coaching ladder and the error pages in Chromium, with and without
JavaScript. Attempts and rungs are read from the database; values the page must not show are
computed here with the engine (``engine_answers``)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from exercises import db
from exercises.models import LadderStep, Submission

from .conftest import DESKTOP, PHONE

SEED_URL = "/practice/new?template=seed-2-2-2&seed=31"


def open_exercise(page) -> str:
    page.goto(page.base + SEED_URL)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r"/exercises/[A-Za-z0-9_-]{22}$"))
    return page.url.rsplit("/", 1)[1]


def attempts(app, exercise_id) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Submission)
                                   .where(Submission.exercise_id == exercise_id))


def both_widths(tab, screenshot, name):
    screenshot(tab, f"{name}-desktop")
    tab.set_viewport_size(PHONE)
    screenshot(tab, f"{name}-phone")
    tab.set_viewport_size(DESKTOP)


def test_enter_with_blank_fields_asks_first_with_javascript(app, page, screenshot):
    exercise_id = open_exercise(page)
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        (dialog.dismiss if len(questions) == 1 else dialog.accept)()

    page.on("dialog", answer)
    page.fill('[name="delta:2:1"]', "0.1")
    page.press('[name="delta:2:1"]', "Enter")       # the one Enter press
    page.wait_for_timeout(300)
    assert questions and questions[0].startswith("Blank answers: 15 of 16.")
    assert attempts(app, exercise_id) == 0 and page.input_value('[name="delta:2:1"]') == "0.1"
    page.click("#check-answers")                      # this time the question is accepted
    page.wait_for_url(re.compile(r"#feedback$"))
    assert len(questions) == 2 and attempts(app, exercise_id) == 1
    both_widths(page, screenshot, "feedback")


def test_without_javascript_a_page_lists_the_blanks(app, browser, live_server, screenshot):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    tab = context.new_page()
    tab.base = live_server
    try:
        exercise_id = open_exercise(tab)
        tab.fill('[name="delta:2:1"]', "0.1")
        tab.click("#check-answers")
        tab.wait_for_load_state()
        assert tab.inner_text("h1") == "Some answers are blank"
        assert tab.locator("#blank-fields li").count() == 15
        both_widths(tab, screenshot, "blank-question")
        tab.get_by_role("button", name="Go back to my answers").click()
        tab.wait_for_load_state()
        assert tab.input_value('[name="delta:2:1"]') == "0.1"
        assert attempts(app, exercise_id) == 0
        tab.click("#check-answers")
        tab.get_by_role("button", name="Check anyway").click()
        tab.wait_for_url(re.compile(r"#feedback$"))
        assert attempts(app, exercise_id) == 1
    finally:
        context.close()


def test_saving_without_checking_uses_no_attempt(app, page, screenshot):
    exercise_id = open_exercise(page)
    page.fill('[name="delta:2:1"]', "0.0859")
    page.fill('[name="w_new:2:1:1"]', "1/8")
    page.click("#save-answers")
    page.wait_for_load_state()
    assert "No attempt was used" in page.inner_text(".flashes")
    page.goto(page.url.split("#")[0])                 # coming back later
    assert page.input_value('[name="delta:2:1"]') == "0.0859"
    assert page.input_value('[name="w_new:2:1:1"]') == "1/8"
    assert attempts(app, exercise_id) == 0
    assert "Unlimited attempts." in page.inner_text("#attempts-left")


def test_each_ladder_rung_shows_and_is_recorded(app, page, engine_answers, stored_exercise,
                                                screenshot):
    exercise_id = open_exercise(page)
    truth = engine_answers(exercise_id)
    digits = stored_exercise(exercise_id).settings["answer_digits"]
    key, ladder = "delta:1:1", "#f-delta-1-1-ladder"
    labels = ["Hint: the formula", "Hint: put in the numbers", "Show the value (no credit for it)"]
    for rung, label in enumerate(labels, 1):
        page.locator(ladder).get_by_role("button", name=label).click()
        page.wait_for_load_state()
        assert page.locator(f"{ladder} li").count() == rung
        text = page.inner_text("main").replace("\u2212", "-")
        hidden = {f"{abs(truth[k]):.{digits}g}" for k in truth if k != key or rung < 3}
        assert not {n for n in re.findall(r"-?\d+\.\d+", text) if n in hidden}, rung
        with app.app_context():
            recorded = sorted(db.session().scalars(
                select(LadderStep.rung).where(LadderStep.exercise_id == exercise_id,
                                              LadderStep.key == key)))
        assert recorded == list(range(1, rung + 1))
        both_widths(page, screenshot, f"ladder-rung-{rung}")
    value = re.sub(r"\s+", "", page.locator(f'{ladder} li[data-rung="3"]').inner_text()
                   .replace("\u2212", "-"))
    assert f"{truth[key]:.{digits}g}" in value
    assert page.locator(f"{ladder} [data-no-credit]").count() == 1
    assert attempts(app, exercise_id) == 0


def test_an_unknown_exercise_is_a_styled_404_in_both_languages(page, screenshot):
    for lang, heading in (("en", "Page not found"), ("ko", "페이지를 찾을 수 없음")):
        response = page.goto(f"{page.base}/exercises/AAAAAAAAAAAAAAAAAAAAAA?lang={lang}")
        assert response.status == 404
        assert page.inner_text("h1") == heading
        assert page.locator("nav[aria-label] a").count() >= 4    # a way back into the site
        both_widths(page, screenshot, f"error-404-{lang}")


def test_a_rounded_answer_reads_as_coaching(page, engine_answers, stored_exercise, screenshot):
    exercise_id = open_exercise(page)
    truth = engine_answers(exercise_id)
    digits = stored_exercise(exercise_id).settings["answer_digits"]
    page.on("dialog", lambda dialog: dialog.accept())
    page.fill('[name="delta:2:1"]', f"{truth['delta:2:1']:.2g}")
    page.fill('[name="delta:2:2"]', f"{truth['delta:2:2']:.{digits}g}")
    page.click("#check-answers")
    page.wait_for_url(re.compile(r"#feedback$"))
    coaching = page.locator('#f-delta-2-1-feedback [data-coaching="precision"]')
    assert f"Close — keep {digits} significant figures." in coaching.inner_text()
    both_widths(page, screenshot, "feedback-coaching")
