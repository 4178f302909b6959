"""Every acknowledged submission survives a worker killed with SIGKILL mid-burst (SPEC §7).

The app runs under gunicorn (one gthread worker) in a subprocess; 12 threads submit answers to
one practice exercise over HTTP as fast as they can. Once some have been acknowledged (201), the
worker is killed with ``kill -9`` while requests are in flight. Afterwards every 201's
submission (its id, attempt and score) is read back from the database with a fresh connection,
with all 16 field grades, and the stored attempts run 1..n without gaps or repeats. Runs on
SQLite, and on PostgreSQL when one answers (always under CI=true).
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from exercises import migrate

from ..conftest import postgres_database

ROOT = Path(__file__).resolve().parents[2]
THREADS = 12
ACKNOWLEDGED_BEFORE_KILL = 20


def _request(url: str, body: dict | None = None, token: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(database_url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "kill-test-" * 4,
           "RATELIMIT_ENABLED": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--worker-class", "gthread", "--threads", str(THREADS), "--graceful-timeout", "1",
         "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if _request(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    pytest.fail(f"gunicorn did not answer: {server.communicate()[1].decode()[-2000:]}")


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert len(children) == 1, f"expected one gunicorn worker, found {children}"
    return int(children[0])


def _burst(base: str, created: dict):
    """Submit from THREADS threads until each sees a failure; returns the acknowledged
    responses, the connection failures, the answers other than 201, and a function that waits
    for the burst to end. One field is answered (the others blank), so grading is quick."""
    acknowledged: list[dict] = []
    failures: list[str] = []
    refused: list[str] = []
    url = f"{base}/api/v1/exercises/{created['id']}/submissions"
    answers = {created["fields"][0]["key"]: "0.5"}
    stop = threading.Event()   # set once the kill has cut a request: the burst is over

    def submit_until_refused():
        while not stop.is_set():
            try:
                status, body = _request(url, {"answers": answers}, created["token"])
            except (OSError, http.client.HTTPException) as exc:
                # reset, refused, or a response cut off mid-body: the worker is gone, and an
                # answer not received whole was never acknowledged
                failures.append(repr(exc))
                return
            if status != 201:
                refused.append(f"{status} {body}")
                return
            acknowledged.append(body)

    threads = [threading.Thread(target=submit_until_refused) for _ in range(THREADS)]
    for thread in threads:
        thread.start()

    def join():
        # The master starts a new worker at once; threads that were between requests would
        # go on submitting to it, so the burst ends when the kill has cut a request.
        deadline = time.monotonic() + 60
        while not failures and not refused and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    return acknowledged, failures, refused, join


def _stored(database_url: str, exercise_id: str):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, attempt, score FROM submissions "
                                 "WHERE exercise_id = :e"), {"e": exercise_id}).all()
        grades = dict(conn.execute(text("SELECT submission_id, count(*) FROM field_grades "
                                        "GROUP BY submission_id")).all())
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    engine.dispose()
    return {row.id: (row.attempt, row.score) for row in rows}, grades


def _kill_mid_burst_and_check(database_url: str) -> None:
    port = _free_port()
    server = _start_gunicorn(database_url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        status, created = _request(f"{base}/api/v1/practice", {"seed": 1})
        assert status == 201, created
        acknowledged, failures, refused, join = _burst(base, created)
        deadline = time.monotonic() + 120
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL and not failures + refused:
            assert time.monotonic() < deadline, "the burst acknowledged too few submissions"
            time.sleep(0.01)
        os.kill(_worker_pid(server.pid), signal.SIGKILL)
        join()
    finally:
        server.terminate()
        server.communicate(timeout=60)
    assert failures, "the kill did not interrupt the burst"
    assert not refused, refused   # every answer before the kill was a 201
    stored, grades = _stored(database_url, created["id"])
    for body in acknowledged:
        assert body["id"] in stored, f"acknowledged attempt {body['attempt']} was lost"
        assert stored[body["id"]] == (body["attempt"], body["score"])
        assert grades[body["id"]] == len(created["fields"])
    attempts = sorted(attempt for attempt, _ in stored.values())
    assert attempts == list(range(1, len(attempts) + 1))
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL


def test_kill_9_mid_burst_loses_no_acknowledged_submission_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    migrate.upgrade(url)
    _kill_mid_burst_and_check(url)


def test_kill_9_mid_burst_loses_no_acknowledged_submission_postgresql(postgres_url):
    with postgres_database(postgres_url, "bl_kill") as url:
        migrate.upgrade(url)
        _kill_mid_burst_and_check(url)
