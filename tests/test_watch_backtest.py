"""``watch test`` through the full-text index: the briefings and units the index finds give
exactly the hits a scan of every stored briefing gives, on both backends."""

from __future__ import annotations

import pytest
from helpers.state_department import parse_fixture
from helpers.watch_cases import AUG_2, AUG_4, AUG_5, CASES, JUL_20_22, JUL_21, W
from sqlalchemy import text

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
    indexed = runner.invoke(cli, ["--config", str(config), "watch", "test", "pk"])
    monkeypatch.setattr(matcher, "index_query", lambda watch: None)
    scan = runner.invoke(cli, ["--config", str(config), "watch", "test", "pk"])
    assert indexed.exit_code == scan.exit_code == 0, indexed.output + scan.output
    assert indexed.stdout == scan.stdout and indexed.stdout.count("\n") > 10


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
