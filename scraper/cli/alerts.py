"""``briefwatch alerts list|retry|send|send-test``."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import click

from scraper.cli.context import RuntimeFailure, UsageFailure


@click.group("alerts")
def command() -> None:
    """Inspect and deliver queued alerts."""


@command.command("list")
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "failed", "suppressed"]))
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
def list_alerts(app, status, limit: int, fmt: str) -> None:
    """List queued and delivered alerts, newest first.

    Example: briefwatch alerts list --status failed
    """
    alerts = app.storage.list_alerts(status, limit)
    if fmt == "json":
        for a in alerts:
            click.echo(
                json.dumps(
                    {
                        "id": a.id,
                        "channel": a.channel,
                        "watch": a.watch,
                        "status": a.status,
                        "attempts": a.attempts,
                        "last_error": a.last_error,
                        "created_at": a.created_at.isoformat(),
                        "sent_at": a.sent_at.isoformat() if a.sent_at else None,
                        "payload": a.payload,
                    },
                    ensure_ascii=False,
                )
            )
        return
    for a in alerts:
        about = a.payload.get("briefing", {}).get("title") or a.payload.get("text", "")
        error = f"  error: {a.last_error}" if a.last_error else ""
        click.echo(
            f"{a.id:>6} {a.status:<10} {a.channel:<6} {a.watch:<20} "
            f"attempts={a.attempts} {about[:60]}{error}"
        )


@command.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.pass_obj
def retry(app, ids: tuple[int, ...]) -> None:
    """Make failed alerts (or the given ones) due now; the next send delivers them.

    Example: briefwatch alerts retry 12 13
    """
    count = app.storage.retry_alerts(list(ids) or None)
    click.echo(f"{count} alert(s) due again")


@command.command("send")
@click.option("--digest", is_flag=True, help="Send the digest channels' summary.")
@click.pass_obj
def send(app, digest: bool) -> None:
    """Deliver due alerts now (the immediate channels, or with --digest the digest ones).

    Example: briefwatch alerts send
    """
    from scraper.alerts.deliver import deliver

    report = deliver(app.storage, app.config, "digest" if digest else "immediate")
    if app.verbosity >= 0:  # -q (the crontab's digest line): nothing unless it fails
        click.echo(f"{report.sent} sent, {report.failed} failed")
    if report.failed:
        raise RuntimeFailure(f"delivery failed, will retry: {report.errors[0]}")


@command.command("send-test")
@click.argument("channel")
@click.pass_obj
def send_test(app, channel: str) -> None:
    """Send a test message through one channel, now, to check its settings.

    Example: briefwatch alerts send-test email
    """
    from scraper.alerts.channels import CHANNELS

    config = app.config
    if channel not in CHANNELS:
        raise UsageFailure(f"unknown channel {channel!r} (known: {', '.join(CHANNELS)})")
    settings = getattr(config.alerts, channel)
    alert = SimpleNamespace(
        id=0,
        key="send-test",
        channel=channel,
        watch="__operator__",
        created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        payload={
            "type": "notice",
            "watch": "__operator__",
            "text": "This is a test message from briefwatch alerts send-test.",
        },
    )
    try:
        CHANNELS[channel](settings, config.alerts.max_chars).send([alert])
    except Exception as exc:  # the operator asked to see exactly this failure
        raise RuntimeFailure(f"{channel}: {type(exc).__name__}: {exc}") from None
    note = "" if settings.enabled else " (the channel is disabled in the configuration)"
    click.echo(f"test message sent through {channel}{note}")
