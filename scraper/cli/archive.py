"""``briefwatch show`` and ``briefwatch export``."""

from __future__ import annotations

import csv
import sys

import click

from scraper.cli import markdown
from scraper.cli.context import ID_MAX, RuntimeFailure, UsageFailure, first_line
from scraper.cli.output import format_option
from scraper.cli.parse import format_text
from scraper.cli.search import QueryCommand, filter_options
from scraper.terminal import terminal_json, terminal_text

TURN_COLUMNS = [
    "briefing_id",
    "date",
    "title",
    "kind",
    "url",
    "source",
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
    found = None if too_big else app.reader.get_briefing(id_or_url)
    if found is None:
        raise RuntimeFailure(f"no stored briefing {id_or_url!r}")
    briefing_id, briefing = found
    info = app.reader.briefing_info(briefing_id)  # source and revision count
    from scraper.sources import publisher_name

    publisher = publisher_name(info.source)
    if fmt == "json":
        data = {"id": briefing_id, **briefing.to_dict(), "revisions": info.revisions}
        data["source"] = data.get("source") or info.source
        data["publisher"] = publisher
        click.echo(terminal_json(data, indent=2))
    else:
        click.echo(
            terminal_text(
                f"id: {briefing_id}   source: {info.source} ({publisher})   "
                f"revisions: {info.revisions}\n"
                f"url: {briefing.url}\nguid: {briefing.guid or '-'}"
            )
        )
        click.echo(terminal_text(format_text(briefing)))


@click.command("export", cls=QueryCommand)
@click.argument("query", nargs=-1)
@filter_options
@click.option("--briefing", "briefing_ref", help="Only this briefing (its number or URL).")
@format_option("jsonl", "csv", "markdown", default="jsonl")
@click.option("--bom", is_flag=True, help="Begin CSV with a UTF-8 BOM (for spreadsheet programs).")
@click.pass_obj
def export(
    app, query: tuple[str, ...], briefing_ref: str | None, fmt: str, bom: bool, **filters
) -> None:
    """Stream the archive, or what a search finds, read in batches (never held in memory).

    Without a query or turn filter (--speaker, --role, --function, --topic, --watch): one
    JSON object per briefing, one CSV row per turn, or Markdown transcripts. With one: the
    matching turns (JSON lines or CSV, with the same filters as search), or in Markdown the
    exchanges they belong to, for a memo. --briefing ID exports one transcript.

    Example: briefwatch export sanctions --source whitehouse --format markdown > memo.md
    """
    from scraper.cli.search import _filters, _query

    if bom and fmt != "csv":
        raise UsageFailure("--bom is for --format csv")
    if briefing_ref and query:
        raise UsageFailure("--briefing exports one whole transcript: give no query with it")
    out = sys.stdout
    if bom:
        out.write("\ufeff")
    node = _query(" ".join(query)) if query else None
    turn_filters = ("speaker", "role", "function", "topic", "watch")
    if node is not None or any(filters[name] for name in turn_filters):
        what = _export_turns(app, node, _filters(filters), fmt, out)
    else:
        what = _export_briefings(app, briefing_ref, filters, fmt, out)
    out.flush()
    click.echo(f"exported {what}", err=True)


def _source_names() -> dict[str, str]:
    from scraper.sources import SOURCES

    return {slug: src.name for slug, src in SOURCES.items()}


def _export_briefings(app, ref: str | None, filters: dict, fmt: str, out) -> str:
    if ref:
        found = app.storage.get_briefing(ref)
        if found is None:
            raise RuntimeFailure(f"no stored briefing {ref!r}")
        briefings = iter([found])
    else:
        briefings = app.storage.iter_briefings(
            filters["since"], filters["until"], kind=filters["kind"], source=filters["source"]
        )
    writer = csv.DictWriter(out, fieldnames=TURN_COLUMNS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    names = _source_names()
    count = 0
    for briefing_id, b in briefings:
        if count and fmt == "markdown":
            out.write("\n---\n\n")
        count += 1
        if fmt == "markdown":
            out.write(terminal_text(markdown.transcript(b, names.get(b.source or "", ""))))
        elif writer is None:
            out.write(terminal_json({"id": briefing_id, **b.to_dict()}) + "\n")
        else:
            writer.writerows(_turn_row(briefing_id, b, t) for t in b.turns)
    return f"{count} briefing{'s' if count != 1 else ''}"


def _turn_row(briefing_id: int, b, t) -> dict:
    return {
        "briefing_id": briefing_id,
        "date": b.date.isoformat() if b.date else "",
        "title": b.title,
        "kind": b.kind,
        "url": b.url,
        "source": b.source or "",
        "turn": t.ordinal,
        "speaker": t.speaker,
        "label": t.label,
        "role": t.role,
        "function": t.function,
        "exchange": t.exchange or "",
        "topic": t.topic or "",
        "text": t.text,
    }


def _export_turns(app, node, filters, fmt: str, out) -> str:
    from scraper.storage import StorageError

    rows = app.storage.iter_matching_turns(node, filters)
    try:
        if fmt == "markdown":
            return _export_exchanges(app, rows, out)
        writer = csv.DictWriter(out, fieldnames=TURN_COLUMNS) if fmt == "csv" else None
        if writer:
            writer.writeheader()
        count = 0
        for row in rows:
            count += 1
            data = {c: getattr(row, c) for c in TURN_COLUMNS}
            data["date"] = row.date.isoformat() if row.date else None
            if writer:
                writer.writerow({k: "" if v is None else v for k, v in data.items()})
            else:
                out.write(terminal_json(data) + "\n")
    except StorageError as exc:
        raise RuntimeFailure(f"export failed: {first_line(exc)}") from None
    return f"{count} turn{'s' if count != 1 else ''}"


def _export_exchanges(app, rows, out) -> str:
    """The exchanges holding the matching turns (turns outside any exchange alone), grouped
    by briefing, oldest first."""
    units: dict[int, set[int]] = {}
    for row in rows:
        units.setdefault(row.briefing_id, set()).add(row.exchange or -row.turn)
    names = _source_names()
    for n, (_id, b) in enumerate(app.storage.load_units(units)):
        if n:
            out.write("\n---\n\n")
        out.write(terminal_text(markdown.exchanges(b, names.get(b.source or "", ""))))
    count = sum(len(u) for u in units.values())
    return f"{count} exchange{'s' if count != 1 else ''} from {len(units)} briefings"
