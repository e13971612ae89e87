"""``briefwatch parse``: parse a saved page, feed body, text transcript or feed, offline."""

from __future__ import annotations

import codecs
import dataclasses
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
        text, replaced = _decode(path, data)
        briefing = parse_transcript(text, url=url, source=source)
        if replaced:  # said on the result, as the parser's own warnings are
            note = "some bytes are neither UTF-8 nor Windows-1252: read as U+FFFD"
            briefing = dataclasses.replace(briefing, warnings=(*briefing.warnings, note))
        briefings = [briefing]
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
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise RuntimeFailure(f"cannot read {path}: {exc.strerror or exc}") from None
    if not data.strip():
        raise RuntimeFailure(f"cannot read {_named(path)}: it is empty, nothing to parse")
    return data


def _named(path: str) -> str:
    return "standard input" if path == "-" else path


def _decode(path: str, data: bytes) -> tuple[str, bool]:
    """A page's or text file's text, and whether some bytes had to be replaced (U+FFFD);
    binary data stops the command in one line naming the file.

    UTF-8, else Windows-1252 (which reads any byte but five), else UTF-8 with the bad bytes
    replaced: never a guessed encoding, which would garble the whole page for one stray
    byte. A UTF-16 file says so with its byte order mark."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, replaced = data.decode("utf-16", "replace"), False
    else:
        for encoding in ("utf-8-sig", "windows-1252"):
            try:
                text, replaced = data.decode(encoding), False
                break
            except UnicodeDecodeError:
                continue
        else:
            text, replaced = data.decode("utf-8", "replace"), True
    if "\x00" in text:
        raise RuntimeFailure(
            f"cannot read {_named(path)}: binary data, not a page, a feed or a text transcript"
        )
    return text, replaced


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
