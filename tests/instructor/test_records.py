"""Password resets (by an instructor for a student, by command for anyone), overrides through
the student page, the commands, and the printable view."""
from __future__ import annotations

from sqlalchemy import select

import tracer
from exercises import db
from exercises.models import AuditEvent, Exercise
from tracer.keys import parse_key

from ..web.conftest import element_text
from .conftest import PASSWORD, build_set, join, login, make_user, post_form, variants_of

NEW_PASSWORD = "a brand new secret"


def test_an_instructor_resets_an_enrolled_students_password(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=1)
    student = make_user(app, "s@example.com", "student", "Sam")
    join(app, set_id, student)
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{set_id}/students/{student}"
    assert post_form(client, f"{page}/password", {"password": NEW_PASSWORD},
                     form_page=page).status_code == 302
    history = client.get(f"/instructor/sets/{set_id}/history").get_data(as_text=True)
    assert "password reset" in history and "Sam" in history
    student_client = app.test_client()
    assert post_form(student_client, "/login", {"email": "s@example.com",
                                                "password": PASSWORD}).status_code == 200
    login(student_client, "s@example.com", NEW_PASSWORD)


def test_no_reset_for_someone_outside_the_instructors_sets(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=1)
    outsider = make_user(app, "out@example.com", "student")
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{set_id}/students/{outsider}"
    assert client.get(page).status_code == 404
    assert post_form(client, f"{page}/password", {"password": NEW_PASSWORD},
                     form_page="/instructor/tokens").status_code == 404


def test_an_override_through_the_student_page(app, client, instructor):
    set_id = build_set(app, instructor, pool_size=1)
    student = make_user(app, "s@example.com", "student", "Sam")
    join(app, set_id, student)
    (variant,) = variants_of(app, set_id, student)
    login(client, "teacher@example.com")
    page = f"/instructor/sets/{set_id}/students/{student}"
    response = post_form(client, f"{page}/override", {"item_id": variant.item_id, "score": "7.5",
                                                       "reason": "paper submission"},
                         form_page=page)
    assert response.status_code == 302
    book = client.get(f"/instructor/sets/{set_id}/gradebook").get_data(as_text=True)
    assert "7.5/10" in book
    assert "paper submission" in client.get(page).get_data(as_text=True)


def test_the_reset_password_command_changes_an_instructors_password(app, runner, instructor):
    result = runner.invoke(args=["reset-password", "--email", "Teacher@Example.com",
                                 "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "teacher@example.com (instructor)" in result.output
    login(app.test_client(), "teacher@example.com", NEW_PASSWORD)
    with app.app_context():
        event = db.session().scalar(select(AuditEvent))
        assert (event.action, event.actor_id, event.subject_id) == \
            ("password_reset", None, instructor)
    missing = runner.invoke(args=["reset-password", "--email", "nobody@example.com",
                                  "--password", NEW_PASSWORD])
    assert missing.exit_code != 0 and "no account" in missing.output


def test_the_topup_command_refills_low_pools(app, runner, instructor):
    set_id = build_set(app, instructor, pool_size=1)
    join(app, set_id, make_user(app, "s@example.com", "student"))
    result = runner.invoke(args=["topup-pools"])
    assert result.exit_code == 0, result.output
    assert "5 variants added in all" in result.output
    with app.app_context():
        assert len(db.session().scalars(select(Exercise.id)).all()) == 6
    assert "0 variants added in all" in runner.invoke(args=["topup-pools"]).output


def test_the_printable_view_has_a_page_per_variant_and_the_key(app, client, instructor):
    set_id = build_set(app, instructor, items=(("seed-2-2-2", {}), ("relu-2-3-1", {})),
                       pool_size=3)
    students = [make_user(app, f"{n}@example.com", "student", n.title()) for n in ("ann", "bo")]
    for student in students:
        join(app, set_id, student)
    login(client, "teacher@example.com")
    page = client.get(f"/instructor/sets/{set_id}/print").get_data(as_text=True)
    assert page.count('class="print-page"') == 4
    assert page.count('class="answer-box"') == sum(
        len(v.fields) for s in students for v in variants_of(app, set_id, s))
    assert "instructor-print.css" in page and "<svg" in page
    first = variants_of(app, set_id, students[0])[0]
    engine = tracer.trace(first.spec)
    digits = first.settings["answer_digits"]
    assert 'class="key-table"' not in page   # the key prints separately
    key = client.get(f"/instructor/sets/{set_id}/print?part=key").get_data(as_text=True)
    assert key.count('class="key-table"') == 4 and 'class="print-page"' not in key
    first_key = element_text(key, "key-1")
    for f in first.fields[:3]:
        assert f"{f['symbol']}{engine.value(*parse_key(f['key'])):#.{digits}g}" in first_key
    pool_page = client.get(f"/instructor/sets/{set_id}/print?variants=pool")
    assert pool_page.get_data(as_text=True).count('class="print-page"') == 2
