"""The roster page of a set: upload a class list, preview it with each line's problem, import."""
from __future__ import annotations

from flask import Blueprint, flash, render_template, request
from flask_babel import gettext as _

from exercises.instructor import roster
from exercises.instructor.access import instructor_required, owned_set
from exercises.instructor.forms import RosterForm, rejected_status

bp = Blueprint("roster", __name__, url_prefix="/instructor/sets")


@bp.route("/<id:set_id>/roster", methods=["GET", "POST"])
@instructor_required
def roster_page(set_id: str):
    """The set's roster; a file (or pasted text) is previewed first and imported only when
    the instructor confirms the preview."""
    problem_set = owned_set(set_id)
    form = RosterForm()
    preview, text = None, ""
    if form.validate_on_submit():
        upload = form.file.data
        try:
            text = upload.read().decode("utf-8-sig") if upload else (form.text.data or "")
        except UnicodeDecodeError:
            flash(_("The file is not UTF-8 text: save it as CSV UTF-8 and upload it again."),
                  "error")
        else:
            preview = roster.read(text)
            if preview.problem:
                flash(preview.problem, "error")
            elif request.form.get("action") == "import":
                count = roster.store(set_id, preview.entries)
                flash(_("%(n)d students imported to the roster.", n=count), "success")
                preview, text = None, ""
    return render_template("instructor/roster.html", problem_set=problem_set, form=form,
                           preview=preview, text=text,
                           entries=list(roster.entries_by_email(set_id).values())), \
        rejected_status() if preview is None or preview.problem else 200
