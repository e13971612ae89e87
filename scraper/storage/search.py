"""Full-text search over turns: FTS5 on SQLite, tsvector on PostgreSQL, one set of filters.

Every statement is parameterized; the query string is compiled by
:mod:`scraper.search.query`, which quotes every word. The functions take either a SQLAlchemy
session or a :class:`SqliteStatements` (a plain ``sqlite3`` connection, for the quick reader of
:mod:`scraper.storage.reader`): this module imports SQLAlchemy only when given a session.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, overload

from scraper.model import Briefing, Exchange, Turn
from scraper.search.query import Node, Or, Term, to_fts5, to_tsquery
from scraper.storage.turn_ids import turn_id

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy import Result
    from sqlalchemy.orm import Session

if TYPE_CHECKING:
    #: Rows of a textual query, columns of any type.
    Rows: TypeAlias = Result[*tuple[Any, ...]]
    #: What the statements here run on: a SQLAlchemy session, or the reader's ``sqlite3``.
    AnySession: TypeAlias = "Session | SqliteStatements"

MARK_START, MARK_END = "[", "]"
#: ``search`` counts matches up to this many; past it, it says "10000+" (as the web page does).
COUNT_CAP = 10_000
#: Turn ids below this carry no date (undated briefings, or rows stored before ids were
#: time-ordered); see :func:`scraper.storage.briefings.turn_id`.
FIRST_DATED_ID = 1 << 46
#: PostgreSQL: a newest-first search first reads this many of the newest turns (plus ten per
#: row of the page depth) in id order; a query that does not fill its page there reads on as
#: far as the share of matches it found promises a full page, up to ``WALK_GROWTH`` times
#: that first read; a sparser one is answered through the GIN index instead (the planner
#: cannot tell an absent word from a common one, and walks the whole table newest first for it).
WALK_TURNS = 3000
WALK_GROWTH = 8
#: The distinct speakers, one index seek each (a loose index scan, on both backends).
_SPEAKERS = (
    "WITH RECURSIVE s(name) AS (SELECT min(speaker) FROM turns UNION ALL "
    "SELECT (SELECT min(speaker) FROM turns WHERE speaker > s.name) FROM s "
    "WHERE s.name IS NOT NULL) SELECT name FROM s WHERE name IS NOT NULL"
)


@dataclass(frozen=True)
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    speaker: str | None = None
    role: str | None = None
    function: str | None = None
    kind: str | None = None
    topic: str | None = None
    watch: str | None = None
    source: str | None = None  # a source's slug


@dataclass(frozen=True)
class TurnHit:
    briefing_id: int
    date: dt.date | None
    title: str
    url: str
    kind: str
    ordinal: int
    speaker: str
    role: str
    exchange: int | None
    snippet: str
    anchor: str | None = None  # the page's element id of the turn's topic
    named_as: str | None = None  # the name a caller called the speaker by (a hint)

    @property
    def link(self) -> str:
        """Where the turn can be read: the page at its topic's own anchor, else the page."""
        return f"{self.url}#{self.anchor}" if self.anchor and self.url else self.url

    def to_dict(self) -> TurnHitDict:
        """The JSON form of a hit, as the CLI and the web API print it."""
        return {
            "date": self.date.isoformat() if self.date else None,
            "title": self.title,
            "speaker": self.speaker,
            "named_as": self.named_as,
            "role": self.role,
            "exchange": self.exchange,
            "turn": self.ordinal,
            "snippet": self.snippet,
            "url": self.url,
            "link": self.link,
            "briefing_id": self.briefing_id,
        }


class SqliteStatements:
    """Statements on a ``sqlite3`` connection, bound as SQLAlchemy binds them on SQLite
    (dates as ISO text, ``IN :ids`` expanded), for the reader that starts without SQLAlchemy."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> sqlite3.Cursor:
        bound = {
            k: v.isoformat() if isinstance(v, dt.date) else v for k, v in (params or {}).items()
        }
        if " IN :ids" in sql:
            names = [f"ids_{i}" for i in range(len(bound["ids"]))]
            sql = sql.replace(" IN :ids", f" IN ({', '.join(':' + n for n in names)})")
            bound.update(zip(names, bound.pop("ids"), strict=True))
        return self.conn.execute(sql, bound)


def _dialect(session: AnySession) -> str:
    if isinstance(session, SqliteStatements):
        return session.dialect
    return session.get_bind().dialect.name


class TurnHitDict(TypedDict):
    date: str | None
    title: str
    speaker: str
    named_as: str | None
    role: str
    exchange: int | None
    turn: int
    snippet: str
    url: str
    link: str
    briefing_id: int


def _contains(text: str) -> str:
    """A LIKE pattern for "contains ``text``": its ``%`` and ``_`` match only themselves."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


