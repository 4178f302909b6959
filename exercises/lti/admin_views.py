"""The instructor's LTI page (``/instructor/lti``, SPEC §11): what to give the platform, the
platforms registered, the course links their launches made and, per link, the roster import
(NRPS)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exercises.instructor.access import instructor_required
from exercises.instructor.forms import ConfirmForm, rejected_status
from exercises.lti import grades, registrations, roster
from exercises.lti.forms import RegistrationForm
from exercises.lti.models import LtiResourceLink

bp = Blueprint("lti_admin", __name__, url_prefix="/instructor/lti")


@bp.route("/", methods=["GET", "POST"])
@instructor_required
def registrations_page():
    """Register a platform; list the registrations and the course links."""
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            registrations.create(current_user.id, form.fields())
        except registrations.RegistrationError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            flash(_("The platform is registered."), "success")
            return redirect(url_for("lti_admin.registrations_page"))
    links = registrations.course_links(current_user.id)
    return render_template("lti/registrations.html", form=form, confirm=ConfirmForm(),
                           registrations=registrations.owned(current_user.id), links=links,
                           posts=grades.posting_counts([link.id for link, *_ in links])), \
        rejected_status()


@bp.post("/<id:registration_id>/remove")
@instructor_required
def remove(registration_id: str):
    """Remove one of the instructor's registrations (its course links go with it)."""
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    if not registrations.remove(current_user.id, registration_id):
        abort(404)
    flash(_("The registration is removed."), "success")
    return redirect(url_for("lti_admin.registrations_page"))


def _owned_link(link_id: str) -> LtiResourceLink:
    """One of the current instructor's course links, or 404 (after the form's CSRF check)."""
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    return registrations.owned_link(current_user.id, link_id) or abort(404)


@bp.post("/links/<id:link_id>/scores")
@instructor_required
def send_scores(link_id: str):
    """Send every LMS student's current score to the link's line item (after a regrade or an
    override)."""
    link = _owned_link(link_id)
    count = grades.send_all(link) if link.lineitem else 0
    flash(_("%(n)d scores queued for the LMS.", n=count), "success")
    return redirect(url_for("lti_admin.registrations_page"))


@bp.post("/links/<id:link_id>/roster")
@instructor_required
def import_roster(link_id: str):
    """Import the course's students from the platform (NRPS) into the link's set."""
    link = _owned_link(link_id)
    try:
        done = roster.import_roster(link)
    except roster.RosterError as exc:
        flash(str(exc), "error")
    else:
        flash(_("%(students)d students of the course are in the set (%(members)d people "
                "listed by the platform).", students=done.students, members=done.members),
              "success")
    return redirect(url_for("lti_admin.registrations_page"))
