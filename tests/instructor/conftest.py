"""Fixtures for the instructor side: accounts, logged-in clients, a built and published set.

Top-ups are off (``POOL_TOPUP = "off"``): jobs run at once in tests (``JOBS_IMMEDIATE``), so
a queued top-up would change the pools a test counts; tests that need one call
``pool.top_up`` themselves or turn it back on.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

import tracer
from exercises import accounts, db
from exercises.instructor import enrollment, problem_sets, publishing, variants
from exercises.models import Exercise, ProblemSet, ProblemSetItem, User
from tracer.keys import parse_key

PASSWORD = "correct horse battery"
SET_FORM = {"title": "Week 3: backprop by hand", "instructions": "Show your work.",
            "attempts": 3, "due_at": None, "ecf_credit": 1.0, "feedback": True,
            "reveal": "after_attempts", "tolerance_mode": "relabs", "rtol": 1e-2,
            "atol": 1e-5, "digits": None, "pool_size": 4, "exam_mode": False}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                  r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(app):
    """The app with pool top-ups off."""
    app.config["POOL_TOPUP"] = "off"
    return app


@pytest.fixture
def fixed_seeds(monkeypatch):
    """Variant n of a set's k-th exercise gets seed 1000 + 100k + n, whatever the set's and
    the exercise's random ids (k counts exercises as their seeds are first asked for).

    A test that asserts on a named misconception needs variants it knows to be unambiguous:
    for about one seed-2-2-2 variant in 200, two misconceptions explain some update equally
    well, and the grader rightly names neither (SPEC §6). Seeds 1000-1019 and 1100-1119 of
    the built-in 2-2-2 and ReLU templates name ``gradient_ascent`` on every update of
    ``gradient_ascent_answers``."""
    exercises: dict[str, int] = {}

    def seed(set_id: str, item_id: str, index: int) -> int:
        return 1000 + 100 * exercises.setdefault(item_id, len(exercises)) + index

    monkeypatch.setattr(variants, "variant_seed", seed)


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at ``url``."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    found = CSRF.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url}"
    return found.group(1) or found.group(2)


def post_form(client, url: str, data: dict, form_page: str | None = None, **kwargs):
    """POST ``data`` to ``url`` with a CSRF token taken from ``form_page`` (default: ``url``)."""
    token = csrf_token(client, form_page or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def make_user(app, email: str, role: str = "instructor", name: str | None = None) -> str:
    """Create an account; returns its id."""
    with app.app_context():
        return accounts.create_user(email=email, name=name or email.split("@")[0],
                                    password=PASSWORD, role=role).id


def make_students(app, count: int, prefix: str = "student") -> list[str]:
    """Many student accounts at once, sharing one password hash (hashing is slow on purpose)."""
    password_hash = generate_password_hash(PASSWORD)
    users = [User(email=f"{prefix}{n}@example.com", name=f"{prefix.title()} {n:02d}",
                  password_hash=password_hash, role="student") for n in range(count)]
    with app.app_context():
        with db.write_transaction() as sess:
            sess.add_all(users)
        return [user.id for user in users]


def login(client, email: str, password: str = PASSWORD):
    """Log a test client in through the login form."""
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def build_set(app, owner_id: str, items=(("seed-2-2-2", {}),), publish=True, **settings) -> str:
    """A problem set of ``items`` (template id, knobs), published unless asked not to."""
    with app.app_context():
        problem_set = problem_sets.create_set(owner_id, {**SET_FORM, **settings})
        for template_id, knobs in items:
            problem_sets.add_item(problem_set.id, template_id, knobs)
        if publish:
            publishing.publish(problem_set.id)
        return problem_set.id


def join(app, set_id: str, user_id: str) -> None:
    """Enroll a student through the service."""
    with app.app_context():
        sess = db.session()
        enrollment.join(sess.get(ProblemSet, set_id), sess.get(User, user_id))


@pytest.fixture
def instructor(app):
    """An instructor account's id (email teacher@example.com)."""
    return make_user(app, "teacher@example.com", name="Ada Teacher")


def true_answers(exercise) -> dict[str, str]:
    """The right answer of every field, computed by the engine from the variant's spec alone."""
    result = tracer.trace(exercise.spec)
    return {f["key"]: repr(result.value(*parse_key(f["key"]))) for f in exercise.fields}


def variants_of(app, set_id: str, user_id: str) -> list[Exercise]:
    """A student's variants in a set, in the set's exercise order."""
    with app.app_context():
        rows = db.session().execute(
            select(Exercise).join(ProblemSetItem, ProblemSetItem.id == Exercise.item_id)
            .where(Exercise.problem_set_id == set_id, Exercise.user_id == user_id)
            .order_by(ProblemSetItem.position)).scalars().all()
        db.session().expunge_all()
        return rows


def gradient_ascent_answers(exercise) -> dict[str, str]:
    """Right error signals, but every update stepped the wrong way: θ + (θ − θ⁺), computed from
    the engine's own values (SPEC §6's ``gradient_ascent``)."""
    result = tracer.trace(exercise.spec)
    answers = {}
    for f in exercise.fields:
        quantity, layer, unit, source = parse_key(f["key"])
        value = result.value(quantity, layer, unit, source)
        if quantity in ("w_new", "b_new"):
            theta = result.value(quantity[0], layer, unit, source)
            value = theta + (theta - value)
        answers[f["key"]] = repr(value)
    return answers
