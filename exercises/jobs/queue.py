"""The Huey queue that carries job messages, its consumers and ``flask worker``.

Huey only delivers "run job X" (``run_job``) and two periodic tasks: ``recover_jobs`` every
minute (jobs whose worker died are sent again: ``records.requeue_stale``) and
``expire_practice`` daily at 03:30 UTC. Tasks run inside an app context of the app that
registered them.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import click
from flask import Flask, current_app, has_app_context
from flask.cli import with_appcontext
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

NAME = "backprop-lab"
POLL_SECONDS = 1.0  # the longest an idle consumer waits before looking at SQLite again
_consumer_lock = threading.Lock()


class Queue:
    """An app's Huey instance with its tasks, made on first use (so that an app that never
    queues anything, such as ``flask db upgrade``, never opens the queue's storage), and the
    process whose consumer thread runs it."""

    def __init__(self, app: Flask):
        self.app, self._huey, self.run_job = app, None, None
        self.consumer_pid: int | None = None
        self.consumer: Consumer | None = None
        self._lock = threading.Lock()

    @property
    def huey(self) -> Huey:
        with self._lock:
            if self._huey is None:
                self._huey = self._make()
            return self._huey

    def send(self, job_id: str) -> None:
        """Queue the message that runs a job (at once, in immediate mode)."""
        _huey = self.huey  # made with its tasks on first use
        self.run_job(job_id)

    def _make(self) -> Huey:
        app = self.app
        url = app.config.get("REDIS_URL")
        immediate = bool(app.config.get("JOBS_IMMEDIATE", app.testing))
        if url:
            huey = RedisHuey(NAME, url=url, results=False, immediate=immediate)
        else:
            filename = Path(app.config.get("JOBS_SQLITE_FILE")
                            or Path(app.instance_path) / "jobs.sqlite3")
            # The instance folder exists only where the default SQLite database lives in it.
            filename.parent.mkdir(parents=True, exist_ok=True)
            huey = SqliteHuey(NAME, filename=str(filename), results=False, immediate=immediate)
        self.run_job = huey.task(name="run_job")(lambda job_id: _in_app(app, _run, job_id))
        huey.periodic_task(crontab(), name="recover_jobs")(lambda: _in_app(app, recover))
        huey.periodic_task(crontab(hour="3", minute="30"), name="expire_practice")(
            lambda: _in_app(app, _expire))
        return huey


def init_app(app: Flask) -> None:
    """Give the app its queue (SQLite in the instance folder, or Redis at ``REDIS_URL``) and
    ``flask worker``; without Redis, start a consumer thread in each app process with its
    first request."""
    queue = Queue(app)
    app.extensions["jobs"] = queue
    app.cli.add_command(worker)
    if not app.config.get("REDIS_URL") and not app.config.get("JOBS_IMMEDIATE", app.testing):
        @app.before_request
        def _consumer_thread() -> None:
            if queue.consumer_pid != os.getpid():
                try:
                    start_consumer_thread(queue)
                except (OSError, sqlite3.Error) as exc:
                    # Pages that queue nothing still answer; say once per process what to fix.
                    queue.consumer_pid = os.getpid()
                    app.logger.error("the job queue cannot open its SQLite file (%s): set "
                                     "REDIS_URL, or JOBS_SQLITE_FILE to a writable path", exc)


def _in_app(app: Flask, function, *args):
    """Run ``function`` in ``app``'s context: the caller's own (immediate mode) or a new one."""
    if has_app_context() and current_app._get_current_object() is app:
        return function(*args)
    with app.app_context():
        return function(*args)


def _run(job_id: str) -> None:
    from exercises.jobs.work import run

    run(job_id)


def _expire() -> None:
    from exercises import jobs

    jobs.start("expire", None)


def send(job_id: str) -> None:
    """Queue the message that runs a job."""
    current_app.extensions["jobs"].send(job_id)


def recover() -> int:
    """Send again every job whose worker died or whose message waited too long; returns how
    many. Running a job twice is harmless (``records.claim``)."""
    from exercises.jobs.records import requeue_stale

    ids = requeue_stale(current_app.config["JOBS_STALE_SECONDS"])
    for job_id in ids:
        send(job_id)
    return len(ids)


class _ThreadConsumer(Consumer):
    """Huey's consumer without its signal handlers, which only a main thread may install."""

    def _set_signal_handlers(self) -> None:
        pass


def start_consumer_thread(queue: Queue) -> None:
    """Start this process's consumer (one worker thread and the scheduler, both daemons)."""
    with _consumer_lock:
        if queue.consumer_pid == os.getpid():
            return
        queue.consumer = _ThreadConsumer(queue.huey, workers=1, max_delay=POLL_SECONDS)
        queue.consumer.start()
        queue.consumer_pid = os.getpid()


def stop_consumer_thread(queue: Queue) -> None:
    """Stop this process's consumer after the job it runs (tests and benchmarks end with it)."""
    with _consumer_lock:
        if queue.consumer is not None and queue.consumer_pid == os.getpid():
            queue.consumer.stop(graceful=True)
        queue.consumer = queue.consumer_pid = None


@click.command("worker")
@click.option("--threads", default=2, show_default=True, type=click.IntRange(min=1),
              help="Jobs run at once by this worker.")
@with_appcontext
def worker(threads: int) -> None:
    """Run background jobs (publishing, regrading, pool top-ups, expiry) until stopped.
    Start one or more on any machine that reaches the database and REDIS_URL."""
    queue = current_app.extensions["jobs"]
    if queue.huey.immediate:
        raise click.ClickException("jobs run immediately in this configuration (JOBS_IMMEDIATE)")
    click.echo(f"worker {os.getpid()}: {recover()} unfinished job(s) sent again; "
               f"queue {'Redis' if current_app.config.get('REDIS_URL') else 'SQLite'}")
    queue.huey.create_consumer(workers=threads, max_delay=POLL_SECONDS).run()
