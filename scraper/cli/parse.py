"""``briefwatch parse``: parse a saved page, feed body, text transcript or feed, offline."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scraper.cli.context import RuntimeFailure
from scraper.cli.output import format_option
from scraper.model import Briefing
from scraper.sources import DEFAULT_SOURCE, SOURCES
from scraper.terminal import terminal_json, terminal_text


@click.command("parse")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--url", help="The transcript's URL, recorded in the output.")
@format_option(
    "text",
    "json",
    "jsonl",
    default="json",
    help="json: one JSON document (an array for a feed); jsonl: one line per transcript.",
)
@click.option(
    "--source",
    type=click.Choice(list(SOURCES)),
    help="Whose conventions to read it by (default: the source whose site --url or each feed "
    f"item's link is on, else {DEFAULT_SOURCE}).",
)
def command(path: str, url: str | None, fmt: str, source: str | None) -> None:
    """Parse a transcript file (or every item of an RSS feed file) and print its structure.

    The output is one JSON document: an object for a page, body or text, an array for a feed
    (``--format jsonl`` prints one object per line instead).

    Example: briefwatch parse saved-briefing.html --format text
    """
    from bs4 import UnicodeDammit

    from scraper.parsing import parse_transcript
    from scraper.parsing.feed import FeedError, parse_feed

    data = _read(path)
    briefings: list[Briefing]
    feed = data.lstrip()[:200].lstrip().startswith(b"<?xml") or b"<rss" in data[:1000]
    if feed:
        try:
            items = parse_feed(data)
        except FeedError as exc:
            raise RuntimeFailure(f"{path}: {exc}") from None
        briefings = [
            parse_transcript(i.body, url=i.link, meta=i.meta(), source=source) for i in items
        ]
    else:
        text = UnicodeDammit(data, ["utf-8", "windows-1252"]).unicode_markup or ""
        briefings = [parse_transcript(text, url=url, source=source)]
    if fmt == "json":
        docs = [b.to_dict() for b in briefings]
        click.echo(terminal_json(docs if feed else docs[0], indent=2))
        return
    for briefing in briefings:
        if fmt == "jsonl":
            click.echo(terminal_json(briefing.to_dict()))
        else:
            click.echo(terminal_text(format_text(briefing)))


def _read(path: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise RuntimeFailure(f"cannot read {path}: {exc.strerror or exc}") from None


def format_text(b: Briefing) -> str:
    """A readable rendering: metadata, then each turn with its role and exchange."""
    lines = [
        b.title or "(untitled)",
        f"kind: {b.kind}   date: {b.date or '-'}   start: {b.start_time or '-'}"
        f"   end: {b.end_time or '-'}",
        f"speakers of record: {'; '.join(b.speakers_of_record) or '-'}",
        f"location: {b.location or '-'}",
        f"turns: {len(b.turns)}   exchanges: {len(b.exchanges)}   coverage: {b.coverage:.2%}"
        f"   in turns: {b.turn_share:.2%}   labels seen: {b.labels_seen}",
    ]
    lines += [f"warning: {w}" for w in b.warnings]
    for turn in b.turns:
        exchange = f" [exchange {turn.exchange}]" if turn.exchange else ""
        lines.append(f"\n{turn.ordinal}. {turn.speaker} ({turn.role}, {turn.function}){exchange}")
        lines.append(turn.text)
    return "\n".join(lines) + "\n"
