"""``briefwatch crawl`` and ``briefwatch backfill``."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import click

from scraper.cli.context import BusyFailure, RuntimeFailure, UsageFailure
from scraper.cli.dates import date_option
from scraper.errors import LockBusy


class AnotherRunInProgress(BusyFailure):
    def __init__(self) -> None:
        super().__init__("another run is in progress; nothing was done")


@contextmanager
def exclusive(app):
    """Hold the run lock shared by cron and the daemon, or stop with exit code 75."""
    try:
        with app.records.run_lock() as guard:
            yield guard
            if guard.lost:
                raise RuntimeFailure(f"the run lock was lost, run stopped: {guard.lost}")
    except LockBusy:
        raise AnotherRunInProgress() from None


def _sources(app, names: tuple[str, ...]) -> list[str]:
    known = list(app.config.sources)
    for name in names:
        if name not in known:
            raise UsageFailure(f"--source {name}: unknown source (known: {', '.join(known)})")
    return list(names)


def crawl_once(app, mode: str, sources: list[str], lock=None, **kwargs):
    """Run one crawl and turn its outcome into the command's exit status."""
    from scraper.crawl import run_crawl

    level = logging.ERROR if app.verbosity <= 0 else logging.DEBUG
    outcome = run_crawl(
        app.config,
        app.records,
        mode=mode,
        sources=sources,
        scrapy_log_level=level,
        lock=lock,
        **kwargs,
    )
    if app.verbosity >= 0:  # -q: a healthy run prints nothing (cron mails any output)
        click.echo(outcome.summary())
        for notice in outcome.notices:  # also queued to the alert channels
            click.echo(f"notice: {notice}", err=True)
    if outcome.status in ("failed", "blocked", "interrupted") or outcome.lost:
        first = outcome.errors[0] if outcome.errors else outcome.status
        lost = f"{outcome.lost} items not stored; " if outcome.lost else ""
        raise RuntimeFailure(f"run {outcome.status}: {lost}{first}")
    return outcome


@click.command("crawl")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.pass_obj
def crawl(app, sources: tuple[str, ...]) -> None:
    """Poll the feeds once and store new and edited transcripts.

    An unchanged feed costs one request answered 304. Exit 1 when the site blocked us,
    nothing could be fetched, or an item could not be stored.

    Example: briefwatch crawl --source state_department
    """
    with exclusive(app) as lock:
        crawl_once(app, "monitor", _sources(app, sources), lock=lock)


@click.command("backfill")
@date_option("--since", help="Only transcripts from this date (YYYY-MM-DD).")
@date_option("--until", help="Only transcripts up to this date (YYYY-MM-DD).")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--restart", is_flag=True, help="Walk the listing from page 1, not the resume point.")
@click.pass_obj
def backfill(app, since, until, sources: tuple[str, ...], restart: bool) -> None:
    """Walk the listing pages and the archive sitemap and store what is missing.

    Already stored pages are skipped; an interrupted walk resumes where it stopped. Exit 75
    when another run is in progress (nothing is done).

    Example: briefwatch backfill --since 2021-06-01 --until 2021-08-31
    """
    if since and until and since > until:
        raise UsageFailure("--since is after --until")
    with exclusive(app) as lock:
        crawl_once(
            app,
            "backfill",
            _sources(app, sources),
            lock=lock,
            since=since,
            until=until,
            restart=restart,
        )


@click.command("run")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.pass_obj
def run(app, sources: tuple[str, ...]) -> None:
    """The scheduled job: poll the feeds, store and flag, then send pending alerts.

    Alerts are sent even when the crawl fails (they may be pending from earlier runs).
    Exit 1 when the crawl failed or was blocked, or an alert could not be delivered (it
    stays queued and is retried with backoff); exit 75 when another run is in progress
    (nothing is done).

    Example: briefwatch run
    """
    from scheduler.deadline import arm_from_env
    from scraper.alerts.deliver import DeliveryReport, deliver, summary
    from scraper.cli.status import no_watches_hint

    arm_from_env(  # a run started by the daemon stops itself at its deadline
        app.config.schedule.stop_timeout_seconds,
        lambda error: app.storage.close_abandoned_runs("failed", error),
    )
    failure = None
    with exclusive(app) as lock:
        try:
            crawl_once(app, "monitor", _sources(app, sources), lock=lock, command="run")
        except RuntimeFailure as exc:
            failure = exc
        if lock.lost:  # another run may be sending now: leave the alerts to it
            return
        channels = app.config.alerts.enabled_names("immediate")
        report = DeliveryReport()  # nothing due: neither the Storage nor a channel is loaded
        if app.records.alerts_due(channels, app.config.alerts.retry_max_seconds):
            report = deliver(app.storage, app.config, "immediate")
    if app.verbosity >= 0:
        click.echo(f"alerts: {summary(report)}")
        if hint := no_watches_hint(app.config):
            click.echo(f"briefwatch: {hint}", err=True)
    if failure:
        raise failure
    if report.failed:
        raise RuntimeFailure(f"alert delivery failed, will retry: {report.errors[0]}")
