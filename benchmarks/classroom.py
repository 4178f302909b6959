"""The instructor's pages for a class of 1,000 students x 5 exercises, as medians.

    python benchmarks/classroom.py [--database-url URL] [--class-size 1000] [--repeats 7]
                                   [--quick] [--reuse]

Builds the graded class of ``gradebook.py`` (rows inserted in bulk, one attempt per student per
exercise, a misconception on one wrong answer of each) unless ``--reuse`` times the newest set
already in the database. Then fetches each page as the instructor's browser would, ``--repeats``
times after one warm-up, and prints the median (and the range) per page: the gradebook (first
page, sorted and filtered, searched), the statistics page, one student's page and the set's
overview; then the gradebook again with the course tools at work: a late-penalty rule with every
attempt late (each one's penalty computed), and one exercise retired. The set is put back as it
was. The target: gradebook and statistics under 500 ms at 1,000 students on PostgreSQL.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gradebook import graded_class, log_in, timed_get  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from exercises import create_app, db, migrate  # noqa: E402
from exercises.models import Enrollment, Exercise, ProblemSet, ProblemSetItem, Submission, User  # noqa: E402

TARGET_MS = 500


def _newest(app) -> tuple[str, str, int]:
    with app.app_context():
        newest = db.session().scalar(select(ProblemSet).order_by(ProblemSet.created_at.desc())
                                     .limit(1))
        size = db.session().scalar(select(func.count()).select_from(Enrollment)
                                   .where(Enrollment.problem_set_id == newest.id))
        return newest.id, db.session().get(User, newest.owner_id).email, size


def _time(client, url: str, repeats: int) -> list[float]:
    timed_get(client, url)  # warm
    return [timed_get(client, url)[0] * 1000 for _ in range(repeats)]


def _course_tools(app, set_id: str, on: bool) -> None:
    """Every attempt late under a 10 %-a-day rule, and the last exercise retired (``on``), or
    the set as it was."""
    with app.app_context(), db.write_transaction() as sess:
        problem_set = sess.get(ProblemSet, set_id)
        first = sess.scalar(select(func.min(Submission.created_at))
                            .join(Exercise, Exercise.id == Submission.exercise_id)
                            .where(Exercise.problem_set_id == set_id))
        problem_set.late_per_day = 10.0 if on else None
        problem_set.late_cap = 50.0 if on else None
        problem_set.due_at = first - timedelta(hours=1) if on else None
        last = sess.scalar(select(ProblemSetItem).where(ProblemSetItem.problem_set_id == set_id)
                           .order_by(ProblemSetItem.position.desc()).limit(1))
        last.retired_at = first if on else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--class-size", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="a class of 30 (for CI)")
    parser.add_argument("--reuse", action="store_true",
                        help="time the newest set already in the database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/classroom.sqlite3"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark-" * 4,
                          "POOL_TOPUP": "off", "RATELIMIT_ENABLED": False})
        if args.reuse:
            set_id, email, size = _newest(app)
        else:
            size = 30 if args.quick else args.class_size
            set_id, email = graded_class(app, size)
        client = app.test_client()
        log_in(app, client, email)
        with app.app_context():
            student = db.session().scalar(select(Enrollment.user_id).where(
                Enrollment.problem_set_id == set_id).limit(1))
        base = f"/instructor/sets/{set_id}"
        pages = [("gradebook, page 1", f"{base}/gradebook"),
                 ("gradebook, by total, complete, p2",
                  f"{base}/gradebook?sort=total&order=desc&filter=complete&page=2"),
                 ("gradebook, search", f"{base}/gradebook?q=student9"),
                 ("statistics", f"{base}/statistics"),
                 ("one student", f"{base}/students/{student}"),
                 ("set overview", base)]
        rows = [(label, _time(client, page, args.repeats)) for label, page in pages]
        _course_tools(app, set_id, on=True)
        try:
            rows.append(("gradebook, all late + 1 retired",
                         _time(client, f"{base}/gradebook", args.repeats)))
            rows.append(("statistics, same", _time(client, f"{base}/statistics", args.repeats)))
        finally:
            _course_tools(app, set_id, on=False)
        print(f"database {url.split(':', 1)[0]}, {size} students x 5 exercises, "
              f"{args.repeats} requests each")
        print(f"{'page':<36}{'median ms':>10}{'min':>8}{'max':>8}  under {TARGET_MS} ms")
        for label, times in rows:
            median = statistics.median(times)
            print(f"{label:<36}{median:>10.0f}{min(times):>8.0f}{max(times):>8.0f}  "
                  f"{'yes' if median < TARGET_MS else 'NO'}")
        app.extensions["db_engine"].dispose()


if __name__ == "__main__":
    main()
