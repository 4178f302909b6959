"""The student flow in Debian's Chromium: practice, feedback, unreadable input, walkthrough.

Correct answers are computed here with the engine from the exercise's given values, never read
from a page. Each test saves screenshots under test-artifacts/screenshots/.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select

from exercises import db
from exercises.grading import evaluate
from exercises.models import Submission

from .conftest import PHONE

STATUS = re.compile(r"status-(correct|carried|incorrect|blank)")


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def start_seed_exercise(page) -> str:
    """From the home page, start the seed post's exercise in one click; returns its id."""
    page.goto(page.base + "/")
    page.get_by_role("button", name="Start the seed post's 2-2-2 exercise").click()
    page.wait_for_url(re.compile(r"/exercises/[A-Za-z0-9_-]{22}$"))
    return page.url.rsplit("/", 1)[1]


def fill(page, answers: dict[str, str]) -> None:
    for key, text in answers.items():
        page.fill(f'[name="{key}"]', text)


def row_status(page, key: str) -> str:
    row = page.locator(".answer-row", has=page.locator(f'[name="{key}"]'))
    match = STATUS.search(row.get_attribute("class") or "")
    return match.group(1) if match else "none"


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_new_visitor_answers_every_field_correctly(page, engine_answers, stored_exercise,
                                                    screenshot):
    exercise_id = start_seed_exercise(page)
    truth = engine_answers(exercise_id)
    assert len(truth) == 16
    digits = stored_exercise(exercise_id).settings["answer_digits"]
    # The unanswered page shows no expected value where a person reads numbers: in its text
    # or its inputs (SVG geometry such as "140.4" is no value shown).
    shown = set(NUMBER.findall(page.inner_text("body").replace("\u2212", "-")))
    shown |= set(page.eval_on_selector_all("input", "els => els.map(e => e.value)"))
    for value in truth.values():
        assert {repr(value), f"{value:.{digits}g}", f"{abs(value):.{digits}g}"}.isdisjoint(shown)
    screenshot(page, "exercise-desktop")
    fill(page, {key: f"{value:.6g}" for key, value in truth.items()})
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_url(re.compile(r"#feedback$"))
    assert {row_status(page, key) for key in truth} == {"correct"}
    assert page.locator("#feedback").inner_text().count("Every answer is correct.") == 1
    screenshot(page, "feedback-correct-desktop")


def test_a_wrong_delta_is_marked_with_a_named_misconception(page, engine_answers, stored_exercise,
                                                            screenshot):
    exercise_id = start_seed_exercise(page)
    truth = engine_answers(exercise_id)
    # δ_ŷ1 from (y − ŷ) instead of (ŷ − y), and everything after it computed from that δ_ŷ1,
    # as a student with that mistake would: named on δ_ŷ1, carried after it.
    flipped = {"delta:2:1": -truth["delta:2:1"]}
    values = {**evaluate(stored_exercise(exercise_id).spec, overrides=flipped), **flipped}
    answers = {key: f"{values[key]:.6g}" for key in truth}
    fill(page, answers)
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_url(re.compile(r"#feedback$"))
    assert row_status(page, "delta:2:1") == "incorrect"
    row = page.locator(".answer-row", has=page.locator('[name="delta:2:1"]'))
    named = row.locator('[data-misconception="target_minus_output"]')
    assert named.is_visible() and "Sign of the loss gradient flipped" in named.inner_text()
    assert page.locator("#feedback").inner_text().count("Start with δ_ŷ1") == 1
    assert page.input_value('[name="delta:2:1"]') == answers["delta:2:1"]
    screenshot(page, "feedback-misconception-desktop")
    page.set_viewport_size(PHONE)
    assert no_horizontal_overflow(page)
    screenshot(page, "feedback-misconception-phone")


def test_an_unreadable_entry_is_reported_without_using_an_attempt(page, app, engine_answers):
    exercise_id = start_seed_exercise(page)
    truth = engine_answers(exercise_id)
    answers = {key: f"{value:.6g}" for key, value in truth.items()}
    answers["delta:1:1"] = "0.12.5"
    fill(page, answers)
    page.get_by_role("button", name="Check my answers").click()
    error = page.locator("#f-delta-1-1-error")
    error.wait_for()
    assert "Could not read this answer" in error.inner_text()
    assert page.get_attribute("#f-delta-1-1", "aria-invalid") == "true"
    assert page.input_value('[name="delta:1:1"]') == "0.12.5"
    assert page.input_value('[name="w_new:2:1:1"]') == answers["w_new:2:1:1"]
    assert "no attempt was used" in page.locator("#feedback").inner_text()
    assert page.evaluate("document.activeElement.id") == "feedback"
    with app.app_context():
        used = db.session().scalar(select(func.count()).select_from(Submission)
                                   .where(Submission.exercise_id == exercise_id))
    assert used == 0


