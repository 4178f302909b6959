"""Expiry of anonymous practice exercises: whoever made one without a login may never come back,
and each holds its whole trace, so one unused for ``DAYS`` days is deleted (with its trace and
submissions, by the database's cascades). ``flask expire-practice`` runs it; a job runner can
call ``expire_practice`` on a schedule.

"Unused" means made before the cutoff and with no submission since. Exercises of a problem set
and those of a signed-in user are never touched.
"""
from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import delete, select

from exercises import db
from exercises.models import Exercise, Submission, utcnow

DAYS = 30
BATCH = 500  # exercises deleted per transaction, so a large backlog never holds one long lock


def expire_practice(days: int = DAYS) -> int:
    """Delete anonymous practice exercises unused for ``days`` days; returns how many."""
    cutoff = utcnow() - timedelta(days=days)
    recent = select(Submission.id).where(Submission.exercise_id == Exercise.id,
                                         Submission.created_at >= cutoff)
    stale = (select(Exercise.id).where(Exercise.kind == "practice", Exercise.user_id.is_(None),
                                       Exercise.problem_set_id.is_(None),
                                       Exercise.created_at < cutoff, ~recent.exists())
             .limit(BATCH))
    removed = 0
    while True:
        with db.write_transaction() as sess:
            ids = sess.scalars(stale).all()
            if ids:
                sess.execute(delete(Exercise).where(Exercise.id.in_(ids)))
        removed += len(ids)
        if len(ids) < BATCH:
            return removed


@click.command("expire-practice")
@click.option("--days", default=DAYS, show_default=True, type=click.IntRange(min=1),
              help="Delete anonymous practice exercises unused for this many days.")
@with_appcontext
def expire_practice_command(days: int) -> None:
    """Delete anonymous practice exercises nobody used for DAYS days (default 30)."""
    click.echo(f"deleted {expire_practice(days)} practice exercise(s) unused for {days} days")


def init_app(app: Flask) -> None:
    """Register ``flask expire-practice``."""
    app.cli.add_command(expire_practice_command)