#: Each filter as (its field, its SQL condition, whether it matches a part of the text), in
#: the order the conditions are written.
_FILTERS = (
    ("since", "b.date >= :since", False),
    ("until", "b.date <= :until", False),
    ("speaker", "lower(t.speaker) LIKE :speaker ESCAPE '\\'", True),
    ("role", "t.role = :role", False),
    ("function", "t.function = :function", False),
    ("kind", "b.kind = :kind", False),
    # as the page shows it ("Ukraine / Russia"), or its anchor ("UKRAINERUSSIA")
    (
        "topic",
        "(lower(t.topic) LIKE :topic ESCAPE '\\' OR lower(t.anchor) LIKE :topic ESCAPE '\\')",
        True,
    ),
    (
        "watch",
        "EXISTS (SELECT 1 FROM watch_matches m WHERE m.briefing_id = t.briefing_id "
        "AND m.turn_ordinal = t.ordinal AND m.watch = :watch)",
        False,
    ),
    ("source", "b.source_id IN (SELECT id FROM sources WHERE slug = :source)", False),
)


def _filters(f: Filters) -> tuple[str, dict[str, Any]]:
    """The filters given, as `` AND ...`` conditions and their parameters."""
    where: list[str] = []
    params: dict[str, Any] = {}
    for name, condition, contains in _FILTERS:
        value = getattr(f, name)
        if value:
            where.append(condition)
            params[name] = _contains(value) if contains else value
    return "".join(f" AND {w}" for w in where), params


def _match(session: AnySession, node: Node) -> tuple[str, str, str, str, str, dict[str, Any]]:
    """(FROM, WHERE condition, snippet, rank order, newest-first order, params) per backend."""
    if _dialect(session) == "postgresql":
        return (
            "turns t JOIN briefings b ON b.id = t.briefing_id, to_tsquery('english', :q) AS query",
            "t.text_tsv @@ query",
            "ts_headline('english', t.text, query, 'StartSel=[, StopSel=], MaxWords=30, "
            "MinWords=12, MaxFragments=1')",
            "ts_rank(t.text_tsv, query) DESC",
            "t.id DESC",
            {"q": to_tsquery(node)},
        )
    return (
        "turns_fts JOIN turns t ON t.id = turns_fts.rowid JOIN briefings b ON b.id = t.briefing_id",
        "turns_fts MATCH :q",
        "snippet(turns_fts, 0, '[', ']', '…', 24)",
        "turns_fts.rank",
        # Turn ids are time-ordered: FTS5 streams matches newest first, no sort needed.
        "turns_fts.rowid DESC",
        {"q": to_fts5(node)},
    )


def _bigint(n: int) -> int:
    """``n`` as a SQL LIMIT both backends take (an offset near 2**63 has no rows past it)."""
    return min(n, 2**63 - 1)


@overload
def _run(session: Session, sql: str, params: dict[str, Any] | None = None) -> Rows: ...
@overload
def _run(
    session: SqliteStatements, sql: str, params: dict[str, Any] | None = None
) -> sqlite3.Cursor: ...
def _run(
    session: AnySession, sql: str, params: dict[str, Any] | None = None
) -> Rows | sqlite3.Cursor:
    """Execute with dates bound as dates (each backend stores them its own way) and a list of
    ``ids`` expanded for ``IN :ids``; rows are tuples."""
    if isinstance(session, SqliteStatements):
        return session.rows(sql, params)
    from sqlalchemy import Date, bindparam, text

    statement = text(sql)
    binds = [bindparam(n, type_=Date) for n in ("since", "until") if f":{n}" in sql]
    if " IN :ids" in sql:
        binds.append(bindparam("ids", expanding=True))
    if binds:
        statement = statement.bindparams(*binds)
    return session.execute(statement, params or {})


