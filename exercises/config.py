"""Configuration from environment variables, with safe defaults.

The only secret is ``SECRET_KEY``. With the default SQLite database (a single machine, a
developer or a small class) it is generated once and kept in the instance folder; with any
other database the app runs on several machines, which must share one key, so it has to come
from the environment.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # SPEC §8: bodies over 2 MB get 413
MIN_SECRET_BYTES = 32
SESSION_HOURS = 12
# Connections per app process: with W workers on S servers PostgreSQL sees up to
# W·S·(POOL_SIZE + MAX_OVERFLOW); 4 servers × 4 workers × (2 + 3) = 80 stays under its default 100.
DATABASE_POOL_SIZE = 2
DATABASE_MAX_OVERFLOW = 3
RATE_LIMITS = ("RATELIMIT_LOGIN_ACCOUNT", "RATELIMIT_LOGIN_ADDRESS", "RATELIMIT_SIGNUP",
               "RATELIMIT_PASSWORD_RESET", "RATELIMIT_JOIN", "RATELIMIT_TRACE",
               "RATELIMIT_PRACTICE")


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def default_database_url(instance_path: str) -> str:
    """The embedded default: a SQLite file in the instance folder."""
    return "sqlite:///" + str(Path(instance_path) / "backprop-lab.sqlite3")


def _instance_secret(instance_path: str) -> str:
    """The key in ``instance/secret_key``, made on first use. Workers that start together may
    all find it missing: each writes its own candidate to a private temporary file and links it
    into place (a link never replaces an existing file), so exactly one key wins and every
    worker reads that one, complete -- never a half-written or second key."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:  # mkstemp makes it owner-only (0600)
                handle.write(secrets.token_urlsafe(48))
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker's key won
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def _number(env: dict, name: str, default: int, low: int = 0) -> int:
    text = env.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {text!r}") from exc
    if value < low:
        raise ConfigError(f"{name} must be at least {low}, not {value}")
    return value


def _choice(env: dict, name: str, choices: tuple[str, ...]) -> str:
    """``env[name]`` (any case) if it is one of ``choices``, else the first choice when unset."""
    text = (env.get(name) or choices[0]).strip()
    for choice in choices:
        if text.lower() == choice.lower():
            return choice
    raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {text!r}")


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask configuration from the environment; ``overrides`` (tests) win."""
    overrides = dict(overrides or {})
    env = {**os.environ, **{k: v for k, v in overrides.items() if isinstance(v, str)}}
    default_url = default_database_url(instance_path)
    database_url = env.get("DATABASE_URL") or default_url
    secret = env.get("SECRET_KEY")
    if secret is not None and secret != "" and len(secret.strip().encode()) < MIN_SECRET_BYTES:
        # A short or blank key can be guessed, and then anyone can sign a session cookie.
        raise ConfigError(f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes (e.g. "
                          "python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    if not secret:
        if database_url != default_url:
            raise ConfigError(
                "SECRET_KEY must be set in the environment when DATABASE_URL is not the "
                "default SQLite file (every app server must share one key)"
            )
        secret = _instance_secret(instance_path)
    if database_url == default_url:
        # The default SQLite file lives in the instance folder; a configuration that comes
        # wholly from the environment needs no folder (a read-only container filesystem).
        Path(instance_path).mkdir(parents=True, exist_ok=True)
    return {
        **overrides,
        "SECRET_KEY": secret,
        "DATABASE_URL": database_url,
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", MAX_CONTENT_LENGTH)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        "SQL_ECHO": env.get("SQL_ECHO", "0") == "1",
        "DATABASE_POOL_SIZE": _number(env, "DATABASE_POOL_SIZE", DATABASE_POOL_SIZE, low=1),
        "DATABASE_MAX_OVERFLOW": _number(env, "DATABASE_MAX_OVERFLOW", DATABASE_MAX_OVERFLOW),
        "LOG_FORMAT": _choice(env, "LOG_FORMAT", ("text", "json")),
        "LOG_LEVEL": _choice(env, "LOG_LEVEL", ("INFO", "DEBUG", "WARNING", "ERROR")),
        "PERMANENT_SESSION_LIFETIME": timedelta(
            hours=_number(env, "SESSION_LIFETIME_HOURS", SESSION_HOURS, low=1)),
        "TRUSTED_PROXIES": _number(env, "TRUSTED_PROXIES", 0),
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "1") != "0",
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX") or "backprop-lab",
        **{name: env[name] for name in RATE_LIMITS if env.get(name)},
        "TRACE_ROWS_ANONYMOUS": _number(env, "TRACE_ROWS_ANONYMOUS", 100_000, low=1),
        "TRACE_ROWS_SIGNED_IN": _number(env, "TRACE_ROWS_SIGNED_IN", 1_000_000, low=1),
        # background jobs (exercises/jobs): the queue's Redis, when several servers share it
        "REDIS_URL": env.get("REDIS_URL") or None,
        "POOL_TOPUP": _choice(env, "POOL_TOPUP", ("queue", "off")),
        "JOBS_STALE_SECONDS": _number(env, "JOBS_STALE_SECONDS", 60, low=1),
        # exports larger than this many rows are written to EXPORTS_FOLDER by a job
        # (exercises/export_files; default folder: exports/ in the instance folder)
        "EXPORT_JOB_ROWS": _number(env, "EXPORT_JOB_ROWS", 100_000, low=1),
        "EXPORTS_FOLDER": env.get("EXPORTS_FOLDER") or None,
        **{k: v for k, v in overrides.items() if not isinstance(v, str)},
    }
