"""What an instructor sees of a job: a progress panel on the page that started it (the set
page for publishing, the regrade page), kept current by ``jobs.js`` polling ``progress`` or,
without JavaScript, by the page refreshing itself; and when the job ends, what it did."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, jsonify
from flask_babel import gettext as _

from exercises.instructor.access import instructor_required, owned_set
from exercises.jobs import records
from exercises.jobs.work import INTERNAL_ERROR
from exercises.models import Job, utcnow

bp = Blueprint("jobs", __name__, url_prefix="/instructor/jobs")
SHOWN_AFTER_END = timedelta(minutes=10)  # a finished job's panel stays this long


def describe(job: Job) -> str:
    """One sentence on where a job stands, for its owner."""
    if job.state == "failed":
        why = job.error
        if why == INTERNAL_ERROR:
            why = _("An internal error stopped it; nothing was changed. Please try again.")
        if job.kind == "publish":
            return _("Not published. %(why)s", why=why)
        if job.kind == "export":
            return _("Not exported. %(why)s", why=why)
        return _("Not regraded. %(why)s", why=why)
    if job.state == "done":
        if job.kind == "publish":
            return _("Published: %(count)d variants are ready for your students.",
                     count=job.result.get("variants", 0))
        if job.kind == "export":
            return _("Exported %(rows)d rows: %(file)s is ready to download.",
                     rows=job.result.get("rows", 0), file=job.result.get("file", ""))
        return _("Regraded %(n)d graded attempts: %(changed)d changed; %(students)d "
                 "students' totals changed.", n=job.result.get("submissions", 0),
                 changed=job.result.get("changed", 0), students=job.result.get("students", 0))
    if job.state == "queued":
        return _("Waiting for a worker to start…")
    if job.kind == "publish":
        return _("Publishing: %(done)d of %(total)d variants generated.", done=job.done,
                 total=job.total)
    if job.kind == "export":
        return _("Exporting: %(done)d of %(total)d rows written.", done=job.done, total=job.total)
    if job.total:
        return _("Regrading: %(done)d of %(total)d graded attempts.", done=job.done,
                 total=job.total)
    return _("Regrading every stored submission…")


def panel(target: str, kind: str) -> dict | None:
    """The panel a page shows for the latest job of ``kind`` on ``target``: while it runs, and
    for a while after it ends."""
    job = records.latest(target, kind)
    if job is None or (job.finished_at is not None
                       and utcnow() - _aware(job.finished_at) > SHOWN_AFTER_END):
        return None
    return state(job)


def state(job: Job) -> dict:
    """A job's state as the panel and the progress route give it."""
    return {"id": job.id, "state": job.state, "done": job.done, "total": job.total,
            "active": job.state in records.ACTIVE, "message": describe(job)}


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


@bp.get("/<id:job_id>/progress")
@instructor_required
def progress(job_id: str):
    """A job's state as JSON, for the page's progress bar (only its set's owner sees it)."""
    job = records.find(job_id)
    if job is None or job.target is None:
        abort(404)
    owned_set(job.target, "view")
    response = jsonify(state(job))
    response.headers["Cache-Control"] = "no-store"
    return response