def _first(session: AnySession, sql: str, params: dict[str, Any] | None = None) -> Any:
    """The first row (a tuple of any columns), or None."""
    return next(iter(_run(session, sql, params)), None)


def _scalar(session: AnySession, sql: str, params: dict[str, Any] | None = None) -> Any:
    """The first column of the first row, or None."""
    row = _first(session, sql, params)
    return None if row is None else row[0]


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _postgres(session: AnySession) -> bool:
    return _dialect(session) == "postgresql"


def _matches_nothing(session: AnySession, f: Filters) -> bool:
    """True when no stored speaker's name holds the ``--speaker`` filter, or no briefing is of
    the ``--kind``: the search can only find nothing, and is answered without reading every
    match of the query."""
    if f.kind and not _first(
        session, "SELECT 1 FROM briefings WHERE kind = :kind LIMIT 1", {"kind": f.kind}
    ):
        return True
    if not f.speaker or any(c in f.speaker for c in "%_\\"):
        return False
    needle = f.speaker.lower()
    return not any(needle in name.lower() for (name,) in _run(session, _SPEAKERS))


def _id_range(session: AnySession, f: Filters, column: str) -> tuple[str, dict[str, Any]]:
    """A date filter as a range of turn ids too (ids begin with the briefing's day), which both
    full-text indexes seek to instead of reading every newer match. Left out when a dated
    briefing has turns whose ids carry no date (stored before ids were time-ordered, or
    dated before 1900)."""
    if not (f.since or f.until):
        return "", {}
    legacy = _first(
        session,
        "SELECT 1 FROM turns t WHERE t.id < :dated AND EXISTS (SELECT 1 FROM briefings b "
        "WHERE b.id = t.briefing_id AND b.date IS NOT NULL) LIMIT 1",
        {"dated": FIRST_DATED_ID},
    )
    if legacy:
        return "", {}
    low = turn_id(f.since, 0, 0xFFFF) if f.since else FIRST_DATED_ID
    high = turn_id(f.until, 0x3FFFFFFF, 0) if f.until else (1 << 62) - 1
    return f" AND {column} BETWEEN :id_low AND :id_high", {"id_low": low, "id_high": high}


_READS_BRIEFING = re.compile(r"\bb\.")


