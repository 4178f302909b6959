"""Sessions that end and accounts that give nothing away: a cookie saved before a logout, a
password change or a reset logs nobody in afterwards; a session lasts its lifetime from the
login however active it is; login and sign-up answer alike for known and unknown emails; the
password policy; and an instructor resets only the passwords of students in none but their
own sets."""
from __future__ import annotations

import re
import time

import pytest

from exercises import accounts
from exercises.accounts import AccountError

from .conftest import PASSWORD, build_set, csrf_token, join, login, make_user

NEW_PASSWORD = "a brand new passphrase"
CSRF_VALUE = re.compile(r'(?<=name="csrf_token" type="hidden" value=")[^"]+|'
                        r'(?<=name="csrf_token" value=")[^"]+')


def page_text(response, email: str) -> str:
    """A page as a person reads it: the email they typed and the CSRF token (signed with the
    second it was made) taken out."""
    text = response.get_data(as_text=True).replace(email, "EMAIL")
    return CSRF_VALUE.sub("CSRF", text)


def saved_cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    """Another browser that replays a saved session cookie."""
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def signed_in(client) -> bool:
    return client.get("/sets/").status_code == 200


@pytest.fixture
def student(app):
    return make_user(app, "pupil@example.com", role="student")


def test_a_cookie_saved_before_logout_is_refused_afterwards(app, client, student):
    login(client, "pupil@example.com")
    cookie = saved_cookie(client)
    assert signed_in(with_cookie(app, cookie))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/sets/")})
    assert not signed_in(client)
    assert not signed_in(with_cookie(app, cookie))


def test_a_cookie_saved_before_a_password_change_is_refused_but_the_changer_stays(app, client,
                                                                                 student):
    login(client, "pupil@example.com")
    cookie = saved_cookie(client)
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": NEW_PASSWORD,
        "csrf_token": csrf_token(client, "/account/password")})
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(with_cookie(app, cookie))
    fresh = app.test_client()
    login(fresh, "pupil@example.com", NEW_PASSWORD)


def test_a_password_change_needs_the_current_password_and_a_good_new_one(app, client, student):
    login(client, "pupil@example.com")
    token = csrf_token(client, "/account/password")
    wrong = client.post("/account/password", data={"current": "not it at all",
                                                   "password": NEW_PASSWORD, "csrf_token": token})
    assert wrong.status_code == 422
    assert "The current password is not right." in wrong.get_data(as_text=True)
    weak = client.post("/account/password", data={"current": PASSWORD,
                                                  "password": "password123", "csrf_token": token})
    assert weak.status_code == 422 and "too common" in weak.get_data(as_text=True)


def test_a_cookie_saved_before_a_reset_is_refused_afterwards(app, client, instructor, student):
    set_id = build_set(app, instructor, pool_size=2)
    join(app, set_id, student)
    login(client, "pupil@example.com")
    cookie = saved_cookie(client)
    teacher = app.test_client()
    login(teacher, "teacher@example.com")
    page = f"/instructor/sets/{set_id}/students/{student}"
    assert teacher.post(page + "/password", data={
        "password": NEW_PASSWORD, "csrf_token": csrf_token(teacher, page)}).status_code == 302
    assert not signed_in(client)
    assert not signed_in(with_cookie(app, cookie))


