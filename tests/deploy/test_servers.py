"""Several servers: connection pool bounds, one instance secret however many workers start at
once, a start on a read-only filesystem, and request ids in logs and responses."""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from exercises import config, create_app

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"
SECRET = "s" * 40


def _app(database_url: str, **settings):
    return create_app({"TESTING": True, "SECRET_KEY": SECRET, "DATABASE_URL": database_url,
                       "RATELIMIT_ENABLED": False, **settings})


def _close(app) -> None:
    app.extensions["db_session"].remove()
    app.extensions["db_engine"].dispose()


def test_the_pool_of_a_server_database_is_bounded_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("DATABASE_MAX_OVERFLOW", "7")
    # Nothing connects until a request asks: the engine can be inspected without a server.
    app = create_app({"SECRET_KEY": SECRET,
                      "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    pool = app.extensions["db_engine"].pool
    assert (pool.size(), pool._max_overflow) == (3, 7)


def test_the_default_pool_keeps_16_processes_under_postgresqls_100_connections(monkeypatch):
    for name in ("DATABASE_POOL_SIZE", "DATABASE_MAX_OVERFLOW"):
        monkeypatch.delenv(name, raising=False)
    loaded = config.load("/nonexistent", {"SECRET_KEY": SECRET, "DATABASE_URL": "postgresql://x/y"})
    per_process = loaded["DATABASE_POOL_SIZE"] + loaded["DATABASE_MAX_OVERFLOW"]
    assert 4 * 4 * per_process < 100          # 4 servers × 4 workers (README)
    assert per_process >= 4                   # one per gunicorn thread (gunicorn.conf.py)


@pytest.mark.parametrize("name, value", [("DATABASE_POOL_SIZE", "0"),
                                         ("DATABASE_MAX_OVERFLOW", "-1"),
                                         ("DATABASE_POOL_SIZE", "five"),
                                         ("LOG_FORMAT", "xml")])
def test_a_bad_setting_is_refused_by_name(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(config.ConfigError, match=name):
        config.load("/nonexistent", {"SECRET_KEY": SECRET, "DATABASE_URL": "postgresql://x/y"})


RACE = """
import os, sys
from exercises import config
while not os.path.exists(sys.argv[2]):
    pass
print(config._instance_secret(sys.argv[1]))
"""


def test_workers_starting_together_share_one_complete_secret(tmp_path):
    instance, go = tmp_path / "instance", tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [subprocess.Popen([sys.executable, "-c", RACE, str(instance), str(go)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(8)]
    time.sleep(3.0)  # every interpreter has imported and waits
    go.touch()
    results = [worker.communicate(timeout=60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * 8, [err for _, err in results]
    keys = {out.strip() for out, _ in results}
    assert keys == {(instance / "secret_key").read_text().strip()}
    assert len(keys.pop()) >= 32
    assert [p.name for p in instance.iterdir()] == ["secret_key"]   # no temporary file left
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0


READ_ONLY = """
import json, sys
from exercises import create_app
app = create_app()
client = app.test_client()
made = client.post("/api/v1/practice", json={"seed": 3})
print(json.dumps([client.get("/healthz").status_code, made.status_code]))
"""


def test_the_app_starts_on_a_read_only_filesystem_when_configured_by_environment(tmp_path):
    """The checkout (where the default instance folder would be) is mounted read-only in a
    private mount namespace; the database lives elsewhere, as on a container's volume."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        if IN_CI:
            pytest.fail("this check needs root and unshare(1) under CI=true")
        pytest.skip("needs root and unshare(1) to mount the checkout read-only")
    from exercises import migrate

    url = f"sqlite:///{tmp_path / 'volume.sqlite3'}"
    migrate.upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT),
           "PYTHONDONTWRITEBYTECODE": "1", "RATELIMIT_ENABLED": "0"}
    script = (f"mount --bind -o ro {ROOT} {ROOT} && "
              f"! touch {ROOT}/.read-only-probe 2>/dev/null && "
              f'exec "{sys.executable}" -c "$0"')
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                           READ_ONLY], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [200, 201]
    assert not (ROOT / ".read-only-probe").exists()


def _logged_view(app):
    @app.get("/log-something")
    def log_something():
        logging.getLogger("exercises.test").warning("computing %s", "δ")
        return "ok"


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_log_lines_carry_the_request_id_of_the_response(database_url, capsys):
    app = _app(database_url, LOG_FORMAT="json")
    _logged_view(app)
    first = app.test_client().get("/log-something")
    second = app.test_client().get("/log-something")
    _close(app)
    lines = [line for line in _lines(capsys.readouterr().err) if line["logger"] == "exercises.test"]
    assert [line["message"] for line in lines] == ["computing δ", "computing δ"]
    ids = [first.headers["X-Request-Id"], second.headers["X-Request-Id"]]
    assert [line["request_id"] for line in lines] == ids
    assert ids[0] != ids[1] and all(len(rid) == 32 for rid in ids)
    assert {line["level"] for line in lines} == {"WARNING"}


def test_text_log_lines_carry_the_request_id(database_url, capsys):
    app = _app(database_url, LOG_FORMAT="text")
    _logged_view(app)
    response = app.test_client().get("/log-something")
    _close(app)
    line = next(l for l in capsys.readouterr().err.splitlines() if "exercises.test" in l)
    assert f"[{response.headers['X-Request-Id']}] exercises.test: computing δ" in line


@pytest.mark.parametrize("proxies, incoming, kept", [
    (1, "lb-7f3a.42_x", True),
    (0, "lb-7f3a.42_x", False),          # no trusted proxy: a client cannot choose its id
    (1, "two words", False),
    (1, "x" * 129, False),
    (1, "", False),
])
def test_an_incoming_request_id_is_kept_only_from_a_trusted_proxy_and_when_sane(
        database_url, capsys, proxies, incoming, kept):
    app = _app(database_url, LOG_FORMAT="json", TRUSTED_PROXIES=proxies)
    _logged_view(app)
    response = app.test_client().get("/log-something", headers={"X-Request-Id": incoming})
    _close(app)
    rid = response.headers["X-Request-Id"]
    assert (rid == incoming) is kept
    if not kept:
        assert len(rid) == 32 and int(rid, 16) >= 0
    line = next(l for l in _lines(capsys.readouterr().err) if l["logger"] == "exercises.test")
    assert line["request_id"] == rid


def test_error_responses_carry_a_request_id_too(database_url):
    app = _app(database_url)
    response = app.test_client().get("/api/v1/exercises/nope")
    _close(app)
    assert response.status_code in (401, 404)
    assert len(response.headers["X-Request-Id"]) == 32