def _newest_ids_postgres(
    session: AnySession, node: Node, filters: Filters, need: int, extra: str = ""
) -> list[int]:
    """Ids of the ``need`` newest matching turns on PostgreSQL, by the cheaper of two plans:
    reading the newest turns in id order until the page is full (a common word fills it at
    once; a less common one, or a selective filter, after a longer read sized by the share
    of matches the first read found), else through the GIN index (a rare or absent word, or
    one so sparse that the read would be long: few matches to read and sort)."""
    # The driver prepares a statement run five times; PostgreSQL may then plan it once for
    # any parameters, and a plan made without knowing the id range or the LIMIT reads the
    # whole range (measured: 9 ms becomes 420 ms). Plan each search for its own values.
    _run(session, "SET LOCAL plan_cache_mode = force_custom_plan")
    where, params = _filters(filters)
    where += extra
    ids_where, ids_params = _id_range(session, filters, "t.id")
    params = {**params, **ids_params, "q": to_tsquery(node), "need": need}
    # The briefing is joined only when a condition reads it (the date, kind and source ones).
    briefings = " JOIN briefings b ON b.id = t.briefing_id" if _READS_BRIEFING.search(where) else ""
    found: list[int] = []
    first = budget = _bigint(WALK_TURNS + 10 * need)
    read, window = 0, ids_where
    while True:
        newest = (
            f"(SELECT * FROM turns t WHERE TRUE{window} ORDER BY t.id DESC LIMIT :budget) t"
            f"{briefings}, to_tsquery('english', :q) AS query"
        )
        walk = (
            f"SELECT t.id FROM {newest} WHERE t.text_tsv @@ query{where} "
            "ORDER BY t.id DESC LIMIT :rest"
        )
        values = {**params, "budget": budget, "rest": need - len(found)}
        found += [r[0] for r in _run(session, walk, values)]
        if len(found) == need:
            return found
        walked, lowest = _first(
            session,
            f"SELECT count(*), min(id) FROM (SELECT t.id FROM turns t WHERE TRUE{window} "
            "ORDER BY t.id DESC LIMIT :budget) AS w",
            values,
        )
        if walked < budget:
            return found  # every turn in range was read: that is all there is
        read += budget
        if not found:
            break  # a rare word: the index has few matches to read
        # Read on, below what was read, as far as the share of matches found so far promises
        # the rest of the page, with a margin; past WALK_GROWTH first reads, ask the index.
        budget = _bigint(read * (need - len(found)) * 3 // (2 * len(found)))
        if read + budget > WALK_GROWTH * first:
            break
        window, params = f"{ids_where} AND t.id < :below", {**params, "below": lowest}
    indexed = (
        f"WITH m AS MATERIALIZED (SELECT t.id FROM turns t{briefings}, "
        "to_tsquery('english', :q) AS query "
        f"WHERE t.text_tsv @@ query{where}{ids_where}) "
        "SELECT id FROM m ORDER BY id DESC LIMIT :need"
    )
    return [r[0] for r in _run(session, indexed, params)]


def search_turns(
    session: AnySession,
    node: Node,
    filters: Filters,
    limit: int,
    offset: int,
    order: str = "date",
) -> list[TurnHit]:
    """Turns matching the query, newest briefing first (or best match first)."""
    if _matches_nothing(session, filters):
        return []
    if _postgres(session):
        return _search_turns_postgres(session, node, filters, limit, offset, order)
    source, condition, snippet, rank, newest, params = _match(session, node)
    where, more = _filters(filters)
    ids_where, ids_params = _id_range(session, filters, "turns_fts.rowid")
    order_by = rank if order == "rank" else newest
    sql = (
        f"SELECT b.id, b.date, b.title, b.url, b.kind, t.ordinal, t.speaker, t.role, "
        f"t.exchange, {snippet} AS snip, t.anchor, t.named_as FROM {source} "
        f"WHERE {condition}{where}{ids_where} ORDER BY {order_by} LIMIT :limit OFFSET :offset"
    )
    rows = _run(session, sql, {**params, **more, **ids_params, "limit": limit, "offset": offset})
    return [TurnHit(row[0], _date(row[1]), *row[2:12]) for row in rows]


def _search_turns_postgres(
    session: AnySession, node: Node, filters: Filters, limit: int, offset: int, order: str
) -> list[TurnHit]:
    """The page's turn ids first, then their headlines: a deep page formats 20 snippets, not
    the thousands it skips."""
    _source, _condition, snippet, rank, _newest, params = _match(session, node)
    _run(session, "SET LOCAL plan_cache_mode = force_custom_plan")
    if order == "rank":
        where, more = _filters(filters)
        ids_where, ids_params = _id_range(session, filters, "t.id")
        page = (
            "SELECT t.id FROM turns t JOIN briefings b ON b.id = t.briefing_id, "
            f"to_tsquery('english', :q) AS query WHERE t.text_tsv @@ query{where}{ids_where} "
            f"ORDER BY {rank}, t.id DESC LIMIT :limit OFFSET :offset"
        )
        ids = [
            r[0]
            for r in _run(
                session, page, {**params, **more, **ids_params, "limit": limit, "offset": offset}
            )
        ]
    else:
        ids = _newest_ids_postgres(session, node, filters, _bigint(offset + limit))[offset:]
    if not ids:
        return []
    sql = (
        f"SELECT b.id, b.date, b.title, b.url, b.kind, t.ordinal, t.speaker, t.role, "
        f"t.exchange, {snippet} AS snip, t.id, t.anchor, t.named_as FROM turns t "
        f"JOIN briefings b ON b.id = t.briefing_id, to_tsquery('english', :q) AS query "
        f"WHERE t.id = ANY(:ids)"
    )
    rows = {row[10]: row for row in _run(session, sql, {**params, "ids": ids})}
    return [
        TurnHit(row[0], _date(row[1]), *row[2:10], *row[11:13])
        for row in (rows[i] for i in ids if i in rows)
    ]


def count_turns(
    session: AnySession, node: Node, filters: Filters, cap: int | None = None
) -> tuple[int, bool]:
    """(how many turns match, whether that is all): counting stops past ``cap`` (default
    :data:`COUNT_CAP`; a common word matches a large share of the archive, and an exact count
    of it reads every match)."""
    cap = COUNT_CAP if cap is None else cap
    if _matches_nothing(session, filters):
        return 0, True
    source, condition, _snippet, _rank, _newest, params = _match(session, node)
    where, more = _filters(filters)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {source} WHERE {condition}{where} LIMIT :cap) c"
    found = int(_scalar(session, sql, {**params, **more, "cap": cap + 1}) or 0)
    return min(found, cap), found <= cap


