"""Instructor pages: the gradebook, the statistics and regrading."""
from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from exercises import jobs
from exercises.instructor import gradebook as book
from exercises.instructor import gradebook_page, problem_sets, staff_queries
from exercises.instructor import set_regrade as regrading
from exercises.instructor import statistics as class_stats
from exercises.instructor.access import instructor_required, owned_set
from exercises.instructor.forms import RegradeForm, rejected_status
from exercises.instructor.problem_sets import SetError
from exercises.jobs.views import panel
from exercises.web.ladder import hints_by_student

bp = Blueprint("gradebook", __name__, url_prefix="/instructor/sets")
FILTER_LABELS = (("all", _l("All students")), ("not_started", _l("Not started")),
                 ("in_progress", _l("In progress")), ("complete", _l("Complete")),
                 ("extension", _l("With an extension")))


@bp.get("/<id:set_id>/gradebook")
@instructor_required
def gradebook(set_id: str):
    """Students × exercises with scores and attempts."""
    problem_set = owned_set(set_id, "view")
    full = book.gradebook(problem_set)
    shown = gradebook_page.page(full, request.args.get("q", "")[:200],
                                request.args.get("filter", "all"),
                                request.args.get("sort", "name"),
                                request.args.get("order") == "desc",
                                request.args.get("page", 1, type=int))
    return render_template("instructor/gradebook.html", problem_set=problem_set, book=full,
                           shown=shown, filters=FILTER_LABELS,
                           hints=hints_by_student(problem_set.id))


@bp.get("/<id:set_id>/statistics")
@instructor_required
def statistics(set_id: str):
    """Per exercise: the share correct on each field and the most frequent misconceptions."""
    problem_set = owned_set(set_id, "view")
    return render_template("instructor/statistics.html", problem_set=problem_set,
                           stats=class_stats.statistics(problem_set),
                           statuses=class_stats.STATUSES)


@bp.get("/<id:set_id>/statistics/students")
@instructor_required
def students_behind(set_id: str):
    """The students behind one number of the statistics page."""
    problem_set = owned_set(set_id, "view")
    item = staff_queries.set_item(set_id, request.args.get("item", "")) or abort(404)
    status, mistake = request.args.get("status"), request.args.get("misconception")
    key = request.args.get("field") or None
    if (status is None) == (mistake is None) or (status is not None and (
            status not in class_stats.STATUSES or key is None)):
        abort(400, _("Ask for one status of one field, or one misconception."))
    symbol = next((f["symbol"] for f in book.item_fields(set_id).get(item.id, [])
                   if f["key"] == key), key)
    return render_template("instructor/students_behind.html", problem_set=problem_set,
                           item=item, symbol=symbol, status=status, misconception=mistake,
                           students=class_stats.students_behind(set_id, item.id, key, status,
                                                                mistake))


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

