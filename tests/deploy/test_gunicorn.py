"""gunicorn.conf.py as deployed: worker count from the environment, and with LOG_FORMAT=json
every line it writes (its own, the app's, access lines) is a JSON object, the access line with
the request id the response carried."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_writes_json_lines_with_the_request_id(database_url, tmp_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "g" * 40,
           "LOG_FORMAT": "json", "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
           "GUNICORN_THREADS": "2", "RATELIMIT_ENABLED": "0"}
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                               "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        answer = None
        for _ in range(150):
            try:
                answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?probe=1",
                                                timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        assert answer is not None and answer.status == 200
        rid = answer.headers["X-Request-Id"]
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    lines = [json.loads(line) for line in (tmp_path / "gunicorn.log").read_text().splitlines()]
    assert all({"time", "level", "logger", "message", "request_id"} <= set(l) for l in lines)
    booted = [l for l in lines if l["message"].startswith("Booting worker")]
    assert len(booted) == 2                                  # WEB_CONCURRENCY
    assert len(rid) == 32
    access = [l for l in lines if l["logger"] == "gunicorn.access" and l["request_id"] == rid]
    assert len(access) == 1
    assert access[0]["http"]["path"] == "/healthz" and access[0]["http"]["status"] == 200
    assert access[0]["http"]["query"] == "probe=1"
