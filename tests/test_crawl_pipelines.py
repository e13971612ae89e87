"""Each pipeline built from plain values (a policy, kinds, watches, a storage, the stats) and
driven item by item in-process, on real parsed briefings and a real database. Their
``from_crawler`` is checked once each: it reads the settings and hands them on."""

from __future__ import annotations

import dataclasses

import pytest
from helpers.crawl import archive_briefing
from scrapy.exceptions import DropItem
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from scraper import crawl_stats
from scraper.config import config_from_dict
from scraper.crawl_storage import CrawlStorage
from scraper.items import BriefingItem, CursorItem, FeedPollItem
from scraper.pipelines import PIPELINES, first_line
from scraper.pipelines.cursor import CursorPipeline
from scraper.pipelines.feed_state import FeedStatePipeline
from scraper.pipelines.flag import FlagPipeline
from scraper.pipelines.health import HealthPipeline
from scraper.pipelines.kinds import KindFilterPipeline
from scraper.pipelines.offsite import OffsitePipeline
from scraper.pipelines.store import StorePipeline
from scraper.sources import TRANSCRIPT_KINDS
from scraper.url_policy import UrlPolicy

FEED = "https://www.whitehouse.gov/briefing-room/feed/"
BRIEFING = archive_briefing(0)  # Press Briefing 1/22/09, 10 mentions of Guantanamo
URL = BRIEFING.url


@pytest.fixture
def stats():
    crawler = get_crawler()
    collector = MemoryStatsCollector(crawler)
    collector.open_spider()
    return collector


def item(**changes) -> BriefingItem:
    return BriefingItem(dataclasses.replace(BRIEFING, **changes), expected_transcript=True)


# -- offsite ---------------------------------------------------------------------------------
POLICY = UrlPolicy.of([FEED], ["obamawhitehouse.archives.gov"])


def test_offsite_passes_the_sites_own_pages_and_other_items(stats):
    pipeline = OffsitePipeline(POLICY, stats)
    assert pipeline.process_item(item()).briefing == BRIEFING
    poll = FeedPollItem(FEED, 200, None, None, 1)
    assert pipeline.process_item(poll) is poll
    assert stats.get_value(crawl_stats.ERRORS) is None


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "https://example.org/x", "data:text/html," + "A" * 5000],
    ids=["file", "other-host", "huge-data"],
)
def test_offsite_refuses_any_other_url_with_one_error_line(stats, url):
    pipeline = OffsitePipeline(POLICY, stats)
    with pytest.raises(DropItem):
        pipeline.process_item(item(url=url))
    (error,) = stats.get_value(crawl_stats.SPIDER_ERRORS)
    assert error.startswith(url[:300]) and ": refused off-site URL: " in error
    assert len(error) < 500
    assert stats.get_value("briefwatch/offsite_refused") == stats.get_value("briefwatch/errors")


def test_offsite_takes_the_crawls_policy_from_the_settings():
    crawler = get_crawler(settings_dict={"BRIEFWATCH_URL_POLICY": POLICY})
    assert OffsitePipeline.from_crawler(crawler).policy == POLICY
    assert OffsitePipeline.from_crawler(get_crawler()).policy.refusal(URL) is not None


# -- health ------------------------------------------------------------------------------------
def test_a_promised_transcript_without_turns_is_dropped_and_named(stats):
    pipeline = HealthPipeline(stats)
    with pytest.raises(DropItem, match="zero turns"):
        pipeline.process_item(item(turns=[]))
    assert stats.get_value(crawl_stats.EMPTY_TRANSCRIPT_PAGES) == [["Press Briefing 1/22/09", URL]]
    assert stats.get_value("briefwatch/empty_transcripts") == 1


def test_a_transcript_with_turns_or_not_promised_passes(stats):
    pipeline = HealthPipeline(stats)
    assert pipeline.process_item(item()).briefing.turns
    quiet = BriefingItem(dataclasses.replace(BRIEFING, turns=[]), expected_transcript=False)
    assert pipeline.process_item(quiet) is quiet
    assert HealthPipeline.from_crawler(get_crawler()).stats is not None
    assert stats.get_value("briefwatch/empty_transcripts") is None