@dataclass(frozen=True)
class TurnRow:
    """One matching turn in full, with its briefing's fields (a row of ``export``)."""

    briefing_id: int
    date: dt.date | None
    title: str
    kind: str
    url: str
    source: str
    turn: int
    speaker: str
    label: str
    role: str
    function: str
    exchange: int | None
    topic: str | None
    text: str


def matching_turns(
    session: AnySession, node: Node | None, filters: Filters, after: int, batch: int
) -> list[tuple[int, TurnRow]]:
    """The next ``batch`` turns (oldest first, after turn id ``after``) matching ``node`` (None:
    every turn) under ``filters``, as (turn id, :class:`TurnRow`)."""
    params: dict[str, Any]
    if node is None:
        source, condition, params, key = (
            "turns t JOIN briefings b ON b.id = t.briefing_id",
            "TRUE",
            {},
            "t.id",
        )
    else:
        source, condition, _snippet, _rank, _newest, params = _match(session, node)
        key = "t.id" if _postgres(session) else "turns_fts.rowid"
    where, more = _filters(filters)
    sql = (
        f"SELECT {key}, b.id, b.date, b.title, b.kind, b.url, "
        "(SELECT slug FROM sources s WHERE s.id = b.source_id), t.ordinal, t.speaker, t.label, "
        "t.role, coalesce(t.function, 'other'), t.exchange, t.topic, t.text "
        f"FROM {source} WHERE {condition}{where} AND {key} > :after ORDER BY {key} LIMIT :batch"
    )
    rows = _run(session, sql, {**params, **more, "after": after, "batch": batch})
    return [(r[0], TurnRow(r[1], _date(r[2]), *r[3:])) for r in rows]


def search_exchanges(
    session: AnySession, node: Node, filters: Filters, limit: int, offset: int
) -> list[tuple[int, int]]:
    """(briefing id, exchange) of exchanges whose question or answer matches, newest first.

    Matching turns are read newest first (turn ids order them by date, briefing and turn)
    until the page holds enough distinct exchanges: a common word reads a few hundred turns,
    not every match."""
    if _matches_nothing(session, filters):
        return []
    need = _bigint(offset + limit)
    batch = need * 3
    while True:
        pairs, complete = _exchange_turns(session, node, filters, batch)
        exchanges = list(dict.fromkeys(pairs))
        if len(exchanges) >= need or complete:
            return exchanges[offset:need]
        batch *= 4


def _exchange_turns(
    session: AnySession, node: Node, filters: Filters, batch: int
) -> tuple[list[tuple[int, int]], bool]:
    """(briefing id, exchange) of the ``batch`` newest matching turns in an exchange, and
    whether that is all of them."""
    extra = " AND t.exchange IS NOT NULL"
    if _postgres(session):
        ids = _newest_ids_postgres(session, node, filters, batch, extra)
        rows = list(
            _run(
                session,
                "SELECT briefing_id, exchange FROM turns WHERE id = ANY(:ids) ORDER BY id DESC",
                {"ids": ids},
            )
        )
    else:
        source, condition, _snippet, _rank, newest, params = _match(session, node)
        where, more = _filters(filters)
        ids_where, ids_params = _id_range(session, filters, "turns_fts.rowid")
        sql = (
            f"SELECT t.briefing_id, t.exchange FROM {source} "
            f"WHERE {condition}{extra}{where}{ids_where} ORDER BY {newest} LIMIT :batch"
        )
        rows = list(_run(session, sql, {**params, **more, **ids_params, "batch": batch}))
    return [(r[0], r[1]) for r in rows], len(rows) < batch


def _period(session: AnySession, by: str) -> str:
    """The SQL label of a briefing's month ("2021-07") or week ("2021-W27")."""
    if _postgres(session):
        return "to_char(b.date, 'YYYY-MM')" if by == "month" else "to_char(b.date, 'IYYY-\"W\"IW')"
    return "strftime('%Y-%m', b.date)" if by == "month" else "strftime('%Y-W%W', b.date)"


