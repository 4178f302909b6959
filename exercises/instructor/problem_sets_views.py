"""Instructor pages for building a problem set: settings, exercises, publishing, previews."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exercises import jobs
from exercises.generation import TemplateError
from exercises.instructor import answers, course, points, pool, problem_sets, publishing, staff_queries
from exercises.instructor.access import instructor_required, owned_set
from exercises.instructor.forms import ConfirmForm, ItemForm, PointsForm, SetForm, rejected_status
from exercises.instructor.policy import form_time
from exercises.instructor.problem_sets import SetError
from exercises.instructor.variants import item_digits
from exercises.jobs.views import panel
from exercises.practice import template_error

bp = Blueprint("problem_sets", __name__, url_prefix="/instructor/sets")
VARIANTS_PER_PAGE = 50
MAX_VARIANTS = 1_000_000  # variant indexes a pool can reach; the last page ends there


def _form_defaults(problem_set) -> dict:
    settings = problem_set.settings
    tolerance = settings.get("tolerance", {})
    return {"title": problem_set.title, "instructions": problem_set.instructions,
            "attempts": settings.get("attempts"), "due_at": form_time(problem_set.due_at),
            "ecf_credit": settings.get("ecf_credit", 1.0),
            "feedback": settings.get("feedback", True),
            "reveal": settings.get("reveal", "after_attempts"),
            "coaching": "" if problem_set.coaching is None else str(problem_set.coaching),
            "tolerance_mode": tolerance.get("mode", "relabs"), "rtol": tolerance.get("rtol"),
            "atol": tolerance.get("atol"), "digits": tolerance.get("digits"),
            "pool_size": problem_set.pool_size, "exam_mode": problem_set.exam_mode,
            "lock_trace_tool": problem_set.lock_trace_tool,
            "starts_at": form_time(problem_set.starts_at), "time_limit": problem_set.time_limit,
            "late_per_day": problem_set.late_per_day, "late_cap": problem_set.late_cap,
            "time_zone": problem_set.time_zone}


@bp.route("/new", methods=["GET", "POST"])
@instructor_required
def new():
    """Create a draft set."""
    form = SetForm()
    if form.validate_on_submit():
        try:
            problem_set = problem_sets.create_set(current_user.id, form.data)
        except SetError as exc:
            flash(str(exc), "error")
        else:
            return redirect(url_for("problem_sets.show", set_id=problem_set.id))
    return render_template("instructor/set_form.html", form=form,
                           problem_set=None), rejected_status()


@bp.route("/<id:set_id>/edit", methods=["GET", "POST"])
@instructor_required
def edit(set_id: str):
    """Change a set's title, instructions and settings."""
    problem_set = owned_set(set_id)
    form = SetForm(data=None if request.method == "POST" else _form_defaults(problem_set))
    if problem_set.status == "published":
        _grading_read_only(form, problem_set)
    if form.validate_on_submit():
        try:
            problem_sets.update_set(set_id, form.data, current_user.id)
        except SetError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Settings saved."), "success")
            return redirect(url_for("problem_sets.show", set_id=set_id))
    return render_template("instructor/set_form.html", form=form,
                           problem_set=problem_set), rejected_status()


GRADING_FIELDS = ("ecf_credit", "tolerance_mode", "rtol", "atol", "digits")


def _grading_read_only(form: SetForm, problem_set) -> None:
    """A published set's grading fields shown read-only with their stored values (a POST
    cannot change them: ``update_set`` keeps the stored ones)."""
    stored = _form_defaults(problem_set)
    for name in GRADING_FIELDS:
        field = getattr(form, name)
        field.data = stored[name]
        field.render_kw = {"readonly": True, "aria-readonly": "true", "tabindex": "-1",
                           "aria-describedby": "grading-read-only"}
        if name == "tolerance_mode":  # a select has no readonly: only its value is offered
            field.choices = [choice for choice in field.choices
                             if choice.value == stored[name]]


