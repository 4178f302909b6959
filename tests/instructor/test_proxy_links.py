"""Behind TRUSTED_PROXIES reverse proxies, the links people copy (a practice exercise's share
link, a set's join link) carry the scheme and host the proxy was asked for; without trusted
proxies, forwarded headers change nothing."""
from __future__ import annotations

import re

import pytest

from exercises import create_app

from .conftest import build_set, login, make_user, post_form

FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "lab.example.org",
             "X-Forwarded-For": "203.0.113.7"}


@pytest.fixture(params=[1, 0], ids=["trusted", "untrusted"])
def proxied(request, database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "p" * 40, "DATABASE_URL": database_url,
                      "RATELIMIT_ENABLED": False, "POOL_TOPUP": "off",
                      "TRUSTED_PROXIES": request.param})
    yield app, ("https://lab.example.org" if request.param else "http://localhost")
    app.extensions["db_session"].remove()
    app.extensions["db_engine"].dispose()


def _href(html: str, element_id: str) -> str:
    found = re.search(rf'<a [^>]*id="{element_id}"[^>]*>([^<]+)</a>', html)
    assert found, f"no #{element_id}"
    return found.group(1).replace("&amp;", "&")


def test_the_share_link_uses_the_forwarded_scheme_and_host(proxied):
    app, origin = proxied
    client = app.test_client()
    url = "/practice/new?template=seed-2-2-2&seed=5"
    made = post_form(client, url, {})
    assert made.status_code == 302
    page = client.get(made.location, headers=FORWARDED).get_data(as_text=True)
    assert _href(page, "share-link") == f"{origin}/practice/new?template=seed-2-2-2&seed=5"


def test_the_join_link_uses_the_forwarded_scheme_and_host(proxied):
    app, origin = proxied
    owner = make_user(app, "proxy-teacher@example.com")
    set_id = build_set(app, owner)
    client = app.test_client()
    login(client, "proxy-teacher@example.com")
    page = client.get(f"/instructor/sets/{set_id}", headers=FORWARDED).get_data(as_text=True)
    link = _href(page, "join-link")
    assert re.fullmatch(re.escape(origin) + r"/join/[A-Z0-9]+", link), link
