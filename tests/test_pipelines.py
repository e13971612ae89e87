"""Pipelines in-process, on a real SQLite database: a briefing that cannot be stored is named
in the crawl's errors, its feed keeps no validators and a backfill's resume point stops."""

from __future__ import annotations

import sqlite3

import pytest
from helpers.state_department import read_body, state_items
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from scraper.config import config_from_dict
from scraper.crawl_storage import CrawlStorage
from scraper.items import BriefingItem, CursorItem, FeedPollItem
from scraper.parsing import parse_transcript
from scraper.pipelines import ERRORS_KEY
from scraper.pipelines.cursor import CursorPipeline
from scraper.pipelines.feed_state import FeedStatePipeline
from scraper.pipelines.store import StorePipeline
from scraper.spiders.state_department import StateDepartmentSpider
from scraper.storage import open_storage

FEED = "http://127.0.0.1:1/feed/"
ITEM = state_items()[0]


@pytest.fixture
def crawl(tmp_path):
    path = tmp_path / "p.db"
    crawler = get_crawler(
        StateDepartmentSpider,
        {
            "BRIEFWATCH_CONFIG": config_from_dict({}),
            "BRIEFWATCH_DATABASE_URL": f"sqlite:///{path}",
            "BRIEFWATCH_BUSY_TIMEOUT": 0.2,
            "EXTENSIONS": {"scraper.crawl_storage.CrawlStorage": 0},
        },
    )
    crawler.spider = crawler._create_spider()
    crawler.stats.open_spider()
    storage = CrawlStorage.of(crawler)
    storage.spider_opened()
    store, feeds, cursor = (
        StorePipeline.from_crawler(crawler),
        FeedStatePipeline.from_crawler(crawler),
        CursorPipeline.from_crawler(crawler),
    )
    yield crawler, path, store, feeds, cursor
    storage.spider_closed()


def _item() -> BriefingItem:
    version = ITEM["versions"][-1]
    b = parse_transcript(
        read_body(version["file"]), url=ITEM["link"], meta={"title": ITEM["title"]}
    )
    return BriefingItem(b, feed_url=FEED)


def _locked(path):
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_an_item_not_stored_is_named_and_its_feed_keeps_no_validators(crawl):
    crawler, path, store, feeds, cursor = crawl
    lock = _locked(path)
    with pytest.raises(DropItem):
        store.process_item(_item())
    lock.rollback()
    feeds.process_item(FeedPollItem(FEED, 200, '"etag"', "Mon, 05 Jul 2021", 1))
    cursor.process_item(CursorItem("backfill:x", {"page": 3, "complete": False}))
    feeds.close_spider()
    stats = crawler.stats
    assert stats.get_value("briefwatch/store_errors") == 1
    (error,) = stats.get_value(ERRORS_KEY)
    assert error.startswith(f"not stored: {ITEM['title']!r}") and "database is locked" in error
    storage = open_storage(f"sqlite:///{path}")
    assert storage.feed_validators(FEED) == (None, None)
    assert storage.crawl_state("backfill:x") is None
    storage.close()


def test_a_feed_whose_items_are_all_stored_keeps_its_validators(crawl):
    crawler, path, store, feeds, cursor = crawl
    store.process_item(_item())
    feeds.process_item(FeedPollItem(FEED, 200, '"etag"', "Mon, 05 Jul 2021", 1))
    cursor.process_item(CursorItem("backfill:x", {"page": 3, "complete": False}))
    storage = open_storage(f"sqlite:///{path}")
    assert storage.feed_validators(FEED) == (None, None)  # not before the crawl closes
    feeds.close_spider()
    assert storage.feed_validators(FEED) == ('"etag"', "Mon, 05 Jul 2021")
    assert storage.crawl_state("backfill:x") == {"page": 3, "complete": False}
    assert crawler.stats.get_value("briefwatch/new") == 1
    storage.close()


def test_a_briefing_lost_to_another_pipeline_is_named_too(crawl):
    from scrapy import signals
    from twisted.python.failure import Failure

    crawler, _path, _store, _feeds, _cursor = crawl
    item = _item()
    try:
        raise ValueError("watch blew up")
    except ValueError:
        failure = Failure()
    # What Scrapy sends when a pipeline raises something other than DropItem.
    crawler.signals.send_catch_log(
        signals.item_error, item=item, response=None, spider=crawler.spider, failure=failure
    )
    assert crawler.stats.get_value("briefwatch/store_errors") == 1
    (error,) = crawler.stats.get_value(ERRORS_KEY)
    assert error.endswith(f"{ITEM['link']}: watch blew up")