def _digits(problem_set, items) -> dict[str, int | str]:
    """What each exercise asks for, as the set page shows it: its fixed answer digits (what
    publishing fixes, before it does), or why its template makes no exercise."""
    shown: dict[str, int | str] = {}
    for item in items:
        if problem_set.status == "published" and item.answer_digits is None:
            # published before digits were fixed per item: its variants carry their own
            stored = staff_queries.stored_item_settings(item.id)
            shown[item.id] = stored["answer_digits"] if stored else ""
            continue
        try:
            shown[item.id] = item_digits(problem_set, item)
        except TemplateError as exc:
            shown[item.id] = template_error(exc).message
    return shown


@bp.get("/<id:set_id>")
@instructor_required
def show(set_id: str):
    """A set's overview: settings, exercises, publishing, join code and the tools."""
    problem_set = owned_set(set_id, "view")
    students = staff_queries.student_count(set_id)
    pools = staff_queries.free_counts(set_id)
    join_url = (url_for("sets.join_code", code=problem_set.join_code, _external=True)
                if problem_set.join_code else None)
    items = pool.set_items(set_id)
    return render_template("instructor/set.html", problem_set=problem_set,
                           items=items, digits=_digits(problem_set, items), pools=pools,
                           students=students, join_url=join_url, item_form=ItemForm(),
                           confirm=ConfirmForm(), weights=_weights(problem_set, items),
                           points_form=PointsForm(), job=panel(set_id, "publish"),
                           job_done_url=url_for("problem_sets.show", set_id=set_id))


def _weights(problem_set, items) -> dict[str, list[tuple[dict, float]]]:
    """Each exercise's fields with their points (none for an exercise that makes no variant)."""
    shown = {}
    for item in items:
        try:
            fields = points.item_field_list(problem_set, item)
        except TemplateError:
            continue
        weights = points.field_weights([f["key"] for f in fields], item.points,
                                       item.field_points)
        shown[item.id] = [(f, weights[f["key"]]) for f in fields]
    return shown


@bp.post("/<id:set_id>/items/<id:item_id>/points")
@instructor_required
def item_points(set_id: str, item_id: str):
    """Set what an exercise and (optionally) each of its fields is worth."""
    problem_set, item = _owned_item(set_id, item_id)
    form = PointsForm()
    if not form.validate_on_submit():
        flash(_("Points not changed. %(why)s", why="; ".join(
            error for errors in form.errors.values() for error in errors)), "error")
        return redirect(url_for("problem_sets.show", set_id=set_id))
    fields = points.item_field_list(problem_set, item)
    own = {}
    for f in fields:
        raw = request.form.get(f"field-{f['key']}", "").strip()
        if raw:
            try:
                own[f["key"]] = float(raw)
            except ValueError:
                flash(_("Points not changed. %(symbol)s: %(text)s is not a number.",
                        symbol=f["symbol"], text=raw), "error")
                return redirect(url_for("problem_sets.show", set_id=set_id))
    try:
        points.set_points(set_id, item_id, [f["key"] for f in fields], form.points.data, own,
                          current_user.id)
    except points.PointsError as exc:
        flash(_("Points not changed. %(why)s", why=exc), "error")
    else:
        flash(_("Points saved: %(title)s is worth %(points)s.", title=item.title,
                points=f"{form.points.data:g}"), "success")
    return redirect(url_for("problem_sets.show", set_id=set_id))


@bp.post("/<id:set_id>/items")
@instructor_required
def add_item(set_id: str):
    """Add an exercise from a built-in template and changed knobs (to a published set too:
    ``course.add_published_item``)."""
    problem_set = owned_set(set_id)
    form = ItemForm()
    if not form.validate_on_submit():
        flash("; ".join(f"{name}: {', '.join(errors)}" for name, errors in form.errors.items()),
              "error")
    else:
        try:
            knobs = problem_sets.item_knobs(form.data)
            if problem_set.status == "published":
                course.add_published_item(set_id, form.template_id.data, knobs,
                                          form.title.data or "", current_user.id)
            else:
                problem_sets.add_item(set_id, form.template_id.data, knobs,
                                      form.title.data or "")
        except SetError as exc:
            flash(_("The exercise was not added. %(why)s", why=exc), "error")
        else:
            flash(_("Exercise added."), "success")
    return redirect(url_for("problem_sets.show", set_id=set_id))