def test_the_walkthrough_steps_forward_through_the_whole_trace(page, screenshot):
    start_seed_exercise(page)
    screenshot(page, "exercise-desktop-top")
    page.get_by_role("link", name="Worked solution").click()
    page.get_by_role("button", name="Show the worked solution").click()
    steps = page.locator("li.step")
    steps.first.wait_for()
    total = steps.count()
    assert total == 45  # the 61 rows of the seed network less its 16 given values
    visible = lambda: page.locator("li.step:visible").count()  # noqa: E731
    assert visible() == 1
    next_button = page.get_by_role("button", name="Next step")
    for shown in range(2, total + 1):
        next_button.click()
        assert visible() == shown
        if shown == 12:
            screenshot(page, "walkthrough-stepping-desktop")
    assert next_button.is_disabled()
    assert f"Step {total} of {total}" in page.locator(".stepper-status").inner_text()
    # MathML is laid out as mathematics: δ_ŷ1's ∂L/∂ŷ1 is a fraction, numerator over denominator.
    fraction = page.locator('li[data-key="delta:2:1"] mfrac').first.bounding_box()
    line = page.locator('li[data-key="delta:2:1"] .step-number').bounding_box()
    assert fraction["height"] > 1.6 * line["height"]
    screenshot(page, "walkthrough-desktop")
    page.set_viewport_size(PHONE)
    assert no_horizontal_overflow(page)
    screenshot(page, "walkthrough-phone")


def test_the_exercise_page_fits_a_phone(browser, live_server, screenshot):
    context = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.base = live_server
    start_seed_exercise(page)
    assert no_horizontal_overflow(page)
    screenshot(page, "exercise-phone")
    context.close()


def test_the_core_flow_works_without_javascript(browser, live_server, engine_answers):
    context = browser.new_context(viewport={"width": 1024, "height": 800},
                                  java_script_enabled=False)
    page = context.new_page()
    page.base = live_server
    exercise_id = start_seed_exercise(page)
    truth = engine_answers(exercise_id)
    fill(page, {key: f"{value:.6g}" for key, value in truth.items()})
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_url(re.compile(r"#feedback$"))
    assert {row_status(page, key) for key in truth} == {"correct"}
    page.get_by_role("link", name="Worked solution").click()
    page.get_by_role("button", name="Show the worked solution").click()
    page.locator("li.step").first.wait_for()
    assert page.locator("li.step:visible").count() == 45
    assert page.locator(".stepper-controls").is_hidden()
    context.close()


def test_inputs_are_labelled_and_tab_follows_computation_order(page):
    start_seed_exercise(page)
    names = page.eval_on_selector_all(".answer-form input[type=text]",
                                      "els => els.map(e => [e.name, e.labels.length])")
    assert all(count == 1 for _name, count in names)
    page.focus(f'[name="{names[0][0]}"]')
    for (previous, _count), (name, _next_count) in zip(names, names[1:]):
        page.keyboard.press("Tab")   # the field's own hint button comes right after it
        assert page.evaluate("[document.activeElement.name, document.activeElement.value]") \
            == ["coach", previous]
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == name


def test_the_korean_interface(browser, live_server, screenshot):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.base = live_server
    page.goto(live_server + "/")
    page.get_by_role("button", name="글의 2-2-2 Network 문제 시작하기").click()
    page.wait_for_url(re.compile(r"/exercises/"))
    assert page.locator("html").get_attribute("lang") == "ko"
    assert "Output Layer: 에러 신호 δ" in page.inner_text("form")
    screenshot(page, "exercise-ko-desktop")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(r"lang=en$"))
    assert page.locator("html").get_attribute("lang") == "en"
    context.close()


def test_the_trace_tool_renders_a_pasted_spec(page, screenshot):
    page.goto(page.base + "/trace")
    page.get_by_role("button", name="Trace it").click()
    page.locator("li.step").first.wait_for()
    assert page.locator("li.step").count() == 45
    page.get_by_role("button", name="Show all steps").click()
    screenshot(page, "trace-tool-desktop")
    page.fill("#spec-text", '{"layers": [2, 2]}')
    page.get_by_role("button", name="Trace it").click()
    assert "weights" in page.locator("#spec-error").inner_text()


def test_the_statement_defines_delta_in_either_convention(page, screenshot):
    """What δ means, as Chromium shows it: the seed post's δ = ∂L/∂z with θ⁺ = θ − η·δ·a, or
    Mitchell's δ = −∂L/∂z with θ⁺ = θ + η·δ·a when the exercise uses that convention."""
    for convention, definition, update in (("gradient", "δ = ∂L/∂z", "θ⁺ = θ − η·δ·a"),
                                           ("negative", "δ = −∂L/∂z", "θ⁺ = θ + η·δ·a")):
        page.goto(page.base + f"/practice/new?template=seed-2-2-2&seed=8"
                              f"&delta_convention={convention}")
        page.locator("form.card button[type=submit]").click()
        page.wait_for_url(re.compile(r"/exercises/[A-Za-z0-9_-]{22}$"))
        shown = page.locator("#delta-definition")
        assert shown.is_visible()
        text = shown.inner_text()
        assert definition in text and update in text, convention
        other = "θ⁺ = θ + η·δ·a" if convention == "gradient" else "θ⁺ = θ − η·δ·a"
        assert other not in text, convention
        screenshot(page, f"delta-definition-{convention}")
