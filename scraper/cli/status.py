"""``briefwatch status``."""

from __future__ import annotations

import json

import click


@click.command("status")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
def command(app, fmt: str) -> None:
    """Where the database is, what it holds and how the last runs went.

    Example: briefwatch status --format json
    """
    from scraper.parsing import PARSER_VERSION

    storage = app.storage
    runs = storage.recent_runs(limit=1)
    daemon = storage.crawl_state("daemon")
    data = {
        "daemon": daemon,
        "database": storage.location,
        "schema": storage.schema_revision(),
        "counts": storage.counts(),
        "parser": {
            "version": PARSER_VERSION,
            "revisions_behind": storage.revisions_behind(PARSER_VERSION),
        },
        "last_run": (
            {
                "command": runs[0].command,
                "started_at": runs[0].started_at.isoformat(timespec="seconds"),
                "finished_at": runs[0].finished_at.isoformat(timespec="seconds")
                if runs[0].finished_at
                else None,
                "status": runs[0].status,
                "counts": runs[0].counts,
            }
            if runs
            else None
        ),
    }
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"database:  {data['database']} (schema {data['schema']})")
    for name, count in data["counts"].items():
        click.echo(f"{name + ':':<15}{count}")
    behind = data["parser"]["revisions_behind"]
    click.echo(
        f"parser:    version {PARSER_VERSION}, {behind} revision(s) read by an older parser"
        + (" (run briefwatch reparse)" if behind else "")
    )
    last = data["last_run"]
    if last:
        click.echo(
            f"last run:  {last['command']} {last['status']} "
            f"started {last['started_at']} finished {last['finished_at'] or '-'}"
        )
    else:
        click.echo("last run:  never")
    if daemon and not daemon.get("stopped"):
        click.echo(
            f"daemon:    pid {daemon['pid']}, last heartbeat {daemon['heartbeat']}, "
            f"next run {daemon['next_run'] or '-'}"
        )
    elif daemon:
        click.echo(f"daemon:    stopped {daemon['stopped']}")
    else:
        click.echo("daemon:    never started")
