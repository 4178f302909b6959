"""Large exports as jobs: an export of more than ``EXPORT_JOB_ROWS`` rows (default 100,000) is
written to a file by a job (``exercises/jobs``, kind ``export``) instead of streamed in the
request, and the instructor downloads the file when the job is done; smaller ones stay direct.

Files go to ``EXPORTS_FOLDER`` (default: ``exports/`` in the instance folder); with several app
servers it must be storage they share, as the worker that writes a file may not be the server
that serves it. A file is written under a temporary name and renamed when complete, so a job
run again after its worker died starts the file afresh and a download never sees half a file;
a set keeps only its newest export file.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from flask import current_app

from exercises import db, exports
from exercises.models import Job, ProblemSet

# the exports that can grow past what one request should stream: those that count their rows
JOB_EXPORTS = tuple(name for name, export in exports.EXPORTS.items() if export.count)
DEFAULT_JOB_ROWS = 100_000
PROGRESS_SECONDS = 1.0  # how often a running export records how far it got


def job_rows() -> int:
    return int(current_app.config.get("EXPORT_JOB_ROWS") or DEFAULT_JOB_ROWS)


def rows(problem_set: ProblemSet, name: str) -> int | None:
    """How many rows export ``name`` of a set will have, where that is known cheaply."""
    count = exports.EXPORTS[name].count if name in exports.EXPORTS else None
    return count(problem_set) if count else None


def needs_job(problem_set: ProblemSet, name: str) -> bool:
    """Whether export ``name`` of a set is large enough to run as a job."""
    return name in JOB_EXPORTS and (rows(problem_set, name) or 0) > job_rows()


def folder() -> Path:
    return Path(current_app.config.get("EXPORTS_FOLDER")
                or os.path.join(current_app.instance_path, "exports"))


def path(job: Job) -> Path:
    """Where a done export job's file is (named by its set, so a set's older files can go)."""
    return folder() / f"{job.target}-{job.id}.csv"


def filename(problem_set: ProblemSet, name: str) -> str:
    return f"{problem_set.join_code or problem_set.id}-{name}.csv"


def write(job: Job, progress) -> dict:
    """Do an export job: write the file, telling ``progress(done, total)`` the rows written
    about once a second; returns the job's result (rows and file name)."""
    problem_set = db.session().get(ProblemSet, job.target)
    name, bom = job.payload["name"], job.payload.get("bom")
    total = rows(problem_set, name) or 0
    progress(0, total)
    target = path(job)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    last = time.monotonic()
    written = 0

    def told(done: int) -> None:
        nonlocal last, written
        written = done
        if time.monotonic() - last >= PROGRESS_SECONDS:
            progress(done, total)
            last = time.monotonic()

    with db.engine().connect() as conn, open(partial, "w", encoding="utf-8", newline="") as out:
        for chunk in exports.export_lines(problem_set, name, bom, progress=told, conn=conn):
            out.write(chunk)
    os.replace(partial, target)
    for older in target.parent.glob(f"{job.target}-*.csv"):  # one file per set: the newest
        if older != target:
            older.unlink(missing_ok=True)
    return {"rows": written, "name": name, "file": filename(problem_set, name)}
