"""Attempt limits hold under concurrency: 30 simultaneous submissions through the set's
exercise page, each request in its own thread and app context, store exactly 3 attempts."""
from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from exercises import db
from exercises.models import Submission

from .conftest import build_set, csrf_token, join, login, make_user, variants_of

THREADS = 30


def test_thirty_simultaneous_submissions_with_three_attempts_store_exactly_three(app, instructor):
    set_id = build_set(app, instructor, pool_size=1, attempts=3)
    student = make_user(app, "s@example.com", "student")
    join(app, set_id, student)
    (variant,) = variants_of(app, set_id, student)
    first = app.test_client()
    login(first, "s@example.com")
    url = f"/sets/{set_id}/exercises/{variant.id}"
    token = csrf_token(first, url)
    cookie = first.get_cookie("session")
    answers = {f["key"]: "0.5" for f in variant.fields}
    start = threading.Barrier(THREADS)
    statuses: list[int] = []

    def submit():
        client = app.test_client()
        client.set_cookie("session", cookie.value)
        start.wait()
        statuses.append(client.post(url, data={**answers, "csrf_token": token}).status_code)

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(statuses) == {302: 3, 409: THREADS - 3}
    with app.app_context():
        attempts = db.session().scalars(select(Submission.attempt)
                                        .where(Submission.exercise_id == variant.id)).all()
        assert sorted(attempts) == [1, 2, 3]
        assert db.session().scalar(select(func.count()).select_from(Submission)) == 3
