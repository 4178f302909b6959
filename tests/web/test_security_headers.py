"""Security headers on every kind of response, cookie flags, no expected value in any header
or in the (signed, not encrypted) session cookie, and pages that still work in Chromium under
the Content-Security-Policy: the walkthrough's script runs, diagrams and bars keep their sizes,
and the browser reports no violation."""
from __future__ import annotations

import base64
import re
import zlib

import pytest

import tracer
from exercises import db
from exercises.models import Exercise
from exercises.security import CONTENT_SECURITY_POLICY
from tracer.keys import parse_key

from ..exercises.robustness import SEED_SPEC
from ..instructor.conftest import PASSWORD, build_set, make_user
from .conftest import start_practice

EXPECTED_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY,
                    "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "same-origin"}


@pytest.fixture
def exercise(client):
    """This browser's practice exercise (the seed post's network); its page URL."""
    response = start_practice(client, "/practice/new?template=seed-2-2-2&seed=3")
    assert response.status_code == 302
    return response.location


def test_the_policy_allows_only_this_site():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == directives["object-src"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"] + directives["style-src"]
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY


def test_every_kind_of_response_carries_the_security_headers(client, exercise):
    created = client.post("/api/v1/practice", json={"seed": 1}).get_json()
    responses = [client.get("/"), client.get("/practice"), client.get(exercise),
                 client.get(f"{exercise}/solution"), client.get("/trace"), client.get("/login"),
                 client.get("/static/site.css"), client.get("/nope"), client.get("/healthz"),
                 client.post("/api/v1/traces", json=SEED_SPEC),
                 client.post("/api/v1/traces?format=csv", json=SEED_SPEC),
                 client.post("/api/v1/traces", json={}), client.get("/api/v1/nope"),
                 client.get(f"/api/v1/exercises/{created['id']}")]
    for response in responses:
        response.close()  # the static file's
        for name, value in EXPECTED_HEADERS.items():
            assert response.headers.get(name) == value, (response.request.path, name)


def test_cookies_are_http_only_and_same_site(client, exercise):
    response = client.get("/practice/new?seed=4&lang=ko")  # its start button's form: a token
    cookies = response.headers.getlist("Set-Cookie")
    assert {cookie.split("=", 1)[0] for cookie in cookies} >= {"session", "lang"}
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def _session_payload(response) -> str:
    """The JSON inside Flask's signed session cookie, as anyone holding the cookie can read."""
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    value = cookie.split("=", 1)[1].split(";", 1)[0]
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".", 1)[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def _spellings(value: float) -> set[str]:
    return {repr(value), repr(abs(value))} | {f"{abs(value):.{d}g}" for d in range(3, 9)}


def test_no_header_or_session_cookie_holds_an_expected_value(app, client, exercise):
    exercise_id = exercise.rsplit("/", 1)[1]
    created = client.post("/api/v1/practice", json={"seed": 3}).get_json()
    auth = {"Authorization": f"Bearer {created['token']}"}
    responses = [client.get(exercise), client.get(f"/api/v1/exercises/{created['id']}",
                                                  headers=auth),
                 client.post(exercise, data={"csrf_token": "wrong"}),
                 start_practice(client, "/practice/new?template=seed-2-2-2&seed=3")]
    with app.app_context():
        shown = [db.session().get(Exercise, exercise_id), db.session().get(Exercise,
                                                                            created["id"])]
        secrets = set()
        for record in shown:
            result = tracer.trace(record.spec)
            for field in record.fields:
                secrets |= _spellings(result.value(*parse_key(field["key"])))
    for response in responses:
        headers = [f"{k}: {v}" for k, v in response.headers.items() if k != "Set-Cookie"]
        if any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie")):
            headers.append(_session_payload(response))
        leaked = {s for s in secrets for h in headers if s in h}
        assert not leaked, (response.request.path, leaked)


def _violations(page) -> list[str]:
    messages = []
    page.on("console", lambda message: messages.append(message.text)
            if "Content Security Policy" in message.text else None)
    return messages


def test_pages_work_under_the_policy_in_chromium(page, app):
    violations = _violations(page)
    page.goto(page.base + "/practice/new?template=seed-2-2-2&seed=3")
    page.get_by_role("button", name="Start this exercise").click()
    page.wait_for_url(re.compile(r"/exercises/[A-Za-z0-9_-]{22}$"))
    diagram = page.locator(".diagram svg").first.bounding_box()
    assert diagram["width"] > 200  # its style attribute (min-width) applied
    page.get_by_role("link", name="Worked solution").click()
    page.get_by_role("button", name="Show the worked solution").click()
    page.locator("li.step").first.wait_for()
    assert page.locator("li.step:visible").count() == 1  # walkthrough.js ran: one step at a time
    page.get_by_role("button", name="Next step").click()
    assert page.locator("li.step:visible").count() == 2
    page.get_by_role("link", name="Try what-if mode").click()
    page.get_by_label("w5", exact=True).fill("2")
    page.locator("tr.changed").first.wait_for()  # whatif.js ran and fetched a trace
    page.goto(page.base + "/trace")
    page.get_by_role("button", name="Trace it").click()
    page.locator("li.step").first.wait_for()
    assert violations == []


def test_instructor_pages_work_under_the_policy_in_chromium(page, app):
    teacher = make_user(app, "teacher@example.com")
    set_id = build_set(app, teacher)
    violations = _violations(page)
    page.goto(page.base + "/login")
    page.fill('[name="email"]', "teacher@example.com")
    page.fill('[name="password"]', PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/instructor/$"))
    page.goto(f"{page.base}/instructor/sets/{set_id}/print?variants=pool")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed === true")  # print.js wired the button
    page.goto(f"{page.base}/instructor/sets/{set_id}/statistics")
    assert violations == []
