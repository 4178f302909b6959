"""WCAG 2.1 AA with axe-core in Chromium: every student page, in English and Korean, in the
light and the dark colour scheme, has no serious or critical violation. The counts of every
impact are written to test-artifacts/axe-counts.json; screenshots of the dark pages are saved.

axe-core is vendored (tests/web/vendor/axe.min.js) so the check needs no network; it is run by
Playwright's evaluate, which the pages' Content-Security-Policy does not govern.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import DESKTOP, PHONE, ROOT

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
COUNTS = ROOT / "test-artifacts" / "axe-counts.json"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOCALES = {"en": "en-US", "ko": "ko-KR"}


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    page.evaluate(AXE)
    return page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
        .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))""",
                         TAGS)


def visit_student_pages(page):
    """Walk every student page a learner meets, yielding (name, page) at each."""
    base = page.base
    page.goto(base + "/")
    yield "home", page
    page.goto(base + "/practice")
    yield "practice-configurator", page
    page.goto(base + "/practice/new?template=seed-2-2-2&seed=8")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r"/exercises/[A-Za-z0-9_-]{22}$"))
    exercise = page.url
    yield "exercise", page
    ladder = page.locator("#f-delta-1-1-ladder button")
    for _rung in (1, 2):   # the formula, then the numbers (rung 3 would cost the field's credit)
        ladder.first.click()
        page.wait_for_load_state()
    page.locator('#f-delta-1-1-ladder li[data-rung="2"]').wait_for()
    yield "ladder", page
    for field in page.locator(".answer-row input").all():
        field.fill("0.1")
    page.locator("#check-answers").click()
    page.wait_for_url(re.compile(r"#feedback$"))
    yield "feedback", page
    page.goto(exercise + "/solution")
    page.locator("main form button[type=submit]").click()
    page.locator("li.step").first.wait_for()
    yield "solution", page
    page.goto(exercise + "/what-if")
    yield "what-if", page
    page.goto(base + "/trace")
    yield "trace-tool", page
    page.locator("form button[type=submit]").first.click()
    page.locator("li.step").first.wait_for()
    yield "trace-result", page
    page.goto(base + "/practice/mine")
    yield "my-practice", page
    for name, query in (("batch-exercise", "template=batch-2-2-2&seed=1"),
                        ("circuit-exercise", "circuit=cs231n&seed=3")):
        page.goto(base + f"/practice/new?{query}")
        page.locator("form.card button[type=submit]").click()
        page.wait_for_url(re.compile(r"/exercises/[A-Za-z0-9_-]{22}$"))
        yield name, page
    page.goto(page.url + "/solution")
    page.locator("main form button[type=submit]").click()
    page.locator("main svg").first.wait_for()
    yield "circuit-solution", page
    page.goto(base + "/exercises/AAAAAAAAAAAAAAAAAAAAAA")
    yield "error-404", page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_serious_or_critical_violation_on_any_student_page(browser, live_server, lang,
                                                             scheme, screenshot):
    context = browser.new_context(viewport=DESKTOP, locale=LOCALES[lang], color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server
    found, counts = {}, {}
    try:
        for name, tab in visit_student_pages(page):
            if name != "error-404":  # the error pages' language is the error handler's
                assert tab.evaluate("document.documentElement.lang") == lang, name
            violations = axe_violations(tab)
            counts[name] = {impact: sum(1 for v in violations if v["impact"] == impact)
                            for impact in ("minor", "moderate", "serious", "critical")}
            bad = [v for v in violations if v["impact"] in ("serious", "critical")]
            if bad:
                found[name] = bad
            if scheme == "dark" and name in ("exercise", "solution", "what-if"):
                screenshot(tab, f"dark-{name}-{lang}-desktop")
    finally:
        context.close()
    COUNTS.parent.mkdir(parents=True, exist_ok=True)
    recorded = json.loads(COUNTS.read_text()) if COUNTS.exists() else {}
    recorded[f"{lang}-{scheme}"] = counts
    COUNTS.write_text(json.dumps(recorded, indent=1, sort_keys=True))
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_or_critical_violation_at_phone_width(browser, live_server, scheme):
    """At phone width formulas and tables scroll sideways: each scrolling region must be
    reachable by keyboard, and nothing else may break."""
    context = browser.new_context(viewport=PHONE, locale="en-US", color_scheme=scheme,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server
    found = {}
    try:
        for name, tab in visit_student_pages(page):
            if name == "solution":
                tab.get_by_role("button", name="Show all steps").click()
            bad = [v for v in axe_violations(tab) if v["impact"] in ("serious", "critical")]
            if bad:
                found[name] = bad
    finally:
        context.close()
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


def test_dark_mode_turns_the_page_dark_and_keeps_text_readable(browser, live_server,
                                                              screenshot):
    context = browser.new_context(viewport=PHONE, locale="en-US", color_scheme="dark",
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.base = live_server
    try:
        pages = visit_student_pages(page)
        for name, tab in pages:
            if name == "exercise":
                break
        colours = tab.evaluate("""() => {
            const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
            const card = document.querySelector('.card');
            return {body: rgb(getComputedStyle(document.body).backgroundColor === 'rgba(0, 0, 0, 0)'
                              ? getComputedStyle(document.documentElement).backgroundColor
                              : getComputedStyle(document.body).backgroundColor),
                    card: rgb(getComputedStyle(card).backgroundColor),
                    text: rgb(getComputedStyle(card).color)};
        }""")
        luminance = lambda c: sum(w * v for w, v in zip((0.2126, 0.7152, 0.0722), c)) / 255  # noqa: E731
        assert luminance(colours["body"]) < 0.15 and luminance(colours["card"]) < 0.2
        assert luminance(colours["text"]) > 0.8
        screenshot(tab, "dark-exercise-phone")
    finally:
        context.close()


def test_the_axe_check_finds_a_violation_when_there_is_one(page):
    """The harness is live: an unlabelled input and an image without alt text put on a page
    are reported as violations (so the zero counts above are axe's finding, not silence)."""
    page.goto(page.base + "/")
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<input type="text"><img src="/static/none.png">');
    }""")
    found = {v["id"] for v in axe_violations(page)}
    assert {"label", "image-alt"} <= found
