"""Instructor pages: the gradebook, the statistics and regrading."""
from __future__ import annotations

from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user

from .. import jobs
from ..jobs.views import panel
from . import gradebook as book
from . import problem_sets, regrade as regrading
from .access import instructor_required, owned_set
from .forms import RegradeForm, rejected_status
from .problem_sets import SetError

bp = Blueprint("gradebook", __name__, url_prefix="/instructor/sets")


@bp.get("/<id:set_id>/gradebook")
@instructor_required
def gradebook(set_id: str):
    """Students × exercises with scores and attempts."""
    problem_set = owned_set(set_id)
    return render_template("instructor/gradebook.html", problem_set=problem_set,
                           book=book.gradebook(problem_set))


@bp.get("/<id:set_id>/statistics")
@instructor_required
def statistics(set_id: str):
    """Per exercise: the share correct on each field and the most frequent misconceptions."""
    problem_set = owned_set(set_id)
    return render_template("instructor/statistics.html", problem_set=problem_set,
                           stats=book.statistics(problem_set))


@bp.route("/<id:set_id>/regrade", methods=["GET", "POST"])
@instructor_required
def regrade(set_id: str):
    """Preview, then apply, new grading settings to every stored submission."""
    problem_set = owned_set(set_id)
    tolerance = problem_set.settings.get("tolerance", {})
    form = RegradeForm(data=None if request.method == "POST" else {
        "ecf_credit": problem_set.settings.get("ecf_credit", 1.0),
        "tolerance_mode": tolerance.get("mode", "relabs"), "rtol": tolerance.get("rtol"),
        "atol": tolerance.get("atol"), "digits": tolerance.get("digits")})
    summary, applied = None, False
    if form.validate_on_submit():
        try:
            settings = problem_sets.settings_from(form.data)
        except SetError as exc:
            flash(str(exc), "error")
        else:
            applied = request.form.get("action") == "apply"
            if applied:  # a job applies it; the page shows its progress
                jobs.start("regrade", set_id, {"settings": settings}, current_user.id)
            else:
                summary = regrading.regrade_set(set_id, settings, current_user.id, apply=False)
    return render_template("instructor/regrade.html", problem_set=owned_set(set_id),
                           form=form, summary=summary, applied=applied,
                           job=panel(set_id, "regrade"),
                           job_done_url=url_for("gradebook.regrade", set_id=set_id)), \
        200 if summary or applied else rejected_status()

