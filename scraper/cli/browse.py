"""``briefwatch list`` and ``briefwatch diff``: browse the stored archive."""

from __future__ import annotations

import difflib

import click

from scraper.cli.context import RuntimeFailure, UsageFailure
from scraper.cli.dates import date_option
from scraper.cli.output import emit, format_option
from scraper.sources import SOURCES

#: Words of context around each change in ``diff``.
CONTEXT_WORDS = 8


@click.command("list")
@date_option("--since", help="Only briefings from this date (YYYY-MM-DD).")
@date_option("--until", help="Only briefings up to this date (YYYY-MM-DD).")
@click.option("--kind", help="Only this kind (press_briefing, special_briefing, ...).")
@click.option("--source", help=f"Only this source ({', '.join(SOURCES)}).")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--offset", type=click.IntRange(0, 10**9), default=0)
@format_option("text", "json", "jsonl")
@click.pass_obj
def list_briefings(app, since, until, kind, source, limit: int, offset: int, fmt: str) -> None:
    """List stored briefings, newest first: id, date, kind, revisions, title.

    Example: briefwatch list --since 2021-07-01 --kind press_briefing
    """
    if source and source not in app.config.sources:
        known = ", ".join(app.config.sources)
        raise UsageFailure(f"--source {source}: unknown source (known: {known})")
    total, found = app.storage.list_briefings(
        since=since, until=until, kind=kind, source=source, limit=limit, offset=offset
    )
    if fmt != "text":
        emit([{**b.__dict__, "date": b.date.isoformat() if b.date else None} for b in found], fmt)
        return
    for b in found:
        click.echo(f"{b.id:>6}  {str(b.date or '-'):<10}  {b.kind:<19} {b.revisions:>2}  {b.title}")
    shown = f"{offset + 1}-{offset + len(found)}" if found else "none"
    more = f" (--offset {offset + len(found)} for more)" if offset + len(found) < total else ""
    click.echo(f"{total} briefing(s); showing {shown}{more}", err=True)


@click.command("diff")
@click.argument("id_or_url")
@click.option("--rev", type=click.IntRange(2, None), help="This revision against the one before.")
@click.pass_obj
def diff(app, id_or_url: str, rev: int | None) -> None:
    """What changed between two stored revisions of a transcript, turn by turn.

    Without --rev, the newest revision against the one before it. Changed words are marked
    [-removed-] and {+added+}.

    Example: briefwatch diff 12 --rev 2
    """
    from scheduler.health import utc_text
    from scraper.parsing.transcript import parse_transcript

    storage = app.storage
    found = storage.get_briefing(id_or_url)
    if found is None:
        raise RuntimeFailure(f"no stored briefing {id_or_url!r}")
    briefing_id, briefing = found
    revisions = storage.revisions(briefing_id)
    if len(revisions) < 2:
        click.echo(f"{briefing.title}: one revision only, nothing changed")
        return
    rev = rev or revisions[-1].number
    by_number = {r.number: r for r in revisions}
    if rev not in by_number or rev - 1 not in by_number:
        raise UsageFailure(f"--rev {rev}: this briefing has revisions 1 to {revisions[-1].number}")
    old, new = by_number[rev - 1], by_number[rev]
    meta = {"title": briefing.title, "guid": briefing.guid}
    source = storage.briefing_info(briefing_id).source

    def turns(body: str):
        parsed = parse_transcript(body, url=briefing.url, meta=meta, source=source)
        return parsed.turns

    before, after = turns(old.body), turns(new.body)
    click.echo(briefing.title)
    click.echo(
        f"revision {rev} (first seen {utc_text(new.first_seen)}) against revision {rev - 1} "
        f"(first seen {utc_text(old.first_seen)})"
    )
    keys = lambda ts: [(t.speaker, t.text) for t in ts]  # noqa: E731
    matcher = difflib.SequenceMatcher(None, keys(before), keys(after), autojunk=False)
    changes = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = list(zip(before[i1:i2], after[j1:j2], strict=False)) if op == "replace" else []
        for a, b in pairs:
            changes += 1
            click.echo(f"\n~ turn {b.ordinal} {b.speaker} ({b.role}), was turn {a.ordinal}")
            click.echo(f"  {word_diff(a.text, b.text)}")
        for t in before[i1 + len(pairs) : i2]:
            changes += 1
            click.echo(f"\n- turn {t.ordinal} {t.speaker} ({t.role}): {t.text}")
        for t in after[j1 + len(pairs) : j2]:
            changes += 1
            click.echo(f"\n+ turn {t.ordinal} {t.speaker} ({t.role}): {t.text}")
    if not changes:
        click.echo("no turn changed (the page changed around the transcript)")


def word_diff(old: str, new: str) -> str:
    """The changed words of a turn, marked [-old-]{+new+}, with a little context around."""
    a, b = old.split(), new.split()
    parts: list[str] = []
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        if op == "equal":
            words = a[i1:i2]
            if len(words) > 2 * CONTEXT_WORDS:
                head = words[:CONTEXT_WORDS] if n else []
                tail = words[-CONTEXT_WORDS:] if n < len(ops) - 1 else []
                words = [*head, "…", *tail]
            parts += words
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(parts)