def trend(session: AnySession, node: Node, by: str, filters: Filters) -> list[tuple[str, int, int]]:
    """(period, questions, answers) mentioning the query, oldest first: turns whose function is
    a question, and answers of exchanges (not every official turn: opening remarks are not
    answers)."""
    source, condition, _snippet, _rank, _newest, params = _match(session, node)
    where, more = _filters(filters)
    period = _period(session, by)
    sql = (
        f"SELECT {period} AS p, "
        f"sum(CASE WHEN t.function = 'question' THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN t.function = 'answer' THEN 1 ELSE 0 END) "
        f"FROM {source} WHERE {condition} AND b.date IS NOT NULL{where} GROUP BY p ORDER BY p"
    )
    rows = _run(session, sql, {**params, **more})
    return [(r[0], int(r[1] or 0), int(r[2] or 0)) for r in rows]


def briefings_by_period(session: AnySession, by: str, filters: Filters) -> dict[str, int]:
    """How many dated briefings each period holds, under the briefing filters of ``filters``
    (dates, kind, source): the denominator of a per-briefing trend."""
    briefing_only = Filters(
        since=filters.since, until=filters.until, kind=filters.kind, source=filters.source
    )
    where, params = _filters(briefing_only)
    sql = (
        f"SELECT {_period(session, by)} AS p, count(*) FROM briefings b "
        f"WHERE b.date IS NOT NULL{where} GROUP BY p"
    )
    return {r[0]: int(r[1]) for r in _run(session, sql, params)}


def matching_units(
    read: Callable[[], AbstractContextManager[AnySession]],
    node: Node,
    since: dt.date | None,
    until: dt.date | None,
    batch: int = 500,
) -> Iterator[tuple[int, Briefing]] | None:
    """The stored briefings (oldest id first) holding a turn that matches ``node``, each with
    only the turns of the units that hold one (their exchanges, or the turns themselves
    outside any exchange), read ``batch`` briefings at a time. None when the index cannot
    find every term of ``node`` (a PostgreSQL stop word): scan instead."""
    with read() as session:
        units = _matching_units(session, node, Filters(since=since, until=until))
    return None if units is None else load_units(read, units, batch)


def _matching_units(
    session: AnySession, node: Node, filters: Filters
) -> dict[int, set[int]] | None:
    """Briefing id -> the units (exchange ordinals, and minus the ordinals of turns outside
    any exchange) holding a turn that matches ``node`` under the briefing ``filters``; None
    when the index cannot find every term of ``node``."""
    if _postgres(session) and not _all_indexed(session, node):
        return None
    source, condition, _snippet, _rank, _newest, params = _match(session, node)
    where, more = _filters(filters)
    sql = (
        f"SELECT DISTINCT t.briefing_id, t.exchange, t.ordinal FROM {source} "
        f"WHERE {condition}{where}"
    )
    units: dict[int, set[int]] = {}
    for briefing_id, exchange, ordinal in _run(session, sql, {**params, **more}):
        units.setdefault(briefing_id, set()).add(exchange or -ordinal)
    return units


def _all_indexed(session: AnySession, node: Node) -> bool:
    """Whether every term of the OR ``node`` keeps a lexeme in ``to_tsquery('english')``."""
    terms = node.nodes if isinstance(node, Or) else (node,)
    for term in terms:
        if not isinstance(term, Term):
            return False
        lexemes = _scalar(
            session, "SELECT numnode(to_tsquery('english', :q))", {"q": to_tsquery(term)}
        )
        if not lexemes:
            return False
    return True


