"""Garbage in every instructor and student form, posted with a valid CSRF token so that the
form's own logic is what gets it: missing, extra and nonsensical fields. Never a 5xx; a
refused form says why (422 and the form again, or a flashed message) and writes nothing."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from exercises import accounts, db
from exercises.models import ProblemSet, ProblemSetItem

from ..exercises.robustness import changed, row_counts
from .conftest import PASSWORD, SET_FORM, build_set, csrf_token, join, login, make_user, post_form

FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
FORM_TEXT = st.text(max_size=30).map(lambda text: text.replace("\x00", "")) | st.sampled_from([
    "", "abc", "-1", "0", "1e400", "nan", "inf", "99999999999999999999999", "2.5", "1,5",
    "2024-13-45T99:99", "0001-01-01T00:00", "9999-12-31T23:59", "x" * 30_000, "=cmd|'/C calc'!A0",
    "relabs", "sigfig", "decimals", "never", "seed-2-2-2", "2,2,2", "9,9,9", "relu,linear",
    "softmax,sigmoid", "bce", "shared", "y"])
SET_FIELDS = ("title", "instructions", "attempts", "due_at", "ecf_credit", "feedback", "reveal",
              "tolerance_mode", "rtol", "atol", "digits", "pool_size", "exam_mode", "extra")
ITEM_FIELDS = ("template_id", "title", "layers", "activations", "loss", "bias", "naming",
               "learning_rate", "ask", "answer_digits", "extra")


@pytest.fixture
def teacher(app, client, instructor):
    """The instructor, logged in, with a draft set (one exercise) and a published one that a
    student has joined; returns their ids."""
    draft = build_set(app, instructor, publish=False)
    published = build_set(app, instructor)
    student = make_user(app, "alice@example.com", "student", "Alice")
    join(app, published, student)
    login(client, "teacher@example.com")
    with app.app_context():
        item = db.session().scalar(select(ProblemSetItem.id)
                                   .where(ProblemSetItem.problem_set_id == draft))
    return {"draft": draft, "published": published, "student": student, "item": item}


def _count(app, model) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


@FUZZ
@given(form=st.dictionaries(st.sampled_from(SET_FIELDS), FORM_TEXT, max_size=8))
def test_any_set_form_makes_a_set_or_is_422_and_makes_nothing(app, client, teacher, form):
    data = {**{k: "" if v is None else str(v) for k, v in SET_FORM.items()}, **form}
    before = row_counts(app)
    response = post_form(client, "/instructor/sets/new", data, form_page="/instructor/")
    if response.status_code == 302:
        assert changed(before, row_counts(app)) == {"problem_sets": 1}
        assert client.get(response.location).status_code == 200
        return
    assert response.status_code == 422, response.status_code
    assert 'class="field-error"' in response.get_data(as_text=True) or b"flash" in response.data
    assert row_counts(app) == before


@FUZZ
@given(form=st.dictionaries(st.sampled_from(ITEM_FIELDS), FORM_TEXT, max_size=6))
def test_any_exercise_form_adds_one_exercise_or_says_why(app, client, teacher, form):
    url = f"/instructor/sets/{teacher['draft']}"
    items = _count(app, ProblemSetItem)
    response = post_form(client, f"{url}/items", form, form_page=url)
    assert response.status_code == 302 and response.location == url
    page = client.get(url).get_data(as_text=True)
    added = _count(app, ProblemSetItem) - items
    assert added == (1 if "Exercise added." in page else 0), page[:2000]
    assert added or "flash-error" in page or "not added" in page or ": " in page


@FUZZ
@given(form=st.dictionaries(st.sampled_from(("ecf_credit", "tolerance_mode", "rtol", "atol",
                                             "digits", "action", "extra")), FORM_TEXT, max_size=6))
def test_any_regrade_form_previews_applies_or_is_422(app, client, teacher, form):
    url = f"/instructor/sets/{teacher['published']}/regrade"
    before = row_counts(app)
    response = post_form(client, url, form, form_page=url)
    assert response.status_code in (200, 422), response.status_code
    grew = changed(before, row_counts(app))
    # an applied regrade is a job (run at once in tests) that writes its audit event
    assert grew in ({}, {"audit_events": 1, "jobs": 1}) and (not grew or response.status_code == 200)


@pytest.mark.parametrize("form", [
    {}, {"due_at": "garbage"}, {"due_at": "2024-13-45T99:99"}, {"due_at": "x" * 5000},
    {"item_id": "nope", "score": "1", "reason": "r"}, {"score": "nan", "reason": "r"},
    {"score": "inf", "reason": "r"}, {"score": "1e400", "reason": "r"}, {"score": "-1"},
    {"score": "1000", "reason": "r"}, {"score": "1", "reason": "x" * 600},
    {"password": "short"}, {"password": ""}, {"password": "x" * 201},
])
def test_garbage_in_a_students_forms_changes_nothing_and_says_why(app, client, teacher, form):
    base = f"/instructor/sets/{teacher['published']}/students/{teacher['student']}"
    before = row_counts(app)
    for action in ("extension", "override", "password"):
        if action == "extension" and "due_at" not in form:
            continue  # a blank due date is a valid request: back to the set's own
        response = post_form(client, f"{base}/{action}", form, form_page=base)
        assert response.status_code == 302 and response.location == base, action
        assert "flash-error" in client.get(base).get_data(as_text=True), (action, form)
    assert row_counts(app) == before


@pytest.mark.parametrize("action", ["bogus", "UP", "up/extra", "x" * 300])
def test_an_unknown_item_action_is_refused(app, client, teacher, action):
    url = f"/instructor/sets/{teacher['draft']}"
    response = post_form(client, f"{url}/items/{teacher['item']}/{action}", {}, form_page=url)
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("query", ["page=0", "page=-5", "page=abc", "page=1e3",
                                   "page=99999999999999999999999", "page=" + "9" * 5000])
def test_the_variant_list_takes_any_page_number(app, client, teacher, query):
    url = f"/instructor/sets/{teacher['published']}/items"
    with app.app_context():
        item = db.session().scalar(select(ProblemSetItem.id)
                                   .where(ProblemSetItem.problem_set_id == teacher["published"]))
    assert client.get(f"{url}/{item}/variants?{query}").status_code == 200
    for index in ("-1", "1000000", "99999999999999999999999", "abc"):
        assert client.get(f"{url}/{item}/variants/{index}").status_code == 404


@pytest.mark.parametrize("name", ["", "\u0000", "x" * 101, "ok"])
def test_token_names_are_checked(app, client, teacher, name):
    before = row_counts(app)
    response = post_form(client, "/instructor/tokens", {"name": name})
    grew = changed(before, row_counts(app))
    assert (response.status_code, grew) in ((200, {"access_tokens": 1}), (422, {}), (400, {}))
    assert (response.status_code == 200) == (name == "ok")


@pytest.mark.parametrize("form, status", [
    ({}, 422), ({"name": "N", "email": "not-an-email", "password": PASSWORD}, 422),
    ({"name": "N", "email": "n@example.com", "password": "short"}, 422),
    ({"name": "N", "email": "x" * 300 + "@example.com", "password": PASSWORD}, 422),
    ({"name": "N", "email": "TEACHER@example.com ", "password": PASSWORD}, 422),
    ({"name": "N", "email": "n\u0000@example.com", "password": PASSWORD}, 400),
    ({"name": "=HYPERLINK(\"x\")", "email": "new@example.com", "password": PASSWORD}, 302),
])
def test_signup_garbage_is_refused_saying_why(app, client, instructor, form, status):
    set_id = build_set(app, instructor)
    with app.app_context():
        code = db.session().get(ProblemSet, set_id).join_code
    before = row_counts(app)
    response = post_form(client, f"/join/{code}/signup", form, form_page=f"/join/{code}")
    assert response.status_code == status
    assert bool(changed(before, row_counts(app))) == (status == 302)


@pytest.mark.parametrize("code", ["", "x" * 1000, "é", "AB CD", "ABCDEFGH", "\u0000", "%00"])
def test_unknown_join_codes_are_404(app, client, code):
    response = post_form(client, "/join", {"code": code}, form_page="/join")
    assert response.status_code in (400, 404)  # 400: a NUL character
    assert client.get(f"/join/{code}").status_code in (404, 308)


def test_a_signup_that_loses_the_race_for_its_email_is_told_so(app, monkeypatch):
    """Two sign-ups with one email can both pass the 'is it taken?' check on PostgreSQL; the
    unique index must decide, as an AccountError, not a 500. The check is made to miss the
    existing account, as it would when the other sign-up commits just after it."""
    make_user(app, "alice@example.com", "student")

    class Blind:
        """``func`` whose count() counts nothing."""

        def __getattr__(self, name):
            from sqlalchemy import func as real
            from sqlalchemy import literal
            return (lambda *args: literal(0)) if name == "count" else getattr(real, name)

    monkeypatch.setattr(accounts, "func", Blind())
    before = row_counts(app)
    with app.app_context(), pytest.raises(accounts.EmailTaken, match="do not match an account"):
        accounts.create_user("alice@example.com", "Alice again", PASSWORD, "student")
    assert row_counts(app) == before


def test_a_form_posted_by_a_stranger_with_a_valid_token_for_their_session_is_refused(
        app, client, teacher):
    stranger = app.test_client()
    token = csrf_token(stranger, "/login")
    response = stranger.post(f"/instructor/sets/{teacher['draft']}/delete",
                             data={"csrf_token": token})
    assert response.status_code == 302 and response.location.startswith("/login")
    assert _count(app, ProblemSet) == 2
