"""Export the stored traces of a published set, for a class and a class ten times larger:
rows per second and peak memory of the traces.csv export (issue 13/18: ≥ 200,000 rows/s,
flat memory).

    python benchmarks/exports.py [--database-url URL] [--class-size 40] [--quick]

Publishes a set of the five exercises of ``benchmarks/publish.py`` with a pool the size of the
class (every variant's trace is stored and exported, joined or not), then streams the traces
export into a file: wall-clock rows per second (best of three), the Python heap's peak
(tracemalloc, a fourth run) and the process's peak RSS growth. Defaults to a fresh SQLite file; a PostgreSQL
URL must name an existing database, empty or already migrated (a set is added each run).
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exercises import create_app, db, exports, migrate  # noqa: E402
from exercises.instructor import problem_sets, publishing  # noqa: E402
from exercises.models import ProblemSet, User  # noqa: E402

ITEMS = (("seed-2-2-2", {}), ("tanh-3-3-2", {}), ("relu-2-3-1", {}), ("softmax-3-4-3", {}),
         ("seed-2-2-2", {"ask": ["delta", "dL_dw"], "learning_rate": 0.25}))
SETTINGS = {"title": "Export benchmark", "instructions": "", "attempts": 3, "due_at": None,
            "ecf_credit": 1.0, "feedback": True, "reveal": "after_attempts",
            "tolerance_mode": "relabs", "rtol": 1e-2, "atol": 0.0, "digits": None,
            "exam_mode": False}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def published_set(app, size: int) -> str:
    """A published set whose pools hold ``size`` variants of each of the five exercises."""
    with app.app_context():
        with db.write_transaction() as sess:
            owner = User(email=f"owner-{time.time_ns()}@example.com", name="Owner",
                         role="instructor", password_hash="x")
            sess.add(owner)
        problem_set = problem_sets.create_set(owner.id, {**SETTINGS, "pool_size": size})
        for template_id, knobs in ITEMS:
            problem_sets.add_item(problem_set.id, template_id, knobs)
        publishing.publish(problem_set.id)
        engine = db.engine()
        if engine.dialect.name == "postgresql":
            # what autovacuum does within a minute of a bulk load: without fresh statistics the
            # planner reads a batch's values by a sequential scan of the whole table
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE trace_values, traces, exercises")
        return problem_set.id


def stream(app, set_id: str, name: str) -> tuple[int, int]:
    """Write one export into a file; (rows, characters)."""
    with app.app_context():
        problem_set = db.session().get(ProblemSet, set_id)
        size = lines = 0
        with open(Path(tempfile.mkdtemp()) / f"{name}.csv", "w", encoding="utf-8") as out:
            for chunk in exports.export_lines(problem_set, name):
                out.write(chunk)
                size += len(chunk)
                lines += chunk.count("\n")
    return lines - 1, size


def measure(app, set_id: str, name: str = "traces") -> dict:
    """Rows per second (best of three, wall clock), then the Python heap's peak in a fourth
    run under tracemalloc (which slows it), and the process's peak RSS growth."""
    rss_before = peak_rss_mib()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        rows, size = stream(app, set_id, name)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    stream(app, set_id, name)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rows": rows, "seconds": best, "rate": rows / best, "heap_mib": peak / 2**20,
            "rss_growth_mib": peak_rss_mib() - rss_before, "mib": size / 2**20}


def render_rate(app, set_id: str) -> float:
    """Rows per second of tracing and rendering the same variants' rows in full, with no
    database reads and no CSV (best of three): what the export cost before it rendered the
    symbol and formula columns once per structure (``tracer.skeleton``)."""
    from sqlalchemy import select

    import tracer
    from exercises.models import Exercise, StoredTrace
    with app.app_context():
        specs = db.session().scalars(select(StoredTrace.spec).join(Exercise, Exercise.id == StoredTrace.exercise_id)
                                     .where(Exercise.problem_set_id == set_id)).all()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        rows = sum(sum(1 for _ in tracer.trace(spec).row_tuples()) for spec in specs)
        best = min(best, time.perf_counter() - start)
    return rows / best


def run(url: str | None, size: int) -> list[tuple[int, dict]]:
    """The traces export of a class of ``size`` and of ``10 × size``."""
    with tempfile.TemporaryDirectory() as folder:
        url = url or f"sqlite:///{folder}/exports.sqlite3"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark-secret-key-32-bytes-long",
                          "POOL_TOPUP": "off", "RATELIMIT_ENABLED": False,
                          "JOBS_IMMEDIATE": True, "JOBS_SQLITE_FILE": f"{folder}/jobs.sqlite3"})
        results = []
        for students in (size, 10 * size):
            set_id = published_set(app, students)
            results.append((students, {**measure(app, set_id),
                                       "render": render_rate(app, set_id)}))
        app.extensions["db_engine"].dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--class-size", type=int, default=40)
    parser.add_argument("--quick", action="store_true", help="classes of 10 and 100")
    args = parser.parse_args()
    size = 10 if args.quick else args.class_size
    url = args.database_url
    print(f"database: {(url or 'sqlite').split(':', 1)[0]}; traces.csv of 5 exercises x class")
    print(f"{'class':>6}{'rows':>10}{'seconds':>9}{'rows/s':>11}{'heap peak':>12}"
          f"{'RSS growth':>12}{'CSV':>9}")
    run_results = run(url, size)
    for students, m in run_results:
        print(f"{students:>6}{m['rows']:>10,}{m['seconds']:>9.2f}{m['rate']:>11,.0f}"
              f"{m['heap_mib']:>9.1f} MiB{m['rss_growth_mib']:>8.1f} MiB{m['mib']:>5.1f} MiB")
    for students, m in run_results:
        print(f"class {students}: tracing and rendering every row in full (no database, no "
              f"CSV; the export renders symbols and formulas once per structure): "
              f"{m['render']:,.0f} rows/s")


if __name__ == "__main__":
    main()
