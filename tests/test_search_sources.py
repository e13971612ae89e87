"""``--source``: search, exchanges and trend over one publisher's briefings, on both backends
and from the command line."""

from __future__ import annotations

import json

from click.testing import CliRunner
from helpers.state_department import parse_fixture
from helpers.whitehouse_fixtures import parse_wh

from scraper.cli import cli
from scraper.search.query import parse
from scraper.storage import Filters, open_storage

STATE = "transcripts/department-press-briefing-july-12-2021.p258592.html"
WHITEHOUSE = "transcripts/press-briefing-by-press-secretary-jen-psaki-july-12-2021.p23627.html"


def fill(storage) -> None:
    storage.save_briefing(parse_fixture(STATE))
    storage.save_briefing(parse_wh(WHITEHOUSE))


def test_search_exchanges_and_trend_by_source(storage):
    fill(storage)
    query = parse("president")
    every = storage.search_turns(query, Filters(), limit=1000)
    assert {h.url.split("/")[2] for h in every} == {"www.state.gov", "www.whitehouse.gov"}
    for slug, host in (("state_department", "www.state.gov"), ("whitehouse", "www.whitehouse.gov")):
        hits = storage.search_turns(query, Filters(source=slug), limit=1000)
        assert hits and {h.url.split("/")[2] for h in hits} == {host}
        found = storage.search_exchanges(query, Filters(source=slug), limit=1000)
        assert found and {b.url.split("/")[2] for b, _ in found} == {host}
    both = storage.trend(query, "month", Filters())
    apart = [
        storage.trend(query, "month", Filters(source=s)) for s in ("state_department", "whitehouse")
    ]
    assert sum(n for _, n, _ in both) == sum(n for t in apart for _, n, _ in t)


def test_source_option_on_the_command_line(tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    storage = open_storage(db)
    fill(storage)
    storage.close()
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{db}"\n')

    def run(*args: str):
        return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)

    rows = run("search", "president", "--source", "whitehouse", "--format", "jsonl")
    assert rows.exit_code == 0
    urls = {json.loads(line)["url"].split("/")[2] for line in rows.stdout.splitlines()}
    assert urls == {"www.whitehouse.gov"}
    assert run("exchanges", "president", "--source", "state_department").exit_code == 0
    assert run("trend", "president", "--source", "whitehouse").exit_code == 0
    bad = run("search", "president", "--source", "pentagon")
    assert bad.exit_code == 2 and "pentagon" in bad.output
