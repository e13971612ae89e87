"""The search plans chosen for speed give the answers of the plain query they replace.

PostgreSQL reads the newest turns first and falls back to the GIN index when a query is
selective; date filters also become ranges of (time-ordered) turn ids; a speaker or kind filter
that matches nobody answers at once; ``exchanges`` reads matches newest first until its page is
full. The oracle here is the straightforward statement (every match, ORDER BY, LIMIT/OFFSET),
run on the same database; ``WALK_TURNS`` is made tiny so that a small archive takes every path.
"""

from __future__ import annotations

import datetime as dt

import pytest
from helpers.search_archive import fill
from sqlalchemy import text

from scraper.search.query import parse
from scraper.storage import Filters
from scraper.storage import search as plans

QUERIES = ["iran", "sanctions", "pakistan", '"nord stream"', "qwxyzzy", "secretary OR pakistan"]
FILTERS = [
    Filters(),
    Filters(since=dt.date(2021, 8, 3)),
    Filters(until=dt.date(2021, 8, 3)),
    Filters(since=dt.date(2021, 7, 21), until=dt.date(2021, 8, 4)),
    Filters(speaker="price"),
    Filters(speaker="nobody by this name"),
    Filters(role="reporter", since=dt.date(2021, 8, 1)),
    Filters(kind="press_briefing"),
    Filters(kind="no such kind"),
]


@pytest.fixture
def archive(storage):
    fill(storage)
    return storage


def plain_turns(storage, query: str, f: Filters, limit: int, offset: int):
    with storage._read() as session:
        source, condition, _snippet, _rank, newest, params = plans._match(session, parse(query))
        where, more = plans._filters(f)
        sql = (
            f"SELECT b.id, t.ordinal FROM {source} WHERE {condition}{where} "
            f"ORDER BY {newest} LIMIT :limit OFFSET :offset"
        )
        rows = plans._run(session, sql, {**params, **more, "limit": limit, "offset": offset})
        return [tuple(r) for r in rows]


def plain_exchanges(storage, query: str, f: Filters, limit: int, offset: int):
    with storage._read() as session:
        source, condition, _snippet, _rank, _newest, params = plans._match(session, parse(query))
        where, more = plans._filters(f)
        sql = (
            f"SELECT b.id, t.exchange, max(b.date) AS d FROM {source} "
            f"WHERE {condition} AND t.exchange IS NOT NULL{where} "
            f"GROUP BY b.id, t.exchange ORDER BY d DESC, b.id DESC, t.exchange "
            f"LIMIT :limit OFFSET :offset"
        )
        rows = plans._run(session, sql, {**params, **more, "limit": limit, "offset": offset})
        return [(r[0], r[1]) for r in rows]


@pytest.mark.parametrize("walk", [3, plans.WALK_TURNS], ids=["tiny-walk", "default-walk"])
def test_turns_and_exchanges_match_the_plain_query(archive, monkeypatch, walk):
    monkeypatch.setattr(plans, "WALK_TURNS", walk)
    with archive.engine.connect() as conn:
        urls = dict(conn.execute(text("SELECT id, url FROM briefings")).all())
    checked = 0
    for query in QUERIES:
        for f in FILTERS:
            for limit, offset in ((20, 0), (7, 5), (1000, 0)):
                got = archive.search_turns(parse(query), f, limit=limit, offset=offset)
                expected = plain_turns(archive, query, f, limit, offset)
                assert [(h.briefing_id, h.ordinal) for h in got] == expected, (query, f, offset)
                found = archive.search_exchanges(parse(query), f, limit=limit, offset=offset)
                expected_x = plain_exchanges(archive, query, f, limit, offset)
                assert [(b.url, x) for b, x in found] == [(urls[b], x) for b, x in expected_x], (
                    query,
                    f,
                    offset,
                )
                checked += bool(expected)
    assert checked > 80


def test_a_filter_matching_nobody_finds_nothing_without_reading_matches(archive):
    assert archive.search_turns(parse("secretary"), Filters(speaker="zz-nobody"), 20) == []
    assert archive.search_turns(parse("secretary"), Filters(kind="zz-none"), 20) == []
    assert archive.search_exchanges(parse("secretary"), Filters(speaker="zz-nobody"), 20) == []
    # a filter holding a LIKE wildcard is left to the query, which decides what it means
    f = Filters(speaker="pri_e")
    got = archive.search_turns(parse("secretary"), f, 20)
    assert [(h.briefing_id, h.ordinal) for h in got] == plain_turns(archive, "secretary", f, 20, 0)


def test_date_ranges_still_find_turns_whose_ids_carry_no_date(archive):
    """Turns stored before ids were time-ordered: the id range is not used for them."""
    since = Filters(since=dt.date(2021, 8, 3))
    before = archive.search_turns(parse("pakistan"), since, limit=1000)
    assert before
    with archive.engine.begin() as conn:
        old, text_, briefing, ordinal = conn.execute(
            text(
                "SELECT t.id, t.text, t.briefing_id, t.ordinal FROM turns t "
                "JOIN briefings b ON b.id = t.briefing_id WHERE b.date >= :since "
                "AND lower(t.text) LIKE '%pakistan%' ORDER BY t.id LIMIT 1"
            ),
            {"since": since.since},
        ).one()
        conn.execute(text("UPDATE turns SET id = 5 WHERE id = :id"), {"id": old})
        if archive.dialect == "sqlite":  # the external-content FTS index follows rowids
            conn.execute(
                text("INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', :id, :t)"),
                {"id": old, "t": text_},
            )
            conn.execute(text("INSERT INTO turns_fts(rowid, text) VALUES (5, :t)"), {"t": text_})
    after = archive.search_turns(parse("pakistan"), since, limit=1000)
    assert len(after) == len(before)
    assert (briefing, ordinal) in {(h.briefing_id, h.ordinal) for h in after}
