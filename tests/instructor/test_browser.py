"""End to end in Chromium: an instructor builds and publishes a set of two exercises, two
students join with the code and submit (one right, one with a misconception), and the
instructor finds both in the gradebook, the misconception in the statistics, and every CSV
download parses with the expected rows.

Runs Debian's Chromium through Playwright (the shared ``browser`` fixture); skips when
/usr/bin/chromium is missing, except under CI=true, where it fails. Screenshots go to test-artifacts/screenshots/instructor-*.png.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from exercises import db
from exercises.models import User

from .conftest import PASSWORD, gradient_ascent_answers, make_user, true_answers, variants_of

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
EXPORTS = ("grades", "submissions", "traces", "answer-key", "canvas")


def shoot(page, name: str) -> None:
    """A full-page screenshot, test-artifacts/screenshots/instructor-<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"instructor-{name}.png"), full_page=True)


def new_page(browser, base: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.base = base
    return page


def build_and_publish(page) -> str:
    """Log in, create a set of two exercises, publish; returns the join code."""
    page.goto(page.base + "/login")
    shoot(page, "login")
    page.fill("#email", "teacher@example.com")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=New problem set")
    page.fill("#title", "Backprop quiz")
    page.fill("#attempts", "3")
    page.fill("#pool_size", "5")
    page.click("text=Create draft")
    for template_id in ("seed-2-2-2", "relu-2-3-1"):
        if not page.is_visible("#add-item"):
            page.click("summary:has-text('Add an exercise')")
        page.select_option("#template_id", template_id)
        page.click("#add-item button[type=submit]")
        page.wait_for_selector("text=Exercise added.")
    shoot(page, "draft")
    page.click("#publish")
    assert "cannot be undone" in page.inner_text("#publish-fixes")
    shoot(page, "publish-confirm")
    page.click("button:has-text('Publish now')")
    page.wait_for_selector("#join-code")
    shoot(page, "published")
    return page.inner_text("#join-code").strip()


def student_submits(browser, base: str, app, code: str, name: str, answers_of) -> None:
    """A newcomer joins with the code (making an account), then answers exercise 1."""
    page = new_page(browser, base)
    page.goto(base + "/")
    page.fill("#join-code", code.lower())
    page.click("button:has-text('Join')")
    page.fill("#name", name)
    page.fill("#email", f"{name.lower()}@example.com")
    page.fill("#password", PASSWORD)
    page.click("text=Make my account and join")
    page.wait_for_selector("#exercise-list")
    with app.app_context():
        user_id = db.session().scalar(select(User.id).where(
            User.email == f"{name.lower()}@example.com"))
        set_id = page.url.rstrip("/").rsplit("/", 1)[1]
    first = variants_of(app, set_id, user_id)[0]
    page.click("#exercise-list a >> nth=0")
    for key, value in answers_of(first).items():
        page.fill(f"input[name='{key}']", value)
    page.click("#check-answers")
    page.wait_for_selector("#feedback")
    shoot(page, f"student-{name.lower()}")
    page.context.close()


def test_an_instructor_builds_a_set_and_follows_two_students(app, browser, live_server):
    make_user(app, "teacher@example.com", name="Ada Teacher")
    teacher = new_page(browser, live_server)
    code = build_and_publish(teacher)
    student_submits(browser, live_server, app, code, "Right", true_answers)
    student_submits(browser, live_server, app, code, "Ascent", gradient_ascent_answers)

    teacher.click("nav.set-nav >> text=Gradebook")
    book = teacher.inner_text("#gradebook")
    assert "Right" in book and "Ascent" in book and "10/10" in book and "2.5/10" in book
    shoot(teacher, "gradebook")
    teacher.click("nav.set-nav >> text=Statistics")
    assert teacher.is_visible("[data-misconception='gradient_ascent']")
    # both students right on the first δ (their best attempts); one wrong on every update
    assert teacher.inner_text("#field-1-1 td[data-status=correct]").strip() == "2"
    assert teacher.inner_text("#field-1-16 td[data-status=incorrect]").strip() == "1"
    shoot(teacher, "statistics")
    teacher.click("nav.set-nav >> text=Exports")
    shoot(teacher, "exports")
    tables = {}
    for name in EXPORTS:
        with teacher.expect_download() as download:
            teacher.click(f"#export-{name}")
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        tables[name] = list(csv.DictReader(io.StringIO(text)))
    assert [row["student"] for row in tables["grades"]] == ["Ascent", "Right"]
    assert [float(row["total"]) for row in tables["grades"]] == [2.5, 10.0]  # 4 of 16 fields, of 10
    assert len(tables["submissions"]) == 2 * 16
    assert {r["misconceptions"] for r in tables["submissions"]
            if r["student"] == "Ascent" and r["field"].startswith("w_new")} >= {"gradient_ascent"}
    assert {r["student"] for r in tables["traces"]} >= {"Ascent", "Right"}
    set_id = teacher.url.split("/instructor/sets/")[1].split("/")[0]
    with app.app_context():
        right = db.session().scalar(select(User.id).where(User.email == "right@example.com"))
    relu = variants_of(app, set_id, right)[1]
    positions = [row["position"] for row in tables["answer-key"]]
    assert (positions.count("1"), positions.count("2")) == (5 * 16, 5 * len(relu.fields))
    teacher.click("nav.set-nav >> text=Print")
    assert teacher.locator("article.print-page").count() == 4  # 2 students x 2 exercises
    teacher.emulate_media(media="print")
    shoot(teacher, "print")
    teacher.emulate_media(media="screen")
    teacher.click("nav.set-nav >> text=Overview")
    teacher.click("text=Preview with answer key >> nth=0")
    assert teacher.locator("table.answer-key tbody tr").count() == 16
    shoot(teacher, "preview")
    assert tables["canvas"][0]["Student"] == "Points Possible"
    assert {r["SIS Login ID"] for r in tables["canvas"][1:]} == {"ascent@example.com",
                                                                 "right@example.com"}
