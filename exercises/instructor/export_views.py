"""CSV downloads of a set: in the browser for its instructor, and through the JSON API with a
personal access token (``Authorization: Bearer``; no cookies, so no CSRF)."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from exercises import export_files, exports, jobs
from exercises.api import bearer_token
from exercises.errors import ApiError
from exercises.instructor import staff_queries, tokens
from exercises.instructor.access import instructor_required, may, owned_set
from exercises.instructor.forms import ConfirmForm
from exercises.jobs import records as job_records
from exercises.jobs.views import panel
from exercises.models import Job, ProblemSet

bp = Blueprint("exports", __name__, url_prefix="/instructor/sets")
api_bp = Blueprint("problem_set_api", __name__, url_prefix="/api/v1/problem-sets")


def _bom() -> bool | None:
    return {"1": True, "0": False}.get(request.args.get("bom", ""))


def csv_response(problem_set: ProblemSet, name: str) -> Response:
    """A streamed CSV download of one export; ``?bom=1`` or ``?bom=0`` chooses the UTF-8
    byte-order mark (default: on for grades and Canvas)."""
    if name not in exports.EXPORTS:
        abort(404)
    bom = _bom()
    filename = export_files.filename(problem_set, name)
    return Response(stream_with_context(exports.export_lines(problem_set, name, bom)),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@bp.get("/<id:set_id>/exports/")
@instructor_required
def index(set_id: str):
    """The list of exports with download links and the API route of each; an export too large
    to stream in one request (``export_files``) gets a button that starts a job instead, the
    job's progress panel, and the link to its file when done."""
    problem_set = owned_set(set_id)
    large = {name for name in export_files.JOB_EXPORTS
             if export_files.needs_job(problem_set, name)}
    job = panel(set_id, "export")
    return render_template("instructor/exports.html", problem_set=problem_set,
                           exports=exports.EXPORTS.values(),
                           large=large, form=ConfirmForm(), job=job, done=records_done(set_id),
                           job_done_url=url_for("exports.index", set_id=set_id))


def records_done(set_id: str) -> Job | None:
    """The set's latest export job when it is done and its file is still there."""
    job = jobs.latest(set_id, "export")
    if job is None or job.state != "done" or not export_files.path(job).exists():
        return None
    return job


@bp.get("/<id:set_id>/exports/<name>.csv")
@instructor_required
def download(set_id: str, name: str):
    """Download one export; one too large to stream in a request (an old link) goes back to
    the list, whose "Prepare" button (a POST: a GET starts no job) writes its file."""
    problem_set = owned_set(set_id)
    if name in exports.EXPORTS and export_files.needs_job(problem_set, name):
        flash(_("%(file)s is large: press “Prepare %(file)s” to write it to a file in the "
                "background.", file=name + ".csv"), "success")
        return redirect(url_for("exports.index", set_id=problem_set.id), 303)
    return csv_response(problem_set, name)


@bp.post("/<id:set_id>/exports/<name>.csv")
@instructor_required
def prepare(set_id: str, name: str):
    """Start the job that writes a large export's file."""
    problem_set = owned_set(set_id)
    if name not in export_files.JOB_EXPORTS:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, "the form's security token is missing or expired: reload the page")
    return _start(problem_set, name)


def _start(problem_set: ProblemSet, name: str):
    jobs.start("export", problem_set.id, {"name": name, "bom": _bom()},
               created_by=current_user.id)
    return redirect(url_for("exports.index", set_id=problem_set.id), 303)


@bp.get("/<id:set_id>/exports/files/<id:job_id>.csv")
@instructor_required
def file(set_id: str, job_id: str):
    """The file a done export job wrote (404 for another set's job or a file gone)."""
    owned_set(set_id)
    job = job_records.find(job_id)
    if (job is None or job.kind != "export" or job.target != set_id or job.state != "done"
            or not export_files.path(job).exists()):
        abort(404)
    response = send_file(export_files.path(job), mimetype="text/csv", as_attachment=True,
                         download_name=job.result.get("file", "export.csv"))
    response.headers["Cache-Control"] = "no-store"
    return response


@api_bp.get("/<id:set_id>/exports/<name>.csv")
def api_download(set_id: str, name: str):
    """An export for scripts: 401 without a valid token, 404 unless the set is the token
    owner's (an unknown id and another instructor's set look the same)."""
    token = bearer_token()
    if token is None:
        raise ApiError(401, "this call needs 'Authorization: Bearer <personal access token>'")
    user = tokens.user_for(token)
    if user is None:
        raise ApiError(401, "this token is not valid (revoked, mistyped, or not an instructor's)")
    problem_set = staff_queries.problem_set(set_id)
    if problem_set is None or not may(problem_set, user.id, "edit") or name not in exports.EXPORTS:
        raise ApiError(404, "no such problem set or export")
    return csv_response(problem_set, name)
