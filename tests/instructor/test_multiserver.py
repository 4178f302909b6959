"""Several servers, as the README deploys them: two gunicorn servers of the app on loopback, one
job worker (``flask worker``), PostgreSQL and Redis, with every step alternating between the
two servers as a load balancer would.

Runs on a database of its own (created on ``TEST_POSTGRES_URL``'s server, dropped after) and
the queue in ``TEST_REDIS_URL``. Skips without PostgreSQL, Redis or gunicorn, except under
``CI=true``, where it fails instead.
"""
from __future__ import annotations

import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, build_opener

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from exercises import accounts, create_app, db, migrate
from exercises.models import Enrollment, Exercise, Job, ProblemSet, Submission, User

from ..conftest import IN_CI

# PostgreSQL and Redis whichever database the suite runs on: CI runs it in its first pass only.
pytestmark = pytest.mark.single_pass

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "multiserver-test-secret-key-of-48-characters-long"
PASSWORD = "correct horse battery"
STALE_SECONDS = 8
LOGS = ROOT / "test-artifacts" / "multiserver"  # each process's output, to read on a failure
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
SET_FORM = {"title": "Multi-server", "instructions": "", "attempts": "3", "ecf_credit": "1",
            "feedback": "y", "reveal": "after_attempts", "tolerance_mode": "relabs",
            "rtol": "0.01", "atol": "0", "lock_trace_tool": "y"}
ITEMS = ("seed-2-2-2", "tanh-3-3-2", "relu-2-3-1")


class _Stay(HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # show the 302 itself: the next request goes to the other server


class Browser:
    """One person's cookies, sending each request to the server it is told to."""

    def __init__(self):
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _Stay())

    def request(self, url: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, body, Location) of a GET, or of a POST of ``data``."""
        body = urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=120) as response:
                return response.status, response.read().decode(), ""
        except HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            with error:
                return error.code, error.read().decode(), error.headers.get("Location", "")

    def form(self, page_url: str, url: str, data: dict) -> tuple[int, str, str]:
        """POST ``data`` to ``url`` with the CSRF token of the form on ``page_url``."""
        status, page, _ = self.request(page_url)
        assert status == 200, (page_url, status)
        return self.request(url, {**data, "csrf_token": html.unescape(CSRF.search(page)[1])})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(server: str) -> bool:
    try:
        return Browser().request(server + "/healthz")[0] == 200
    except URLError:
        return False


def _redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/10")
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis at {url} does not answer under CI=true: {exc}")
        pytest.skip(f"no Redis at {url}")
    return url


@pytest.fixture
def cluster(postgres_url):
    """Two app servers and a worker on a fresh database; yields a dict of their parts."""
    redis_url = _redis_url()
    if not (BIN / "gunicorn").exists():
        if IN_CI:
            pytest.fail("gunicorn is missing under CI=true")
        pytest.skip("gunicorn is not installed")
    name = f"bl_multi_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "REDIS_URL": redis_url,
           "RATELIMIT_ENABLED": "0", "JOBS_STALE_SECONDS": str(STALE_SECONDS),
           "POOL_TOPUP": "queue"}
    processes: dict[str, subprocess.Popen] = {}
    LOGS.mkdir(parents=True, exist_ok=True)

    def spawn(label: str, args: list[str]) -> subprocess.Popen:
        with open(LOGS / f"{label}.log", "ab") as out:
            processes[label] = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out,
                                                stderr=subprocess.STDOUT)
        return processes[label]

    def start_worker() -> subprocess.Popen:
        return spawn("worker", [sys.executable, "-m", "flask", "--app", "wsgi", "worker",
                                "--threads", "2"])

    app = None
    try:  # everything started is stopped, however far the start got
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "REDIS_URL": redis_url})
        with app.app_context():
            accounts.create_user(email="teacher@example.com", name="Ada Teacher",
                                 password=PASSWORD, role="instructor")
        servers = []
        for label in ("a", "b"):
            port = _free_port()
            spawn(label, [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers",
                          "2", "--threads", "4", "--timeout", "120", "wsgi:app"])
            servers.append(f"http://127.0.0.1:{port}")
        start_worker()
        deadline = time.monotonic() + 120
        for server in servers:
            while not _answers(server):
                assert time.monotonic() < deadline, f"{server} did not start"
                time.sleep(0.2)
        yield {"servers": servers, "app": app, "start_worker": start_worker,
               "processes": processes}
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if app is not None:
            app.extensions["db_engine"].dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _make_set(teacher: Browser, servers: list[str], pool_size: int) -> str:
    """A draft of ``ITEMS`` built through both servers; returns its id."""
    a, b = servers
    status, _, location = teacher.form(a + "/instructor/sets/new", b + "/instructor/sets/new",
                                       {**SET_FORM, "pool_size": str(pool_size)})
    assert status == 302, status
    set_id = location.rstrip("/").rsplit("/", 1)[1]
    for n, template_id in enumerate(ITEMS):
        first, second = (a, b) if n % 2 else (b, a)
        status, _, _ = teacher.form(f"{first}/instructor/sets/{set_id}",
                                    f"{second}/instructor/sets/{set_id}/items",
                                    {"template_id": template_id})
        assert status == 302
    return set_id


def _publish(teacher: Browser, servers: list[str], set_id: str) -> str:
    """Publish through server a; returns the job's progress URL (read from server b)."""
    a, b = servers
    status, _, _ = teacher.form(f"{b}/instructor/sets/{set_id}",
                                f"{a}/instructor/sets/{set_id}/publish", {})
    assert status == 302
    status, page, _ = teacher.request(f"{b}/instructor/sets/{set_id}")
    return b + re.search(r'data-progress-url="([^"]+)"', page)[1]


