"""The White House spider: the real briefing-room feed, in-process version by version, and in
real crawls of a local mirror serving the 32 real feed versions in order."""

from __future__ import annotations

import json

import pytest
from helpers.crawling import briefwatch, rows, write_config
from helpers.mirror import Mirror, Resource
from helpers.whitehouse_fixtures import FEED_BY_FILE, REPLAY
from scrapy.http import Request, XmlResponse
from scrapy.utils.test import get_crawler

from scraper.items import BriefingItem, FeedPollItem
from scraper.spiders import SPIDERS
from scraper.spiders.whitehouse import WhiteHouseSpider

VERSIONS = json.loads((REPLAY / "versions.json").read_text())
FEED_PATH = "/briefing-room/feed/"
P = "https://www.whitehouse.gov/?p="

# Read off the 32 feed versions: the items that are transcripts (speaker labels, and a title
# naming a briefing, gaggle, press call, press conference or remarks), from the version where
# each first appears. The rest of the 10-item window is statements, readouts, fact sheets,
# nominations, letters and proclamations: press releases, not stored.
NEW_AT = {
    0: {P + "24587", P + "24609"},  # Psaki July 20; remarks before the Cabinet meeting
    5: {P + "24701"},  # gaggle aboard Air Force One, July 21
    7: {P + "24719"},  # CNN town hall
    8: {P + "24725"},  # remarks before Air Force One departure
    9: {P + "24731"},  # remarks after Marine One arrival
    12: {P + "24785"},  # COVID-19 Response Team briefing, July 22
    15: {P + "24811"},  # Psaki and Raimondo, July 22
    16: {P + "24817", P + "24819"},  # signing; meeting with business and labor leaders
    25: {P + "24887"},  # Psaki July 23, edited an hour later (version 27)
    29: {P + "24943"},  # campaign event in Virginia
}
EDITED_AT = {27: P + "24887"}
KINDS = {
    P + "24587": "press_briefing",
    P + "24701": "press_briefing",
    P + "24719": "interview",
    P + "24785": "press_briefing",
    P + "24811": "press_briefing",
    P + "24887": "press_briefing",
}
# Stale copies served again after a newer one (byte-identical blobs).
STALE = {22: 20, 23: 19, 31: 29}


def feed(version: dict) -> Resource:
    return Resource(
        (REPLAY / version["file"]).read_bytes(),
        content_type="application/rss+xml; charset=UTF-8",
        last_modified=version["committed_at"],
    )


def spider() -> WhiteHouseSpider:
    crawler = get_crawler(WhiteHouseSpider)
    return WhiteHouseSpider.from_crawler(crawler, feeds=["https://www.whitehouse.gov" + FEED_PATH])


def poll(version: dict) -> list:
    url = "https://www.whitehouse.gov" + FEED_PATH
    request = Request(url, meta={"feed_url": url})
    body = (REPLAY / version["file"]).read_bytes()
    return list(spider().parse_feed(XmlResponse(url, body=body, request=request)))


def test_registered_under_its_slug():
    assert SPIDERS["whitehouse"] is WhiteHouseSpider


def test_the_stale_copies_are_byte_identical_to_older_versions():
    for late, early in STALE.items():
        assert (REPLAY / VERSIONS[late]["file"]).read_bytes() == (
            REPLAY / VERSIONS[early]["file"]
        ).read_bytes()


@pytest.mark.parametrize("index", range(len(VERSIONS)), ids=[v["file"] for v in VERSIONS])
def test_every_version_yields_its_transcripts_and_nothing_else(index):
    """Every item carries its whole body; only the transcripts have a kind worth storing."""
    out = poll(VERSIONS[index])
    briefings = [o.briefing for o in out if isinstance(o, BriefingItem)]
    assert len(briefings) == 10 and isinstance(out[-1], FeedPollItem)
    in_window = {b.guid for b in briefings}
    expected = set().union(*NEW_AT.values()) & in_window
    assert {b.guid for b in briefings if b.kind != "press_release"} == expected
    for b in briefings:
        assert b.source == "whitehouse"
        if b.guid in KINDS:
            assert b.kind == KINDS[b.guid]
        if b.kind == "press_release":
            assert b.title.startswith(
                ("Statement", "Readout", "FACT SHEET", "Fact Sheet", "Nominations", "Letter")
                + ("President ", "Message", "Memorandum", "Bill Signed", "White House Releases")
            ), b.title


