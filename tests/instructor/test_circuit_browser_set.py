"""In Chromium: an instructor pastes CS231n's circuit f = (x + y)·z into a problem set and
publishes it; a student joins with the code, reads the circuit, answers once with two slips
(∂f/∂q written as q instead of z, and ∂f/∂y as the local gradient alone), reads which answer
was carried and which mistake was named, then solves it; the instructor reads the grades by
their symbols. Screenshots go to test-artifacts/screenshots/instructor-circuit-set-*.png.

The right answers are CS231n's, worked by hand: q = x + y = 3, f = q·z = −12; ∂f/∂q = z = −4,
∂f/∂z = q = 3, ∂f/∂x = ∂f/∂q·1 = −4, ∂f/∂y = −4.
"""
from __future__ import annotations

import json
import re

from .conftest import PASSWORD, make_user
from .test_browser import new_page, shoot

CS231N = {"graph": {"leaves": {"x": -2, "y": 5, "z": -4},
                    "nodes": [{"name": "q", "op": "add", "args": ["x", "y"]},
                              {"name": "f", "op": "mul", "args": ["q", "z"]}], "output": "f"}}
BY_HAND = {"grad:q": "-4", "grad:z": "3", "grad:x": "-4", "grad:y": "-4"}
SLIPS = {"grad:q": "3", "grad:z": "3", "grad:x": "3", "grad:y": "1"}


def _status(page, key):
    row = page.locator(".answer-row", has=page.locator(f'[name="{key}"]'))
    match = re.search(r"status-(\w+)", row.get_attribute("class") or "")
    return match.group(1) if match else None


def _publish_the_circuit(page) -> str:
    page.goto(page.base + "/login")
    page.fill("#email", "teacher@example.com")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=New problem set")
    page.fill("#title", "Circuits, week 4")
    page.fill("#pool_size", "3")
    page.click("text=Create draft")
    if not page.is_visible("#add-item"):
        page.click("summary:has-text('Add an exercise')")
    page.fill("#title", "CS231n's first circuit")
    page.fill("#network", json.dumps(CS231N))
    page.click("#add-item button[type=submit]")
    page.wait_for_selector("text=Exercise added.")
    assert "a given circuit: every student gets these values" in page.inner_text("ol.items")
    shoot(page, "circuit-set-draft")
    page.click("#publish")
    page.click("button:has-text('Publish now')")
    page.wait_for_selector("#join-code")
    return page.inner_text("#join-code").strip()


def test_a_student_solves_a_circuit_item_of_a_problem_set(app, browser, live_server):
    make_user(app, "teacher@example.com", name="Ada Teacher")
    teacher = new_page(browser, live_server)
    code = _publish_the_circuit(teacher)

    student = new_page(browser, live_server)
    student.goto(live_server + "/")
    student.fill("#join-code", code)
    student.click("button:has-text('Join')")
    student.fill("#name", "Grace")
    student.fill("#email", "grace@example.com")
    student.fill("#password", PASSWORD)
    student.click("text=Make my account and join")
    student.wait_for_selector("#exercise-list")
    student.get_by_role("link", name="1. CS231n's first circuit").click()
    assert student.get_by_role("heading", level=1).inner_text() == "CS231n's first circuit"
    # The circuit, drawn with the given values above the wires from the leaves, nothing else.
    assert student.get_by_role("img", name=re.compile("The circuit with its given values")).is_visible()
    assert sorted(student.locator(".circuit-diagram .wire-value").all_text_contents()) == sorted(["−2", "5", "−4"])
    assert student.locator(".circuit-diagram .unit-symbol").all_text_contents() == ["+", "×"]
    assert student.locator(".circuit-diagram .wire-grad").count() == 0

    for key, text in SLIPS.items():
        student.fill(f'[name="{key}"]', text)
    student.click("#check-answers")
    student.wait_for_selector("#feedback")
    assert [_status(student, k) for k in BY_HAND] == ["incorrect", "correct", "carried", "incorrect"]
    mistake = student.locator('.answer-row:has([name="grad:y"]) [data-misconception]')
    assert mistake.get_attribute("data-misconception") == "local_gradient_only"
    shoot(student, "circuit-set-feedback")

    for key, text in BY_HAND.items():
        student.fill(f'[name="{key}"]', text)
    student.click("#check-answers")
    # the first attempt's feedback is on the page too: wait for the second's
    student.wait_for_selector('.answer-row.status-correct:has([name="grad:q"])')
    assert [_status(student, k) for k in BY_HAND] == ["correct"] * 4
    shoot(student, "circuit-set-solved")
    student.click("text=← Circuits, week 4")
    row = student.get_by_role("row", name=re.compile("CS231n's first circuit"))
    assert "10/10" in row.inner_text()
    student.context.close()

    teacher.click("nav.set-nav >> text=Gradebook")
    assert re.search(r"Grace.*10/10", teacher.inner_text("#gradebook"), flags=re.S)
    teacher.click("text=Grace")
    first = teacher.locator("#attempts-1 table").first
    assert first.locator("tbody th").all_text_contents()[:4] == ["∂f/∂q", "∂f/∂z", "∂f/∂x", "∂f/∂y"]
    shoot(teacher, "circuit-set-student")
    teacher.click("nav.set-nav >> text=Print")
    sheet = teacher.locator("article.print-page")
    assert sheet.count() == 1 and sheet.get_by_role("img").count() == 1
    assert sheet.locator(".answer-box").count() == 4
    teacher.emulate_media(media="print")
    shoot(teacher, "circuit-set-print")
    teacher.context.close()