def load_units(
    read: Callable[[], AbstractContextManager[AnySession]], units: dict[int, set[int]], batch: int
) -> Iterator[tuple[int, Briefing]]:
    """(id, briefing) for each of ``units`` (briefing id -> exchange ordinals, and minus the
    ordinals of turns outside any exchange), oldest id first, each briefing holding only
    those units' turns and exchanges; ``batch`` briefings read at a time."""
    ids = sorted(units)
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        exchanges = [(b, u) for b in chunk for u in sorted(units[b]) if u >= 0]
        lone = [(b, -u) for b in chunk for u in sorted(units[b]) if u < 0]
        with read() as session:
            if _postgres(session):
                # Hundreds of index seeks, planned as more: the parallel workers PostgreSQL
                # would start cost more than the seeks (measured: 10 ms a batch, not 3).
                _run(session, "SET LOCAL max_parallel_workers_per_gather = 0")
            briefings = sorted(
                tuple(r)
                for r in _in(
                    session,
                    "SELECT id, title, url, kind, date, "
                    "(SELECT slug FROM sources s WHERE s.id = briefings.source_id) FROM briefings",
                    chunk,
                ).fetchall()
            )
            turns = _unit_turns(session, exchanges, lone)
            found: dict[int, list[Exchange]] = {}
            if exchanges:
                sql = (
                    f"WITH x(b, n) AS (VALUES {_values(exchanges)}) SELECT e.briefing_id, "
                    "e.ordinal, e.question_turns, e.answer_turns, e.topic FROM x "
                    "CROSS JOIN exchanges e WHERE e.briefing_id = x.b AND e.ordinal = x.n"
                )
                for r in sorted(_run(session, sql).fetchall(), key=lambda r: (r[0], r[1])):
                    found.setdefault(r[0], []).append(
                        Exchange(r[1], _int_tuple(r[2]), _int_tuple(r[3]), r[4])
                    )
        for bid, title, url, kind, date, source in briefings:
            yield (
                bid,
                Briefing(
                    title=title,
                    url=url,
                    source=source,
                    kind=kind,
                    date=_date(date),
                    turns=tuple(turns.get(bid, ())),
                    exchanges=tuple(found.get(bid, ())),
                ),
            )


def _values(pairs: list[tuple[int, int]]) -> str:
    """``(1, 2), (1, 5)``: literal rows of a VALUES list; every value is an int the
    database gave (briefing ids, ordinals)."""
    return ", ".join(f"({int(a)}, {int(b)})" for a, b in pairs)


_UNIT_TURN = (
    "SELECT t.briefing_id, t.ordinal, t.label, t.speaker, t.role, t.text, t.topic, "
    "t.paragraphs, t.exchange, coalesce(t.function, 'other'), t.anchor, t.named_as"
)


def _unit_turns_sql(exchanges: list[tuple[int, int]], lone: list[tuple[int, int]]) -> str | None:
    """The statement of :func:`_unit_turns` (None when nothing is asked)."""
    ctes, arms = [], []
    for name, pairs, column in (("x", exchanges, "exchange"), ("l", lone, "ordinal")):
        if pairs:
            ctes.append(f"{name}(b, n) AS (VALUES {_values(pairs)})")
            arms.append(
                f"{_UNIT_TURN} FROM {name} CROSS JOIN turns t "
                f"WHERE t.briefing_id = {name}.b AND t.{column} = {name}.n"
            )
    return f"WITH {', '.join(ctes)} {' UNION ALL '.join(arms)}" if arms else None


def _unit_turns(
    session: AnySession, exchanges: list[tuple[int, int]], lone: list[tuple[int, int]]
) -> dict[int, list[Turn]]:
    """By briefing, in ordinal order: the turns of the (briefing, exchange) pairs
    ``exchanges`` and the turns (briefing, ordinal) of ``lone`` that are outside any exchange.

    Each unit is one index seek, (briefing_id, exchange) or (briefing_id, ordinal), and no
    other condition is put on ``turns``: given one the index does not cover (``exchange IS
    NULL``), SQLite on a database with ANALYZE statistics first builds a Bloom filter by
    reading every turn (seconds at a million turns). Lone turns are checked here instead."""
    sql = _unit_turns_sql(exchanges, lone)
    if sql is None:
        return {}
    # (fetched at once: rows one by one cost more than reading them)
    rows = _run(session, sql).fetchall()
    wanted = set(exchanges)
    turns: dict[int, list[Turn]] = {}
    last: tuple[int, int] | None = None
    for r in sorted(rows, key=lambda r: (r[0], r[1])):
        # (a lone turn in an exchange is not a unit of its own; a turn found twice is one)
        if (r[8] is None or (r[0], r[8]) in wanted) and (r[0], r[1]) != last:
            turns.setdefault(r[0], []).append(Turn(*r[1:]))
            last = (r[0], r[1])
    return turns


