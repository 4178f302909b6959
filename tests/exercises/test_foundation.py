"""The foundation: configuration, health check, migrations match the models on both dialects."""
from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from exercises import config, create_app, db, migrate
from exercises.models import Base


def _schema_diff(url: str) -> list:
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def test_migrations_build_exactly_the_models_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    migrate.upgrade(url)
    assert _schema_diff(url) == []


def test_migrations_build_exactly_the_models_on_postgresql(postgres_url):
    base = postgres_url
    name = f"bl_diff_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        assert _schema_diff(url) == []
        migrate.downgrade(url, "base")
        engine = create_engine(url)
        with engine.connect() as conn:
            tables = conn.execute(text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema='public' "
                "AND table_name <> 'alembic_version'")).scalar()
        engine.dispose()
        assert tables == 0
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32,
                      "DATABASE_URL": f"sqlite:///{tmp_path}/missing-dir/db.sqlite3"})
    assert app.test_client().get("/healthz").status_code == 503


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    engine.dispose()


def test_secret_key_is_generated_once_for_the_default_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    first = config.load(str(tmp_path))["SECRET_KEY"]
    second = config.load(str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_is_required_with_another_database(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db.example/backprop")
    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load(str(tmp_path))


def test_api_body_over_two_megabytes_is_413_json(client):
    response = client.post("/api/v1/traces", data=b"x" * (2 * 1024 * 1024 + 1),
                           content_type="application/json")
    assert response.status_code == 413
    assert "2 MB" in response.get_json()["error"]
