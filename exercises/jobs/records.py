"""The ``jobs`` table: what each piece of background work is, how far it got, how it ended.

A job is a row first and a queue message second. The message only says "run job X"; running
it starts by *claiming* the row (queued, or running with a heartbeat older than the stale
limit: its worker died), so a message delivered twice, or re-sent by ``recover`` after a
crash, runs the work at most once at a time. ``active_key`` ("kind:target") is unique while a
job is queued or running, so one set never has two publishes, regrades or top-ups at once.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from exercises import db
from exercises.models import Job, utcnow

ACTIVE = ("queued", "running")
log = logging.getLogger(__name__)


def create(kind: str, target: str | None, payload: dict[str, Any] | None = None,
           created_by: str | None = None) -> tuple[Job, bool]:
    """A new queued job, or the one of the same kind and target already queued or running;
    returns (job, whether it is new)."""
    key = f"{kind}:{target or ''}"
    existing = _active(key)
    if existing is not None:
        return existing, False
    job = Job(kind=kind, target=target, active_key=key, payload=payload or {},
              created_by=created_by, result={})
    try:
        with db.write_transaction() as sess:
            sess.add(job)
    except IntegrityError:  # another process made it between our look and our insert
        found = _active(key)
        if found is None:
            raise
        return found, False
    return job, True


def _active(key: str) -> Job | None:
    return db.session().scalar(select(Job).where(Job.active_key == key))


def claim(job_id: str, stale_seconds: int) -> Job | None:
    """Mark a job running for this caller and return it; None when it is finished or running
    elsewhere with a fresh heartbeat."""
    now = utcnow()
    with db.write_transaction() as sess:
        claimed = sess.execute(
            update(Job).where(Job.id == job_id, or_(
                Job.state == "queued",
                and_(Job.state == "running",
                     Job.heartbeat_at < now - timedelta(seconds=stale_seconds))))
            .values(state="running", heartbeat_at=now, runs=Job.runs + 1,
                    started_at=func.coalesce(Job.started_at, now))).rowcount
    return db.session().get(Job, job_id, populate_existing=True) if claimed else None


def progress(sess, job_id: str, done: int, total: int) -> None:
    """Record progress (and a heartbeat) within the caller's transaction."""
    sess.execute(update(Job).where(Job.id == job_id)
                 .values(done=done, total=total, heartbeat_at=utcnow()))


def report(job_id: str, done: int, total: int) -> None:
    """Record progress on a connection of its own, outside the caller's transaction (a step
    that reads in one long transaction); a busy database skips this report, not the work."""
    try:
        with db.engine().begin() as conn:
            conn.execute(update(Job).where(Job.id == job_id, Job.state == "running")
                         .values(done=done, total=total, heartbeat_at=utcnow()))
    except Exception as exc:  # a busy SQLite file: the next report will do
        log.warning("job %s: progress not recorded (%s)", job_id, exc)


@contextmanager
def heartbeat(job_id: str, every: float) -> Iterator[None]:
    """While the block runs, a thread marks the job alive every ``every`` seconds on a
    connection of its own, so a long step (a big chunk, a regrade's one transaction) never
    looks like a dead worker; a process that dies stops it, which is the point."""
    engine, stop = db.engine(), threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                with engine.begin() as conn:
                    conn.execute(update(Job).where(Job.id == job_id, Job.state == "running")
                                 .values(heartbeat_at=utcnow()))
            except Exception as exc:  # a busy SQLite file: the next beat will do
                log.warning("job %s: heartbeat not recorded (%s)", job_id, exc)

    thread = threading.Thread(target=beat, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def finish(sess, job_id: str, result: dict[str, Any]) -> bool:
    """Mark a job done within the caller's transaction, so the work and its record commit
    together; False (and nothing written) when another run already finished it."""
    job = sess.get(Job, job_id, with_for_update=True, populate_existing=True)
    if job.state in ("done", "failed"):
        return False
    now = utcnow()
    job.state, job.result, job.active_key = "done", result, None
    job.finished_at = job.heartbeat_at = now
    if job.total:
        job.done = job.total
    return True


def fail(job_id: str, error: str) -> None:
    """Mark a job failed with a message for the person who started it."""
    with db.write_transaction() as sess:
        job = sess.get(Job, job_id, with_for_update=True, populate_existing=True)
        if job.state in ("done", "failed"):
            return
        job.state, job.error, job.active_key = "failed", error, None
        job.finished_at = job.heartbeat_at = utcnow()


def requeue_stale(stale_seconds: int) -> list[str]:
    """Jobs whose worker died (running, no heartbeat for ``stale_seconds``) or whose message
    may be lost (queued that long): put back to queued, with a fresh heartbeat so that other
    recoverers leave them alone for a while; returns their ids, to send again."""
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    ids = db.session().scalars(select(Job.id).where(Job.state.in_(ACTIVE),
                                                    Job.heartbeat_at < cutoff)).all()
    taken = []
    for job_id in ids:
        with db.write_transaction() as sess:
            if sess.execute(update(Job).where(Job.id == job_id, Job.state.in_(ACTIVE),
                                              Job.heartbeat_at < cutoff)
                            .values(state="queued", heartbeat_at=utcnow())).rowcount:
                taken.append(job_id)
    return taken


def latest(target: str, kind: str) -> Job | None:
    """The most recent job of ``kind`` on ``target``."""
    return db.session().scalar(select(Job).where(Job.target == target, Job.kind == kind)
                               .order_by(Job.created_at.desc()).limit(1))


def reload(job_id: str) -> Job:
    """A job as stored now."""
    return db.session().get(Job, job_id, populate_existing=True)


def find(job_id: str) -> Job | None:
    """A job by id (None for an unknown id): callers check whose it is."""
    return db.session().get(Job, job_id)
