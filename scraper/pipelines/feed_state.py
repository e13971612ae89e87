"""Remember each feed's validators (ETag, Last-Modified) and notice feeds gone empty.

A poll is recorded when its answer arrives, without validators; they are saved when the
crawl closes, and only for feeds all of whose items were stored (or deliberately skipped).
A crawl that dies or fails to store an item leaves none, so the next poll fetches the feed
again instead of being answered 304 while a transcript is missing."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

from scraper.items import FeedPollItem
from scraper.pipelines import INCOMPLETE_FEEDS_KEY, crawl_storage, first_line, record_error

logger = logging.getLogger(__name__)


class FeedStatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.storage = crawl_storage(crawler)
        self.validators: dict[str, tuple[str | None, str | None]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FeedStatePipeline:
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, FeedPollItem):
            return item
        try:
            empty = self.storage.record_feed_poll(item.url, item.status, None, None, item.items)
        except Exception as exc:  # noqa: BLE001 - reported; the validators stay unsaved
            record_error(self.crawler, f"feed {item.url}: poll not recorded: {first_line(exc)}")
            return item
        if item.status == 200 and (item.etag or item.last_modified):
            self.validators[item.url] = (item.etag, item.last_modified)
        if item.items is not None and empty >= self.crawler.spider.empty_feed_alert_runs:
            notice = (
                f"feed {item.url} has yielded no items {empty} polls in a row "
                "(has the site changed?)"
            )
            self.crawler.spider.notices.append(notice)
            logger.warning(notice)
        return item

    def close_spider(self) -> None:
        incomplete = set(self.crawler.stats.get_value(INCOMPLETE_FEEDS_KEY) or [])
        for url, (etag, last_modified) in self.validators.items():
            if url in incomplete:
                logger.info("feed %s: validators not kept (an item was not stored)", url)
                continue
            try:
                self.storage.set_feed_validators(url, etag, last_modified)
            except Exception as exc:  # noqa: BLE001 - the next poll just refetches
                record_error(self.crawler, f"feed {url}: validators not saved: {first_line(exc)}")