def test_the_corrected_repost_is_a_second_item_of_its_own():
    """The CORRECTED: re-post has its own guid and link: a new item, not a revision."""
    from helpers.whitehouse_fixtures import parse_wh

    names = [n for n in FEED_BY_FILE if "andrzej-duda" in n and ".v" not in n]
    parsed = [parse_wh(n) for n in sorted(names)]
    assert len(parsed) == 2
    corrected, original = parsed
    assert corrected.title.startswith("CORRECTED:") and not original.title.startswith("CORR")
    assert corrected.guid != original.guid and corrected.url != original.url
    assert corrected.kind == original.kind == "press_availability"
    assert [t.label for t in corrected.turns] == [t.label for t in original.turns]


WATCH = [
    "[[watch]]",
    'name = "haiti"',
    'terms = ["Haiti"]',
    'channels = ["log"]',
]


# Every version, on SQLite: test_sources_contract.py crawls the same replay on PostgreSQL.
@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_replay_stores_each_transcript_once_and_the_edit_as_a_revision(tmp_path, database_url):
    """The real 32 versions in order, then a stale pre-edit copy served again: no duplicate,
    no second alert, and the edit is not lost."""
    with Mirror() as site:
        config = write_config(
            tmp_path / "c.toml", database_url, slug="whitehouse", feeds=[site.url(FEED_PATH)]
        )
        config.write_text(config.read_text() + "\n".join(WATCH) + "\n")
        expected: set[str] = set()
        for index, version in enumerate(VERSIONS):
            site.routes[FEED_PATH] = feed(version)
            before = len(site.requests)
            result = briefwatch(config, "crawl")
            assert result.returncode == 0, result.stderr
            expected |= NEW_AT.get(index, set())
            stored = {g for (g,) in rows(database_url, "SELECT guid FROM briefings")}
            assert stored == expected, f"after version {index} ({version['file']})"
            paths = [r.path for r in site.requests[before:]]
            assert set(paths) <= {FEED_PATH, "/robots.txt"}
            # An unchanged feed costs one request (the fast path's 304); a changed one two at
            # most (the fast path's conditional GET, then the crawl's), none answered 304.
            answers = [r.status for r in site.requests[before:] if r.path == FEED_PATH]
            assert answers == [304] or (1 <= len(answers) <= 2 and 304 not in answers), answers
            if index in EDITED_AT:
                (revisions,) = rows(
                    database_url,
                    "SELECT count(*) FROM revisions JOIN briefings ON briefings.id = "
                    f"revisions.briefing_id WHERE guid = '{EDITED_AT[index]}'",
                )
                assert revisions == (2,)
        assert rows(database_url, "SELECT count(*) FROM revisions") == [
            (len(expected) + len(EDITED_AT),)
        ]
        kinds = dict(rows(database_url, "SELECT guid, kind FROM briefings"))
        assert {g: kinds[g] for g in KINDS} == KINDS
        assert "press_release" not in kinds.values()
        sources = rows(
            database_url,
            "SELECT DISTINCT s.slug FROM briefings b JOIN sources s ON s.id = b.source_id",
        )
        assert sources == [("whitehouse",)]

        snapshot = rows(database_url, "SELECT guid, content_hash FROM briefings ORDER BY guid")
        alerts = rows(database_url, "SELECT count(*) FROM alert_outbox")
        assert alerts[0][0] > 0  # the watch matched: a second alert would show

        # The feed goes back in time: the cached copy from before the edit is served again.
        site.routes[FEED_PATH] = feed(VERSIONS[25])
        assert briefwatch(config, "crawl").returncode == 0
        assert rows(database_url, "SELECT guid, content_hash FROM briefings ORDER BY guid") == (
            snapshot
        )
        assert rows(database_url, "SELECT count(*) FROM alert_outbox") == alerts
        assert rows(database_url, "SELECT count(*) FROM revisions") == [
            (len(expected) + len(EDITED_AT),)
        ]

        # ... and an unchanged feed afterwards costs one 304.
        before = len(site.requests)
        assert briefwatch(config, "crawl").returncode == 0
        assert [r.status for r in site.requests[before:] if r.path == FEED_PATH] == [304]
