"""Command-line tools of the instructor side: password resets and variant-pool top-ups."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from exercises import accounts, db
from exercises.instructor import enrollment, pool, records
from exercises.models import ProblemSet, User


@click.command("reset-password")
@click.option("--email", required=True, help="The account's email.")
@click.password_option(help="The new password (asked for when omitted).")
@with_appcontext
def reset_password(email: str, password: str) -> None:
    """Set a new password for an account (for an instructor who lost theirs)."""
    user = db.session().scalar(select(User).where(User.email == accounts.normalize_email(email)))
    if user is None:
        raise click.ClickException(f"no account has the email {email}")
    try:
        records.reset_password(user.id, password, actor_id=None)
    except records.RecordError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"password of {user.email} ({user.role}) changed")


@click.command("topup-pools")
@click.option("--set", "set_id", default=None, help="Only this problem set's pools.")
@with_appcontext
def topup_pools(set_id: str | None) -> None:
    """Generate variants for every published set whose pools run low (run it from cron, or
    before an exam)."""
    query = select(ProblemSet.id).where(ProblemSet.status == "published")
    if set_id is not None:
        query = query.where(ProblemSet.id == set_id)
    total = 0
    for found in db.session().scalars(query).all():
        while added := pool.top_up(found):
            total += added
            click.echo(f"set {found}: {added} variants added")
        enrollment.assign_waiting(found)
    click.echo(f"{total} variants added in all")


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(reset_password)
    app.cli.add_command(topup_pools)
