"""What-if mode in Chromium: typing a new w5 recomputes through the trace API, changes δ_ŷ1 and
highlights exactly the values that changed; the loss before and after the update follow.
Expected values come from the engine run here on the changed spec."""
from __future__ import annotations

import copy
import re

import tracer

from .conftest import PHONE, SCREENSHOTS
from .test_diagram_browser import open_exercise
from .test_whatif_pages import shown


def open_what_if(page) -> str:
    exercise_id = open_exercise(page, "template=seed-2-2-2&seed=8")
    page.get_by_role("link", name="Worked solution").click()
    page.get_by_role("button", name="Show the worked solution").click()
    page.get_by_role("link", name="Try what-if mode").click()
    page.wait_for_url(re.compile(r"/what-if$"))
    return exercise_id


def test_changing_w5_changes_delta_and_highlights_what_changed(page, stored_exercise,
                                                              screenshot):
    exercise_id = open_what_if(page)
    spec = tracer.normalize(stored_exercise(exercise_id).spec)
    assert page.locator("tr.changed").count() == 0
    changed = copy.deepcopy(spec)
    changed["weights"][1][0][0] = 1.25
    before, after = tracer.trace(spec), tracer.trace(dict(changed, iterations=2))
    delta = page.locator('tr[data-row="1.1.delta.2.1."] .whatif-now')
    assert delta.inner_text() == shown(before.value("delta", 2, 1))
    page.get_by_label("w5", exact=True).fill("1.25")
    expected = shown(after.value("delta", 2, 1))
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel).textContent === text",
        arg=['tr[data-row="1.1.delta.2.1."] .whatif-now', expected])
    marked = set(page.eval_on_selector_all("tr.changed", "rs => rs.map(r => r.dataset.row)"))
    should = set()
    for row in after.rows():
        if row["iteration"] == 1 and row["phase"] != "input":
            old = before.value(row["quantity"], row["layer"], row["unit"], row["source"],
                               row["sample"])
            if shown(old) != shown(row["value"]):
                should.add(f"1.{row['sample'] or ''}.{row['quantity']}.{row['layer'] or ''}."
                           f"{row['unit'] or ''}.{row['source'] or ''}")
    assert "1.1.delta.2.1." in should and "1.1.z.1.1." not in should
    assert marked == should
    assert page.locator('[data-loss="after"]').inner_text() == shown(after.value("loss", iteration=2))
    assert page.locator('[data-loss="before"]').inner_text() == shown(after.value("loss", iteration=1))
    screenshot(page, "whatif-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "whatif-phone")
    page.locator('tr[data-row="1.1.delta.2.1."]').scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "whatif-phone-values.png"))
    page.goto(page.url.replace("/what-if", "/solution"))
    page.get_by_role("button", name="Show all steps").click()
    page.locator('li[data-key="delta:2:1"]').scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "solution-phone-steps.png"))


def test_the_training_plot_follows_the_form(page):
    open_what_if(page)
    page.get_by_label("Training steps k (1 to 200)").fill("7")
    page.get_by_role("button", name="Recompute and train").click()
    page.wait_for_load_state()
    points = page.locator("polyline.loss-line").get_attribute("points").split()
    assert len(points) == 8
