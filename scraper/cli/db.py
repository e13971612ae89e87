"""``briefwatch db upgrade``."""

from __future__ import annotations

import click


@click.group("db")
def command() -> None:
    """Manage the database schema."""


@command.command("upgrade")
@click.pass_obj
def upgrade(app) -> None:
    """Create the database or bring its schema up to date.

    Example: briefwatch db upgrade
    """
    storage = app.storage  # opening migrates to the newest schema
    click.echo(f"database at {storage.location} is at schema {storage.schema_revision()}")
