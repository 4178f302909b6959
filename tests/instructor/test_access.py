"""Who may open what: a student only their own variants, submissions and grades and no
instructor page or export; an instructor only their own sets; every form needs its CSRF token.
Each is tried by direct URL and through the API."""
from __future__ import annotations

import pytest

from exercises import db, submissions
from exercises.instructor import tokens
from exercises.models import ProblemSet

from .conftest import build_set, join, login, make_user, post_form, true_answers, variants_of


@pytest.fixture
def scene(app, instructor):
    """A published set with two students who joined; Alice submitted once."""
    set_id = build_set(app, instructor, pool_size=3)
    alice = make_user(app, "alice@example.com", "student", "Alice")
    bob = make_user(app, "bob@example.com", "student", "Bob")
    join(app, set_id, alice)
    join(app, set_id, bob)
    (alices,) = variants_of(app, set_id, alice)
    (bobs,) = variants_of(app, set_id, bob)
    with app.app_context():
        result = submissions.submit(alices.id, true_answers(alices), user_id=alice)
    return {"set": set_id, "alice": alice, "bob": bob, "alices": alices, "bobs": bobs,
            "submission": result["id"]}


def test_a_student_cannot_open_another_students_variant_or_submission(app, client, scene):
    login(client, "bob@example.com")
    s, other = scene["set"], scene["alices"].id
    assert client.get(f"/sets/{s}/exercises/{scene['bobs'].id}").status_code == 200
    for url in (f"/sets/{s}/exercises/{other}", f"/sets/{s}/exercises/{other}/solution",
                f"/sets/{s}/submissions/{scene['submission']}"):
        assert client.get(url).status_code == 404, url
    response = post_form(client, f"/sets/{s}/exercises/{other}", {"delta:2:1": "0.1"},
                         form_page=f"/sets/{s}/exercises/{scene['bobs'].id}")
    assert response.status_code == 404
    assert client.get(f"/exercises/{other}").status_code == 404  # the practice page


def test_the_api_gives_no_set_variant_to_anyone(app, client, scene):
    other = scene["alices"].id
    assert client.get(f"/api/v1/exercises/{other}").status_code == 401
    practice = client.post("/api/v1/practice", json={"seed": 1}).get_json()
    headers = {"Authorization": f"Bearer {practice['token']}"}
    assert client.get(f"/api/v1/exercises/{other}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/exercises/{other}/submissions", headers=headers,
                       json={"answers": {}}).status_code == 404
    assert client.get(f"/api/v1/exercises/{other}/solution", headers=headers).status_code == 404


def test_a_student_sees_only_their_own_grades(app, client, scene):
    login(client, "bob@example.com")
    page = client.get(f"/sets/{scene['set']}").get_data(as_text=True)
    assert scene["bobs"].id in page and scene["alices"].id not in page
    assert "Alice" not in page


def test_a_student_gets_403_on_every_instructor_page_and_export(app, client, scene):
    login(client, "bob@example.com")
    s = scene["set"]
    for url in ("/instructor/", "/instructor/tokens", "/instructor/sets/new",
                f"/instructor/sets/{s}", f"/instructor/sets/{s}/gradebook",
                f"/instructor/sets/{s}/statistics", f"/instructor/sets/{s}/exports/",
                f"/instructor/sets/{s}/students/{scene['alice']}",
                f"/instructor/sets/{s}/print", f"/instructor/sets/{s}/regrade"):
        assert client.get(url).status_code == 403, url
    for name in ("grades", "submissions", "traces", "answer-key", "canvas"):
        assert client.get(f"/instructor/sets/{s}/exports/{name}.csv").status_code == 403
        response = client.get(f"/api/v1/problem-sets/{s}/exports/{name}.csv")
        assert response.status_code == 401 and response.is_json


def test_another_instructor_gets_404_on_the_set(app, client, scene):
    make_user(app, "other@example.com")
    login(client, "other@example.com")
    s = scene["set"]
    for url in (f"/instructor/sets/{s}", f"/instructor/sets/{s}/gradebook",
                f"/instructor/sets/{s}/statistics", f"/instructor/sets/{s}/edit",
                f"/instructor/sets/{s}/students/{scene['alice']}", f"/instructor/sets/{s}/print",
                f"/instructor/sets/{s}/exports/grades.csv", f"/instructor/sets/{s}/history",
                f"/instructor/sets/{s}/variants/{scene['alices'].id}"):
        assert client.get(url).status_code == 404, url
    assert post_form(client, f"/instructor/sets/{s}/publish", {},
                     form_page="/instructor/sets/new").status_code == 404
    assert "Week 3" not in client.get("/instructor/").get_data(as_text=True)


def test_export_api_needs_the_owners_live_token(app, client, scene, instructor):
    other = make_user(app, "other@example.com")
    s = scene["set"]
    with app.app_context():
        mine, theirs = tokens.create(instructor, "script"), tokens.create(other, "script")
    url = f"/api/v1/problem-sets/{s}/exports/grades.csv"
    assert client.get(url, headers={"Authorization": "Bearer bpl_nonsense"}).status_code == 401
    assert client.get(url, headers={"Authorization": f"Bearer {theirs}"}).status_code == 404
    response = client.get(url, headers={"Authorization": f"Bearer {mine}"})
    assert response.status_code == 200 and "Alice" in response.get_data(as_text=True)
    assert client.get(f"/api/v1/problem-sets/{s}/exports/secrets.csv",
                      headers={"Authorization": f"Bearer {mine}"}).status_code == 404
    with app.app_context():
        (record,) = tokens.listed(instructor)
        assert record.last_used_at is not None and mine not in record.token_hash
        tokens.revoke(instructor, record.id)
    assert client.get(url, headers={"Authorization": f"Bearer {mine}"}).status_code == 401


def test_students_cannot_make_tokens(app, client, scene):
    login(client, "bob@example.com")
    assert client.get("/instructor/tokens").status_code == 403


def test_pages_need_a_login(client, scene):
    response = client.get(f"/instructor/sets/{scene['set']}/gradebook")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get(f"/sets/{scene['set']}").status_code == 302


@pytest.mark.parametrize("path", ["/login", "/join", "/instructor/sets/new", "publish",
                                  "submit", "signup", "/instructor/tokens", "logout"])
def test_forms_without_a_csrf_token_are_refused(app, client, scene, path):
    s = scene["set"]
    with app.app_context():
        code = db.session().get(ProblemSet, s).join_code
    target = {"publish": f"/instructor/sets/{s}/publish",
              "submit": f"/sets/{s}/exercises/{scene['bobs'].id}",
              "signup": f"/join/{code}/signup", "logout": "/logout"}.get(path, path)
    if path in ("publish", "/instructor/sets/new", "/instructor/tokens", "logout"):
        login(client, "teacher@example.com")
    if path == "submit":
        login(client, "bob@example.com")
    response = client.post(target, data={"email": "teacher@example.com", "code": code,
                                         "password": "correct horse battery", "name": "x",
                                         "title": "x", "pool_size": 5, "ecf_credit": 1})
    assert response.status_code == 400
    assert b"CSRF" in response.data


def test_login_refuses_a_wrong_password_without_saying_which_part(app, client, instructor):
    response = post_form(client, "/login", {"email": "teacher@example.com",
                                            "password": "wrong password"})
    assert response.status_code == 200
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/instructor/").status_code == 302


def test_login_never_redirects_off_site(app, client, instructor):
    response = post_form(client, "/login?next=https://evil.example/steal",
                         {"email": "teacher@example.com", "password": "correct horse battery"},
                         form_page="/login")
    assert response.status_code == 302 and response.location == "/instructor/"
