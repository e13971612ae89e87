"""Reading the archive for ``briefwatch serve``: the listings, counts and facets the web pages
need (the search itself is :mod:`scraper.storage.search`; the read-only connection is
:mod:`scraper.storage.readonly`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Date,
    SQLColumnExpression,
    and_,
    bindparam,
    case,
    exists,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session

from scraper.model import Briefing
from scraper.storage.briefings import load_briefing
from scraper.storage.models import (
    BriefingRow,
    ExchangeRow,
    RevisionRow,
    SourceRow,
    TurnRow,
    WatchMatchRow,
)
from scraper.storage.search import Filters, _date, _filters, _match, _run

if TYPE_CHECKING:
    from scraper.search.query import Node
    from scraper.storage import Storage


@dataclass(frozen=True)
class BriefingFilters:
    since: dt.date | None = None
    until: dt.date | None = None
    kind: str | None = None
    source: str | None = None
    speaker: str | None = None


@dataclass(frozen=True)
class BriefingSummary:
    id: int
    date: dt.date | None
    title: str
    kind: str
    source: str
    url: str
    turns: int
    exchanges: int
    first_seen: dt.datetime


@dataclass(frozen=True)
class BriefingInfo:
    """What a stored briefing has beyond its parsed content."""

    source: str
    source_name: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    revisions: tuple[Revision, ...]


@dataclass(frozen=True)
class Revision:
    number: int
    first_seen: dt.datetime
    changes: dict[str, int]


#: Search totals with filters stop counting here (and exchanges are counted over this many
#: matching turns): beyond it a page says "10,000+".
COUNT_CAP = 10_000
#: Facets count the newest this many matching turns (all of them when fewer match).
FACET_SAMPLE = 5_000
FACET_NAMES = ("kind", "role", "speaker", "topic", "year")


@dataclass(frozen=True)
class Facets:
    total: int
    exact: bool = True  # False: ``total`` is COUNT_CAP and more match
    sample: int | None = None  # facets count only the newest this many matches
    kind: list[tuple[str, int]] = field(default_factory=list)
    role: list[tuple[str, int]] = field(default_factory=list)
    speaker: list[tuple[str, int]] = field(default_factory=list)
    topic: list[tuple[str, int]] = field(default_factory=list)
    year: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class SpeakerSummary:
    speaker: str
    turns: int


@dataclass(frozen=True)
class SpeakerTurn:
    briefing_id: int
    date: dt.date | None
    title: str
    ordinal: int
    role: str
    exchange: int | None
    text: str


@dataclass(frozen=True)
class SpeakerProfile:
    speaker: str
    roles: list[tuple[str, int]]
    turns: int
    briefings: int
    asked: int  # exchanges in which the speaker put a question
    answered: int  # exchanges in which the speaker answered
    first: dt.date | None
    last: dt.date | None
    recent: list[SpeakerTurn]


@dataclass(frozen=True)
class WatchMatch:
    briefing_id: int
    date: dt.date | None
    title: str
    url: str
    turn: int
    exchange: int | None
    start: int
    end: int
    term: str
    snippet: str
    created_at: dt.datetime


class Archive:
    """Read-only queries over a :class:`~scraper.storage.Storage` (whose own search,
    exchanges, trend and get_briefing methods serve the rest)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.storage.engine) as session, session.begin():
            yield session

    def close(self) -> None:
        self.storage.close()

    # -- briefings ------------------------------------------------------------------------
    def list_briefings(
        self, filters: BriefingFilters, limit: int, offset: int = 0, order: str = "date"
    ) -> tuple[int, list[BriefingSummary]]:
        """(how many match, one page of them), newest first (``order="seen"``: newest stored)."""
        with self._read() as session:
            where = _briefing_where(filters)
            total = session.scalar(
                select(func.count()).select_from(BriefingRow).join(SourceRow).where(*where)
            )
            turns = (
                select(func.count())
                .where(TurnRow.briefing_id == BriefingRow.id)
                .correlate(BriefingRow)
                .scalar_subquery()
            )
            exchanges = (
                select(func.count())
                .where(ExchangeRow.briefing_id == BriefingRow.id)
                .correlate(BriefingRow)
                .scalar_subquery()
            )
            ordering: list[ColumnElement[Any]] = (
                [BriefingRow.first_seen.desc(), BriefingRow.id.desc()]
                if order == "seen"
                else [BriefingRow.date.desc().nulls_last(), BriefingRow.id.desc()]
            )
            rows = session.execute(
                select(
                    BriefingRow.id,
                    BriefingRow.date,
                    BriefingRow.title,
                    BriefingRow.kind,
                    SourceRow.slug,
                    BriefingRow.url,
                    turns,
                    exchanges,
                    BriefingRow.first_seen,
                )
                .join(SourceRow)
                .where(*where)
                .order_by(*ordering)
                .limit(limit)
                .offset(offset)
            ).all()
        return total or 0, [BriefingSummary(*row) for row in rows]

    def briefing_counts(self, filters: BriefingFilters) -> dict[str, list[tuple[str, int]]]:
        """Counts of the matching briefings by kind, source and year."""
        with self._read() as session:
            out = {}
            for name, column in (
                ("kind", BriefingRow.kind),
                ("source", SourceRow.slug),
                ("year", _year_of(session, BriefingRow.date)),
            ):
                rows = session.execute(
                    select(column, func.count())
                    .select_from(BriefingRow)
                    .join(SourceRow)
                    .where(*_briefing_where(filters))
                    .group_by(column)
                    .order_by(func.count().desc(), column)
                ).all()
                out[name] = [(str(value), count) for value, count in rows if value is not None]
        return out

    def sources(self) -> list[tuple[str, str]]:
        """(slug, name) of every source in the archive."""
        with self._read() as session:
            return [(r[0], r[1]) for r in session.execute(select(SourceRow.slug, SourceRow.name))]

    def briefing_info(self, briefing_id: int) -> BriefingInfo | None:
        with self._read() as session:
            row = session.execute(
                select(
                    SourceRow.slug, SourceRow.name, BriefingRow.first_seen, BriefingRow.last_seen
                )
                .join(SourceRow)
                .where(BriefingRow.id == briefing_id)
            ).first()
            if row is None:
                return None
            revisions = session.execute(
                select(RevisionRow.number, RevisionRow.first_seen, RevisionRow.changes)
                .where(RevisionRow.briefing_id == briefing_id)
                .order_by(RevisionRow.number)
            ).all()
        return BriefingInfo(*row, revisions=tuple(Revision(*r) for r in revisions))

    def revision_body(self, briefing_id: int, number: int) -> str | None:
        """The text a briefing had in revision ``number`` (None if there is no such one)."""
        with self._read() as session:
            return session.scalar(
                select(RevisionRow.body).where(
                    RevisionRow.briefing_id == briefing_id, RevisionRow.number == number
                )
            )

    # -- search ---------------------------------------------------------------------------
    def search_facets(self, node: Node, filters: Filters, size: int = 10) -> Facets:
        """How many turns match, and how the newest of them spread over kind, role, speaker,
        topic and year (all matches up to :data:`FACET_SAMPLE`, then the newest that many).

        The total is exact without filters (the full-text index counts alone); with filters it
        stops at :data:`COUNT_CAP` (``exact`` is then False).
        """
        with self._read() as session:
            source, condition, _s, _r, newest, params = _match(session, node)
            where, more = _filters(filters)
            values = {**params, **more}
            postgres = session.get_bind().dialect.name == "postgresql"
            if where:
                total = -1  # counted below, in the same pass as the facets
            elif postgres:
                sql = "SELECT count(*) FROM turns t, to_tsquery('english', :q) AS query WHERE "
                total = _run(session, sql + condition, values).scalar() or 0
            else:
                sql = "SELECT count(*) FROM turns_fts WHERE turns_fts MATCH :q"
                total = _run(session, sql, values).scalar() or 0
            year = "to_char(b.date, 'YYYY')" if postgres else "strftime('%Y', b.date)"
            branches = [
                f"SELECT f, v, n FROM (SELECT '{name}' AS f, {name} AS v, count(*) AS n FROM m "
                f"WHERE {name} IS NOT NULL GROUP BY {name} "
                f"ORDER BY {'v DESC' if name == 'year' else 'n DESC, v'} LIMIT :size) AS {name}_"
                for name in FACET_NAMES
            ]
            # With filters, one scan of the newest COUNT_CAP + 1 matches gives both the capped
            # total and the facets' sample.
            scan = f"LIMIT {COUNT_CAP + 1}" if where else "LIMIT :sample"
            sql = (
                f"WITH a AS (SELECT t.id AS k, b.kind AS kind, t.role AS role, "
                f"t.speaker AS speaker, t.topic AS topic, {year} AS year "
                f"FROM {source} WHERE {condition}{where} "
                f"ORDER BY {newest} {scan}), m AS (SELECT * FROM a ORDER BY k DESC LIMIT :sample) "
                + " UNION ALL ".join(branches)
                + (" UNION ALL SELECT 'total', NULL, count(*) FROM a" if where else "")
            )
            facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACET_NAMES}
            rows = _run(session, sql, {**values, "sample": FACET_SAMPLE, "size": size})
            for name, value, count in rows:
                if name == "total":
                    total = int(count)
                else:
                    facets[name].append((str(value), int(count)))
            exact = total <= COUNT_CAP or not where
        sample = FACET_SAMPLE if total > FACET_SAMPLE else None
        return Facets(
            min(total, COUNT_CAP) if where else total, exact=exact, sample=sample, **facets
        )

    def exchanges(
        self, node: Node, filters: Filters, limit: int, offset: int = 0
    ) -> list[tuple[int, Briefing, int]]:
        """(briefing id, briefing, exchange ordinal) of matching exchanges, newest first.

        Reads matching turns newest first and stops once the page is full (turn ids are laid
        out newest briefing first, turn by turn), so a common word costs no more than a rare
        one; the order is that of ``briefwatch exchanges``.
        """
        with self._read() as session:
            sql, values = _exchange_turns(session, node, filters)
            statement = text(sql).execution_options(stream_results=True, max_row_buffer=500)
            dates = [bindparam(n, type_=Date) for n in ("since", "until") if n in values]
            if dates:
                statement = statement.bindparams(*dates)
            found: list[tuple[int, int]] = []
            seen: set[tuple[int, int]] = set()
            result = session.execute(statement, values)
            for bid, x in result:
                if (bid, x) not in seen:
                    seen.add((bid, x))
                    found.append((bid, x))
                    if len(found) >= offset + limit:
                        break
            result.close()
            found = found[offset:]
            rows = session.scalars(
                select(BriefingRow).where(BriefingRow.id.in_({b for b, _ in found}))
            )
            briefings = {row.id: load_briefing(row) for row in rows}
        return [(b, briefings[b], x) for b, x in found]

    def count_exchanges(self, node: Node, filters: Filters) -> tuple[int, bool]:
        """(how many exchanges have a matching question or answer, whether that is exact):
        counted over the newest :data:`COUNT_CAP` matching turns."""
        with self._read() as session:
            matching, values = _exchange_turns(session, node, filters)
            sql = (
                f"WITH m AS ({matching} LIMIT :cap) SELECT (SELECT count(*) FROM m), "
                "(SELECT count(*) FROM (SELECT DISTINCT b_id, x FROM m) AS d)"
            )
            turns, exchanges = _run(session, sql, {**values, "cap": COUNT_CAP}).one()
        return int(exchanges or 0), int(turns or 0) < COUNT_CAP

    # -- speakers -------------------------------------------------------------------------
    def speakers(
        self, contains: str | None, limit: int, offset: int = 0
    ) -> tuple[int, list[SpeakerSummary]]:
        """Speakers with their number of turns, most turns first (read from the speaker index
        alone; :meth:`speaker` has the rest)."""
        with self._read() as session:
            where = [lower_like(TurnRow.speaker, contains)] if contains else []
            turns = func.count().label("turns")
            # Filter the groups, not the turns: the name is tested once per speaker.
            grouped = select(TurnRow.speaker, turns).group_by(TurnRow.speaker).having(*where)
            total = session.scalar(select(func.count()).select_from(grouped.subquery())) or 0
            rows = session.execute(
                grouped.order_by(turns.desc(), TurnRow.speaker).limit(limit).offset(offset)
            ).all()
        return total, [SpeakerSummary(speaker, count) for speaker, count in rows]

    def speaker(self, name: str, recent: int = 20) -> SpeakerProfile | None:
        """One speaker (exact name): turns, exchanges asked and answered, active period."""
        with self._read() as session:
            joined = (
                select(TurnRow)
                .join(BriefingRow, BriefingRow.id == TurnRow.briefing_id)
                .where(TurnRow.speaker == name)
            )
            roles = session.execute(
                select(TurnRow.role, func.count())
                .where(TurnRow.speaker == name)
                .group_by(TurnRow.role)
                .order_by(func.count().desc())
            ).all()
            if not roles:
                return None

            def exchanges_as(role: str) -> ColumnElement[int]:
                # (briefing, exchange) as one number: exchange ordinals stay far below 2**20.
                key = TurnRow.briefing_id * 1048576 + TurnRow.exchange
                picked = case((and_(TurnRow.role == role, TurnRow.exchange.is_not(None)), key))
                return func.count(func.distinct(picked))

            stats = session.execute(  # one pass over the speaker's turns
                select(
                    func.count(),
                    func.count(func.distinct(TurnRow.briefing_id)),
                    func.min(BriefingRow.date),
                    func.max(BriefingRow.date),
                    exchanges_as("reporter"),
                    exchanges_as("official"),
                )
                .join(BriefingRow, BriefingRow.id == TurnRow.briefing_id)
                .where(TurnRow.speaker == name)
            ).one()
            turns = session.execute(
                joined.with_only_columns(
                    TurnRow.briefing_id,
                    BriefingRow.date,
                    BriefingRow.title,
                    TurnRow.ordinal,
                    TurnRow.role,
                    TurnRow.exchange,
                    TurnRow.text,
                )
                .order_by(TurnRow.id.desc())
                .limit(recent)
            ).all()
            return SpeakerProfile(
                speaker=name,
                roles=[(r, n) for r, n in roles],
                turns=stats[0],
                briefings=stats[1],
                asked=stats[4],
                answered=stats[5],
                first=_date(stats[2]),
                last=_date(stats[3]),
                recent=[SpeakerTurn(r[0], _date(r[1]), *r[2:]) for r in turns],
            )

    # -- watches --------------------------------------------------------------------------
    def watch_matches(
        self, watch: str, limit: int, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[WatchMatch]:
        """Stored matches of one watch, newest briefing first."""
        with self._read() as session:
            query = (
                select(
                    BriefingRow.id,
                    BriefingRow.date,
                    BriefingRow.title,
                    BriefingRow.url,
                    WatchMatchRow.turn_ordinal,
                    WatchMatchRow.exchange,
                    WatchMatchRow.start,
                    WatchMatchRow.end,
                    WatchMatchRow.term,
                    WatchMatchRow.snippet,
                    WatchMatchRow.created_at,
                )
                .join(BriefingRow, BriefingRow.id == WatchMatchRow.briefing_id)
                .where(WatchMatchRow.watch == watch)
            )
            if since:
                query = query.where(BriefingRow.date >= since)
            if until:
                query = query.where(BriefingRow.date <= until)
            rows = session.execute(
                query.order_by(
                    BriefingRow.date.desc().nulls_last(),
                    BriefingRow.id.desc(),
                    WatchMatchRow.turn_ordinal,
                    WatchMatchRow.start,
                ).limit(limit)
            ).all()
        return [WatchMatch(*r) for r in rows]

    def watch_match_counts(self) -> dict[str, int]:
        """Stored matches per watch name."""
        with self._read() as session:
            rows = session.execute(
                select(WatchMatchRow.watch, func.count()).group_by(WatchMatchRow.watch)
            ).all()
        return {w: n for w, n in rows}


def lower_like(column: SQLColumnExpression[Any], part: str) -> ColumnElement[bool]:
    return func.lower(column).like(f"%{_escape_like(part.lower())}%", escape="\\")


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _year_of(session: Session, column: SQLColumnExpression[Any]) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY")
    return func.strftime("%Y", column)


def _briefing_where(f: BriefingFilters) -> list[Any]:
    where: list[Any] = []
    if f.since:
        where.append(BriefingRow.date >= f.since)
    if f.until:
        where.append(BriefingRow.date <= f.until)
    if f.kind:
        where.append(BriefingRow.kind == f.kind)
    if f.source:
        where.append(SourceRow.slug == f.source)
    if f.speaker:
        where.append(
            exists().where(
                and_(TurnRow.briefing_id == BriefingRow.id, lower_like(TurnRow.speaker, f.speaker))
            )
        )
    return where


def _exchange_turns(session: Session, node: Node, filters: Filters) -> tuple[str, dict[str, Any]]:
    """(SQL of the briefing id ``b_id`` and exchange ``x`` of each turn in an exchange that
    matches, newest first; its parameters)."""
    source, condition, _s, _r, newest, params = _match(session, node)
    where, more = _filters(filters)
    sql = (
        f"SELECT b.id AS b_id, t.exchange AS x FROM {source} "
        f"WHERE {condition} AND t.exchange IS NOT NULL{where} ORDER BY {newest}"
    )
    return sql, {**params, **more}
