"""Flask CLI commands: ``db upgrade``, ``create-instructor``, ``demo`` and ``trace``."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

db_cli = AppGroup("db", help="Database schema (Alembic).")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from exercises import migrate

    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    from exercises import migrate

    migrate.downgrade(current_app.config["DATABASE_URL"], revision)


@db_cli.command("current")
def db_current() -> None:
    """Show the database's revision."""
    from exercises import migrate

    migrate.current(current_app.config["DATABASE_URL"])


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Autogenerate a new revision from the models (for developers)."""
    from exercises import migrate

    migrate.revision(current_app.config["DATABASE_URL"], message)


@click.command("create-instructor")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option()
@with_appcontext
def create_instructor(email: str, name: str, password: str) -> None:
    """Create an instructor account."""
    from exercises import accounts

    try:
        accounts.create_user(email=email, name=name, password=password, role="instructor")
    except accounts.EmailTaken as exc:
        # The command line is an administrator's: it may say what a sign-up page must not.
        raise click.ClickException(f"{accounts.normalize_email(email)} already has an "
                                   "account") from exc
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"instructor {email} created")


@click.command("demo")
@with_appcontext
def demo() -> None:
    """Load demo data (idempotent): demo accounts, exercises and a problem set."""
    from exercises import demo as demo_module

    for line in demo_module.load():
        click.echo(line)


@click.command("trace", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def trace_command(args: tuple[str, ...]) -> None:
    """Trace a network spec, exactly as ``python -m tracer SPEC.json [options]``."""
    from tracer.cli import main

    sys.exit(main(list(args)))


def init_app(app: Flask) -> None:
    """Register the commands on ``app``."""
    app.cli.add_command(db_cli)
    app.cli.add_command(create_instructor)
    app.cli.add_command(demo)
    app.cli.add_command(trace_command)
