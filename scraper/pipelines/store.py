"""Store each briefing: one transaction for the briefing, its revision, turns, exchanges,
watch matches and queued alerts, so a crash can neither lose nor duplicate an alert."""

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
        self.alert_on_update = crawler.settings["BRIEFWATCH_CONFIG"].alerts.alert_on_update

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, BriefingItem):
            return item
        result = self.storage.save_briefing(
            item.briefing,
            hits=item.hits,
            drafts=item.drafts,
            alert_on_update=self.alert_on_update,
        )
        self.crawler.stats.inc_value(f"briefwatch/{result.status}")
        self.crawler.stats.inc_value("briefwatch/alerts_queued", result.alerts_queued)
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
