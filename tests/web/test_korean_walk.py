"""Korean all the way: a student walks every student page under ?lang=ko in Chromium, and no
page shows an English catalog string that has a Korean translation.

The English strings come from the Korean catalog itself (each msgid's literal pieces between
its placeholders, 10 characters or more, that its translation does not contain), so a string
added in English and translated later is checked without editing this test. Screenshots of
each page at desktop and phone width go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from .conftest import PHONE, TRANSLATIONS

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdgfr]|%[sdgf]|\{[a-z]+\}")


def english_pieces() -> set[str]:
    """The English pieces a Korean page must not show."""
    with (TRANSLATIONS / "ko" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source)
    pieces = set()
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = " ".join(message.string) if isinstance(message.string, tuple) \
            else message.string
        for text in ids:
            for piece in PLACEHOLDER.split(text):
                piece = piece.strip(" .,:;()…")
                if len(piece) >= 10 and re.search(r"[A-Za-z]{3}", piece) \
                        and piece not in translated:
                    pieces.add(piece)
    return pieces


def untranslated(page, pieces: set[str]) -> list[str]:
    text = re.sub(r"\s+", " ", page.inner_text("body"))
    return sorted(piece for piece in pieces if piece in text)


@pytest.fixture
def korean(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base = live_server
    yield tab
    context.close()


def test_every_student_page_is_korean(korean, screenshot):
    page, pieces = korean, english_pieces()
    assert len(pieces) > 200   # the catalog was read
    seen: dict[str, list[str]] = {}

    def visit(name: str) -> None:
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == "ko", name
        seen[name] = untranslated(page, pieces)
        screenshot(page, f"ko-{name}-desktop")
        page.set_viewport_size(PHONE)
        screenshot(page, f"ko-{name}-phone")
        page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(page.base + "/?lang=ko")
    visit("home")
    page.goto(page.base + "/practice?lang=ko")
    visit("practice")
    page.goto(page.base + "/practice/new?template=seed-2-2-2&seed=31&lang=ko")
    visit("start")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r"/exercises/[A-Za-z0-9_-]{22}"))
    exercise = page.url.split("?")[0].split("#")[0]
    visit("exercise")
    page.on("dialog", lambda dialog: dialog.accept())   # "blank answers: check anyway?"
    page.fill('[name="delta:2:1"]', "abc")
    page.click("#check-answers")
    # The grader's refusal is no catalog string: read it where it is shown.
    for where in ("#feedback", "#f-delta-2-1-error"):
        assert not re.search(r"[A-Za-z]{3}", page.inner_text(where)), page.inner_text(where)
    visit("unreadable")
    page.fill('[name="delta:2:1"]', "0.1")
    page.locator("#answer-form button[name=coach]").first.click()
    visit("ladder")
    page.click("#check-answers")
    page.wait_for_url(re.compile(r"#feedback$"))
    visit("feedback")
    page.goto(exercise + "/solution")
    visit("solution")
    page.goto(page.base + "/practice/mine")
    visit("my-practice")
    page.goto(page.base + "/trace")
    visit("trace")
    page.goto(page.base + "/exercises/AAAAAAAAAAAAAAAAAAAAAA")
    visit("error-404")
    assert {name: found for name, found in seen.items() if found} == {}


def test_a_set_students_pages_are_korean(app, korean, screenshot):
    from tests.instructor.conftest import PASSWORD, build_set, join, make_user, variants_of

    app.config["POOL_TOPUP"] = "off"
    teacher = make_user(app, "teacher@example.com")
    set_id = build_set(app, teacher, pool_size=1, coaching="3")
    student = make_user(app, "s@example.com", "student")
    join(app, set_id, student)
    (variant,) = variants_of(app, set_id, student)
    page, pieces = korean, english_pieces()
    page.goto(page.base + "/login?lang=ko")
    page.fill('[name="email"]', "s@example.com")
    page.fill('[name="password"]', PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()
    found = {}
    for name, path in (("my-sets", "/sets/"), ("set", f"/sets/{set_id}"),
                       ("set-exercise", f"/sets/{set_id}/exercises/{variant.id}")):
        page.goto(page.base + path)
        assert page.evaluate("document.documentElement.lang") == "ko", name
        found[name] = untranslated(page, pieces)
        screenshot(page, f"ko-{name}-desktop")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#answer-form button[name=coach]").first.click()
    page.wait_for_load_state()
    found["set-ladder"] = untranslated(page, pieces)
    page.click("#check-answers")
    page.wait_for_url(re.compile(r"#feedback$"))
    found["set-feedback"] = untranslated(page, pieces)
    screenshot(page, "ko-set-feedback-desktop")
    assert {name: hit for name, hit in found.items() if hit} == {}