def _in(session: AnySession, select_from: str, ids: list[int]) -> Rows | sqlite3.Cursor:
    """Rows of ``select_from`` whose ``id`` is one of ``ids``."""
    return _run(session, f"{select_from} WHERE id IN :ids", {"ids": ids})


def _int_tuple(value: Any) -> tuple[int, ...]:
    """A JSON list of turn ordinals, as the driver returns it (text on SQLite)."""
    return tuple(json.loads(value) if isinstance(value, str | bytes) else value)


def rematch_units(
    session: AnySession, queries: Iterable[Node], since: dt.date | None
) -> tuple[dict[int, set[int]], int] | None:
    """For ``rematch``: (briefing id -> the units where one of ``queries`` finds a turn, for
    every briefing from ``since`` that has such a unit or stored watch matches (these with
    no unit if none is found), number of briefings from ``since``); None if a query has a
    term the index does not hold (a PostgreSQL stop word)."""
    dated = " WHERE b.date >= :since" if since else ""
    params: dict[str, Any] = {"since": since} if since else {}
    units: dict[int, set[int]] = {
        r[0]: set()
        for r in _run(
            session,
            f"SELECT DISTINCT m.briefing_id FROM watch_matches m "
            f"JOIN briefings b ON b.id = m.briefing_id{dated}",
            params,
        )
    }
    for node in queries:
        found = _matching_units(session, node, Filters(since=since))
        if found is None:
            return None
        for briefing_id, more in found.items():
            units.setdefault(briefing_id, set()).update(more)
    total = _scalar(session, f"SELECT count(*) FROM briefings b{dated}", params)
    return units, int(total or 0)


class SearchQueries:
    """Search, exchanges and trend over whatever ``_read()`` opens: shared by
    :class:`~scraper.storage.Storage` (a SQLAlchemy session) and
    :class:`~scraper.storage.reader.Reader` (``sqlite3``, for a fast start)."""

    def _read(self) -> AbstractContextManager[AnySession]:
        raise NotImplementedError

    def matching_units(
        self, query: Node, since: dt.date | None = None, until: dt.date | None = None
    ) -> Iterator[tuple[int, Briefing]] | None:
        """Briefings with a turn matching ``query`` (a parsed search), each holding only the
        units (exchanges, lone turns) with such a turn; None if the index cannot tell."""
        return matching_units(self._read, query, since, until)

    def load_units(self, units: dict[int, set[int]]) -> Iterator[tuple[int, Briefing]]:
        """(id, briefing) holding only the given exchanges (and, as minus their ordinals, the
        turns outside any exchange) of each briefing, oldest id first."""
        return load_units(self._read, units, 200)

    def search_turns(
        self, query: Node, filters: Filters, limit: int = 20, offset: int = 0, order: str = "date"
    ) -> list[TurnHit]:
        """Turns matching a parsed query (see :mod:`scraper.search.query`)."""
        with self._read() as session:
            return search_turns(session, query, filters, limit, offset, order)

    def count_turns(self, query: Node, filters: Filters) -> tuple[int, bool]:
        """(how many turns match a parsed query, whether exactly): see :func:`count_turns`."""
        with self._read() as session:
            return count_turns(session, query, filters)

    def search_exchanges(
        self, query: Node, filters: Filters, limit: int = 20, offset: int = 0
    ) -> list[tuple[Briefing, int]]:
        """(briefing, exchange ordinal) for exchanges whose question or answer matches; each
        briefing holds the turns and exchanges of its exchanges found, not every turn."""
        with self._read() as session:
            found = search_exchanges(session, query, filters, limit, offset)
        units: dict[int, set[int]] = {}
        for b, x in found:
            units.setdefault(b, set()).add(x)
        briefings = dict(load_units(self._read, units, len(units) or 1))
        return [(briefings[b], x) for b, x in found]

    def trend(self, query: Node, by: str, filters: Filters) -> list[tuple[str, int, int]]:
        """(period, questions, answers) mentioning a parsed query; see :func:`trend`."""
        with self._read() as session:
            return trend(session, query, by, filters)

    def briefings_by_period(self, by: str, filters: Filters) -> dict[str, int]:
        """Dated briefings per month or week (see :func:`briefings_by_period`)."""
        with self._read() as session:
            return briefings_by_period(session, by, filters)
