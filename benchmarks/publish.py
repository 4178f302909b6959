"""Publish a set of 5 exercises for a class through the job queue, then let the whole class
join at once.

    python benchmarks/publish.py [--database-url URL] [--redis-url URL] [--class-size 1000]
                                 [--quick]

Then grades one attempt per student per exercise (in bulk, as ``gradebook.py`` does) and times
the instructor's pages (gradebook, statistics) and every CSV export of the same set (issue 13:
pages under 500 ms, exports at 200,000 rows a second at 1,000 students on PostgreSQL).

Prints how long the instructor's publish request takes (it only queues the job), how long the
job takes (generating, tracing and storing every variant, chunk by chunk) and how fast the
progress route answers meanwhile, then how long the joins take when every student joins at the
same moment (one thread each, a few dozen at a time), and checks that every student holds
distinct variants and that no join generated anything. The job runs on the app's own consumer
thread, as with the default SQLite queue (in a temporary folder; ``--redis-url`` puts the queue
in Redis instead). Defaults to a fresh SQLite file; a PostgreSQL URL must name an existing
database, empty or already migrated.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from exercises import create_app, db, jobs, migrate  # noqa: E402
from exercises.instructor import enrollment, pool, problem_sets, variants  # noqa: E402
from exercises.jobs import queue  # noqa: E402
from exercises.models import Exercise, ProblemSet, TraceValue, User, new_id  # noqa: E402

ITEMS = (("seed-2-2-2", {}), ("tanh-3-3-2", {}), ("relu-2-3-1", {}), ("softmax-3-4-3", {}),
         ("seed-2-2-2", {"ask": ["delta", "dL_dw"], "learning_rate": 0.25}))
SETTINGS = {"title": "Benchmark exam", "instructions": "", "attempts": 3, "due_at": None,
            "ecf_credit": 1.0, "feedback": True, "reveal": "after_attempts",
            "tolerance_mode": "relabs", "rtol": 1e-2, "atol": 0.0, "digits": None,
            "exam_mode": True}
# joining threads; the pool gives each its own connection, and two more for the job and its
# heartbeat (the app's default 2 + 3 is sized for gunicorn's 4 threads a worker: 12 threads
# queueing for 5 connections made one join wait 5 s)
JOIN_THREADS = 12
PASSWORD = "benchmark-password"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def count_generation() -> list[str]:
    """Wrap the entry point of all variant generation to record every thread that calls it."""
    calls: list[str] = []
    original = variants.generate_jobs

    def counting(*args, **kwargs):
        calls.append(threading.current_thread().name)
        return original(*args, **kwargs)
    variants.generate_jobs = counting
    return calls


def timed(module, name: str, spent: list[float]) -> None:
    """Wrap ``module.name`` so that the seconds each call takes are added to ``spent``."""
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - began)
    setattr(module, name, wrapper)


def accounts(app, count: int, role: str = "student") -> list[str]:
    """Insert ``count`` accounts in one statement (one password hash for all)."""
    password = generate_password_hash(PASSWORD)
    rows = [{"id": new_id(), "email": f"{role}{n}-{new_id()}@example.com".lower(),
             "name": f"Student {n}", "password_hash": password, "role": role}
            for n in range(count)]
    with app.app_context(), db.write_transaction() as sess:
        sess.execute(insert(User), rows)
    return [row["id"] for row in rows]


def csrf(client, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    return CSRF.search(client.get(url).get_data(as_text=True))[1]


def publish_through_queue(app, set_id: str, email: str) -> dict:
    """The instructor's publish request, timed, then the job followed through its progress
    route to the end; returns the timings."""
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD,
                                "csrf_token": csrf(client, "/login")})
    token = csrf(client, f"/instructor/sets/{set_id}")
    began = time.perf_counter()
    response = client.post(f"/instructor/sets/{set_id}/publish", data={"csrf_token": token})
    request_seconds = time.perf_counter() - began
    assert response.status_code == 302, response.status_code
    with app.app_context():
        job_id = jobs.latest(set_id, "publish").id
    polls: list[float] = []
    while True:
        began = time.perf_counter()
        state = client.get(f"/instructor/jobs/{job_id}/progress").get_json()
        polls.append(time.perf_counter() - began)
        if not state["active"]:
            break
        time.sleep(0.2)
    with app.app_context():
        job = jobs.latest(set_id, "publish")
        job_seconds = (job.finished_at - job.created_at).total_seconds()
    assert state["state"] == "done", state
    polls.sort()
    return {"request": request_seconds, "job": job_seconds, "variants": state["done"],
            "polls": polls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--class-size", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="a class of 30 (for CI)")
    args = parser.parse_args()
    size = 30 if args.quick else args.class_size
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/publish.sqlite3"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark-secret-key-32-bytes-long",
                          "POOL_TOPUP": "off", "RATELIMIT_ENABLED": False,
                          "JOBS_IMMEDIATE": False, "REDIS_URL": args.redis_url,
                          "JOBS_SQLITE_FILE": f"{folder}/jobs.sqlite3",
                          "DATABASE_POOL_SIZE": JOIN_THREADS + 2, "DATABASE_MAX_OVERFLOW": 0})
        owner = accounts(app, 1, role="instructor")[0]
        with app.app_context():
            email = db.session().get(User, owner).email
            problem_set = problem_sets.create_set(owner, {**SETTINGS, "pool_size": size})
            for template_id, knobs in ITEMS:
                problem_sets.add_item(problem_set.id, template_id, knobs)
        generating: list[float] = []
        storing: list[float] = []
        timed(variants, "generate_jobs", generating)
        timed(pool, "store_variants", storing)
        queue.start_consumer_thread(app.extensions["jobs"])
        published = publish_through_queue(app, problem_set.id, email)
        count = published["variants"]
        with app.app_context():
            values = db.session().scalar(select(func.count()).select_from(TraceValue))
        print(f"{'database':<36}{url.split(':', 1)[0]}")
        print(f"{'exercises x class size':<36}{len(ITEMS)} x {size}")
        kind = "Redis" if args.redis_url else "SQLite"
        print(f"{'job queue':<36}{kind} (the app's consumer thread)")
        print(f"{'variants stored':<36}{count}")
        print(f"{'trace values stored':<36}{values}")
        print(f"{'publish request (queues the job)':<36}{published['request'] * 1000:.0f} ms")
        fast = published["request"] < 0.2
        print(f"{'  under 200 ms':<36}{'yes' if fast else 'NO'}")
        print(f"{'publish job (generate+trace+store)':<36}{published['job']:.2f} s")
        print(f"{'  generating and tracing':<36}{sum(generating):.2f} s "
              f"({1000 * sum(generating) / count:.1f} ms a variant)")
        print(f"{'  storing (chunks of ' + str(pool.CHUNK) + ')':<36}{sum(storing):.2f} s")
        polls = published["polls"]
        print(f"{'progress polls median / max':<36}{statistics.median(polls) * 1000:.0f} / "
              f"{polls[-1] * 1000:.0f} ms ({len(polls)} polls)")
        sys.stdout.flush()
        class_ids = accounts(app, size)
        calls = count_generation()
        latencies: list[float] = []

        def join(user_id: str) -> None:
            with app.app_context():
                sess = db.session()
                began = time.perf_counter()
                enrollment.join(sess.get(ProblemSet, problem_set.id), sess.get(User, user_id))
                latencies.append(time.perf_counter() - began)

        started = time.perf_counter()
        with ThreadPoolExecutor(JOIN_THREADS, thread_name_prefix="join") as executor:
            list(executor.map(join, class_ids))
        join_seconds = time.perf_counter() - started
        with app.app_context():
            held = db.session().execute(
                select(Exercise.user_id, func.count(Exercise.id), func.count(Exercise.item_id
                                                                             .distinct()))
                .where(Exercise.problem_set_id == problem_set.id, Exercise.user_id.is_not(None))
                .group_by(Exercise.user_id)).all()
            seeds = db.session().scalar(
                select(func.count()).select_from(
                    select(Exercise.item_id, Exercise.seed).distinct()
                    .where(Exercise.problem_set_id == problem_set.id,
                           Exercise.user_id.is_not(None)).subquery()))
        complete = len(held) == size and all(n == len(ITEMS) == items for _u, n, items in held)
        distinct = seeds == size * len(ITEMS)
        latencies.sort()
        print(f"{'students joining at once':<36}{size} ({JOIN_THREADS} threads)")
        print(f"{'all joins done in':<36}{join_seconds:.2f} s")
        print(f"{'join latency median / p95 / max':<36}{statistics.median(latencies) * 1000:.0f} / "
              f"{latencies[int(0.95 * (len(latencies) - 1))] * 1000:.0f} / "
              f"{latencies[-1] * 1000:.0f} ms")
        print(f"{'every student has 5 own variants':<36}{'yes' if complete else 'NO'}")
        print(f"{'no two students share a variant':<36}{'yes' if distinct else 'NO'}")
        print(f"{'generation calls during joins':<36}{len(calls)}")
        # the class at work: one graded attempt per student per exercise, then the instructor's
        # pages and every export of the same set (gradebook.py's, which builds on this module)
        from gradebook import grade_class, instructor_pages
        began = time.perf_counter()
        grade_class(app, problem_set.id, class_ids)
        print(f"{'grading the class (bulk)':<36}{time.perf_counter() - began:.1f} s")
        instructor_pages(app, problem_set.id, email)
        app.extensions["db_engine"].dispose()
    if not complete or not distinct or calls or not fast:
        sys.exit(1)


if __name__ == "__main__":
    main()
