"""Fixtures for page and browser tests: the app with freshly compiled translations, a page
in a fresh browser context, and a place for screenshots. ``live_server`` and ``browser``
(Debian's Chromium through Playwright) come from tests/conftest.py."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
TRANSLATIONS = ROOT / "exercises" / "translations"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory):
    """The translation catalogs compiled from the .po files as they are now, so page tests
    check the current translations whether or not the build has compiled them."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    out = tmp_path_factory.mktemp("translations")
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as source:
            catalog = read_po(source)
        target = out / po.relative_to(TRANSLATIONS).with_suffix(".mo")
        target.parent.mkdir(parents=True)
        with target.open("wb") as sink:
            write_mo(sink, catalog)
    return out


@pytest.fixture
def app(database_url, compiled_translations):
    """The app on a fresh database, with the freshly compiled translations."""
    from exercises import create_app

    application = create_app({"TESTING": True, "DATABASE_URL": database_url,
                              "SECRET_KEY": "test-secret-key-that-is-32-bytes-long",
                              "RATELIMIT_ENABLED": False,
                              "BABEL_TRANSLATION_DIRECTORIES": str(compiled_translations)})
    yield application
    application.extensions["db_session"].remove()
    application.extensions["db_engine"].dispose()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) at desktop width, with ``page.base`` set."""
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.base = live_server
    yield tab
    context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(tab, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def stored_exercise(app):
    """Read an exercise's stored record (spec, fields, settings) by id."""
    from exercises import db
    from exercises.models import Exercise

    def load(exercise_id: str) -> Exercise:
        with app.app_context():
            exercise = db.session().get(Exercise, exercise_id)
            db.session().expunge(exercise)
            return exercise

    return load


@pytest.fixture
def engine_answers(stored_exercise):
    """The true value of every asked field of an exercise, computed here with the engine from
    the exercise's given values (never read from a page)."""
    import tracer
    from tracer.keys import parse_key

    def answers(exercise_id: str) -> dict[str, float]:
        exercise = stored_exercise(exercise_id)
        result = tracer.trace(exercise.spec)
        return {f["key"]: result.value(*parse_key(f["key"])) for f in exercise.fields}

    return answers


@pytest.fixture
def csrf():
    """The CSRF token of a rendered page's first form."""
    import re

    def token(html: str) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', html)
        if match is None:
            raise AssertionError("the page has no CSRF token")
        return match.group(1)

    return token


def start_practice(client, url: str):
    """Open a practice exercise as a person does: ``GET url`` (the start page, or a redirect to
    the browser's existing exercise), then the start page's button (a POST of the same URL).
    Returns the last response: a redirect to the exercise, or the refusal."""
    import re

    response = client.get(url)
    if response.status_code != 200:
        return response
    html = response.get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', html)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert action and token, "no start button on " + url
    return client.post(action.group(1).replace("&amp;", "&"), data={"csrf_token": token.group(1)})


def element_text(html: str, element_id: str) -> str:
    """The text a person reads inside the element with ``element_id`` (markup and MathML
    tags dropped, whitespace collapsed)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.depth, self.found, self.parts = 0, False, []

        def handle_starttag(self, tag, attrs):
            if self.depth:
                self.depth += 1
            elif dict(attrs).get("id") == element_id:
                self.depth, self.found = 1, True

        def handle_endtag(self, tag):
            if self.depth:
                self.depth -= 1

        def handle_data(self, data):
            if self.depth:
                self.parts.append(data)

    reader = Reader()
    reader.feed(html)
    assert reader.found, f"no element #{element_id}"
    return re.sub(r"\s+", " ", "".join(reader.parts)).strip()
