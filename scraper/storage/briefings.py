"""Saving a parsed briefing: one transaction, idempotent, every text version kept."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from scraper.model import AlertDraft, Briefing, Exchange, Hit, Turn
from scraper.sources import get_source
from scraper.storage.models import (
    BriefingRow,
    BriefingUrlRow,
    ExchangeRow,
    RevisionRow,
    SourceRow,
    TurnRow,
    WatchMatchRow,
)
from scraper.storage.outbox import enqueue


@dataclass(frozen=True)
class SaveResult:
    """What :func:`save_briefing` did: ``new``, ``updated`` (a new revision) or ``unchanged``."""

    status: str
    briefing_id: int
    revision: int
    changes: dict[str, int]
    alerts_queued: int = 0


def save_briefing(
    session: Session,
    briefing: Briefing,
    now: dt.datetime,
    hits: Sequence[Hit] = (),
    drafts: Sequence[AlertDraft] = (),
    alert_on_update: bool = True,
) -> SaveResult:
    """Store ``briefing``, its watch matches and its alerts in the caller's transaction.

    The same text again changes nothing but ``last_seen``; a new text becomes a new revision
    whose turns and matches replace the old ones, and alerts only for passages not alerted
    before; a text seen before (a stale copy) is ignored.
    """
    result = _save(session, briefing, now)
    if result.status == "unchanged":
        return result
    replace_matches(session, result.briefing_id, hits, now)
    identity = alert_identity(result.briefing_id)
    queued = enqueue(session, list(drafts), result.briefing_id, identity, now, alert_on_update)
    return dataclasses.replace(result, alerts_queued=queued)


def replace_matches(
    session: Session, briefing_id: int, hits: Sequence[Hit], now: dt.datetime
) -> None:
    """Make the stored watch matches of one briefing exactly ``hits``."""
    session.execute(delete(WatchMatchRow).where(WatchMatchRow.briefing_id == briefing_id))
    session.add_all(
        WatchMatchRow(
            watch=m.watch,
            briefing_id=briefing_id,
            turn_ordinal=m.turn,
            exchange=m.exchange,
            start=m.start,
            end=m.end,
            term=m.term,
            snippet=m.snippet,
            created_at=now,
        )
        for hit in hits
        for m in hit.matches
    )


def url_hash(value: str) -> str:
    """The key a URL or guid is looked up by (no index over text of unbounded length)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def alert_identity(briefing_id: int) -> str:
    """How alert keys name a briefing: the same whatever URL it is seen at."""
    return f"briefing/{briefing_id}"


def find_briefing(session: Session, url: str, guid: str = "") -> BriefingRow | None:
    """The stored briefing seen at ``url`` (now or before), else the one with ``guid``."""
    row = session.scalars(
        select(BriefingRow)
        .join(BriefingUrlRow, BriefingUrlRow.briefing_id == BriefingRow.id)
        .where(BriefingUrlRow.url_hash == url_hash(url))
    ).first()
    if row is None and guid:
        row = session.scalars(
            select(BriefingRow)
            .where(BriefingRow.guid_hash == url_hash(guid))
            .order_by(BriefingRow.id)
        ).first()
    return row


def _remember_url(session: Session, briefing_id: int, url: str, now: dt.datetime) -> None:
    key = url_hash(url)
    if session.get(BriefingUrlRow, key) is None:
        session.add(BriefingUrlRow(url_hash=key, url=url, briefing_id=briefing_id, first_seen=now))


def _save(session: Session, briefing: Briefing, now: dt.datetime) -> SaveResult:
    if not briefing.url:
        raise ValueError("a briefing needs a URL to be stored")
    if session.get_bind().dialect.name == "postgresql":
        # Serialize writers of the same URL for the rest of this transaction.
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:u))"), {"u": briefing.url})
    row = find_briefing(session, briefing.url, briefing.guid or "")
    if row is None:
        row = BriefingRow(
            source_id=_source_id(session, briefing.source or "state_department"),
            url=briefing.url,
            first_seen=now,
        )
        _apply(row, briefing, now)
        session.add(row)
        session.flush()  # the turns' ids are made from the briefing's
        _remember_url(session, row.id, briefing.url, now)
        _apply_turns(row, briefing)
        _apply_exchanges(row, briefing)
        _add_revision(session, row.id, briefing, now, number=1, changes={})
        return SaveResult("new", row.id, 1, {})

    row.last_seen = now
    _remember_url(session, row.id, briefing.url, now)
    known = session.scalar(
        select(RevisionRow.number).where(
            RevisionRow.briefing_id == row.id, RevisionRow.content_hash == briefing.content_hash
        )
    )
    if known is not None:
        return SaveResult("unchanged", row.id, known, {})

    changes = turn_changes([(t.speaker, t.text) for t in row.turns], briefing.turns)
    number = (
        session.scalar(
            select(func.max(RevisionRow.number)).where(RevisionRow.briefing_id == row.id)
        )
        or 0
    ) + 1
    row.turns.clear()
    row.exchanges.clear()
    session.flush()  # delete the old turns before their ordinals are reused
    row.url = briefing.url  # a new text: the URL it came from is the current one
    _apply(row, briefing, now)
    _apply_turns(row, briefing)
    _apply_exchanges(row, briefing)
    _add_revision(session, row.id, briefing, now, number=number, changes=changes)
    return SaveResult("updated", row.id, number, changes)