@bp.post("/<id:set_id>/items/<id:item_id>/<action>")
@instructor_required
def change_item(set_id: str, item_id: str, action: str):
    """Move an exercise up or down, or remove it (drafts only)."""
    owned_set(set_id)
    if action not in ("up", "down", "remove") or not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if action == "remove":
            problem_sets.remove_item(set_id, item_id)
        else:
            problem_sets.move_item(set_id, item_id, -1 if action == "up" else 1)
    except SetError as exc:
        flash(str(exc), "error")
    return redirect(url_for("problem_sets.show", set_id=set_id))


@bp.get("/<id:set_id>/publish")
@instructor_required
def confirm_publish(set_id: str):
    """What publishing fixes, and the button that does it."""
    problem_set = owned_set(set_id)
    if problem_set.status != "draft":
        return redirect(url_for("problem_sets.show", set_id=set_id))
    items = pool.set_items(set_id)
    return render_template("instructor/publish.html", problem_set=problem_set, items=items,
                           digits=_digits(problem_set, items), confirm=ConfirmForm())


@bp.post("/<id:set_id>/publish")
@instructor_required
def publish(set_id: str):
    """Publish: a job generates and stores the variant pools, then opens the set with a join
    code; the set page shows its progress."""
    owned_set(set_id)
    if ConfirmForm().validate_on_submit():
        try:
            publishing.begin_publish(set_id)
        except SetError as exc:
            flash(_("Not published. %(why)s", why=exc), "error")
        else:
            jobs.start("publish", set_id, created_by=current_user.id)
    return redirect(url_for("problem_sets.show", set_id=set_id))


@bp.post("/<id:set_id>/delete")
@instructor_required
def delete(set_id: str):
    """Delete a draft set."""
    owned_set(set_id, "own")
    if ConfirmForm().validate_on_submit():
        try:
            problem_sets.delete_set(set_id)
        except SetError as exc:
            flash(str(exc), "error")
            return redirect(url_for("problem_sets.show", set_id=set_id))
        flash(_("The draft is deleted."), "success")
    return redirect(url_for("auth.dashboard"))


def _owned_item(set_id: str, item_id: str, need: str = "edit") -> tuple:
    problem_set = owned_set(set_id, need)
    return problem_set, staff_queries.set_item(set_id, item_id) or abort(404)


@bp.get("/<id:set_id>/items/<id:item_id>/variants")
@instructor_required
def variants(set_id: str, item_id: str):
    """The pool of one exercise: every stored variant and who holds it."""
    problem_set, item = _owned_item(set_id, item_id, "view")
    # Clamped, so a page number beyond any pool never reaches the database as an OFFSET
    # that overflows its integers.
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_VARIANTS // VARIANTS_PER_PAGE)
    rows = staff_queries.item_variants(item_id, (page - 1) * VARIANTS_PER_PAGE, VARIANTS_PER_PAGE)
    return render_template("instructor/variants.html", problem_set=problem_set, item=item,
                           rows=rows, page=page, per_page=VARIANTS_PER_PAGE)


@bp.get("/<id:set_id>/items/<id:item_id>/variants/<int:index>")
@instructor_required
def preview(set_id: str, item_id: str, index: int):
    """One variant with its answer key (generated on the fly while the set is a draft)."""
    problem_set, item = _owned_item(set_id, item_id, "view")
    if index < 0 or index >= MAX_VARIANTS:
        abort(404)
    try:
        shown = answers.preview(problem_set, item, index)
    except TemplateError as exc:
        flash(template_error(exc).message, "error")
        return redirect(url_for("problem_sets.show", set_id=set_id))
    return render_template("instructor/preview.html", problem_set=problem_set, item=item,
                           shown=shown)
