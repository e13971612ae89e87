"""``watch test`` through the full-text index: the briefings and units the index finds give
exactly the hits a scan of every stored briefing gives, on both backends; the units are read
as exactly those parts of the stored briefings."""

from __future__ import annotations

import json

import pytest
from helpers.state_department import parse_fixture
from helpers.watch_cases import AUG_2, AUG_4, AUG_5, CASES, JUL_20_22, JUL_21, W
from sqlalchemy import text

from scraper.storage import search as plans
from scraper.watch.matcher import Matcher, index_query

EXTRA = [
    ("forms of a phrase", W(terms=("Russian Federation",), forms=True)),
    ("apostrophe", W(terms=("Iran's",))),
    ("all_of only", W(all_of=("Ukraine", "sanctions"), said_by="reporter")),
    ("endings", W(terms=("sanctioned", "Afghan"), forms=True, scope="turn")),
    ("absent", W(terms=("qwxyzzy",))),
    ("stop word", W(terms=("the",))),
]


@pytest.fixture
def archive(storage):
    for name in (AUG_2, AUG_4, AUG_5, JUL_21, JUL_20_22):
        storage.save_briefing(parse_fixture(name))
    return storage


def scanned(storage, matcher):
    out = [(i, matcher.hits(b)) for i, b in storage.iter_briefings()]
    return [(i, hits) for i, hits in out if hits]


def test_index_prefilter_gives_the_hits_of_a_full_scan(archive):
    checked = 0
    for _label, watch in [(c[0], c[2]) for c in CASES] + EXTRA:
        query = index_query(watch)
        if query is None:
            assert watch.regex or not watch.whole_word
            continue
        found = archive.matching_units(query)
        if found is None:  # PostgreSQL: a stop word the index does not hold
            assert archive.dialect == "postgresql" and watch.terms == ("the",)
            continue
        matcher = Matcher([watch])
        hits = [(i, matcher.hits(b)) for i, b in found]
        assert [(i, h) for i, h in hits if h] == scanned(archive, matcher), watch
        checked += bool(hits)
    assert checked >= 15


def test_watches_the_index_cannot_narrow_are_scanned():
    assert index_query(W(regex=(r"\bsanction\w*",))) is None
    assert index_query(W(terms=("Iran",), whole_word=False)) is None
    assert index_query(W(terms=("U.S.",))) is None
    assert index_query(W(terms=("Iran", "Pakistan"))) is not None


def test_watch_test_command_prints_what_a_scan_prints(archive, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from scraper.cli import cli
    from scraper.watch import matcher

    url = archive.engine.url.render_as_string(hide_password=False)
    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n\n[[watch]]\nname = "pk"\n'
        'terms = ["Pakistan", "sanctions"]\nforms = true\n'
    )
    runner = CliRunner()
    dates = ([], ["--since", "2021-08-03"], ["--until", "2021-08-02"])
    argv = ["--config", str(config), "watch", "test", "pk"]
    indexed = [runner.invoke(cli, argv + d) for d in dates]
    monkeypatch.setattr(matcher, "index_query", lambda watch: None)
    scan = [runner.invoke(cli, argv + d) for d in dates]
    for got, expected in zip(indexed, scan, strict=True):
        assert got.exit_code == expected.exit_code == 0, got.output + expected.output
        assert got.stdout == expected.stdout and got.stdout.count("\n") > 5
    assert len({r.stdout for r in indexed}) == 3


def _stored(storage) -> list[tuple]:
    with storage.engine.connect() as conn:
        return sorted(
            tuple(r)
            for r in conn.execute(
                text(
                    'SELECT watch, briefing_id, turn_ordinal, exchange, start, "end", term, '
                    "snippet FROM watch_matches"
                )
            )
        )


