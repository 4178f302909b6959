"""Instructor pages about one student of a set (variants, attempts, extension, overrides,
password) and the set's history of changes."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exercises.instructor import answers, records, staff_queries
from exercises.instructor import gradebook as book
from exercises.instructor.access import instructor_required, owned_set
from exercises.instructor.forms import ConfirmForm, ExtensionForm, OverrideForm, PasswordResetForm, options
from exercises.instructor.policy import form_time
from exercises.instructor.records import RecordError
from exercises.limits import password_reset_limit

bp = Blueprint("records", __name__, url_prefix="/instructor/sets")


def _student(set_id: str, user_id: str, need: str = "edit") -> tuple:
    problem_set = owned_set(set_id, need)
    found = staff_queries.set_student(set_id, user_id) or abort(404)
    return problem_set, *found


def _override_form(problem_set, gradebook_) -> OverrideForm:
    form = OverrideForm()
    form.item_id.choices = options((item.id, f"{item.position + 1}. {item.title} (max {max_score})")
                                   for item, max_score in zip(gradebook_.items,
                                                              gradebook_.max_scores))
    return form


@bp.get("/<id:set_id>/students/<id:user_id>")
@instructor_required
def student(set_id: str, user_id: str):
    """A student's variants, attempts and scores, with the forms that change them."""
    problem_set, user, enrollment = _student(set_id, user_id, "view")
    gradebook_ = book.gradebook(problem_set, user_id=user_id)
    held = [c.exercise_id for c in gradebook_.rows[0].cells if c.exercise_id]
    return render_template("instructor/student.html", problem_set=problem_set, user=user,
                           enrollment=enrollment, book=gradebook_, row=gradebook_.rows[0],
                           attempts=staff_queries.attempts_by_variant(user_id, held),
                           variants=staff_queries.exercises_by_id(held),
                           events=records.history(set_id, user_id),
                           extension_form=ExtensionForm(data={"due_at": form_time(enrollment.due_at)}),
                           override_form=_override_form(problem_set, gradebook_),
                           password_form=PasswordResetForm(), confirm=ConfirmForm(),
                           may_reset_password=records.may_reset_password(current_user.id,
                                                                         user_id))


@bp.post("/<id:set_id>/students/<id:user_id>/extension")
@instructor_required
def extension(set_id: str, user_id: str):
    """Give the student their own due date (blank: back to the set's)."""
    _student(set_id, user_id, "extend")
    form = ExtensionForm()
    if form.validate_on_submit():
        records.extend(set_id, user_id, form.due_at.data, current_user.id)
        flash(_("Due date saved."), "success")
    else:
        flash(_("The date was not understood."), "error")
    return redirect(url_for("records.student", set_id=set_id, user_id=user_id))


@bp.post("/<id:set_id>/students/<id:user_id>/override/<id:item_id>/remove")
@instructor_required
def remove_override(set_id: str, user_id: str, item_id: str):
    """Take a hand-set score away, so the best attempt counts again."""
    _student(set_id, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            records.remove_override(set_id, user_id, item_id, current_user.id)
        except RecordError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Override removed: the best attempt counts again."), "success")
    return redirect(url_for("records.student", set_id=set_id, user_id=user_id))


@bp.post("/<id:set_id>/students/<id:user_id>/override")
@instructor_required
def override(set_id: str, user_id: str):
    """Set the student's score on one exercise by hand."""
    problem_set, _user, _enrollment = _student(set_id, user_id)
    gradebook_ = book.gradebook(problem_set, user_id=user_id)
    form = _override_form(problem_set, gradebook_)
    if form.validate_on_submit():
        maxima = {item.id: m for item, m in zip(gradebook_.items, gradebook_.max_scores)}
        try:
            records.override(set_id, user_id, form.item_id.data, form.score.data,
                             form.reason.data, current_user.id, maxima[form.item_id.data])
        except RecordError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Score overridden."), "success")
    else:
        flash("; ".join(f"{getattr(form, k).label.text}: {', '.join(v)}"
                        for k, v in form.errors.items()), "error")
    return redirect(url_for("records.student", set_id=set_id, user_id=user_id))


@bp.post("/<id:set_id>/students/<id:user_id>/password")
@instructor_required
@password_reset_limit
def password(set_id: str, user_id: str):
    """Set a new password for a student of the set."""
    _problem_set, user, _enrollment = _student(set_id, user_id)
    if user.role != "student":
        abort(403)
    if not records.may_reset_password(current_user.id, user_id):
        abort(403, description=_(
            "This student is also in another instructor's problem set, so only they (with "
            "their current password) or an administrator can change their password."))
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            records.reset_password(user_id, form.password.data, current_user.id, set_id)
        except RecordError as exc:
            flash(str(exc), "error")
        else:
            flash(_("%(name)s's password is changed and their sessions are ended; tell them "
                    "the new one.", name=user.name), "success")
    else:
        flash(_("Enter a new password."), "error")
    return redirect(url_for("records.student", set_id=set_id, user_id=user_id))


@bp.get("/<id:set_id>/history")
@instructor_required
def history(set_id: str):
    """Every recorded change to the set: extensions, overrides, regrades, password resets."""
    return render_template("instructor/history.html", problem_set=owned_set(set_id, "view"),
                           events=records.history(set_id))


@bp.get("/<id:set_id>/variants/<id:exercise_id>")
@instructor_required
def variant(set_id: str, exercise_id: str):
    """A student's variant with its answer key and, beside it, every answer the student
    submitted with its grade."""
    problem_set = owned_set(set_id, "view")
    exercise = staff_queries.set_variant(set_id, exercise_id) or abort(404)
    item = staff_queries.set_item(set_id, exercise.item_id)
    student = staff_queries.user(exercise.user_id)
    attempts = staff_queries.attempts_by_variant(exercise.user_id, [exercise.id]).get(exercise.id, []) \
        if exercise.user_id else []
    return render_template("instructor/preview.html", problem_set=problem_set, item=item,
                           shown=answers.preview(problem_set, item, exercise.variant_index),
                           student=student,
                           attempts=[(s, {g.key: g for g in s.grades}) for s in attempts])
