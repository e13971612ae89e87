"""Record each feed poll and remember each feed's validators (ETag, Last-Modified).

A poll is recorded when its answer arrives, without validators; they are saved when the
crawl closes, as :class:`~scraper.pipelines.validators.ValidatorLedger` decides. A crawl that
dies, fails to store an item or fails to fetch a detail page leaves none, so the next poll
fetches the feed again instead of being answered 304 while a transcript is missing; a link
refused for good does not hold them back. How many polls in a row a feed has been
empty goes into the stats, where the run's health checks read it."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from scraper import crawl_stats
from scraper.crawl_stats import record_error
from scraper.crawl_storage import CrawlStorage
from scraper.items import FeedPollItem
from scraper.pipelines import first_line
from scraper.pipelines.validators import ValidatorLedger
from scraper.storage import Storage

logger = logging.getLogger(__name__)


class FeedStatePipeline:
    def __init__(self, storage: Storage | CrawlStorage, stats: StatsCollector) -> None:
        self.storage = storage
        self.stats = stats
        self.ledger = ValidatorLedger()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FeedStatePipeline:
        return cls(CrawlStorage.of(crawler), crawler.stats)

    def process_item(self, item):
        if not isinstance(item, FeedPollItem):
            return item
        try:
            empty = self.storage.record_feed_poll(item.url, item.status, None, None, item.items)
        except Exception as exc:  # noqa: BLE001 - reported; the validators stay unsaved
            record_error(self.stats, f"feed {item.url}: poll not recorded: {first_line(exc)}")
            return item
        self.ledger.answered(item.url, item.status, item.etag, item.last_modified, item.details)
        if item.items is not None:  # (a 304 says nothing of the feed's items)
            streaks = dict(self.stats.get_value(crawl_stats.EMPTY_FEED_STREAKS) or {})
            streaks[item.url] = empty
            self.stats.set_value(crawl_stats.EMPTY_FEED_STREAKS, streaks)
        return item

    def close_spider(self) -> None:
        for url in self.stats.get_value(crawl_stats.INCOMPLETE_FEEDS) or []:
            self.ledger.not_stored(url)
        self.ledger.settled(self.stats.get_value(crawl_stats.SETTLED_LINKS) or [])
        for url in self.ledger.withheld():
            logger.info("feed %s: validators not kept (an item is not stored yet)", url)
        for url, (etag, last_modified) in self.ledger.keep().items():
            try:
                self.storage.set_feed_validators(url, etag, last_modified)
            except Exception as exc:  # noqa: BLE001 - the next poll just refetches
                record_error(self.stats, f"feed {url}: validators not saved: {first_line(exc)}")