# -- kinds -----------------------------------------------------------------------------------
def test_only_the_configured_kinds_pass(stats):
    pipeline = KindFilterPipeline(["press_briefing"], stats)
    assert BRIEFING.kind == "press_briefing"
    assert pipeline.process_item(item()).briefing == BRIEFING
    with pytest.raises(DropItem, match="kind 'remarks' not watched"):
        pipeline.process_item(item(kind="remarks"))
    assert stats.get_value("briefwatch/skipped_kind") == 1


def test_kinds_come_from_the_sources_settings():
    crawler = get_crawler(settings_dict={"BRIEFWATCH_KINDS": list(TRANSCRIPT_KINDS)})
    assert KindFilterPipeline.from_crawler(crawler).kinds == frozenset(TRANSCRIPT_KINDS)
    assert KindFilterPipeline.from_crawler(get_crawler()).kinds == frozenset()


# -- flag ------------------------------------------------------------------------------------
CONFIG = config_from_dict(
    {"watch": [{"name": "gitmo", "terms": ["Guantanamo"]}, {"name": "x", "terms": ["zzyzx"]}]}
)


def test_flag_records_each_watchs_hits_and_drafts_their_alerts(stats):
    pipeline = FlagPipeline(CONFIG.watch, ["log"], stats)
    flagged = pipeline.process_item(item())
    assert {h.watch for h in flagged.hits} == {"gitmo"}
    assert len(flagged.hits) == stats.get_value("briefwatch/watch_hits") >= 1
    assert flagged.drafts and all(d.watch == "gitmo" for d in flagged.drafts)
    assert all(d.channels == ("log",) for d in flagged.drafts)


def test_flag_without_watches_leaves_items_alone(stats):
    pipeline = FlagPipeline([], ["log"], stats)
    assert pipeline.process_item(item()).hits == []
    crawler = get_crawler(settings_dict={"BRIEFWATCH_CONFIG": CONFIG})
    assert set(FlagPipeline.from_crawler(crawler).watches) == {"gitmo", "x"}


# -- store -----------------------------------------------------------------------------------
def test_store_saves_new_then_unchanged(storage, stats):
    pipeline = StorePipeline(storage, stats, alert_on_update=False)
    flagged = FlagPipeline(CONFIG.watch, ["log"], stats).process_item(item())
    assert pipeline.process_item(flagged) is flagged
    pipeline.process_item(item())
    assert [stats.get_value(f"briefwatch/{s}") for s in ("new", "unchanged", "updated")] == [
        1,
        1,
        None,
    ]
    assert stats.get_value("briefwatch/alerts_queued") == len(storage.list_alerts(limit=100)) > 0
    assert storage.stored_urls() == {URL}


def test_a_briefing_that_cannot_be_stored_is_named_and_its_feed_marked(storage, stats):
    pipeline = StorePipeline(storage, stats, alert_on_update=True)
    lost = item()
    lost.feed_url = FEED
    pipeline.not_stored(lost, RuntimeError("disk full\nSQL: INSERT ..."))
    assert stats.get_value(crawl_stats.INCOMPLETE_FEEDS) == [FEED]
    assert stats.get_value(crawl_stats.PIPELINE_ERRORS) == [
        f"not stored: 'Press Briefing 1/22/09' {URL}: disk full"
    ]
    assert stats.get_value("briefwatch/store_errors") == 1


def test_first_line_prefers_the_drivers_message():
    class Wrapped(Exception):
        orig = ValueError("database is locked")

    assert first_line(Wrapped("(sqlite3.OperationalError) ... [SQL: ...]")) == "database is locked"
    assert first_line(KeyError()) == "KeyError"


# -- feed state ------------------------------------------------------------------------------
def test_a_feed_keeps_its_validators_only_when_all_is_in_hand(storage, stats):
    other = "https://www.whitehouse.gov/feed/other/"
    pipeline = FeedStatePipeline(storage, stats)
    pipeline.process_item(FeedPollItem(FEED, 200, '"e1"', "Mon, 05 Jul 2021", 10))
    pipeline.process_item(FeedPollItem(other, 200, '"e2"', None, 10, details=(URL, URL + "2/")))
    crawl_stats.append(stats, crawl_stats.SETTLED_LINKS, URL)  # the other one failed
    assert storage.feed_validators(FEED) == (None, None)  # not before the crawl closes
    pipeline.close_spider()
    assert storage.feed_validators(FEED) == ('"e1"', "Mon, 05 Jul 2021")
    assert storage.feed_validators(other) == (None, None)  # a detail page is not in hand


