"""Saving a parsed briefing: one transaction, idempotent, every text version kept."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import Table, delete, func, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from scraper.model import AlertDraft, Briefing, Exchange, Hit, Turn
from scraper.sources import get_source, source_for
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
from scraper.storage.records import url_hash as url_hash
from scraper.storage.turn_ids import turn_id


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
    if result.status == "new":
        # A new id has no matches (deleting a briefing cascades to its matches): no DELETE,
        # whose scan of the whole table (no index leads with briefing_id) grew with the archive.
        _insert_matches(session, {result.briefing_id: hits}, now)
    else:
        replace_matches(session, result.briefing_id, hits, now)
    identity = alert_identity(result.briefing_id)
    queued = enqueue(session, list(drafts), result.briefing_id, identity, now, alert_on_update)
    return dataclasses.replace(result, alerts_queued=queued)


def replace_matches(
    session: Session, briefing_id: int, hits: Sequence[Hit], now: dt.datetime
) -> None:
    """Make the stored watch matches of one briefing exactly ``hits``."""
    replace_all_matches(session, {briefing_id: hits}, now)


def replace_all_matches(
    session: Session, hits: Mapping[int, Sequence[Hit]], now: dt.datetime
) -> None:
    """Make the stored watch matches of each briefing of ``hits`` (briefing id -> its hits)
    exactly its hits: one DELETE and one INSERT for them all."""
    # Through the (watch, briefing_id) index, one seek per watch that has matches (found by a
    # loose index scan) and briefing: a DELETE by briefing_id alone reads the whole table,
    # for every briefing a `rematch` rewrites.
    watches = [w for (w,) in session.connection().exec_driver_sql(_WATCHES)]
    if watches:
        table = WatchMatchRow.__table__
        session.execute(
            delete(table).where(table.c.watch.in_(watches), table.c.briefing_id.in_(list(hits)))
        )
    _insert_matches(session, hits, now)


#: The distinct watch names with stored matches, one index seek each.
_WATCHES = (
    "WITH RECURSIVE w(name) AS (SELECT min(watch) FROM watch_matches UNION ALL "
    "SELECT (SELECT min(watch) FROM watch_matches WHERE watch > w.name) FROM w "
    "WHERE w.name IS NOT NULL) SELECT name FROM w WHERE name IS NOT NULL"
)


def _insert_matches(session: Session, hits: Mapping[int, Sequence[Hit]], now: dt.datetime) -> None:
    """Store the matches of ``hits`` (briefing id -> its hits)."""
    _insert_many(
        session,
        WatchMatchRow.__table__,
        _MATCH_COLUMNS,
        [
            (m.watch, briefing_id, m.turn, m.exchange, m.start, m.end, m.term, m.snippet, now)
            for briefing_id, found in hits.items()
            for hit in found
            for m in hit.matches
        ],
    )


_MATCH_COLUMNS = (
    "watch", "briefing_id", "turn_ordinal", "exchange", "start", "end", "term", "snippet",
    "created_at",
)  # fmt: skip
_TURN_COLUMNS = (
    "id", "briefing_id", "ordinal", "label", "speaker", "role", "text", "topic", "paragraphs",
    "exchange", "function", "anchor", "named_as",
)  # fmt: skip
_EXCHANGE_COLUMNS = ("briefing_id", "ordinal", "question_turns", "answer_turns", "topic")

#: (position, bind processor) of each column whose values the driver cannot take as they are.
Processors: TypeAlias = tuple[tuple[int, Callable[[Any], Any]], ...]


def _insert_many(
    session: Session, table: Table, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """One executemany INSERT of ``rows`` (tuples in the order of ``columns``) through the
    driver, each value converted by its column's type as SQLAlchemy would (JSON, dates):
    the per-row work of an ORM flush or a Core ``insert()`` was most of the cost of storing
    a transcript's hundreds of turns."""
    if not rows:
        return
    conn = session.connection()
    sql, processors = _insert_statement(table, columns, conn.dialect)
    if processors:
        rows = [_converted(processors, row) for row in rows]
    conn.exec_driver_sql(sql, rows)


def _converted(processors: Processors, row: tuple[Any, ...]) -> tuple[Any, ...]:
    """``row`` with the values of ``processors``' columns converted."""
    values = list(row)
    for i, process in processors:
        if values[i] is not None:
            values[i] = process(values[i])
    return tuple(values)


_STATEMENTS: dict[tuple[str, tuple[str, ...], str, str], tuple[str, Processors]] = {}


def _insert_statement(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, Processors]:
    """(driver-level INSERT, the columns' bind processors), made once per dialect."""
    key = (table.name, columns, dialect.name, dialect.paramstyle)
    if key not in _STATEMENTS:
        quote = dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join([_mark(dialect)] * len(columns))})"
        )
        processors = tuple(
            (i, p)
            for i, c in enumerate(columns)
            if (p := table.c[c].type._cached_bind_processor(dialect)) is not None
        )
        _STATEMENTS[key] = (sql, processors)
    return _STATEMENTS[key]


def _mark(dialect: Dialect) -> str:
    """The driver's positional parameter marker."""
    return "?" if dialect.paramstyle == "qmark" else "%s"


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


def _find_id(session: Session, url: str, guid: str | None = "") -> int | None:
    """The id :func:`find_briefing` finds, without loading the row (a new briefing, the
    common case, needs none), in driver-level SQL (building and caching a Core statement
    cost more than running it)."""
    conn = session.connection()
    mark = _mark(conn.dialect)
    found: int | None = conn.exec_driver_sql(
        f"SELECT briefing_id FROM briefing_urls WHERE url_hash = {mark}", (url_hash(url),)
    ).scalar()
    if found is None and guid:
        found = conn.exec_driver_sql(
            f"SELECT id FROM briefings WHERE guid_hash = {mark} ORDER BY id LIMIT 1",
            (url_hash(guid),),
        ).scalar()
    return found


