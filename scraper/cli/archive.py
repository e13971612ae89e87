"""``briefwatch show`` and ``briefwatch export``."""

from __future__ import annotations

import csv
import sys

import click

from scraper.cli.context import ID_MAX, RuntimeFailure
from scraper.cli.dates import date_option
from scraper.cli.output import format_option
from scraper.cli.parse import format_text
from scraper.terminal import terminal_json, terminal_text

TURN_COLUMNS = [
    "briefing_id",
    "date",
    "title",
    "kind",
    "url",
    "turn",
    "speaker",
    "label",
    "role",
    "function",
    "exchange",
    "topic",
    "text",
]


@click.command("show")
@click.argument("id_or_url")
@format_option("text", "json")
@click.pass_obj
def show(app, id_or_url: str, fmt: str) -> None:
    """Print one stored transcript (metadata, turns, exchanges) by its number or URL.

    Example: briefwatch show https://www.state.gov/briefings/department-press-briefing-july-6-2021/
    """
    too_big = id_or_url.isdigit() and int(id_or_url) > ID_MAX  # no such id can exist
    found = None if too_big else app.storage.get_briefing(id_or_url)
    if found is None:
        raise RuntimeFailure(f"no stored briefing {id_or_url!r}")
    briefing_id, briefing = found
    info = app.storage.briefing_info(briefing_id)  # source and revision count
    if fmt == "json":
        data = {"id": briefing_id, **briefing.to_dict(), "revisions": info.revisions}
        data["source"] = data.get("source") or info.source
        click.echo(terminal_json(data, indent=2))
    else:
        click.echo(
            terminal_text(
                f"id: {briefing_id}   source: {info.source}   revisions: {info.revisions}\n"
                f"url: {briefing.url}\nguid: {briefing.guid or '-'}"
            )
        )
        click.echo(terminal_text(format_text(briefing)))


@click.command("export")
@format_option("jsonl", "csv", default="jsonl")
@date_option("--since", help="Only briefings from this date (YYYY-MM-DD).")
@date_option("--until", help="Only briefings up to this date (YYYY-MM-DD).")
@click.pass_obj
def export(app, fmt: str, since, until) -> None:
    """Stream the archive: one JSON object per briefing (turns and exchanges included), or
    one CSV row per turn. The archive is read in batches, never held in memory.

    Example: briefwatch export --format csv --since 2021-01-01 > turns.csv
    """
    out = sys.stdout
    writer = csv.DictWriter(out, fieldnames=TURN_COLUMNS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    count = 0
    for briefing_id, b in app.storage.iter_briefings(since, until):
        count += 1
        if writer is None:
            out.write(terminal_json({"id": briefing_id, **b.to_dict()}) + "\n")
            continue
        for t in b.turns:
            writer.writerow(
                {
                    "briefing_id": briefing_id,
                    "date": b.date.isoformat() if b.date else "",
                    "title": b.title,
                    "kind": b.kind,
                    "url": b.url,
                    "turn": t.ordinal,
                    "speaker": t.speaker,
                    "label": t.label,
                    "role": t.role,
                    "function": t.function,
                    "exchange": t.exchange or "",
                    "topic": t.topic or "",
                    "text": t.text,
                }
            )
    out.flush()
    click.echo(f"exported {count} briefings", err=True)
    sys.stdout.flush()
