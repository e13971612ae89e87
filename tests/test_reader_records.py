"""The SQLite reader answers ``show``, ``status`` and ``runs`` as :class:`Storage` does, on an
archive with what those commands show: two sources, an edited briefing (two revisions) found
by its old URL, watch matches, runs with counts and errors, a saved daemon heartbeat, alerts
pending and given up."""

from __future__ import annotations

import dataclasses

import pytest
from helpers.search_archive import FILES
from helpers.state_department import read_body, state_items
from helpers.whitehouse_fixtures import ALL_BODIES, parse_wh

from scraper.alerts.plan import draft_alerts
from scraper.config import config_from_dict
from scraper.parsing import PARSER_VERSION, parse_transcript
from scraper.storage import open_reader, open_storage
from scraper.watch.matcher import Matcher

JULY_6 = next(i for i in state_items() if i["title"].endswith("July 6, 2021"))


def july_6(version: int, url: str):
    item = JULY_6
    return parse_transcript(
        read_body(item["versions"][version]["file"]),
        url=url,
        meta={"title": item["title"], "guid": item["guid"], "creator": item["creator"]},
    )


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    from helpers.state_department import parse_fixture

    url = f"sqlite:///{tmp_path_factory.mktemp('records') / 'a.db'}"
    storage = open_storage(url)
    config = config_from_dict({"watch": [{"name": "iran", "terms": ["Iran"]}]})
    matcher, watches = Matcher(config.watch), {w.name: w for w in config.watch}
    for b in [*(parse_fixture(name) for name in FILES), parse_wh(ALL_BODIES[0])]:
        hits = matcher.hits(b)
        drafts = draft_alerts(b, hits, watches, config.alerts.enabled_names())
        storage.save_briefing(b, hits=hits, drafts=drafts)
    storage.save_briefing(july_6(0, JULY_6["link"]))  # then edited, at a new URL
    storage.save_briefing(july_6(-1, JULY_6["link"].rstrip("/") + "-edited/"))
    ok = storage.start_run("crawl")
    storage.finish_run(ok, "ok", {"new": 6, "sources": {"state_department": {"new": 5}}}, [])
    failed = storage.start_run("backfill")
    storage.finish_run(failed, "partial", {"new": 0}, [{"error": "timeout"}, {"error": "404"}])
    storage.start_run("run")  # still running
    storage.set_crawl_state("daemon", {"pid": 1, "heartbeat": "2026-01-05T10:00:00+00:00"})
    pending = storage.list_alerts(limit=3)
    storage.mark_given_up([pending[0].id], "refused")
    reader = open_reader(url)
    assert reader is not None
    yield storage, reader
    reader.close()
    storage.close()


def test_counts_revisions_alerts_and_schema(archive):
    storage, reader = archive
    counts = reader.counts()
    assert counts == storage.counts()
    assert list(counts) == list(storage.counts())  # status prints them in this order
    assert counts["revisions"] > counts["briefings"] and counts["watch_matches"] > 0
    assert counts["alerts_pending"] > 0 and counts["alerts_given_up"] == 1
    assert reader.alerts_given_up() == storage.alerts_given_up() == 1
    for version in (PARSER_VERSION, "0"):
        assert reader.revisions_behind(version) == storage.revisions_behind(version)
    assert reader.schema_revision() == storage.schema_revision()
    assert reader.location == storage.location


def test_runs_and_crawl_state(archive):
    storage, reader = archive
    for limit in (1, 2, 10):
        runs, expected = reader.recent_runs(limit), storage.recent_runs(limit)
        assert [dataclasses.astuple(r) for r in runs] == [dataclasses.astuple(r) for r in expected]
    assert [f.name for f in dataclasses.fields(reader.recent_runs(1)[0])] == [
        f.name for f in dataclasses.fields(storage.recent_runs(1)[0])
    ]
    assert reader.recent_runs(1)[0].finished_at is None  # the run still running
    for key in ("daemon", "never-saved"):
        assert reader.crawl_state(key) == storage.crawl_state(key)


def test_briefings_by_number_and_by_every_url_they_had(archive):
    storage, reader = archive
    total = storage.counts()["briefings"]
    keys = [str(i) for i in range(total + 2)]
    keys += [JULY_6["link"], JULY_6["link"].rstrip("/") + "-edited/", "https://x.org/none"]
    found = 0
    for key in keys:
        got = reader.get_briefing(key)
        assert got == storage.get_briefing(key), key
        if got is not None:
            found += 1
            assert dataclasses.astuple(reader.briefing_info(got[0])) == dataclasses.astuple(
                storage.briefing_info(got[0])
            )
    assert found == total + 2  # every number, and the edited briefing by both its URLs
    assert reader.briefing_info(total + 1) is None
    assert storage.briefing_info(total + 1) is None
    sources = {reader.get_briefing(str(i))[1].source for i in range(1, total + 1)}
    assert sources == {"state_department", "whitehouse"}
