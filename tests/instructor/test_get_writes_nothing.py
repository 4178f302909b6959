"""No write on a GET (issue 11): every GET route of the app, opened by a logged-in student and by
the set's instructor on seeded sets (a joined student with a graded attempt, a practice
exercise, a done export job; and a timed set the student has not started), leaves every row of every table as it was.

Routes come from the app's url_map, their path parameters from the scene, so a new GET route is
covered the day it is added; a route whose parameters the scene cannot fill fails the test
until ``PARAMETERS`` learns them.

Known GET writes kept on purpose, outside this guard because the scene's cookie clients never
reach them: ``GET /api/v1/exercises/<id>/solution`` marks a practice exercise revealed (the
API's contract, SPEC §8, for a bearer-token caller), and ``GET /lti/login`` stores the OIDC
login's nonce and state (LTI 1.3 lets a platform start its login with a GET).
"""
from __future__ import annotations

import hashlib
import re

from sqlalchemy import inspect, select, table, text

from exercises import db, exports, jobs, submissions
from exercises.models import ProblemSet, ProblemSetItem, Submission

from .conftest import build_set, join, login, make_user, true_answers, variants_of

PARAMETERS = ("set_id", "exercise_id", "item_id", "index", "user_id", "submission_id", "job_id",
              "name", "code")


def _snapshot(app) -> dict[str, str]:
    """Every table's rows, as a digest per table (a changed, added or deleted row changes it)."""
    with app.app_context():
        sess = db.session()
        engine = sess.get_bind()
        digests = {}
        for name in sorted(inspect(engine).get_table_names()):
            rows = sess.execute(select(text("*")).select_from(table(name))).all()
            digests[name] = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
        sess.rollback()
        return digests


def _scene(app, client, instructor) -> dict:
    set_id = build_set(app, instructor, items=(("seed-2-2-2", {}), ("tanh-3-3-2", {})),
                       pool_size=3, attempts=3, reveal="always")
    ann = make_user(app, "ann@example.com", "student", "Ann")
    join(app, set_id, ann)
    first, *_rest = variants_of(app, set_id, ann)
    with app.app_context():
        submissions.submit(first.id, true_answers(first), user_id=ann)
        graded = db.session().scalar(select(Submission.id).where(Submission.exercise_id == first.id))
        job = jobs.start("export", set_id, {"name": next(iter(exports.EXPORTS)), "bom": False},
                         created_by=instructor)
        problem_set = db.session().get(ProblemSet, set_id)
        item = db.session().scalar(select(ProblemSetItem).where(
            ProblemSetItem.problem_set_id == set_id).order_by(ProblemSetItem.position))
        scene = {"set_id": set_id, "variant": first.id, "item_id": item.id, "index": 0,
                 "user_id": ann, "submission_id": graded, "job_id": job.id,
                 "name": next(iter(exports.EXPORTS)), "code": problem_set.join_code}
    # a timed set the student joined but has not started: opening it must not start the clock
    timed = build_set(app, instructor, pool_size=2)
    with app.app_context(), db.write_transaction() as sess:
        sess.get(ProblemSet, timed).time_limit = 30
    join(app, timed, ann)
    (waiting,) = variants_of(app, timed, ann)
    with app.app_context():
        timed_item = db.session().scalar(select(ProblemSetItem.id).where(
            ProblemSetItem.problem_set_id == timed))
        scene["timed"] = {**scene, "set_id": timed, "variant": waiting.id, "item_id": timed_item,
                          "code": db.session().get(ProblemSet, timed).join_code}
    # a practice exercise of the student's browser, opened as a person does (GET, then its button)
    login(client, "ann@example.com")
    page = client.get("/practice/new?template=seed-2-2-2&seed=7").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', page).group(1).replace("&amp;", "&")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    made = client.post(action, data={"csrf_token": token})
    scene["practice"] = made.headers["Location"].rsplit("/", 1)[-1]
    return scene


def _urls(app, scene) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {name: scene[name] for name in PARAMETERS
                  if name in rule.arguments and name != "exercise_id"}
        if "exercise_id" in rule.arguments:  # a practice page's exercise, else the set's variant
            values["exercise_id"] = scene["practice"] if rule.rule.startswith(
                ("/exercises/", "/api/")) else scene["variant"]
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: teach the guard its {sorted(missing)}"
        with app.test_request_context():
            urls.append(app.url_for(rule.endpoint, **values))
    return sorted(urls)


def test_no_get_route_writes_for_a_student_or_the_instructor(app, client, instructor, tmp_path):
    app.config["EXPORTS_FOLDER"] = str(tmp_path / "exports")
    scene = _scene(app, client, instructor)
    scene["timed"]["practice"] = scene["practice"]
    urls = sorted(set(_urls(app, scene)) | set(_urls(app, scene["timed"])))
    assert len(urls) > 60
    teacher = app.test_client()
    login(teacher, "teacher@example.com")
    for who, browser in (("student", client), ("instructor", teacher)):
        for url in urls:
            before = _snapshot(app)
            response = browser.get(url)
            response.close()
            assert response.status_code < 500, (who, url, response.status_code)
            changed = [name for name, digest in _snapshot(app).items() if before[name] != digest]
            assert changed == [], f"GET {url} as the {who} wrote to {changed}"
    # an export too large to stream: its GET (an old link) starts no job either
    app.config["EXPORT_JOB_ROWS"] = 1
    for name in exports.EXPORTS:
        url = f"/instructor/sets/{scene['set_id']}/exports/{name}.csv"
        before = _snapshot(app)
        teacher.get(url).close()
        assert [n for n, d in _snapshot(app).items() if before[n] != d] == [], url
    # the scene is real: the student's pages answered, not just refused
    assert client.get(f"/sets/{scene['set_id']}/exercises/{scene['variant']}").status_code == 200
    assert client.get(f"/exercises/{scene['practice']}").status_code == 200
    assert teacher.get(f"/instructor/sets/{scene['set_id']}/gradebook").status_code == 200


def test_the_guard_sees_a_write(app, instructor):
    before = _snapshot(app)
    make_user(app, "bea@example.com", "student", "Bea")
    assert [name for name, digest in _snapshot(app).items() if before[name] != digest] == ["users"]
