"""Re-deriving stored briefings with the current parser (``briefwatch reparse``).

The stored bodies are the evidence: every revision is read again, its content hash and parser
version updated, and the current revision's turns, exchanges and watch matches replaced in
place. No alert is queued: passages already alerted stay alerted, and nothing new is sent
for an archive that was only re-read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from scraper.model import Briefing
from scraper.storage.briefings import _apply, _insert_turns, replace_matches
from scraper.storage.models import BriefingRow, RevisionRow, SourceRow


@dataclass(frozen=True)
class StoredText:
    """One stored briefing's revisions (oldest first) and what the feed told about it."""

    briefing_id: int
    url: str
    source: str | None
    meta: dict[str, Any]
    revisions: list[tuple[int, str]] = field(default_factory=list)  # (revision id, body)


def _behind(version: str) -> ColumnElement[bool]:
    return or_(RevisionRow.parser_version.is_(None), RevisionRow.parser_version != version)


def revisions_behind(session: Session, version: str) -> int:
    """How many stored revisions were read by another parser version than ``version``."""
    return (
        session.scalar(select(func.count()).select_from(RevisionRow).where(_behind(version))) or 0
    )


def texts_to_reparse(
    session: Session,
    version: str,
    since: dt.date | None,
    after_id: int,
    batch: int,
    everything: bool = False,
) -> list[StoredText]:
    """The next ``batch`` briefings (by id, after ``after_id``) with a revision behind."""
    query = select(BriefingRow).where(BriefingRow.id > after_id)
    if since:
        query = query.where(BriefingRow.date >= since)
    if not everything:
        query = query.where(
            select(RevisionRow.id)
            .where(RevisionRow.briefing_id == BriefingRow.id, _behind(version))
            .exists()
        )
    found = []
    for row in session.scalars(query.order_by(BriefingRow.id).limit(batch)):
        revisions = session.execute(
            select(RevisionRow.id, RevisionRow.body)
            .where(RevisionRow.briefing_id == row.id)
            .order_by(RevisionRow.number)
        ).all()
        published = row.published_at.replace(tzinfo=dt.UTC) if row.published_at else None
        meta = {
            "title": row.title,
            "guid": row.guid,
            "creator": ", ".join(row.speakers) if row.speakers else None,
            "published_at": published,
        }
        slug = session.scalar(select(SourceRow.slug).where(SourceRow.id == row.source_id))
        found.append(StoredText(row.id, row.url, slug, meta, [(r.id, r.body) for r in revisions]))
    return found


def apply_reparse(
    session: Session,
    briefing_id: int,
    parsed: Sequence[tuple[int, Briefing]],
    hits: Sequence[Any],
    now: dt.datetime,
) -> bool:
    """Store the new reading of each revision; the last one becomes the briefing's turns.

    Returns whether the current turns or exchanges changed.
    """
    row = session.get(BriefingRow, briefing_id)
    if row is None or not parsed:
        return False
    hashes = dict(
        session.execute(
            select(RevisionRow.id, RevisionRow.content_hash).where(
                RevisionRow.briefing_id == briefing_id
            )
        ).all()
    )
    for revision_id, briefing in parsed:
        revision = session.get_one(RevisionRow, revision_id)
        revision.parser_version = briefing.parser_version
        taken = {h for r, h in hashes.items() if r != revision_id}
        if briefing.content_hash not in taken:  # two old readings may now read alike
            revision.content_hash = hashes[revision_id] = briefing.content_hash
    current = parsed[-1][1]
    before = [(t.ordinal, t.role, t.function, t.exchange) for t in row.turns]
    before_exchanges = [(list(e.question_turns), list(e.answer_turns)) for e in row.exchanges]
    last_seen = row.last_seen
    row.turns.clear()
    row.exchanges.clear()
    session.flush()  # delete the old turns before their ids are reused
    _apply(row, current, last_seen)
    _insert_turns(session, row.id, current)
    session.expire(row, ["turns", "exchanges"])
    replace_matches(session, briefing_id, hits, now)
    after = [(t.ordinal, t.role, t.function, t.exchange) for t in current.turns]
    after_exchanges = [(list(e.question_turns), list(e.answer_turns)) for e in current.exchanges]
    return before != after or before_exchanges != after_exchanges