def test_rematch_through_the_index_stores_what_a_full_rematch_stores(
    archive, tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from scraper.cli import cli
    from scraper.watch import matcher

    url = archive.engine.url.render_as_string(hide_password=False)
    config = tmp_path / "c.toml"

    def rematch(terms: str, scan: bool) -> str:
        config.write_text(
            f'[database]\nurl = "{url}"\n\n[[watch]]\nname = "w"\nterms = {terms}\n'
            'forms = true\n\n[[watch]]\nname = "v"\nall_of = ["Ukraine", "sanctions"]\n'
        )
        with monkeypatch.context() as m:
            if scan:
                m.setattr(matcher, "index_query", lambda watch: None)
            result = CliRunner().invoke(cli, ["--config", str(config), "rematch"])
        assert result.exit_code == 0, result.output
        return result.output

    said = rematch('["Pakistan"]', scan=False)
    indexed = _stored(archive)
    assert rematch('["Pakistan"]', scan=True) == said and "rematched 5 briefings" in said
    assert _stored(archive) == indexed and any(r[0] == "w" for r in indexed)
    # the watch changes: matches it no longer makes are removed from briefings it no longer
    # matches (which the index does not find any more)
    said = rematch('["Nord Stream"]', scan=False)
    changed = _stored(archive)
    assert rematch('["Nord Stream"]', scan=True) == said
    assert _stored(archive) == changed != indexed
    assert {r[6] for r in changed if r[0] == "w"} == {"Nord Stream"}


def _unit_of(turn) -> int:
    return turn.exchange if turn.exchange is not None else -turn.ordinal


def _parts(archive, units: dict[int, set[int]]) -> list[tuple]:
    """The oracle: each briefing read whole, keeping the asked exchanges and the turns of
    those exchanges, and the asked turns outside any exchange (as minus their ordinals)."""
    out = []
    for bid in sorted(units):
        _id, b = archive.get_briefing(str(bid))
        turns = tuple(t for t in b.turns if _unit_of(t) in units[bid])
        exchanges = tuple(e for e in b.exchanges if e.ordinal in units[bid])
        out.append((bid, b.title, b.url, b.source, b.kind, b.date, turns, exchanges))
    return out


def _read(archive, units: dict[int, set[int]], batch: int) -> list[tuple]:
    return [
        (bid, b.title, b.url, b.source, b.kind, b.date, b.turns, b.exchanges)
        for bid, b in plans.load_units(archive._read, units, batch)
    ]


def test_units_are_read_as_those_parts_of_the_stored_briefings(archive):
    whole = {bid: b for bid, b in archive.iter_briefings()}
    every = {bid: {_unit_of(t) for t in b.turns} for bid, b in whole.items()}
    exchanges = {bid: {e.ordinal for e in b.exchanges} for bid, b in whole.items()}
    some = {bid: set(sorted(u)[::3]) for bid, u in every.items()}
    # minus the ordinal of a turn that is in an exchange: not a unit, so never read as one
    # (alone, or beside its exchange)
    inside = {bid: {-t.ordinal for t in b.turns if t.exchange} for bid, b in whole.items()}
    beside = {bid: inside[bid] | exchanges[bid] for bid in whole}
    cases = {
        "every unit": every,
        "every third": some,
        "exchanges only": exchanges,
        "lone turns only": {bid: {u for u in every[bid] if u < 0} for bid in whole},
        "turns inside exchanges": inside,
        "beside their exchanges": beside,
        "nothing": dict.fromkeys(whole, set()),
    }
    assert all(len(u) > 3 for u in every.values()) and all(inside.values())
    for label, units in cases.items():
        for batch in (2, 200):
            assert _read(archive, units, batch) == _parts(archive, units), (label, batch)
    assert [b.turns for _i, b in archive.load_units(every)] == [b.turns for b in whole.values()]
    assert not any(b.turns for _i, b in archive.load_units(inside))


@pytest.mark.parametrize("migrated_database_url", ["sqlite"], indirect=True)
def test_unit_turns_are_index_seeks_on_a_sqlite_database_with_statistics(archive):
    """No other condition is put on ``turns``: SQLite, once ANALYZE has run, would build a
    Bloom filter for one by reading every turn (here for 100 lone turns or more)."""
    with archive.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
        rows = conn.exec_driver_sql("SELECT briefing_id, ordinal, exchange FROM turns").all()
        exchanges = sorted({(b, x) for b, _o, x in rows if x})
        lone = [(b, o) for b, o, _x in rows]
        sql = plans._unit_turns_sql(exchanges, lone)
        plan = [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
        filtered = sql.replace("t.ordinal = l.n", "t.ordinal = l.n AND t.exchange IS NULL")
        blooms = [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {filtered}")]
    assert [p for p in plan if p.startswith(("SEARCH", "SCAN t", "BLOOM"))] == [
        "SEARCH t USING INDEX ix_turns_briefing_exchange (briefing_id=? AND exchange=?)",
        "SEARCH t USING INDEX sqlite_autoindex_turns_1 (briefing_id=? AND ordinal=?)",
    ]
    assert any(p.startswith("BLOOM FILTER") for p in blooms)  # what the plan above avoids


def _alerts(storage) -> list[tuple]:
    with storage.engine.connect() as conn:
        return sorted(
            (r[0], r[1], r[2], r[3], r[4], json.dumps(r[5], sort_keys=True))
            for r in conn.execute(
                text(
                    "SELECT alert_key, channel, watch, briefing_id, unit, payload FROM alert_outbox"
                )
            )
        )


def test_rematch_alert_through_the_index_queues_what_a_full_rematch_queues(
    archive, tmp_path, monkeypatch
):
    from click.testing import CliRunner

    from scraper.cli import cli
    from scraper.watch import matcher

    url = archive.engine.url.render_as_string(hide_password=False)
    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n\n[[watch]]\nname = "w"\nterms = ["Pakistan"]\n'
        'forms = true\n\n[[watch]]\nname = "v"\nall_of = ["Ukraine", "sanctions"]\n'
        'scope = "turn"\n'
    )

    def rematch(scan: bool) -> tuple[str, list[tuple]]:
        with archive.engine.begin() as conn:
            conn.execute(text("DELETE FROM alert_outbox"))
            conn.execute(text("DELETE FROM watch_matches"))
        with monkeypatch.context() as m:
            if scan:
                m.setattr(matcher, "index_query", lambda watch: None)
            result = CliRunner().invoke(cli, ["--config", str(config), "rematch", "--alert"])
        assert result.exit_code == 0, result.output
        return result.output, _alerts(archive)

    said, queued = rematch(scan=False)
    assert rematch(scan=True) == (said, queued)
    assert {a[2] for a in queued} == {"w", "v"} and "rematched 5 briefings" in said
