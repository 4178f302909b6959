"""A whole class joining a published set at the same moment: join latency on the write lock.

    python benchmarks/join.py [--database-url URL] [--class-size 300] [--quick]

Publishes a set of 5 exercises with a pool the size of the class (not timed: publishing is
``benchmarks/publish.py``'s subject), then lets every student join at once from 32 threads in
one process, as 32 gunicorn threads would, and prints the join latencies (median, p95, max)
and how long each join's write transaction held the lock. Top-ups are off, so a join only
claims variants.
Defaults to a fresh SQLite file; a PostgreSQL URL must name an existing database. On
PostgreSQL each thread gets its own connection (the pool sized to the threads, as a process
serving 32 threads at once would be configured); ``--default-pool`` keeps the app's default
2 + 3, made for gunicorn's 4 threads a worker, and then most of the p95 is the wait for a
connection.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from benchmarks.submit import _lock_timer  # noqa: E402
from exercises import create_app, db, migrate  # noqa: E402
from exercises.instructor import enrollment, problem_sets, publishing  # noqa: E402
from exercises.models import Exercise, ProblemSet, User, new_id  # noqa: E402

ITEMS = ("seed-2-2-2", "tanh-3-3-2", "relu-2-3-1", "softmax-3-4-3", "seed-2-2-2")
SETTINGS = {"title": "Join benchmark", "instructions": "", "attempts": 3, "due_at": None,
            "ecf_credit": 1.0, "feedback": True, "reveal": "after_attempts",
            "tolerance_mode": "relabs", "rtol": 1e-2, "atol": 0.0, "digits": None,
            "exam_mode": True}
THREADS = 32


def _users(app, count: int, role: str) -> list[str]:
    password = generate_password_hash("benchmark-password")
    rows = [{"id": new_id(), "email": f"{role}{n}-{new_id()}@example.com", "name": f"{role} {n}",
             "password_hash": password, "role": role} for n in range(count)]
    with app.app_context(), db.write_transaction() as sess:
        sess.execute(insert(User), rows)
    return [row["id"] for row in rows]


def _ms(values: list[float], share: float) -> float:
    return 1000 * values[int(share * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--class-size", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="a class of 30 (for CI)")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help="joining threads (1: what one join costs alone)")
    parser.add_argument("--default-pool", action="store_true",
                        help="on PostgreSQL, keep the app's default pool instead of one connection a thread")
    args = parser.parse_args()
    size = 30 if args.quick else args.class_size
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/join.sqlite3"
        migrate.upgrade(url)
        config = {"DATABASE_URL": url, "SECRET_KEY": "benchmark-" * 4, "POOL_TOPUP": "off",
                  "RATELIMIT_ENABLED": False}
        if url.startswith("postgresql") and "--default-pool" not in sys.argv:
            # a process serving this many threads at once is given a connection each, as the
            # README's sizing rule says; --default-pool keeps the app's 2 + 3 (made for 4 threads)
            config.update(DATABASE_POOL_SIZE=args.threads, DATABASE_MAX_OVERFLOW=0)
        app = create_app(config)
        print(f"{'connection pool':<36}{app.config['DATABASE_POOL_SIZE']} + "
              f"{app.config['DATABASE_MAX_OVERFLOW']}")
        owner = _users(app, 1, "instructor")[0]
        with app.app_context():
            problem_set = problem_sets.create_set(owner, {**SETTINGS, "pool_size": size})
            for template_id in ITEMS:
                problem_sets.add_item(problem_set.id, template_id, {})
            publishing.publish(problem_set.id)
        students = _users(app, size, "student")
        latencies: list[float] = []
        held = _lock_timer(app.extensions["db_engine"])

        def join(user_id: str) -> None:
            with app.app_context():
                sess = db.session()
                began = time.perf_counter()
                enrollment.join(sess.get(ProblemSet, problem_set.id), sess.get(User, user_id))
                latencies.append(time.perf_counter() - began)

        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as executor:
            list(executor.map(join, students))
        seconds = time.perf_counter() - started
        with app.app_context():
            claimed = db.session().scalar(select(func.count(Exercise.id)).where(
                Exercise.problem_set_id == problem_set.id, Exercise.user_id.is_not(None)))
        app.extensions["db_engine"].dispose()
    latencies.sort()
    print(f"{'database':<36}{url.split(':', 1)[0]}")
    print(f"{'students joining at once':<36}{size} ({args.threads} threads, {len(ITEMS)} exercises)")
    print(f"{'all joins done in':<36}{seconds:.2f} s")
    print(f"{'join latency median / p95 / max':<36}{statistics.median(latencies) * 1000:.0f} / "
          f"{_ms(latencies, 0.95):.0f} / {_ms(latencies, 1.0):.0f} ms")
    held.sort()
    print(f"{'write transaction median / p95':<36}{statistics.median(held):.1f} / "
          f"{held[int(0.95 * (len(held) - 1))]:.1f} ms (BEGIN to COMMIT)")
    print(f"{'variants handed out':<36}{claimed} of {size * len(ITEMS)}")
    if claimed != size * len(ITEMS):
        sys.exit(1)


if __name__ == "__main__":
    main()
