"""Store each briefing: one transaction for the briefing, its revision, turns, exchanges,
watch matches and queued alerts, so a crash can neither lose nor duplicate an alert.

A briefing that cannot be stored (the database locked past its timeout, the disk full, a
lock or statement timeout on PostgreSQL) is counted and named in the run's errors, and the
feed it came from keeps no validators, so the next poll fetches it again."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from scraper.items import BriefingItem
from scraper.pipelines import INCOMPLETE_FEEDS_KEY, crawl_storage, first_line, record_error

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.storage = crawl_storage(crawler)
        self.alert_on_update = crawler.settings["BRIEFWATCH_CONFIG"].alerts.alert_on_update
        # A briefing lost to an exception in an earlier pipeline is not stored either.
        crawler.signals.connect(self._pipeline_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def process_item(self, item):
        if not isinstance(item, BriefingItem):
            return item
        try:
            result = self.storage.save_briefing(
                item.briefing,
                hits=item.hits,
                drafts=item.drafts,
                alert_on_update=self.alert_on_update,
            )
        except Exception as exc:  # noqa: BLE001 - whatever it was, the run must say so
            self._failed(item, exc)
            raise DropItem(f"not stored: {item.briefing.url}", log_level="DEBUG") from None
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

    def _failed(self, item: BriefingItem, exc: Exception) -> None:
        stats = self.crawler.stats
        stats.inc_value("briefwatch/store_errors")
        if item.feed_url:
            feeds = stats.get_value(INCOMPLETE_FEEDS_KEY) or []
            stats.set_value(INCOMPLETE_FEEDS_KEY, [*feeds, item.feed_url])
        b = item.briefing
        record_error(self.crawler, f"not stored: {b.title!r} {b.url}: {first_line(exc)}")

    def _pipeline_error(self, item, failure, **_kwargs) -> None:
        if isinstance(item, BriefingItem):
            self._failed(item, failure.value)

    def close_spider(self) -> None:
        self.storage.close()
