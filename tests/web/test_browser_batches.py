"""A batch exercise and a two-step Adam exercise solved in Debian's Chromium.

Correct answers are computed here with the engine from the exercise's given values, never read
from a page. Screenshots go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import re

import tracer
from exercises.generation.fields import locate, value_at

STATUS = re.compile(r"status-(correct|carried|incorrect|blank)")


def start(page, query: str) -> str:
    """Open a practice link and press its start button; returns the exercise's id."""
    page.goto(page.base + "/practice/new?" + query)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/exercises/[A-Za-z0-9_-]{22}$"))
    return page.url.rsplit("/", 1)[1]


def truth(stored_exercise, exercise_id) -> dict[str, float]:
    exercise = stored_exercise(exercise_id)
    result = tracer.trace(exercise.spec)
    return {f["key"]: value_at(result, locate(f["key"])) for f in exercise.fields}


def statuses(page, keys) -> set[str]:
    found = set()
    for key in keys:
        row = page.locator(".answer-row", has=page.locator(f'[name="{key}"]'))
        match = STATUS.search(row.get_attribute("class") or "")
        found.add(match.group(1) if match else "none")
    return found


def solve(page, values: dict[str, float]) -> None:
    for key, value in values.items():
        page.fill(f'[name="{key}"]', f"{value:.6g}")
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_url(re.compile(r"#feedback$"))


def test_a_batch_of_two_is_solved_in_the_browser(page, stored_exercise, screenshot):
    exercise_id = start(page, "template=batch-2-2-2&seed=5")
    assert "Sample 2:" in page.locator("#sample-2").inner_text()
    screenshot(page, "batch-exercise")
    values = truth(stored_exercise, exercise_id)
    assert "delta:1:2@2" in values
    solve(page, values)
    assert statuses(page, values) == {"correct"}
    screenshot(page, "batch-feedback")


def test_two_adam_steps_are_solved_in_the_browser(page, stored_exercise, screenshot):
    exercise_id = start(page, "template=adam-one-step&seed=3&iterations=2")
    assert "carries the optimizer's state" in page.locator("#training").inner_text()
    screenshot(page, "adam-two-steps-exercise")
    values = truth(stored_exercise, exercise_id)
    assert "m:2:1:1#2" in values and "w_new:1:1:1#2" in values
    # First step 1 alone, with a slip in one update; then every field of both steps. Step 2
    # is blank at first, so the page asks before checking: say yes.
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    first = {key: value for key, value in values.items() if "#" not in key}
    solve(page, {**first, "w_new:2:1:1": values["w_new:2:1:1"] + 0.05})
    assert len(asked) == 1 and "Blank answers" in asked[0]
    assert statuses(page, ["w_new:2:1:1"]) == {"incorrect"}
    assert statuses(page, [key for key in first if key != "w_new:2:1:1"]) == {"correct"}
    screenshot(page, "adam-two-steps-slip")
    solve(page, values)
    assert statuses(page, values) == {"correct"}
    screenshot(page, "adam-two-steps-feedback")
