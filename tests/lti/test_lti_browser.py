"""Chromium inside the emulated LMS: the course page frames the tool, the launch runs through
the browser (login initiation, the platform's authentication form, the launch) and the set
opens inside the frame, where the student answers an exercise (the framed session keeps
working) and the score reaches the LMS; a tool page no launch opened stays unframeable."""
from __future__ import annotations

from sqlalchemy import select

from exercises import db
from exercises.lti.models import LtiIdentity

from ..instructor.conftest import true_answers, variants_of
from .emulator import Platform
from .test_lti import app, platform, setup  # noqa: F401  (fixtures)


def test_the_lms_frames_the_launched_set_and_nothing_else(app, browser, live_server,  # noqa: F811
                                                          setup, platform: Platform):
    _teacher, set_id = setup
    platform.tool_url = live_server
    platform.course_launch = {"problem_set": set_id}
    context = browser.new_context(locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        tab.goto(platform.url + "/course?sub=browser-student")  # waits for every frame's load
        other = tab.frame_locator("#other")
        assert other.get_by_role("button", name="Log in").count() == 0
        tool = tab.frame_locator("#tool")
        tool.get_by_role("heading", name="Week 3: backprop by hand").wait_for()
        urls = [f.url for f in tab.frames]
        assert f"{live_server}/sets/{set_id}" in urls, urls
        assert [url for url in urls if url.startswith("chrome-error://")] != [], urls
        with app.app_context():
            student = db.session().scalar(select(LtiIdentity.user_id).where(
                LtiIdentity.subject == "browser-student"))
        [variant] = variants_of(app, set_id, student)
        tool.locator("#exercise-list a >> nth=0").click()
        for key, value in true_answers(variant).items():
            tool.locator(f"input[name='{key}']").fill(value)
        tool.locator("#check-answers").click()
        tool.locator("#feedback").wait_for()
        assert [(s["scoreGiven"], s["scoreMaximum"], s["userId"]) for s in platform.scores] == \
            [(10, 10, "browser-student")]
    finally:
        context.close()


def test_the_instructor_s_lti_page_has_no_serious_accessibility_problem(app, browser,  # noqa: F811
                                                                        live_server, setup):
    from ..instructor.conftest import PASSWORD
    from ..web.test_accessibility import axe_violations

    for locale in ("en-US", "ko-KR"):
        context = browser.new_context(locale=locale)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        try:
            tab.goto(live_server + "/login")
            tab.fill("input[name=email]", "teacher@example.com")
            tab.fill("input[name=password]", PASSWORD)
            tab.locator("main form button[type=submit]").click()
            tab.wait_for_url(live_server + "/instructor/")
            tab.goto(live_server + "/instructor/lti/")
            tab.locator("#registrations").wait_for()
            serious = [v for v in axe_violations(tab) if v["impact"] in ("serious", "critical")]
            assert serious == [], (locale, serious)
        finally:
            context.close()
