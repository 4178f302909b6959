"""What each kind of job does. Every one is idempotent, because a job may run again after its
worker died (``records.claim``): publishing fills pools only where variants are missing
(``pool.fill``), a regrade records itself done in the transaction that applies it, a top-up
adds only to pools that run low, expiry deletes only what is still stale, an export writes its
file afresh under a temporary name.
"""
from __future__ import annotations

import logging

from flask import current_app

from exercises import db, expiry
from exercises.instructor import enrollment, pool, publishing
from exercises.instructor import set_regrade as regrade
from exercises.instructor.problem_sets import SetError
from exercises.jobs import records
from exercises.models import ProblemSet

log = logging.getLogger(__name__)
INTERNAL_ERROR = "internal error"  # what the job records when it fails unexpectedly (logged)


class AlreadyDone(Exception):
    """Another run of the same job finished it first; this run's work is rolled back."""


def run(job_id: str) -> None:
    """Claim a job and do it; a failure is recorded on the job for its owner to read."""
    job = records.claim(job_id, current_app.config["JOBS_STALE_SECONDS"])
    if job is None:
        return  # finished, or running elsewhere
    log.info("job %s (%s %s) run %d started", job.id, job.kind, job.target, job.runs)
    try:
        with records.heartbeat(job_id, current_app.config["JOBS_STALE_SECONDS"] / 4):
            result = KINDS[job.kind](job)
    except AlreadyDone:
        return
    except SetError as exc:
        records.fail(job_id, str(exc))
        return
    except Exception:  # a worker has nobody to report to but the job and the log
        log.exception("job %s (%s %s) failed", job.id, job.kind, job.target)
        if job.kind == "publish":
            publishing.back_to_draft(job.target)
        records.fail(job_id, INTERNAL_ERROR)
        return
    if result is not None:
        with db.write_transaction() as sess:
            records.finish(sess, job_id, result)
    log.info("job %s (%s %s) done", job.id, job.kind, job.target)


def _publish(job) -> dict:
    def progress(sess, done: int, total: int) -> None:
        records.progress(sess, job.id, done, total)

    problem_set = db.session().get(ProblemSet, job.target)
    with db.write_transaction() as sess:  # the bar's length, before the first chunk
        progress(sess, job.done, problem_set.pool_size * len(pool.set_items(job.target)))

    return {"variants": publishing.complete_publish(job.target, progress)}


def _regrade(job) -> None:
    def progress(done: int, total: int) -> None:
        records.report(job.id, done, total)

    def applied(sess, summary) -> None:
        if not records.finish(sess, job.id, {"submissions": summary.submissions,
                                             "changed": summary.attempts_changed,
                                             "students": len(summary.students),
                                             "fields_changed": summary.fields_changed}):
            raise AlreadyDone
    regrade.regrade_set(job.target, job.payload["settings"], job.created_by, apply=True,
                        on_applied=applied, progress=progress)


def _top_up(job) -> dict:
    added = 0
    while step := pool.top_up(job.target):
        added += step  # a burst of joins may drain the new stock at once; refill until calm
    enrollment.assign_waiting(job.target)  # students whose pool ran dry get theirs now
    return {"variants": added}


def _export(job) -> dict:
    from exercises import export_files  # the exports import the instructor side, which imports jobs

    def progress(done: int, total: int) -> None:
        records.report(job.id, done, total)
    return export_files.write(job, progress)


def _expire(job) -> dict:
    return {"deleted": expiry.expire_practice(job.payload.get("days", expiry.DAYS))}


def _lti_score(job) -> dict:
    from exercises.lti.grades import post_score  # LTI grade passback (exercises/lti)

    return post_score(job)


KINDS = {"publish": _publish, "regrade": _regrade, "topup": _top_up, "expire": _expire,
         "lti_score": _lti_score, "export": _export}