def _watch(teacher: Browser, progress_url: str, until, timeout: float = 900) -> list[dict]:
    """Poll a job's progress until ``until(state)``; returns every state seen."""
    seen, deadline = [], time.monotonic() + timeout
    while True:
        status, body, _ = teacher.request(progress_url)
        assert status == 200
        seen.append(json.loads(body))
        if until(seen[-1]):
            return seen
        assert time.monotonic() < deadline, seen[-1]
        time.sleep(0.05)


def _pools(app, set_id: str) -> dict[str, list[int]]:
    with app.app_context():
        rows = db.session().execute(select(Exercise.item_id, Exercise.variant_index)
                                    .where(Exercise.problem_set_id == set_id)).all()
        db.session().rollback()
    found: dict[str, list[int]] = {}
    for item_id, index in rows:
        found.setdefault(item_id, []).append(index)
    return {item_id: sorted(indices) for item_id, indices in found.items()}


def test_two_servers_one_worker_postgresql_and_redis(cluster):
    servers, app = cluster["servers"], cluster["app"]
    a, b = servers

    # Signs in on one server and continues on the other.
    teacher = Browser()
    status, _, _ = teacher.form(a + "/login", a + "/login",
                                {"email": "teacher@example.com", "password": PASSWORD})
    assert status == 302
    status, page, _ = teacher.request(b + "/instructor/")
    assert status == 200 and "Ada Teacher" in page

    # Publishes a 200-student set and watches its job to the end from the other server.
    set_id = _make_set(teacher, servers, 200)
    seen = _watch(teacher, _publish(teacher, servers, set_id), lambda s: not s["active"])
    assert seen[-1]["state"] == "done" and seen[-1]["done"] == seen[-1]["total"] == 600
    assert seen[-1]["message"] == "Published: 600 variants are ready for your students."
    done = [s["done"] for s in seen]
    assert done == sorted(done) and any(0 < n < 600 for n in done), done
    with app.app_context():
        code = db.session().get(ProblemSet, set_id).join_code

    # 200 students join, 20 at a time, each making an account on one server and joining
    # through the other.
    def join(n: int) -> tuple[int, str]:
        student, first, second = Browser(), servers[n % 2], servers[1 - n % 2]
        status, _, location = student.form(
            f"{first}/join/{code}", f"{second}/join/{code}/signup",
            {"name": f"Student {n:03d}", "email": f"s{n:03d}@example.com", "password": PASSWORD})
        return status, location

    with ThreadPoolExecutor(20) as pool:
        joined = list(pool.map(join, range(200)))
    assert all(status == 302 and location.endswith(f"/sets/{set_id}")
               for status, location in joined), joined[:3]
    with app.app_context():
        sess = db.session()
        assert sess.scalar(select(func.count(Enrollment.id))
                           .where(Enrollment.problem_set_id == set_id)) == 200
        held = sess.execute(select(Exercise.user_id, func.count(Exercise.id))
                            .where(Exercise.problem_set_id == set_id,
                                   Exercise.user_id.is_not(None))
                            .group_by(Exercise.user_id)).all()
        sess.rollback()
    assert len(held) == 200 and {count for _user, count in held} == {3}

    # One exercise, 30 submissions at once across both servers, 3 attempts allowed.
    student = Browser()
    status, _, _ = student.form(a + "/login", b + "/login",
                                {"email": "s000@example.com", "password": PASSWORD})
    assert status == 302
    with app.app_context():
        variant_id, fields = db.session().execute(
            select(Exercise.id, Exercise.fields).join(User, User.id == Exercise.user_id)
            .where(User.email == "s000@example.com", Exercise.problem_set_id == set_id)
            .limit(1)).one()
        db.session().rollback()
    url = f"/sets/{set_id}/exercises/{variant_id}"
    _, page, _ = student.request(a + url)
    token = html.unescape(CSRF.search(page)[1])
    answers = {field["key"]: "0.5" for field in fields}

    def submit(n: int) -> int:
        return student.request(servers[n % 2] + url, {**answers, "csrf_token": token})[0]

    with ThreadPoolExecutor(30) as pool:
        statuses = sorted(pool.map(submit, range(30)))
    with app.app_context():
        attempts = db.session().scalars(select(Submission.attempt)
                                        .where(Submission.exercise_id == variant_id)).all()
        db.session().rollback()
    assert sorted(attempts) == [1, 2, 3]
    assert statuses == [302] * 3 + [409] * 27

    # The worker is killed (kill -9) in the middle of a publish, started again, and the pools
    # end complete and not doubled.
    big = _make_set(teacher, servers, 700)
    progress_url = _publish(teacher, servers, big)
    before = _watch(teacher, progress_url, lambda s: s["done"] >= 200)[-1]
    assert before["state"] == "running" and before["done"] < before["total"] == 2100
    cluster["processes"]["worker"].send_signal(signal.SIGKILL)
    cluster["processes"]["worker"].wait()
    time.sleep(1)
    stopped = _watch(teacher, progress_url, lambda s: True)[-1]
    time.sleep(STALE_SECONDS + 1)
    assert _watch(teacher, progress_url, lambda s: True)[-1]["done"] == stopped["done"] < 2100
    cluster["start_worker"]()
    seen = _watch(teacher, progress_url, lambda s: not s["active"])
    assert seen[-1]["state"] == "done" and seen[-1]["done"] == 2100
    assert list(_pools(app, big).values()) == [list(range(700))] * 3
    with app.app_context():
        runs, result = db.session().execute(select(Job.runs, Job.result).where(
            Job.target == big, Job.kind == "publish")).one()
        db.session().rollback()
    assert runs == 2 and result == {"variants": 2100}