def turn_changes(old: list[tuple[str, str]], new: tuple[Turn, ...]) -> dict[str, int]:
    """Counts of turns added, removed and changed between two versions of a transcript."""
    matcher = difflib.SequenceMatcher(a=old, b=[(t.speaker, t.text) for t in new], autojunk=False)
    counts = {"added": 0, "removed": 0, "changed": 0}
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "replace":
            common = min(a2 - a1, b2 - b1)
            counts["changed"] += common
            counts["removed"] += (a2 - a1) - common
            counts["added"] += (b2 - b1) - common
        elif op == "delete":
            counts["removed"] += a2 - a1
        elif op == "insert":
            counts["added"] += b2 - b1
    return counts


def _apply(row: BriefingRow, b: Briefing, now: dt.datetime) -> None:
    row.guid = b.guid
    row.guid_hash = url_hash(b.guid) if b.guid else None
    row.title = b.title
    row.kind = b.kind
    row.date = b.date
    row.published_at = _naive_utc(b.published_at)
    row.speakers = list(b.speakers_of_record)
    row.location = b.location
    row.start_time = b.start_time
    row.end_time = b.end_time
    row.topics = list(b.topics)
    row.content_hash = b.content_hash
    row.coverage = b.coverage
    row.warnings = list(b.warnings)
    row.last_seen = now
    row.parser_version = b.parser_version


def turn_id(date: dt.date | None, briefing_id: int, ordinal: int) -> int:
    """A turn's id, ordered like "newest briefing first, then turn by turn".

    Full-text indexes return matches in id order, so with ids laid out this way the newest
    matches of even a very common word come first, and a search stops after the page it
    needs instead of sorting every match by date: bits 46-61 hold the briefing's day
    (days since 1900; 0 when undated), bits 16-45 its id, bits 0-15 the turn's ordinal,
    reversed so that descending ids read the turns in order.

    A transcript of more than 65,536 turns keeps its first 65,536 there; the rest get
    negative ids (briefing id in bits 32-62, ordinal in bits 0-31), unique but read after
    every time-ordered turn, so nothing is lost or overwritten, only ordered late.
    """
    if ordinal > 0xFFFF:
        return -(((briefing_id & 0x7FFFFFFF) << 32) | (ordinal & 0xFFFFFFFF)) - 1
    day = (date - dt.date(1900, 1, 1)).days if date else 0
    return (
        (max(0, min(day, 0xFFFF)) << 46) | ((briefing_id & 0x3FFFFFFF) << 16) | (0xFFFF - ordinal)
    )


def _apply_turns(row: BriefingRow, b: Briefing) -> None:
    row.turns.extend(
        TurnRow(
            id=turn_id(b.date, row.id, t.ordinal),
            ordinal=t.ordinal,
            label=t.label[:200],
            speaker=t.speaker[:200],
            role=t.role,
            text=t.text,
            topic=t.topic[:200] if t.topic else None,
            paragraphs=t.paragraphs,
            exchange=t.exchange,
            function=t.function,
        )
        for t in b.turns
    )


def _apply_exchanges(row: BriefingRow, b: Briefing) -> None:
    row.exchanges.extend(
        ExchangeRow(
            ordinal=e.ordinal,
            question_turns=list(e.question_turns),
            answer_turns=list(e.answer_turns),
            topic=e.topic[:200] if e.topic else None,
        )
        for e in b.exchanges
    )


def _add_revision(
    session: Session,
    briefing_id: int,
    b: Briefing,
    now: dt.datetime,
    number: int,
    changes: dict[str, int],
) -> None:
    session.add(
        RevisionRow(
            briefing_id=briefing_id,
            number=number,
            content_hash=b.content_hash,
            body=b.body,
            first_seen=now,
            changes=changes,
            parser_version=b.parser_version,
        )
    )


def _source_id(session: Session, slug: str) -> int:
    found = session.scalar(select(SourceRow.id).where(SourceRow.slug == slug))
    if found is not None:
        return found
    row = SourceRow(slug=slug, name=get_source(slug).name)
    session.add(row)
    session.flush()
    return row.id


def _naive_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def load_briefing(row: BriefingRow) -> Briefing:
    """A stored briefing as the parser would have produced it (without its body)."""
    return Briefing(
        title=row.title,
        url=row.url,
        guid=row.guid,
        source=row.source.slug,
        kind=row.kind,
        date=row.date,
        published_at=row.published_at,
        speakers_of_record=tuple(row.speakers),
        location=row.location,
        start_time=row.start_time,
        end_time=row.end_time,
        topics=tuple(row.topics),
        turns=tuple(
            Turn(
                t.ordinal,
                t.label,
                t.speaker,
                t.role,
                t.text,
                t.topic,
                t.paragraphs,
                t.exchange,
                t.function or "other",
            )
            for t in row.turns
        ),
        exchanges=tuple(
            Exchange(e.ordinal, tuple(e.question_turns), tuple(e.answer_turns), e.topic)
            for e in row.exchanges
        ),
        coverage=row.coverage,
        warnings=tuple(row.warnings),
        content_hash=row.content_hash,
        parser_version=row.parser_version,
    )
