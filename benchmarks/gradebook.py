"""The instructor's pages and exports at class scale: 1,000 students x 5 exercises.

    python benchmarks/gradebook.py [--database-url URL] [--class-size 1000] [--quick]

Publishes a 5-exercise set for the class (``publish.py``'s exercises), lets every student join,
grades one real attempt per exercise (the first student's, through ``submissions.submit``) and
copies its stored rows to every student's own variant, with a score that varies by student, so
the tables hold what a graded class holds (a submission and its field grades per student per
exercise). Then times, as the instructor's browser would fetch them: the gradebook's first page,
a sorted and filtered page, the statistics page, and each CSV export (rows a second, then the
Python heap's peak while it streams). Defaults to
a fresh SQLite file; a PostgreSQL URL must name an existing, empty or migrated database.
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from publish import ITEMS, SETTINGS, accounts  # noqa: E402
from sqlalchemy import func, insert, select, text, update  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

import tracer  # noqa: E402
from exercises import create_app, db, migrate, submissions  # noqa: E402
from exercises.exports import EXPORTS  # noqa: E402
from exercises.instructor import enrollment, pool, problem_sets, publishing  # noqa: E402
from exercises.models import Enrollment, Exercise, FieldGrade, ProblemSet, ProblemSetItem, Submission, User, new_id  # noqa: E402
from exercises.models.base import utcnow  # noqa: E402
from exercises.stored_lines import attempt_lines, field_symbols  # noqa: E402
from tracer.keys import parse_key  # noqa: E402


def graded_class(app, size: int) -> tuple[str, str]:
    """A published set with ``size`` students, each with one graded attempt per exercise;
    returns (set id, instructor email)."""
    owner = accounts(app, 1, role="instructor")[0]
    with app.app_context():
        email = db.session().get(User, owner).email
        problem_set = problem_sets.create_set(owner, {**SETTINGS, "pool_size": size,
                                                      "exam_mode": False})
        for template_id, knobs in ITEMS:
            problem_sets.add_item(problem_set.id, template_id, knobs)
        publishing.publish(problem_set.id)
    students = accounts(app, size)
    with app.app_context():
        sess = db.session()
        set_row = sess.get(ProblemSet, problem_set.id)
        enrollment.join(set_row, sess.get(User, students[0]))  # one join through the service
        items = [item.id for item in pool.set_items(problem_set.id)]
        taken = set(sess.scalars(select(Exercise.variant_index).where(
            Exercise.problem_set_id == problem_set.id, Exercise.user_id.is_not(None))))
        free = [i for i in range(size) if i not in taken]
    # the others enrolled in bulk, each given the next free variant of every exercise (joining
    # one by one is what publish.py measures)
    with app.app_context(), db.write_transaction() as sess:
        sess.execute(insert(Enrollment), [{"id": new_id(), "problem_set_id": problem_set.id,
                                           "user_id": user_id} for user_id in students[1:]])
        for user_id, index in zip(students[1:], free):
            sess.execute(update(Exercise).where(Exercise.item_id.in_(items),
                                                Exercise.variant_index == index)
                         .values(user_id=user_id, assigned_at=func.now()))
    grade_class(app, problem_set.id, students)
    return problem_set.id, email


def grade_class(app, set_id: str, students: list[str]) -> None:
    """One graded attempt per joined student per exercise: the first student's through
    ``submissions.submit``, copied (with a score that varies by student) to everyone else's
    own variant in bulk."""
    with app.app_context():
        sess = db.session()
        held = sess.execute(select(Exercise).join(ProblemSetItem)
                            .where(Exercise.problem_set_id == set_id,
                                   Exercise.user_id.is_not(None))
                            .order_by(ProblemSetItem.position)).scalars().all()
        first = {}
        for exercise in held:
            if exercise.user_id == students[0]:
                result = tracer.trace(exercise.spec)
                answers = {f["key"]: repr(result.value(*parse_key(f["key"])))
                           for f in exercise.fields}
                submissions.submit(exercise.id, answers, user_id=students[0])
                first[exercise.item_id] = sess.scalar(
                    select(Submission).where(Submission.exercise_id == exercise.id))
        subs, grades = [], []
        for n, exercise in enumerate(held):
            if exercise.user_id == students[0]:
                continue
            model = first[exercise.item_id]
            sub_id = new_id()
            wrong = n % len(model.grades)  # students differ in how many fields they got wrong
            mine = []
            for i, grade in enumerate(model.grades):
                mine.append({"submission_id": sub_id, "key": grade.key,
                             "position": grade.position, "submitted": grade.submitted,
                             "parsed": grade.parsed, "expected": grade.expected,
                             "status": "incorrect" if i < wrong else "correct",
                             "credit": 0.0 if i < wrong else 1.0,
                             # a name on one wrong answer of each attempt
                             "misconceptions": ["gradient_ascent"] if i == 0 < wrong else [],
                             "message": "", "message_parts": None,
                             "tolerance": grade.tolerance})
            created = utcnow()
            subs.append({"id": sub_id, "exercise_id": exercise.id, "user_id": exercise.user_id,
                         "attempt": 1, "answers": model.answers,
                         "score": model.max_score - wrong, "max_score": model.max_score,
                         "grading": model.grading, "created_at": created,
                         # stored with the grades, as submissions.submit stores them
                         "export_lines": attempt_lines(field_symbols(exercise.fields), mine, created)})
            grades += mine
    with app.app_context(), db.write_transaction() as sess:
        sess.execute(insert(Submission), subs)
        for start in range(0, len(grades), 20_000):
            sess.execute(insert(FieldGrade), grades[start:start + 20_000])
    if app.config["DATABASE_URL"].startswith("postgresql"):
        with app.app_context(), db.write_transaction() as sess:
            sess.execute(text("ANALYZE"))  # what autovacuum does after a bulk load


EXPORT_RUNS = 5  # each export is fetched this many times; the median is reported (this machine's
# speed swings from one second to the next)


def timed_get(client, url: str) -> tuple[float, int, int]:
    """Seconds to fetch ``url`` whole, its size in bytes and its CSV data rows."""
    began = time.perf_counter()
    response = client.get(url)
    body = response.get_data()
    seconds = time.perf_counter() - began
    assert response.status_code == 200, (url, response.status_code)
    return seconds, len(body), max(body.count(b"\n") - 1, 0)


def log_in(app, client, email: str) -> None:
    """Log ``client`` in as the account ``email`` (its password set to a known one first)."""
    with app.app_context(), db.write_transaction() as sess:
        owner = sess.scalar(select(User).where(User.email == email))
        owner.password_hash = generate_password_hash("benchmark-pass")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"email": email, "password": "benchmark-pass",
                                       "csrf_token": token}).status_code == 302


def instructor_pages(app, set_id: str, email: str) -> None:
    """Log in as the set's owner and print, as the instructor's browser fetches them, the
    gradebook's pages and the statistics page (best of 3 after a warm-up) and every CSV export
    (rows a second: the median of ``EXPORT_RUNS`` fetches, and the slowest and fastest). Every
    export is streamed by its route, however many rows: the app otherwise hands one over
    ``EXPORT_JOB_ROWS`` to a job that writes a file."""
    app.config["EXPORT_JOB_ROWS"] = 10**9
    client = app.test_client()
    log_in(app, client, email)
    base = f"/instructor/sets/{set_id}"
    pages = [("gradebook, page 1", f"{base}/gradebook"),
             ("gradebook, by total, in progress", f"{base}/gradebook?sort=total&order=desc"
                                                  "&filter=complete&page=2"),
             ("gradebook, search", f"{base}/gradebook?q=student9"),
             ("statistics", f"{base}/statistics")]
    for label, page in pages:
        timed_get(client, page)  # warm
        best = min(timed_get(client, page)[0] for _ in range(3))
        print(f"{label:<36}{best * 1000:.0f} ms (best of 3)")
    for name in EXPORTS:
        runs = sorted(timed_get(client, f"{base}/exports/{name}.csv") for _ in range(EXPORT_RUNS))
        seconds, size_bytes, rows = runs[len(runs) // 2]
        print(f"{'export ' + name:<36}{seconds:.2f} s, {rows} rows, "
              f"{rows / seconds:,.0f} rows/s, {size_bytes / 1e6:.1f} MB "
              f"(median of {len(runs)}; {rows / runs[-1][0]:,.0f} to {rows / runs[0][0]:,.0f} rows/s)")
    for name in EXPORTS:
        peak = streamed_peak(client, f"{base}/exports/{name}.csv")
        print(f"{'  ' + name + ': heap peak streaming':<36}{peak / 2**20:.1f} MiB")


def streamed_peak(client, url: str) -> int:
    """The Python heap's peak (tracemalloc) while ``url``'s body is read chunk by chunk and
    dropped, as a server streams it: what the export itself holds, not the file."""
    tracemalloc.start()
    try:
        response = client.get(url, buffered=False)
        assert response.status_code == 200, (url, response.status_code)
        for _chunk in response.response:
            pass
        response.close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--class-size", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="a class of 30 (for CI)")
    parser.add_argument("--reuse", action="store_true",
                        help="time the newest set already in the database (a PostgreSQL one "
                             "a previous run filled) instead of making one")
    args = parser.parse_args()
    size = 30 if args.quick else args.class_size
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/gradebook.sqlite3"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark-" * 4, "POOL_TOPUP": "off",
                          "RATELIMIT_ENABLED": False})
        began = time.perf_counter()
        if args.reuse:
            with app.app_context():
                newest = db.session().scalar(select(ProblemSet)
                                             .order_by(ProblemSet.created_at.desc()).limit(1))
                set_id, size = newest.id, db.session().scalar(
                    select(func.count()).select_from(Enrollment)
                    .where(Enrollment.problem_set_id == newest.id))
                email = db.session().get(User, newest.owner_id).email
        else:
            set_id, email = graded_class(app, size)
        setup = time.perf_counter() - began
        print(f"{'database':<36}{url.split(':', 1)[0]}")
        print(f"{'students x exercises':<36}{size} x {len(ITEMS)}")
        print(f"{'setup (publish, join, grade)':<36}{setup:.1f} s")
        instructor_pages(app, set_id, email)
        app.extensions["db_engine"].dispose()


if __name__ == "__main__":
    main()
