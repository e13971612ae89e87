"""``briefwatch watch list|test`` and ``briefwatch rematch``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from scraper.cli.context import UsageFailure
from scraper.cli.dates import date_option
from scraper.terminal import echo

if TYPE_CHECKING:
    from scraper.model import AlertDraft, Hit

#: Briefings whose matches ``rematch`` replaces in one transaction.
REMATCH_BATCH = 200


@click.group("watch")
def command() -> None:
    """Inspect and backtest the [[watch]] rules."""


@command.command("list")
@click.pass_obj
def list_watches(app) -> None:
    """List the configured watches.

    Example: briefwatch watch list
    """
    from scraper.cli.status import no_watches_hint

    if hint := no_watches_hint(app.config):
        click.echo(hint)
    for w in app.config.watch:
        rules = [
            f"{name}={list(getattr(w, name))}"
            for name in ("terms", "regex", "any_of", "all_of", "none_of")
            if getattr(w, name)
        ]
        click.echo(
            f"{w.name}: {' '.join(rules)} scope={w.scope} said_by={w.said_by}"
            f"{' forms' if w.forms else ''} channels={list(w.channels) or 'all enabled'}"
            f" sources={list(w.sources) or 'all'}"
        )


@command.command("test")
@click.argument("name")
@date_option("--since", help="Only briefings from this date (YYYY-MM-DD).")
@date_option("--until", help="Only briefings up to this date (YYYY-MM-DD).")
@click.pass_obj
def test_watch(app, name: str, since, until) -> None:
    """Backtest one watch over the stored archive: print what it would have alerted.

    Sends nothing and changes nothing. A watch of words and phrases reads only the briefings
    the full-text index finds them in (regexes and matches inside words read every one).

    Example: briefwatch watch test pakistan-sanctions --since 2021-07-01
    """
    from scraper.watch.matcher import Matcher, index_query

    watch = next((w for w in app.config.watch if w.name == name), None)
    if watch is None:
        known = ", ".join(w.name for w in app.config.watch) or "none configured"
        raise UsageFailure(f"no watch named {name!r} (known: {known})")
    matcher = Matcher([watch])
    total = 0
    query = index_query(watch)
    # (read-only: on SQLite the reader answers, without loading SQLAlchemy)
    found = app.reader.matching_units(query, since, until) if query is not None else None
    if found is None:
        found = app.storage.iter_briefings(since, until)
    for _id, briefing in found:
        turns = {t.ordinal: t for t in briefing.turns}
        lines = []
        for hit in matcher.hits(briefing):
            total += 1
            lines.append(f"{briefing.date or '-'}  {briefing.title}  [{hit.unit}]  {briefing.url}")
            for m in hit.matches:
                lines.append(f"    {turns[m.turn].speaker} ({turns[m.turn].role}): {m.snippet}")
        if lines:  # one write per briefing, not per line
            echo("\n".join(lines))
    click.echo(f"{total} alert(s) would have been sent for watch {name!r}", err=True)


@click.command("rematch")
@date_option("--since", help="Only briefings from this date (YYYY-MM-DD).")
@click.option("--alert", is_flag=True, help="Also queue alerts for passages never alerted.")
@click.pass_obj
def rematch(app, since, alert: bool) -> None:
    """Re-evaluate the stored archive after the watches changed.

    Replaces the stored matches; queues no alert unless --alert is given (and even then
    never one for a passage that already alerted).

    Example: briefwatch rematch --since 2021-01-01
    """
    from scraper.alerts.plan import draft_alerts
    from scraper.watch.matcher import Matcher, index_query

    config = app.config
    matcher = Matcher(config.watch)
    watches = {w.name: w for w in config.watch}
    channels = config.alerts.enabled_names()
    # Only the units where the index finds a watch's terms, in the briefings where it does or
    # that have stored matches to replace, can change; the other briefings are counted, not
    # read.
    queries = [index_query(w) for w in config.watch]
    found = app.storage.rematch_units(queries, since) if None not in queries else None
    if found is not None:
        units, seen = found
        briefings = app.storage.load_units(units)
    else:
        briefings, seen = app.storage.iter_briefings(since), 0
    matched = queued = 0
    batch: list[tuple[int, list[Hit], list[AlertDraft]]] = []
    for briefing_id, briefing in briefings:
        hits = matcher.hits(briefing)
        drafts = draft_alerts(briefing, hits, watches, channels) if alert else []
        batch.append((briefing_id, hits, drafts))
        seen += found is None
        matched += bool(hits)
        if len(batch) == REMATCH_BATCH:
            queued += app.storage.rematch_all(batch, config.alerts.alert_on_update)
            batch = []
    if batch:
        queued += app.storage.rematch_all(batch, config.alerts.alert_on_update)
    click.echo(f"rematched {seen} briefings: {matched} with matches, {queued} alerts queued")
