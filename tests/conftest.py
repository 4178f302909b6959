"""Shared fixtures: a database migrated once per test session, copied fresh for every test.

``TEST_DATABASE_URL`` selects PostgreSQL (any SQLAlchemy URL); without it the suite runs on
SQLite files. PostgreSQL-only checks use ``TEST_POSTGRES_URL`` (default: the loopback server)
and skip when none answers -- except under ``CI=true``, where they must run.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import uuid
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from exercises import create_app, migrate

IN_CI = os.environ.get("CI") == "true"

# Property tests explore the same examples on every run and machine (no example database, no
# random seed): a run that passed passes again, and a failure found while writing a test is
# kept as an explicit case. Test modules' own @settings inherit this profile.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.load_profile("deterministic")
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"


class _DroppedDatabaseNoise(logging.Filter):
    """Drop the pool's report of a connection our own ``DROP DATABASE ... WITH (FORCE)`` ended.

    A connection that a test leaves checked out (a thread's session, say) is finalized by the
    garbage collector after its database was dropped; the pool then logs the failed ROLLBACK
    with its traceback. On CPython 3.11 formatting that traceback calls ``ast.parse`` for the
    caret lines, and when the collection ran inside another ``ast.parse`` (Werkzeug compiles
    every route with one) the outer parse fails with "AST constructor recursion depth
    mismatch" (python/cpython#106905). The record says nothing a test needs, so it is dropped
    before any handler formats it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return "terminating connection due to administrator command" not in str(error or "")


for _pool_logger in ("sqlalchemy.pool.impl.QueuePool", "sqlalchemy.pool.base",
                     "sqlalchemy.pool"):
    logging.getLogger(_pool_logger).addFilter(_DroppedDatabaseNoise())


def _admin_engine(url: str):
    return create_engine(make_url(url), isolation_level="AUTOCOMMIT")


def _postgres_copy(url: str, template: str, name: str) -> str:
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _postgres_drop(url: str, name: str) -> None:
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextlib.contextmanager
def postgres_database(base_url: str, prefix: str):
    """A new, empty PostgreSQL database on ``base_url``'s server, dropped afterwards (with any
    connection left to it); yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine(base_url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _postgres_drop(base_url, name)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A reachable PostgreSQL URL, or skip (fail under CI=true)."""
    url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "no PostgreSQL here"
        if IN_CI:
            pytest.fail(f"PostgreSQL at {url} does not answer under CI=true: {exc}")
        pytest.skip(f"no PostgreSQL at {url}")
    return url


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate one database to head for the whole session; yields (kind, location)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        path = tmp_path_factory.mktemp("template") / "template.sqlite3"
        migrate.upgrade(f"sqlite:///{path}")
        yield ("sqlite", str(path))
        return
    name = f"bl_template_{uuid.uuid4().hex[:12]}"
    _postgres_drop(url, name)
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    template_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(template_url)
    yield ("postgresql", name)
    _postgres_drop(url, name)


@pytest.fixture
def database_url(database_template, tmp_path):
    """A fresh copy of the migrated template database for one test."""
    kind, location = database_template
    if kind == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(location, path)
        yield f"sqlite:///{path}"
        return
    url = os.environ["TEST_DATABASE_URL"]
    name = f"bl_test_{uuid.uuid4().hex[:12]}"
    yield _postgres_copy(url, location, name)
    _postgres_drop(url, name)


@pytest.fixture
def app(database_url):
    """The app on a fresh database."""
    # Rate limits are off here: fuzz and concurrency tests send hundreds of requests from one
    # address; tests/instructor/test_rate_limits.py makes apps with them on.
    application = create_app({"TESTING": True, "DATABASE_URL": database_url,
                              "SECRET_KEY": "test-secret-key-that-is-32-bytes-long",
                              "RATELIMIT_ENABLED": False})
    yield application
    application.extensions["db_session"].remove()
    application.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def live_server(app):
    """The app served on 127.0.0.1 at a free port in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium (Debian's, never a downloaded one), shared by a module's tests.

    Module scope rather than session: only one sync Playwright may run in a thread, so one
    module's browser must be gone before the next module starts its own.
    Skips when /usr/bin/chromium is missing, except under CI=true, where it fails.
    """
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing under CI=true; browser tests must run")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
