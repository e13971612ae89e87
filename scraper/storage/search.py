"""Full-text search over turns: FTS5 on SQLite, tsvector on PostgreSQL, one set of filters.

Every statement is parameterized; the query string is compiled by
:mod:`scraper.search.query`, which quotes every word.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.orm import Session

from scraper.search.query import to_fts5, to_tsquery

MARK_START, MARK_END = "[", "]"


@dataclass(frozen=True)
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    speaker: str | None = None
    role: str | None = None
    kind: str | None = None
    topic: str | None = None
    watch: str | None = None


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


def _filters(f: Filters) -> tuple[str, dict[str, Any]]:
    where, params = [], {}
    if f.since:
        where.append("b.date >= :since")
        params["since"] = f.since
    if f.until:
        where.append("b.date <= :until")
        params["until"] = f.until
    if f.speaker:
        where.append("lower(t.speaker) LIKE :speaker")
        params["speaker"] = f"%{f.speaker.lower()}%"
    if f.role:
        where.append("t.role = :role")
        params["role"] = f.role
    if f.kind:
        where.append("b.kind = :kind")
        params["kind"] = f.kind
    if f.topic:
        where.append("lower(t.topic) LIKE :topic")
        params["topic"] = f"%{f.topic.lower()}%"
    if f.watch:
        where.append(
            "EXISTS (SELECT 1 FROM watch_matches m WHERE m.briefing_id = t.briefing_id "
            "AND m.turn_ordinal = t.ordinal AND m.watch = :watch)"
        )
        params["watch"] = f.watch
    return "".join(f" AND {w}" for w in where), params


def _match(session: Session, node) -> tuple[str, str, str, str, str, dict[str, Any]]:
    """(FROM, WHERE condition, snippet, rank order, newest-first order, params) per backend."""
    if session.get_bind().dialect.name == "postgresql":
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


def _run(session: Session, sql: str, params: dict[str, Any]):
    """Execute with dates bound as dates (each backend stores them its own way)."""
    statement = text(sql)
    dates = [bindparam(n, type_=Date) for n in ("since", "until") if n in params]
    if dates:
        statement = statement.bindparams(*dates)
    return session.execute(statement, params)


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def search_turns(
    session: Session, node, filters: Filters, limit: int, offset: int, order: str = "date"
) -> list[TurnHit]:
    """Turns matching the query, newest briefing first (or best match first)."""
    source, condition, snippet, rank, newest, params = _match(session, node)
    where, more = _filters(filters)
    order_by = rank if order == "rank" else newest
    sql = (
        f"SELECT b.id, b.date, b.title, b.url, b.kind, t.ordinal, t.speaker, t.role, "
        f"t.exchange, {snippet} AS snip FROM {source} WHERE {condition}{where} "
        f"ORDER BY {order_by} LIMIT :limit OFFSET :offset"
    )
    rows = _run(session, sql, {**params, **more, "limit": limit, "offset": offset})
    return [TurnHit(row[0], _date(row[1]), *row[2:9], snippet=row[9]) for row in rows]


def count_turns(session: Session, node, filters: Filters) -> int:
    """How many turns match (the total behind one page of :func:`search_turns`)."""
    source, condition, _snippet, _rank, _newest, params = _match(session, node)
    where, more = _filters(filters)
    sql = f"SELECT count(*) FROM {source} WHERE {condition}{where}"
    return int(_run(session, sql, {**params, **more}).scalar() or 0)


def search_exchanges(
    session: Session, node, filters: Filters, limit: int, offset: int
) -> list[tuple[int, int]]:
    """(briefing id, exchange) of exchanges whose question or answer matches, newest first."""
    source, condition, _snippet, _rank, _newest, params = _match(session, node)
    where, more = _filters(filters)
    sql = (
        f"SELECT b.id, t.exchange, max(b.date) AS d FROM {source} "
        f"WHERE {condition} AND t.exchange IS NOT NULL{where} "
        f"GROUP BY b.id, t.exchange ORDER BY d DESC, b.id DESC, t.exchange "
        f"LIMIT :limit OFFSET :offset"
    )
    rows = _run(session, sql, {**params, **more, "limit": limit, "offset": offset})
    return [(r[0], r[1]) for r in rows]


def trend(session: Session, node, by: str, filters: Filters) -> list[tuple[str, int, int]]:
    """(period, turns by reporters, turns by officials) mentioning the query, oldest first."""
    source, condition, _snippet, _rank, _newest, params = _match(session, node)
    where, more = _filters(filters)
    if session.get_bind().dialect.name == "postgresql":
        period = (
            "to_char(b.date, 'YYYY-MM')" if by == "month" else "to_char(b.date, 'IYYY-\"W\"IW')"
        )
    else:
        period = "strftime('%Y-%m', b.date)" if by == "month" else "strftime('%Y-W%W', b.date)"
    sql = (
        f"SELECT {period} AS p, "
        f"sum(CASE WHEN t.role = 'reporter' THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN t.role = 'official' THEN 1 ELSE 0 END) "
        f"FROM {source} WHERE {condition} AND b.date IS NOT NULL{where} GROUP BY p ORDER BY p"
    )
    rows = _run(session, sql, {**params, **more})
    return [(r[0], int(r[1] or 0), int(r[2] or 0)) for r in rows]
