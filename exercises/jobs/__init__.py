"""Background jobs: publishing, regrading, pool top-ups and expiry of practice exercises run
outside the web request, on a Huey queue, and record their progress in the ``jobs`` table.

Where the queue lives:

- no ``REDIS_URL`` (one machine): Huey's SQLite storage in the instance folder
  (``jobs.sqlite3``), and every app process runs its own consumer thread, started with its
  first request, so nothing has to be started by hand (``flask worker`` works too);
- ``REDIS_URL`` set (several servers): Huey's Redis storage, and ``flask worker`` runs the
  jobs, on one machine or several;
- ``JOBS_IMMEDIATE`` (on by default when ``TESTING``): every job runs at once in the caller.

A queue message says only "run job X"; the ``jobs`` row is the truth (``records``). Workers
re-send jobs whose worker died (``recover``: at start and every minute), and every job is
idempotent (``work``), so a crash costs time, never a doubled pool or a regrade applied twice.
"""
from __future__ import annotations

from flask import Flask

from exercises.jobs import queue, records
from exercises.models import Job

__all__ = ["init_app", "latest", "start"]
latest = records.latest


def start(kind: str, target: str | None, payload: dict | None = None,
          created_by: str | None = None) -> Job:
    """Record a job and queue it; the job of the same kind and target already queued or
    running when there is one. Returns the job as it is after queueing (done already in
    immediate mode)."""
    job, new = records.create(kind, target, payload, created_by)
    if new:
        queue.send(job.id)
    return records.reload(job.id)


def init_app(app: Flask) -> None:
    """Set up the queue, the job progress route and ``flask worker``."""
    from exercises.jobs import views

    queue.init_app(app)
    app.register_blueprint(views.bp)
