"""Remember each feed's validators (ETag, Last-Modified) and notice feeds gone empty."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

from scraper.items import FeedPollItem
from scraper.pipelines import crawl_storage

logger = logging.getLogger(__name__)


class FeedStatePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.storage = crawl_storage(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FeedStatePipeline:
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, FeedPollItem):
            return item
        empty = self.storage.record_feed_poll(
            item.url, item.status, item.etag, item.last_modified, item.items
        )
        if item.items is not None and empty >= self.crawler.spider.empty_feed_alert_runs:
            notice = (
                f"feed {item.url} has yielded no items {empty} polls in a row "
                "(has the site changed?)"
            )
            self.crawler.spider.notices.append(notice)
            logger.warning(notice)
        return item
