"""``briefwatch reparse``: re-derive the stored archive with the current parser."""

from __future__ import annotations

import click

from scraper.cli.context import RuntimeFailure, first_line
from scraper.cli.dates import date_option


@click.command("reparse")
@date_option("--since", help="Only briefings from this date (YYYY-MM-DD).")
@click.option(
    "--all", "everything", is_flag=True, help="Also briefings already read by this parser."
)
@click.pass_obj
def command(app, since, everything: bool) -> None:
    """Re-parse stored revisions with the current parser, in place.

    The stored bodies are the evidence: every revision read by another parser version is read
    again (its content hash and parser version updated), and each briefing's current turns,
    exchanges and watch matches are replaced. No alert is queued: a passage already alerted
    is never alerted again, and nothing is sent for an archive that was only re-read.

    Example: briefwatch reparse --since 2021-01-01
    """
    from scraper.parsing import PARSER_VERSION, parse_transcript
    from scraper.storage import StorageError
    from scraper.watch.matcher import Matcher

    storage = app.storage
    matcher = Matcher(app.config.watch)
    briefings = revisions = changed = 0
    try:
        for stored in storage.iter_texts_to_reparse(PARSER_VERSION, since, everything):
            parsed = [
                (
                    revision_id,
                    parse_transcript(body, url=stored.url, meta=stored.meta, source=stored.source),
                )
                for revision_id, body in stored.revisions
            ]
            hits = matcher.hits(parsed[-1][1]) if parsed else []
            changed += storage.apply_reparse(stored.briefing_id, parsed, hits)
            briefings += 1
            revisions += len(parsed)
    except StorageError as exc:
        raise RuntimeFailure(f"reparse failed: {first_line(exc)}") from None
    click.echo(
        f"reparsed {briefings} briefings ({revisions} revisions) with parser "
        f"{PARSER_VERSION}: {changed} changed, 0 alerts queued"
    )
