"""Searching the archive: one query syntax, the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from helpers.databases import database
from helpers.search_archive import fill

from scraper.search.query import QuerySyntaxError, parse, to_fts5, to_tsquery
from scraper.storage import Filters, open_storage

QUERIES = [
    ("pakistan", '("pakistan")', "('pakistan')"),
    ('"nord stream"', '("nord stream")', "('nord' <-> 'stream')"),
    ("sanction*", '("sanction"*)', "('sanction':*)"),
    ("iran OR iraq", '(("iran") OR ("iraq"))', "(('iran') | ('iraq'))"),
    ("iran AND nuclear", '("iran" AND "nuclear")', "(('iran') & ('nuclear'))"),
    ("sanctions -russia", '(("sanctions") NOT ("russia"))', "(('sanctions') & !('russia'))"),
    ("sanctions NOT russia", '(("sanctions") NOT ("russia"))', "(('sanctions') & !('russia'))"),
    (
        "(iran OR iraq) oil",
        '((("iran") OR ("iraq")) AND "oil")',
        "((('iran') | ('iraq')) & ('oil'))",
    ),
    ("x (-y -z)", '((("x") NOT "y") NOT "z")', "(('x') & (!('y') & !('z')))"),
    ("a (-b OR c)", '((("a") NOT "b") OR (("a") AND "c"))', "(('a') & (!('b') | ('c')))"),
    ("pakistan NOT (NOT iran)", '("pakistan" AND "iran")', "(('pakistan') & ('iran'))"),
    ("a -(b OR c)", '(("a") NOT ("b" OR "c"))', "(('a') & !(('b') | ('c')))"),
    (
        "'; DROP TABLE turns; --",
        '("drop" AND "table" AND "turns")',
        "(('drop') & ('table') & ('turns'))",
    ),
]


def _squash(s: str) -> str:
    return s.replace("(", "").replace(")", "")


@pytest.mark.parametrize(("text", "fts5", "tsquery"), QUERIES, ids=[q[0] for q in QUERIES])
def test_one_syntax_two_backends(text, fts5, tsquery):
    node = parse(text)
    assert _squash(to_fts5(node)) == _squash(fts5)
    assert _squash(to_tsquery(node)) == _squash(tsquery)


BAD = [
    ("", "empty query"),
    ("   ", "empty query"),
    ('"human rights', "unbalanced quote"),
    ("(iran OR iraq", "unbalanced parenthesis"),
    ("iran)", "unexpected ')'"),
    ("NOT iran", "cannot only exclude"),
    ("-iran -iraq", "cannot only exclude"),
    ("iran OR", "nothing on one side"),
    ("iran AND", "AND has nothing after it"),
    ("iran NOT", "NOT has nothing after it"),
    ('""', "empty phrase"),
    ("*** --", "empty query"),
    ("(" * 3000 + "iran" + ")" * 3000, "query too long (6004 characters; at most 2000)"),
    ("-" * 1999 + "x", "nested too deeply (at most 16 levels"),
    ("(" * 17 + "iran" + ")" * 17, "nested too deeply (at most 16 levels"),
    ("NOT " * 17 + "iran", "nested too deeply"),
    (" ".join(["iran"] * 65), "query has 65 words (at most 64)"),
    ('"' + " ".join(["iran"] * 65) + '"', "query has 65 words (at most 64)"),
    ("iran " + "OR iran " * 100, "at most 200 words, operators and parentheses"),
    (" ".join(["w"] * 5000), "query too long (9999 characters; at most 2000)"),
]


@pytest.mark.parametrize(("text", "reason"), BAD, ids=[b[0][:40] or "empty" for b in BAD])
def test_malformed_queries_are_one_clear_error(text, reason):
    with pytest.raises(QuerySyntaxError, match=re.escape(reason)):
        parse(text)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def archive(request, tmp_path_factory):
    """The five transcripts stored once per backend for the module: the tests using it only
    read (test_watch_filter, which writes matches, fills a database of its own)."""
    with database(request.param, tmp_path_factory.mktemp("search")) as url:
        storage = open_storage(url)
        try:
            yield storage, fill(storage)
        finally:
            storage.close()


def oracle(briefings, pattern: str, role: str | None = None) -> int:
    regex = re.compile(pattern, re.I)
    return sum(
        1
        for b in briefings
        for t in b.turns
        if regex.search(t.text) and (role is None or t.role == role)
    )


@pytest.mark.parametrize(
    ("query", "pattern"),
    [
        ("pakistan", r"\bpakistan\b"),
        ('"nord stream"', r"\bnord\s+stream\b"),
        ("afghanistan OR pakistan", r"\b(afghanistan|pakistan)\b"),
    ],
)
def test_same_results_as_a_plain_scan(archive, query, pattern):
    storage, briefings = archive
    hits = storage.search_turns(parse(query), Filters(), limit=1000)
    assert len(hits) == oracle(briefings, pattern) > 0
    assert all("[" in h.snippet and "]" in h.snippet for h in hits)


def test_filters_and_order(archive):
    storage, briefings = archive
    node = parse("pakistan")
    reporters = storage.search_turns(node, Filters(role="reporter"), limit=1000)
    assert len(reporters) == oracle(briefings, r"\bpakistan\b", role="reporter")
    assert {h.role for h in reporters} == {"reporter"}
    price = storage.search_turns(node, Filters(speaker="price"), limit=1000)
    assert price and {h.speaker for h in price} == {"Ned Price"}
    dated = storage.search_turns(node, Filters(since=dt.date(2021, 8, 3)), limit=1000)
    assert dated and all(h.date >= dt.date(2021, 8, 3) for h in dated)
    until = storage.search_turns(node, Filters(until=dt.date(2021, 8, 3)), limit=1000)
    assert len(dated) + len(until) == len(storage.search_turns(node, Filters(), limit=1000))
    everything = storage.search_turns(parse("secretary"), Filters(), limit=1000)
    dates = [h.date for h in everything]
    assert dates == sorted(dates, reverse=True)
    page = storage.search_turns(parse("secretary"), Filters(), limit=5, offset=5)
    assert [(h.briefing_id, h.ordinal) for h in page] == [
        (h.briefing_id, h.ordinal) for h in everything[5:10]
    ]
    ranked = storage.search_turns(parse("pakistan"), Filters(), limit=3, order="rank")
    assert len(ranked) == 3
    assert storage.search_turns(node, Filters(kind="interview"), limit=100) == []


def test_exclusion_and_prefix(archive):
    storage, briefings = archive
    # Both backends stem: "sanctions" finds the 30 turns saying any form of it (as
    # "sanction*" does); 35 turns say "Russia"; 8 say both.
    sanctions, russia = _hits(storage, "sanctions"), _hits(storage, "russia")
    assert (len(sanctions), len(russia), len(sanctions & russia)) == (30, 35, 8)
    without = _hits(storage, "sanctions -russia")
    assert without == _hits(storage, "sanctions NOT russia") == sanctions - russia
    assert len(without) == 22
    text = {(1 + n, t.ordinal): t.text for n, b in enumerate(briefings) for t in b.turns}
    assert not any(re.search(r"\brussia", text[key], re.I) for key in without)
    assert all(re.search(r"\bsanction", text[key], re.I) for key in without)
    prefix = storage.search_turns(parse("sanction*"), Filters(), limit=1000)
    assert len(prefix) == oracle(briefings, r"\bsanction\w*")


def test_exchanges_and_trend(archive):
    storage, briefings = archive
    found = storage.search_exchanges(parse('"nord stream"'), Filters(), limit=100)
    assert found
    briefing, ordinal = found[0]
    assert briefing.date == dt.date(2022, 7, 20)
    assert any(t.role == "reporter" for t in briefing.turns if t.exchange == ordinal)
    points = storage.trend(parse("pakistan"), "month", Filters())
    assert [p for p, _, _ in points] == ["2021-08"]
    q, a = points[0][1], points[0][2]
    assert q == oracle(briefings, r"\bpakistan\b", role="reporter")
    assert a == oracle(briefings, r"\bpakistan\b", role="official")
    weeks = storage.trend(parse("pakistan"), "week", Filters())
    assert sum(q + a for _, q, a in weeks) == q + a


def test_watch_filter(storage):
    briefings = fill(storage)
    from scraper.watch.config import WatchConfig
    from scraper.watch.matcher import Matcher

    matcher = Matcher([WatchConfig(name="pk", terms=("Pakistan",))])
    storage.rematch_all([(i, matcher.hits(b), []) for i, b in storage.iter_briefings()])
    watched = storage.search_turns(parse("pakistan"), Filters(watch="pk"), limit=1000)
    assert len(watched) == oracle(briefings, r"\bpakistan\b")
    assert storage.search_turns(parse("pakistan"), Filters(watch="other"), limit=10) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("speaker", "_"),
        ("speaker", "%"),
        ("speaker", "n_d price"),
        ("speaker", "ned%price"),
        ("speaker", "\\"),
        ("topic", "_"),
        ("topic", "%"),
        ("topic", "\\%"),
    ],
)
def test_like_wildcards_in_filters_match_only_themselves(archive, field, value):
    # No speaker or topic of these briefings holds "_", "%" or "\": each finds nothing.
    storage, briefings = archive
    assert not any(
        c in (getattr(t, field) or "") for b in briefings for t in b.turns for c in "_%\\"
    )
    assert storage.search_turns(parse("pakistan"), Filters(**{field: value}), limit=10) == []


def test_speaker_and_topic_filters_still_match_part_of_the_name(archive):
    storage, _ = archive
    price = storage.search_turns(parse("pakistan"), Filters(speaker="ED PRI"), limit=1000)
    assert price and {h.speaker for h in price} == {"Ned Price"}
    topics = storage.search_turns(parse("pakistan"), Filters(topic="afghan"), limit=1000)
    assert topics


def _hits(storage, query: str) -> set[tuple[int, int]]:
    return {
        (h.briefing_id, h.ordinal)
        for h in storage.search_turns(parse(query), Filters(), limit=10000)
    }


@pytest.mark.parametrize(
    ("query", "same_as", "found"),
    [
        # (a query FTS5 could not run, the union of simpler queries that mean the same, the
        # turns it finds). Of the 5 turns saying Pakistan, 3 also say Afghanistan, none India,
        # 2 Taliban (both without Afghanistan); India alone is said in 4 turns.
        ("pakistan (-afghanistan -india)", ["pakistan -afghanistan -india"], 2),
        ("pakistan (-afghanistan OR taliban)", ["pakistan -afghanistan", "pakistan taliban"], 2),
        ("pakistan NOT (NOT afghanistan)", ["pakistan afghanistan"], 3),
        ("pakistan -(-afghanistan)", ["pakistan afghanistan"], 3),
        ("pakistan -(afghanistan -taliban)", ["pakistan -afghanistan", "pakistan taliban"], 2),
        (
            "(pakistan OR india) (-afghanistan -taliban)",
            ["(pakistan OR india) -afghanistan -taliban"],
            4,
        ),
        (
            "pakistan (-(afghanistan OR india) OR taliban)",
            ["pakistan -afghanistan -india", "pakistan taliban"],
            2,
        ),
    ],
)
def test_nested_exclusions_mean_the_same_on_both_backends(archive, query, same_as, found):
    storage, _ = archive
    expected = set().union(*(_hits(storage, q) for q in same_as))
    assert len(expected) == found
    assert _hits(storage, query) == expected


def test_nested_exclusions_exclude(archive):
    storage, briefings = archive
    # Pakistan is said in 5 turns; 3 of them also say Afghanistan or India.
    pakistan = _hits(storage, "pakistan")
    kept = _hits(storage, "pakistan (-afghanistan -india)")
    assert (len(pakistan), len(kept)) == (5, 2) and kept < pakistan
    text = {(1 + n, t.ordinal): t.text for n, b in enumerate(briefings) for t in b.turns}
    assert not any(re.search(r"\b(afghanistan|india)\b", text[k], re.I) for k in kept)
    assert all(re.search(r"\b(afghanistan|india)\b", text[k], re.I) for k in pakistan - kept)


def test_bounded_queries_at_the_limits_are_accepted():
    assert len(parse(" ".join(["iran"] * 64)).nodes) == 64
    assert parse("(" * 16 + "iran" + ")" * 16) == parse("iran")
    assert parse("NOT NOT iran") == parse("iran")


def test_exclusions_spread_too_far_for_sqlite_are_one_clear_error():
    node = parse("a " + " ".join(f"(-b{i} OR c{i})" for i in range(14)))
    assert to_tsquery(node)  # PostgreSQL takes it as it is
    with pytest.raises(QuerySyntaxError, match="too complex for SQLite"):
        to_fts5(node)
