"""Store each briefing (one transaction: briefing, revision, turns, exchanges)."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

from scraper.items import BriefingItem
from scraper.pipelines import crawl_storage

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.storage = crawl_storage(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, BriefingItem):
            return item
        result = self.storage.save_briefing(item.briefing)
        self.crawler.stats.inc_value(f"briefwatch/{result.status}")
        if result.status != "unchanged":
            logger.info(
                "%s briefing %d (revision %d): %s",
                result.status,
                result.briefing_id,
                result.revision,
                item.briefing.title,
            )
        return item

    def close_spider(self) -> None:
        self.storage.close()
