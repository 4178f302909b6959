"""In Chromium, with the queue as one machine runs it (SQLite, the app's own consumer thread):
publishing shows a progress bar that moves and then says the set is published, with
JavaScript (polling) and without it (the page refreshes itself)."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from exercises import create_app
from exercises.jobs import queue

from .conftest import PASSWORD, build_set, make_user

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ITEMS = (("seed-2-2-2", {}), ("tanh-3-3-2", {}), ("relu-2-3-1", {}))


@pytest.fixture
def queued(database_url, tmp_path):
    """The app with a real queue (not immediate) served on loopback; yields (app, base URL)."""
    app = create_app({"DATABASE_URL": database_url, "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": "test-secret-key-that-is-32-bytes-long",
                      "JOBS_IMMEDIATE": False, "POOL_TOPUP": "off",
                      "JOBS_SQLITE_FILE": str(tmp_path / "jobs.sqlite3")})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    queue.stop_consumer_thread(app.extensions["jobs"])
    app.extensions["db_session"].remove()
    app.extensions["db_engine"].dispose()


def _publish(browser, base: str, set_id: str, javascript: bool, name: str) -> tuple[str, str]:
    """Log in, press Publish and wait for the panel to say it is done; returns the message
    first shown and the last."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US",
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(base + "/login")
    page.fill("#email", "teacher@example.com")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/instructor/sets/{set_id}")
    page.click("#publish")                           # the page that says what becomes fixed
    page.click("button:has-text('Publish now')")
    first = page.inner_text("#job-message")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"instructor-publishing-{name}.png"), full_page=True)
    page.wait_for_selector("#job-message:has-text('Published:')")
    page.screenshot(path=str(SCREENSHOTS / f"instructor-published-{name}.png"), full_page=True)
    last = page.inner_text("#job-message")
    assert page.inner_text("#join-code").strip()
    context.close()
    return first, last


@pytest.mark.parametrize("javascript", [True, False], ids=["polling", "no-javascript"])
def test_publishing_shows_its_progress_until_it_is_done(queued, browser, javascript):
    app, base = queued
    owner = make_user(app, "teacher@example.com", name="Ada Teacher")
    set_id = build_set(app, owner, items=ITEMS, publish=False, pool_size=150)
    first, last = _publish(browser, base, set_id, javascript,
                           "polling" if javascript else "no-javascript")
    assert first == "Waiting for a worker to start…" or first.startswith("Publishing: ")
    assert last == "Published: 450 variants are ready for your students."
