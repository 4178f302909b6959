"""One submission to a seed-template (2-2-2) practice exercise, every field wrong, in process on
a fresh SQLite database: where the time goes. Run: ``python benchmarks/submit.py [--quick]``.

Rows: grading alone (``grade_submission`` on the stored exercise); ``submissions.submit`` in an
app context (read, grade, lock, count, insert, commit); the same through ``POST /api/v1/
exercises/<id>/submissions`` with the test client; and how long each submission holds the
write lock (BEGIN IMMEDIATE to COMMIT, timed by engine events), which is what concurrent
submissions queue for. Figures are median and 95th percentile milliseconds of wall time, and
the median CPU milliseconds of this process (the machine may be shared: CPU time is what the
work costs, wall time what a caller waits). ``--profile`` prints cProfile's top functions of
the in-process rows.
"""
import argparse
import cProfile
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from benchmarks.grading import _all_wrong  # noqa: E402
from exercises import create_app, db, migrate, submissions  # noqa: E402
from exercises.grading import grade_submission  # noqa: E402
from exercises.models import Exercise  # noqa: E402


def _timed(calls):
    """Median and p95 wall ms, median CPU ms, of calling each of ``calls``."""
    walls, cpus = [], []
    for call in calls:
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    walls.sort()
    return statistics.median(walls), walls[int(0.95 * (len(walls) - 1))], statistics.median(cpus)


def _lock_timer(engine):
    """Record the milliseconds from each write transaction's BEGIN to its COMMIT."""
    held, began = [], {}

    @event.listens_for(engine, "begin")
    def _begin(conn):
        began[id(conn)] = time.perf_counter()

    @event.listens_for(engine, "commit")
    def _commit(conn):
        if id(conn) in began:
            held.append((time.perf_counter() - began.pop(id(conn))) * 1000)

    @event.listens_for(engine, "rollback")
    def _rollback(conn):
        began.pop(id(conn), None)
    return held


def main(argv=None):
    """Print where one submission's time goes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few submissions (CI)")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    args = parser.parse_args(argv)
    count = 10 if args.quick else 100
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" * 8, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    created = client.post("/api/v1/practice", json={"seed": 1}).get_json()
    keys = [field["key"] for field in created["fields"]]
    headers = {"Authorization": f"Bearer {created['token']}"}
    path = f"/api/v1/exercises/{created['id']}/submissions"
    rng = random.Random(7)
    answers = [_all_wrong(created["network"], keys, rng) for _ in range(3 * count + 1)]
    profile = cProfile.Profile()
    with app.app_context():
        exercise = db.session().get(Exercise, created["id"])
        settings = submissions.GradingSettings.of(exercise.settings)
        symbols = {field["key"]: field["symbol"] for field in exercise.fields}
        grade_submission(exercise.spec, keys, answers[0], settings, symbols=symbols)  # warm up
        grading = _timed(lambda a=a: grade_submission(exercise.spec, keys, a, settings,
                                                      symbols=symbols)
                         for a in answers[1:count + 1])
        held = _lock_timer(db.engine())
        commits = len(held)
        if args.profile:
            profile.enable()
        in_process = _timed(lambda a=a: submissions.submit(created["id"], a)
                            for a in answers[count + 1:2 * count + 1])
        profile.disable()
        per_submission = (len(held) - commits) / count
    held.clear()
    api = _timed(lambda a=a: _post(client, path, headers, a) for a in answers[2 * count + 1:])
    held.sort()
    print(f"{'one submission, seed 2-2-2, all 16 fields wrong':<52} {'wall ms':>8} {'p95 ms':>8} "
          f"{'CPU ms':>8}")
    for label, row in (("grading alone", grading), ("submissions.submit, in process", in_process),
                       ("through the API (test client)", api)):
        print(f"{label:<52} {row[0]:>8.1f} {row[1]:>8.1f} {row[2]:>8.1f}")
    print(f"{'write lock held (BEGIN IMMEDIATE to COMMIT)':<52} {statistics.median(held):>8.1f} "
          f"{held[int(0.95 * (len(held) - 1))]:>8.1f}")
    print(f"commits per submission: {per_submission:g}")
    if args.profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


def _post(client, path, headers, answers):
    response = client.post(path, headers=headers, json={"answers": answers})
    if response.status_code != 201:
        raise SystemExit(f"submission failed: {response.get_json()}")


if __name__ == "__main__":
    main()
