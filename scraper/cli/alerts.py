"""``briefwatch alerts list|retry|send|send-test``."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import click

from scraper.cli.context import ID_MAX, RuntimeFailure, UsageFailure
from scraper.cli.output import emit, format_option
from scraper.model import AlertStatus
from scraper.terminal import echo


@click.group("alerts")
def command() -> None:
    """Inspect and deliver queued alerts."""


@command.command("list")
@click.option("--status", type=click.Choice([s.value for s in AlertStatus]))
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@format_option("text", "json", "jsonl")
@click.pass_obj
def list_alerts(app, status, limit: int, fmt: str) -> None:
    """List queued and delivered alerts, newest first.

    Example: briefwatch alerts list --status failed
    """
    alerts = app.storage.list_alerts(status, limit)
    if fmt != "text":
        emit([a.to_dict() for a in alerts], fmt)
        return
    for a in alerts:
        about = a.payload.get("briefing", {}).get("title") or a.payload.get("text", "")
        error = f"  error: {a.last_error}" if a.last_error else ""
        reached = f"  reached: {', '.join(a.delivered_to)}" if a.delivered_to else ""
        echo(
            f"{a.id:>6} {a.status:<10} {a.channel:<12} {a.watch:<20} "
            f"attempts={a.attempts} {about[:60]}{reached}{error}"
        )


@command.command("retry")
@click.argument("ids", nargs=-1, type=click.IntRange(max=ID_MAX))
@click.pass_obj
def retry(app, ids: tuple[int, ...]) -> None:
    """Make every waiting alert (failed, or pending with a backoff), or the given ones, due
    now (a given-up one with its attempts counted afresh); the next send delivers them.

    Example: briefwatch alerts retry 12 13
    """
    count = app.storage.retry_alerts(list(ids) or None)
    click.echo(f"{count} alert(s) due again")


@command.command("send")
@click.option("--digest", is_flag=True, help="Send the digest channels' summary.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
@click.pass_obj
def send(app, digest: bool, dry_run: bool) -> None:
    """Deliver due alerts now (the immediate channels, or with --digest the digest ones).

    Example: briefwatch alerts send --dry-run
    """
    from scraper.alerts.deliver import deliver, summary

    mode = "digest" if digest else "immediate"
    if dry_run:
        from scraper.alerts.deliver import dry_run as render_due

        messages = render_due(app.storage, app.config, mode)
        for name, watch, text in messages:
            click.echo(f"=== {name}{f' / {watch}' if watch else ''} ===")
            click.echo(text.rstrip("\n"))
        click.echo(f"dry run: {len(messages)} message(s) would be sent, none sent", err=True)
        return
    report = deliver(app.storage, app.config, mode)
    if app.verbosity >= 0:  # -q (the crontab's digest line): nothing unless it fails
        click.echo(summary(report))
    if report.failed:
        what = "gave up" if report.given_up == report.failed else "will retry"
        raise RuntimeFailure(f"delivery failed, {what}: {report.errors[0]}")


@command.command("send-test")
@click.argument("channel")
@click.pass_obj
def send_test(app, channel: str) -> None:
    """Send a test message through one channel (by name), now, and print what the service
    answered, to check its settings.

    Example: briefwatch alerts send-test email
    """
    from scraper.alerts.channels import CHANNELS

    config = app.config
    instances = config.alerts.instances()
    if channel not in instances:
        raise UsageFailure(f"unknown channel {channel!r} (known: {', '.join(instances)})")
    settings = instances[channel]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    alert = SimpleNamespace(
        id=0,
        key=f"send-test|{channel}|{now.isoformat()}",
        channel=channel,
        watch="__operator__",
        created_at=now,
        delivered_to=(),
        payload={
            "type": "notice",
            "watch": "__operator__",
            "text": "This is a test message from briefwatch alerts send-test.",
        },
    )
    try:
        answer = CHANNELS[settings.kind](settings, config.alerts.max_chars, channel).send([alert])
    except Exception as exc:  # the operator asked to see exactly this failure
        raise RuntimeFailure(f"{channel}: {type(exc).__name__}: {exc}") from None
    note = "" if settings.enabled else " (the channel is disabled in the configuration)"
    click.echo(f"test message sent through {channel} ({settings.kind}){note}")
    if answer:
        click.echo(f"answer: {answer}")