def _remember_url(session: Session, briefing_id: int, url: str, now: dt.datetime) -> None:
    key = url_hash(url)
    if session.get(BriefingUrlRow, key) is None:
        session.add(BriefingUrlRow(url_hash=key, url=url, briefing_id=briefing_id, first_seen=now))


def _save(session: Session, briefing: Briefing, now: dt.datetime) -> SaveResult:
    if not briefing.url:
        raise ValueError("a briefing needs a URL to be stored")
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Serialize writers of the same URL for the rest of this transaction.
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", (briefing.url,))
    found = _find_id(session, briefing.url, briefing.guid)
    row = session.get(BriefingRow, found) if found is not None else None
    if row is None:
        source_id = _source_id(session, briefing.source or source_for(briefing.url))
        briefing_id = _insert_briefing(session, source_id, briefing, now)
        _insert_many(  # not seen at this URL before: find_briefing looked it up
            session,
            BriefingUrlRow.__table__,
            ("url_hash", "url", "briefing_id", "first_seen"),
            [(url_hash(briefing.url), briefing.url, briefing_id, now)],
        )
        _insert_turns(session, briefing_id, briefing)
        _add_revision(session, briefing_id, briefing, now, number=1, changes={})
        return SaveResult("new", briefing_id, 1, {})

    row.last_seen = now
    _remember_url(session, row.id, briefing.url, now)
    known = session.scalar(
        select(RevisionRow.number).where(
            RevisionRow.briefing_id == row.id, RevisionRow.content_hash == briefing.content_hash
        )
    )
    if known is not None:
        return SaveResult("unchanged", row.id, known, {})

    old = session.execute(
        select(TurnRow.speaker, TurnRow.text)
        .where(TurnRow.briefing_id == row.id)
        .order_by(TurnRow.ordinal)
    )
    changes = turn_changes([(speaker, text_) for speaker, text_ in old], briefing.turns)
    number = (
        session.scalar(
            select(func.max(RevisionRow.number)).where(RevisionRow.briefing_id == row.id)
        )
        or 0
    ) + 1
    # The old turns go before their ordinals are reused (and the collections, if loaded,
    # are read again when next used).
    session.execute(delete(TurnRow.__table__).where(TurnRow.briefing_id == row.id))
    session.execute(delete(ExchangeRow.__table__).where(ExchangeRow.briefing_id == row.id))
    session.expire(row, ["turns", "exchanges"])
    row.url = briefing.url  # a new text: the URL it came from is the current one
    _apply(row, briefing, now)
    _insert_turns(session, row.id, briefing)
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


def _insert_turns(session: Session, briefing_id: int, b: Briefing) -> None:
    """The turns and exchanges of ``b``, one executemany INSERT each."""
    _insert_many(
        session,
        TurnRow.__table__,
        _TURN_COLUMNS,
        [
            (
                turn_id(b.date, briefing_id, t.ordinal),
                briefing_id,
                t.ordinal,
                t.label[:200],
                t.speaker[:200],
                t.role,
                t.text,
                t.topic[:200] if t.topic else None,
                t.paragraphs,
                t.exchange,
                t.function,
                t.anchor,
                t.named_as,
            )
            for t in b.turns
        ],
    )
    _insert_many(
        session,
        ExchangeRow.__table__,
        _EXCHANGE_COLUMNS,
        [
            (
                briefing_id,
                e.ordinal,
                list(e.question_turns),
                list(e.answer_turns),
                e.topic[:200] if e.topic else None,
            )
            for e in b.exchanges
        ],
    )


def _add_revision(
    session: Session,
    briefing_id: int,
    b: Briefing,
    now: dt.datetime,
    number: int,
    changes: dict[str, int],
) -> None:
    _insert_many(
        session,
        RevisionRow.__table__,
        (
            "briefing_id",
            "number",
            "content_hash",
            "body",
            "first_seen",
            "changes",
            "parser_version",
        ),
        [(briefing_id, number, b.content_hash, b.body, now, changes, b.parser_version)],
    )


_BRIEFING_COLUMNS = (
    "source_id", "url", "first_seen", "guid", "guid_hash", "title", "kind", "date",
    "published_at", "speakers", "location", "start_time", "end_time", "topics", "content_hash",
    "coverage", "warnings", "last_seen", "parser_version",
)  # fmt: skip


def _insert_briefing(session: Session, source_id: int, b: Briefing, now: dt.datetime) -> int:
    """A new briefing row (the fields :func:`_apply` sets); its id."""
    conn = session.connection()
    sql, processors = _insert_statement(BriefingRow.__table__, _BRIEFING_COLUMNS, conn.dialect)
    values = (
        source_id, b.url, now, b.guid, url_hash(b.guid) if b.guid else None, b.title, b.kind,
        b.date, _naive_utc(b.published_at), list(b.speakers_of_record), b.location,
        b.start_time, b.end_time, list(b.topics), b.content_hash, b.coverage, list(b.warnings),
        now, b.parser_version,
    )  # fmt: skip
    new_id: int = conn.exec_driver_sql(
        f"{sql} RETURNING id", _converted(processors, values)
    ).scalar_one()
    return new_id


def _source_id(session: Session, slug: str) -> int:
    conn = session.connection()
    found: int | None = conn.exec_driver_sql(
        f"SELECT id FROM sources WHERE slug = {_mark(conn.dialect)}", (slug,)
    ).scalar()
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
                t.anchor,
                t.named_as,
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
