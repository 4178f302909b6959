"""Instructor pages of the course tools: a set's staff, copying a set, retiring and restoring
an exercise after publishing (adding one goes through the set page's own form)."""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exercises.instructor import course
from exercises.instructor.access import instructor_required, owned_set, role_of
from exercises.instructor.forms import ConfirmForm, StaffForm, rejected_status
from exercises.instructor.problem_sets import SetError

bp = Blueprint("course", __name__, url_prefix="/instructor/sets")


@bp.route("/<id:set_id>/staff", methods=["GET", "POST"])
@instructor_required
def staff(set_id: str):
    """The set's co-instructors and teaching assistants, and the form that adds one."""
    problem_set = owned_set(set_id, "view")
    form = StaffForm()
    if form.is_submitted():
        owned_set(set_id, "edit")
    if form.validate_on_submit():
        try:
            user = course.add_member(set_id, form.email.data, form.role.data, current_user.id)
        except SetError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(_("%(name)s is on the set's staff.", name=user.name), "success")
            return redirect(url_for("course.staff", set_id=set_id))
    return render_template("instructor/staff.html", problem_set=problem_set, form=form,
                           members=course.staff(set_id), confirm=ConfirmForm(),
                           role=role_of(problem_set, current_user.id)), rejected_status()


@bp.post("/<id:set_id>/staff/<id:user_id>/remove")
@instructor_required
def remove_member(set_id: str, user_id: str):
    """Take someone off the set's staff."""
    return _staff_change(set_id, "edit", lambda: course.remove_member(set_id, user_id, current_user.id),
                         _("Removed from the set's staff."))


@bp.post("/<id:set_id>/staff/<id:user_id>/transfer")
@instructor_required
def transfer(set_id: str, user_id: str):
    """Hand the set to a co-instructor (the owner only)."""
    return _staff_change(set_id, "own", lambda: course.transfer(set_id, user_id, current_user.id),
                         _("The set now belongs to its new owner; you are a co-instructor."))


def _staff_change(set_id: str, need: str, change: Callable[[], object], done: str):
    """A confirmed change to the set's staff by someone who may ``need``: ``change`` runs once
    the form's token checks out, its refusal (SetError) or ``done`` is flashed, and the staff
    page follows."""
    owned_set(set_id, need)
    if ConfirmForm().validate_on_submit():
        try:
            change()
        except SetError as exc:
            flash(str(exc), "error")
        else:
            flash(done, "success")
    return redirect(url_for("course.staff", set_id=set_id))


@bp.post("/<id:set_id>/copy")
@instructor_required
def copy(set_id: str):
    """Copy the set (its exercises and settings) into a new draft of the current instructor."""
    owned_set(set_id, "edit")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    made = course.copy_set(set_id, current_user.id)
    flash(_("Copied: a new draft with the same exercises and settings. Set its dates, then "
            "publish it for its own join code."), "success")
    return redirect(url_for("problem_sets.show", set_id=made.id))


@bp.post("/<id:set_id>/items/<id:item_id>/retire")
@bp.post("/<id:set_id>/items/<id:item_id>/restore", endpoint="restore")
@instructor_required
def retire(set_id: str, item_id: str):
    """Retire an exercise of a published set (it stops counting), or restore it."""
    owned_set(set_id, "edit")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    retiring = request.path.endswith("/retire")
    try:
        course.retire_item(set_id, item_id, current_user.id, retire=retiring)
    except SetError as exc:
        flash(str(exc), "error")
    else:
        flash(_("Exercise retired: it no longer counts in totals; its attempts stay.")
              if retiring else _("Exercise restored: it counts in totals again."), "success")
    return redirect(url_for("problem_sets.show", set_id=set_id))
