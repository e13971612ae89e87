"""``briefwatch status`` and ``briefwatch runs``."""

from __future__ import annotations

import json

import click

from scraper.cli.output import emit, format_option


def no_watches_hint(config) -> str | None:
    """One line with the next step when no [[watch]] is configured (None when some are)."""
    if config.watch:
        return None
    from scraper.config import config_search_path

    where = config.path or config_search_path()[0]
    return (
        f"no watches configured: nothing will be alerted; add a [[watch]] table to {where} "
        '(name = "sanctions", terms = ["sanctions"]; see the README\'s quick start)'
    )


def run_data(run) -> dict:
    """One recorded run as plain data, timestamps in UTC with their offset."""
    from scheduler.health import utc_text

    errors = [e["error"] for e in run.errors or [] if isinstance(e, dict) and "error" in e]
    counts = dict(run.counts or {})
    return {
        "id": run.id,
        "command": run.command,
        "status": run.status,
        "started_at": utc_text(run.started_at),
        "finished_at": utc_text(run.finished_at),
        "counts": {k: v for k, v in counts.items() if k != "sources"},
        # Per source crawled (runs recorded before they were kept have none).
        "sources": counts.get("sources") or {},
        "errors": len(errors),
        "error": errors[0] if errors else None,
    }


def source_counts_text(c: dict) -> str:
    """One source's part of a run, as a phrase."""
    return (
        f"{c.get('new', 0)} new, {c.get('updated', 0)} updated, "
        f"{c.get('unchanged', 0)} unchanged, "
        f"{c.get('errors', 0)} error{'' if c.get('errors', 0) == 1 else 's'}"
    )


@click.command("status")
@format_option("text", "json")
@click.pass_obj
def command(app, fmt: str) -> None:
    """Where the database is, what it holds, how the last run went, whether the daemon runs.

    The daemon counts as running only if its process is alive and its heartbeat recent.

    Example: briefwatch status --format json
    """
    from scheduler.health import STATE_KEY, daemon_state, utc_text
    from scraper.parsing import PARSER_VERSION

    storage = app.reader  # on SQLite, read without SQLAlchemy
    runs = storage.recent_runs(limit=1)
    beat = storage.crawl_state(STATE_KEY)
    state = daemon_state(beat)
    daemon = dict(beat or {})
    for key in ("started", "heartbeat", "next_run", "stopped"):
        if daemon.get(key):
            daemon[key] = utc_text(daemon[key])
    daemon.update(
        running=state.running, state=state.state, heartbeat_age_seconds=state.heartbeat_age
    )
    data = {
        "daemon": daemon,
        "database": storage.location,
        "schema": storage.schema_revision(),
        "counts": storage.counts(),
        "parser": {
            "version": PARSER_VERSION,
            "revisions_behind": storage.revisions_behind(PARSER_VERSION),
        },
        "alerts_given_up": storage.alerts_given_up(),
        "watches": len(app.config.watch),
        "last_run": run_data(runs[0]) if runs else None,
    }
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"database:  {data['database']} (schema {data['schema']})")
    for name, count in data["counts"].items():
        if name != "alerts_given_up":  # shown below, with what to do about them
            click.echo(f"{name + ':':<17}{count}")
    behind = data["parser"]["revisions_behind"]
    click.echo(
        f"parser:    version {PARSER_VERSION}, {behind} revision(s) read by an older parser"
        + (" (run briefwatch reparse)" if behind else "")
    )
    given_up = data["alerts_given_up"]
    click.echo(
        f"{'alerts_given_up:':<17}{given_up}"
        + (
            " (reached max_attempts: `briefwatch alerts list --status failed`, then "
            "`briefwatch alerts retry`)"
            if given_up
            else ""
        )
    )
    last = data["last_run"]
    if last:
        click.echo(
            f"last run:  {last['command']} {last['status']} "
            f"started {last['started_at']} finished {last['finished_at'] or '-'}"
        )
        for slug, c in last["sources"].items():
            click.echo(f"  {slug + ':':<18} {source_counts_text(c)}")
        if last["error"]:
            more = f" (+{last['errors'] - 1} more: briefwatch runs)" if last["errors"] > 1 else ""
            click.echo(f"  error:   {last['error']}{more}")
    else:
        click.echo("last run:  never")
    click.echo(f"daemon:    {state.text}")
    hint = no_watches_hint(app.config)
    click.echo(f"watches:   {hint or len(app.config.watch)}")


@click.command("runs")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@format_option("text", "json", "jsonl")
@click.pass_obj
def runs(app, limit: int, fmt: str) -> None:
    """Recent runs, newest first: command, status, when, what they stored, their first error;
    under each run, a line per source it crawled.

    Example: briefwatch runs --limit 5
    """
    from scheduler.health import parse_time

    data = [run_data(r) for r in app.reader.recent_runs(limit=limit)]
    if fmt != "text":
        emit(data, fmt)
        return
    if not data:
        click.echo("no runs recorded yet (briefwatch run starts one)")
        return
    click.echo(
        f"{'id':>5}  {'command':<8} {'status':<11} {'started (UTC)':<25} {'seconds':>7} "
        f"{'new':>4} {'upd':>4} {'errors':>6}  first error"
    )
    for r in data:
        c = r["counts"]
        seconds = "-"
        finished, started = parse_time(r["finished_at"]), parse_time(r["started_at"])
        if finished and started:
            delta = finished - started
            seconds = f"{delta.total_seconds():.0f}"
        click.echo(
            f"{r['id']:>5}  {r['command']:<8} {r['status']:<11} {r['started_at']:<25} "
            f"{seconds:>7} {c.get('new', 0):>4} {c.get('updated', 0):>4} {r['errors']:>6}  "
            f"{(r['error'] or '')[:100]}"
        )
        for slug, c in r["sources"].items():
            # Under the run's own new/upd/errors columns (62 characters in).
            click.echo(
                f"{'':7}{slug:<55}{c.get('new', 0):>4} {c.get('updated', 0):>4} "
                f"{c.get('errors', 0):>6}"
            )