def test_a_feed_whose_detail_pages_are_all_dealt_with_keeps_its_validators(storage, stats):
    pipeline = FeedStatePipeline(storage, stats)
    pipeline.process_item(FeedPollItem(FEED, 200, '"e1"', None, 10, details=(URL, URL + "2/")))
    for link in (URL, URL + "2/"):  # one stored, say, and one refused for good
        crawl_stats.append(stats, crawl_stats.SETTLED_LINKS, link)
    pipeline.close_spider()
    assert storage.feed_validators(FEED) == ('"e1"', None)


def test_a_feed_that_lost_an_item_keeps_none(storage, stats):
    pipeline = FeedStatePipeline(storage, stats)
    pipeline.process_item(FeedPollItem(FEED, 200, '"e1"', None, 10))
    crawl_stats.append(stats, crawl_stats.INCOMPLETE_FEEDS, FEED)
    pipeline.close_spider()
    assert storage.feed_validators(FEED) == (None, None)


def test_empty_polls_in_a_row_go_into_the_stats(storage, stats):
    pipeline = FeedStatePipeline(storage, stats)
    for _ in range(3):
        pipeline.process_item(FeedPollItem(FEED, 200, None, None, 0))
    pipeline.process_item(FeedPollItem(FEED, 304, None, None, None))  # says nothing
    assert stats.get_value(crawl_stats.EMPTY_FEED_STREAKS) == {FEED: 3}
    pipeline.process_item(FeedPollItem(FEED, 200, None, None, 4))
    assert stats.get_value(crawl_stats.EMPTY_FEED_STREAKS) == {FEED: 0}


# -- cursor ------------------------------------------------------------------------------------
def test_the_resume_point_is_saved_until_an_item_is_lost(storage, stats):
    pipeline = CursorPipeline(storage, stats)
    pipeline.process_item(CursorItem("backfill:x", {"page": 3, "complete": False}))
    assert storage.crawl_state("backfill:x") == {"page": 3, "complete": False}
    stats.inc_value("briefwatch/store_errors")
    pipeline.process_item(CursorItem("backfill:x", {"page": 4, "complete": False}))
    assert storage.crawl_state("backfill:x") == {"page": 3, "complete": False}


# -- the storage extension ---------------------------------------------------------------------
def test_the_crawls_storage_is_open_from_spider_opened_to_spider_closed(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    crawler = get_crawler(
        settings_dict={
            "BRIEFWATCH_DATABASE_URL": url,
            "EXTENSIONS": {"scraper.crawl_storage.CrawlStorage": 0},
        }
    )
    ext = CrawlStorage.of(crawler)
    with pytest.raises(RuntimeError, match="not open"):
        ext.stored_urls()
    ext.spider_opened()
    handle = ext.storage
    ext.spider_opened()  # (once only)
    assert ext.storage is handle and ext.stored_urls() == set()
    store = StorePipeline.from_crawler(
        get_crawler(settings_dict={**crawler.settings.copy_to_dict(), "BRIEFWATCH_CONFIG": CONFIG})
    )
    assert isinstance(store.storage, CrawlStorage)
    ext.spider_closed()
    with pytest.raises(RuntimeError, match="not open"):
        ext.storage  # noqa: B018
    ext.spider_closed()  # (a second close is harmless)


def test_pipelines_need_the_storage_extension():
    with pytest.raises(RuntimeError, match="CrawlStorage extension is not enabled"):
        CursorPipeline.from_crawler(get_crawler())


def test_every_pipeline_is_listed_in_order():
    assert list(PIPELINES.values()) == sorted(PIPELINES.values())
    assert {p.rsplit(".", 1)[1] for p in PIPELINES} == {
        "OffsitePipeline",
        "HealthPipeline",
        "KindFilterPipeline",
        "FlagPipeline",
        "StorePipeline",
        "FeedStatePipeline",
        "CursorPipeline",
    }
