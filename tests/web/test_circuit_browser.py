"""A circuit exercise in Debian's Chromium: CS231n's f = (x + y)·z pasted into the configurator,
answered once with a missing upstream factor, then solved; the worked solution's circuit.

The right answers are CS231n's, worked by hand: q = x + y = 3, f = q·z = −12; ∂f/∂q = z = −4,
∂f/∂z = q = 3, ∂f/∂x = ∂f/∂q·1 = −4, ∂f/∂y = −4. Screenshots go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import json
import re

CS231N = {"graph": {"leaves": {"x": -2, "y": 5, "z": -4},
                    "nodes": [{"name": "q", "op": "add", "args": ["x", "y"]},
                              {"name": "f", "op": "mul", "args": ["q", "z"]}], "output": "f"}}
BY_HAND = {"grad:q": "-4", "grad:z": "3", "grad:x": "-4", "grad:y": "-4"}


def _status(page, key):
    row = page.locator(".answer-row", has=page.locator(f'[name="{key}"]'))
    match = re.search(r"status-(\w+)", row.get_attribute("class") or "")
    return match.group(1) if match else None


def test_a_student_solves_cs231ns_circuit_and_reads_the_gradients_on_the_wires(page, screenshot):
    page.goto(page.base + "/practice")
    page.fill("#cfg-network", json.dumps(CS231N))
    page.get_by_role("button", name="Start this exercise").click()
    page.get_by_role("button", name=re.compile("Start")).click()
    page.wait_for_url(re.compile(r"/exercises/[A-Za-z0-9_-]{22}$"))
    # The circuit is drawn with the given values above the wires from the leaves, nothing else.
    labels = page.locator(".circuit-diagram .wire-value").all_text_contents()
    assert sorted(labels) == sorted(["−2", "5", "−4"])
    assert page.locator(".circuit-diagram .wire-grad").count() == 0
    assert page.locator(".circuit-diagram .unit-symbol").all_text_contents() == ["+", "×"]
    screenshot(page, "circuit-exercise")

    # First attempt: ∂f/∂x without the upstream factor ∂f/∂q.
    for key, text in {**BY_HAND, "grad:x": "1"}.items():
        page.fill(f'[name="{key}"]', text)
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_selector("#feedback")
    assert [_status(page, k) for k in BY_HAND] == ["correct", "correct", "incorrect", "correct"]
    mistake = page.locator('.answer-row:has([name="grad:x"]) [data-misconception]')
    assert mistake.get_attribute("data-misconception") == "local_gradient_only"
    assert "Local gradient without the upstream gradient" in mistake.inner_text()
    screenshot(page, "circuit-feedback")

    for key, text in BY_HAND.items():
        page.fill(f'[name="{key}"]', text)
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_selector("#feedback")
    assert [_status(page, k) for k in BY_HAND] == ["correct"] * 4
    assert "4 of 4 points" in page.inner_text("#feedback")

    page.get_by_role("link", name="Worked solution").click()
    page.get_by_role("button", name="Show the worked solution").click()
    page.wait_for_selector(".walkthrough")
    # Values above the wires (x, y, z, q and f's output wire), gradients below: CS231n's figure.
    assert sorted(page.locator(".circuit-diagram .wire-value").all_text_contents()) == \
        sorted(["−2", "5", "−4", "3", "−12"])
    assert sorted(page.locator(".circuit-diagram .wire-grad").all_text_contents()) == \
        sorted(["−4", "−4", "−4", "3", "1"])
    sections = page.locator(".walk-section h3").all_text_contents()
    assert sections[0] == "Given" and sections[-1].startswith("Backward pass, in reverse order")
    backward = page.locator(".walk-section").last.locator("li.step")
    assert backward.count() == 9  # ∂f/∂f, then a local and a total gradient per wire
    page.get_by_role("button", name="Show all steps").click()
    # Step 12, ∂f/∂x = ∂f/∂q·∂q/∂x = (−4)·1 = −4, with the student's answer beside it.
    step = "".join(backward.nth(6).inner_text().split())
    assert step.startswith("12∂𝑓∂𝑥=∂𝑓∂𝑞·∂𝑞∂𝑥=(−4)·1=−4") and step.endswith("Youranswer:-4Correct")
    screenshot(page, "circuit-solution")