def test_a_command_line_reset_ends_the_sessions_too(app, client, runner, student):
    login(client, "pupil@example.com")
    result = runner.invoke(args=["reset-password", "--email", "pupil@example.com",
                                 "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert not signed_in(client)


def test_a_session_ends_after_its_lifetime_however_active(app, client, student, monkeypatch):
    assert app.permanent_session_lifetime.total_seconds() == 12 * 3600
    login(client, "pupil@example.com")
    assert signed_in(client)
    later = time.time() + 12 * 3600 + 1
    monkeypatch.setattr("exercises.security.time.time", lambda: later)
    assert not signed_in(client)


def test_login_answers_the_same_for_a_known_and_an_unknown_email(app, client, student,
                                                                 monkeypatch):
    checks = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash",
                        lambda *args: checks.append(1) or real(*args))
    token = csrf_token(client, "/login")
    known = client.post("/login", data={"email": "pupil@example.com", "password": "wrong guess",
                                        "csrf_token": token})
    unknown = client.post("/login", data={"email": "nobody@example.com",
                                          "password": "wrong guess", "csrf_token": token})
    assert known.status_code == unknown.status_code == 200
    assert page_text(known, "pupil@example.com") == page_text(unknown, "nobody@example.com")
    assert checks == [1, 1]  # one scrypt check each: timing tells them apart no better


def signup(app, code, email, password, name="New Student", client=None):
    client = client or app.test_client()
    return client.post(f"/join/{code}/signup", data={
        "name": name, "email": email, "password": password,
        "csrf_token": csrf_token(client, f"/join/{code}")})


def test_sign_up_answers_the_same_for_a_known_and_an_unknown_email(app, instructor, student):
    set_id = build_set(app, instructor, pool_size=3)
    with app.app_context():
        from exercises import db
        from exercises.models import ProblemSet

        code = db.session().get(ProblemSet, set_id).join_code
    browser = app.test_client()
    for password in ("short", "password1234"):
        known = signup(app, code, "pupil@example.com", password, client=browser)
        unknown = signup(app, code, "fresh@example.com", password, client=browser)
        assert known.status_code == unknown.status_code == 422
        assert page_text(known, "pupil@example.com") == page_text(unknown, "fresh@example.com")
    # Signing up again with one's own password is logging in; a new email makes an account.
    assert signup(app, code, "pupil@example.com", PASSWORD).status_code == 302
    assert signup(app, code, "fresh@example.com", PASSWORD).status_code == 302
    taken = signup(app, code, "pupil@example.com", "some other passphrase")
    assert taken.status_code == 422
    assert "do not match an account" in taken.get_data(as_text=True)
    assert "already" not in taken.get_data(as_text=True)


@pytest.mark.parametrize("password", ["password", "12345678", "password123", "Password2024!",
                                      "qwertyuiop", "1234567890", "aaaaaaaaaaaa", "abababababab",
                                      "Correct Horse Battery Staple", "short one"])
def test_common_or_short_passwords_are_refused(app, password):
    with app.app_context(), pytest.raises(AccountError) as refused:
        accounts.create_user("someone@example.com", "S", password, "student")
    assert refused.value.field == "password"


@pytest.mark.parametrize("email", ["a@b", "@example.com", "name@", "name@example",
                                   "two@@example.com", "sp ace@example.com", "x@-bad-.com",
                                   "dots..in@example.com", "name@example.c0m", "a" * 250 + "@x.io"])
def test_an_email_must_be_an_address(app, email):
    with app.app_context(), pytest.raises(AccountError) as refused:
        accounts.create_user(email, "S", PASSWORD, "student")
    assert refused.value.field == "email"


def test_a_good_email_and_password_make_an_account(app):
    with app.app_context():
        user = accounts.create_user(" Ada.Lovelace+ml@Example.AC.kr ", "Ada", "tensor of grief",
                                    "student")
        assert user.email == "ada.lovelace+ml@example.ac.kr"


def test_an_instructor_resets_only_students_in_none_but_their_own_sets(app, client, instructor,
                                                                       student):
    mine = build_set(app, instructor, pool_size=2)
    other_teacher = make_user(app, "other@example.com")
    theirs = build_set(app, other_teacher, pool_size=2)
    join(app, mine, student)
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{mine}/students/{student}"
    assert "Set new password" in client.get(page).get_data(as_text=True)
    join(app, theirs, student)
    shown = client.get(page).get_data(as_text=True)
    assert "Set new password" not in shown and "another instructor" in shown
    response = client.post(page + "/password", data={"password": NEW_PASSWORD,
                                                     "csrf_token": csrf_token(client, page)})
    assert response.status_code == 403
    assert not app.test_client().post("/login", data={}).status_code == 302
    pupil = app.test_client()
    login(pupil, "pupil@example.com")  # the old password still works


@pytest.mark.parametrize("form", [
    {}, {"current": "", "password": ""}, {"current": PASSWORD}, {"password": NEW_PASSWORD},
    {"current": PASSWORD, "password": "x" * 201}, {"current": "y" * 5000, "password": NEW_PASSWORD},
    {"current": PASSWORD, "password": "ab\u0000cdefghijkl"},
    {"current": PASSWORD, "password": NEW_PASSWORD, "extra": "ignored?"},
])
def test_bad_password_change_forms_are_refused_naming_the_field(app, client, student, form):
    login(client, "pupil@example.com")
    token = csrf_token(client, "/account/password")
    response = client.post("/account/password", data={**form, "csrf_token": token})
    if form.get("current") == PASSWORD and form.get("password") == NEW_PASSWORD:
        assert response.status_code == 302  # an unknown extra field changes nothing
        return
    assert response.status_code in (400, 422), response.status_code
    assert signed_in(client)
    login(app.test_client(), "pupil@example.com")  # the password is unchanged


def test_the_password_page_needs_a_login(client):
    assert client.get("/account/password").status_code == 302
    assert client.post("/account/password", data={}).status_code in (302, 400)
