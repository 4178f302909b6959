"""deploy/nginx.conf in front of two gunicorn servers (gunicorn.conf.py, TRUSTED_PROXIES=1), on
loopback: requests are balanced over both, the proxy's request id (never the client's) is the
one the response carries and both access logs record, and the share link a person copies names
the host and port the client asked for, not the app server's."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str) -> None:
    for _ in range(150):
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


@pytest.fixture
def proxied(database_url, tmp_path):
    """nginx on a free port before two app servers; yields (base URL, log folder)."""
    if not Path(NGINX).exists():
        if IN_CI:
            pytest.fail("nginx is missing under CI=true (.ci/run installs nginx-light)")
        pytest.skip("nginx is not installed")
    ports = [_free_port(), _free_port()]
    front = _free_port()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = conf.replace("server app1:8000", f"server 127.0.0.1:{ports[0]}")
    conf = conf.replace("server app2:8000", f"server 127.0.0.1:{ports[1]}")
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{front};")
    conf = conf.replace("/dev/stdout", str(tmp_path / "nginx-access.log"))
    (tmp_path / "site.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/nginx-error.log;\ndaemon off;\n"
        f"events {{}}\nhttp {{\n client_body_temp_path {tmp_path}/body;\n"
        f" proxy_temp_path {tmp_path}/proxy;\n include {tmp_path}/site.conf;\n}}\n")
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "n" * 40,
           "TRUSTED_PROXIES": "1", "LOG_FORMAT": "json", "WEB_CONCURRENCY": "1",
           "RATELIMIT_ENABLED": "0"}
    processes, logs = [], []
    try:
        for n, port in enumerate(ports):
            logs.append(log := (tmp_path / f"app{n}.log").open("w"))
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT, env={**env, "BIND": f"127.0.0.1:{port}"}, stdout=log, stderr=log))
            _wait(f"http://127.0.0.1:{port}/healthz")
        processes.append(subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf")],
                                          stderr=subprocess.DEVNULL))
        _wait(f"http://127.0.0.1:{front}/healthz")
        yield f"http://127.0.0.1:{front}", tmp_path
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=60)
        for log in logs:
            log.close()


def _json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


def test_requests_are_balanced_and_carry_the_proxys_request_id(proxied):
    base, logs = proxied
    answers = [requests.get(f"{base}/healthz?n={n}", headers={"X-Request-Id": "chosen-by-client"},
                            timeout=30) for n in range(4)]
    ids = [answer.headers["X-Request-Id"] for answer in answers]
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in ids) and len(set(ids)) == 4
    time.sleep(1.5)  # access lines are written as responses finish
    proxy = {line["request_id"]: line for line in _json_lines(logs / "nginx-access.log")}
    assert set(ids) <= set(proxy)
    assert len({proxy[rid]["upstream"] for rid in ids}) == 2          # both servers served
    app_lines = [line for n in (0, 1) for line in _json_lines(logs / f"app{n}.log")
                 if line["logger"] == "gunicorn.access"]
    assert set(ids) <= {line["request_id"] for line in app_lines}


def test_the_share_link_names_the_host_the_client_asked_for(proxied):
    base, _ = proxied
    browser = requests.Session()
    start = browser.get(f"{base}/practice/new?template=seed-2-2-2&seed=21", timeout=30).text
    action = re.search(r'<form method="post" action="([^"]+)"', start).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', start).group(1)
    page = browser.post(base + action.replace("&amp;", "&"), data={"csrf_token": token},
                        timeout=60)
    assert page.status_code == 200 and page.url.startswith(f"{base}/exercises/")
    link = re.search(r'id="share-link">([^<]+)<', page.text).group(1).replace("&amp;", "&")
    assert link == f"{base}/practice/new?template=seed-2-2-2&seed=21"
