"""Shared fixtures: a database migrated once per test session, copied fresh for every test.

``TEST_DATABASE_URL`` selects PostgreSQL (any SQLAlchemy URL); without it the suite runs on
SQLite files. PostgreSQL-only checks use ``TEST_POSTGRES_URL`` (default: the loopback server)
and skip when none answers -- except under ``CI=true``, where they must run.
"""
from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from exercises import create_app, migrate

IN_CI = os.environ.get("CI") == "true"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


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
    application = create_app({"TESTING": True, "DATABASE_URL": database_url,
                              "SECRET_KEY": "test-secret-key"})
    yield application
    application.extensions["db_session"].remove()
    application.extensions["db_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
