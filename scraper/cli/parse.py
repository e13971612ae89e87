"""``briefwatch parse``: parse a saved page, feed body, text transcript or feed, offline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scraper.cli.context import RuntimeFailure
from scraper.model import Briefing


@click.command("parse")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--url", help="The transcript's URL, recorded in the output.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="json")
@click.option("--source", default="state_department", show_default=True)
def command(path: str, url: str | None, fmt: str, source: str) -> None:
    """Parse a transcript file (or every item of an RSS feed file) and print its structure.

    Example: briefwatch parse saved-briefing.html --format text
    """
    from bs4 import UnicodeDammit

    from scraper.parsing import parse_transcript
    from scraper.parsing.feed import FeedError, parse_feed

    data = _read(path)
    briefings: list[Briefing]
    if data.lstrip()[:200].lstrip().startswith(b"<?xml") or b"<rss" in data[:1000]:
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
    for briefing in briefings:
        if fmt == "json":
            click.echo(json.dumps(briefing.to_dict(), ensure_ascii=False, indent=2))
        else:
            click.echo(format_text(briefing))


def _read(path: str) -> bytes:
    try:
        return click.get_binary_stream("stdin").read() if path == "-" else Path(path).read_bytes()
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
        f"turns: {len(b.turns)}   exchanges: {len(b.exchanges)}   coverage: {b.coverage:.2%}",
    ]
    lines += [f"warning: {w}" for w in b.warnings]
    for turn in b.turns:
        exchange = f" [exchange {turn.exchange}]" if turn.exchange else ""
        lines.append(f"\n{turn.ordinal}. {turn.speaker} ({turn.role}){exchange}")
        lines.append(turn.text)
    return "\n".join(lines) + "\n"
