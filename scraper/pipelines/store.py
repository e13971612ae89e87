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
from scrapy.statscollectors import StatsCollector

from scraper import crawl_stats
from scraper.crawl_stats import record_error
from scraper.crawl_storage import CrawlStorage
from scraper.items import BriefingItem
from scraper.pipelines import first_line
from scraper.storage import Storage

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(
        self, storage: Storage | CrawlStorage, stats: StatsCollector, alert_on_update: bool
    ) -> None:
        self.storage = storage
        self.stats = stats
        self.alert_on_update = alert_on_update

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        config = crawler.settings["BRIEFWATCH_CONFIG"]
        pipeline = cls(CrawlStorage.of(crawler), crawler.stats, config.alerts.alert_on_update)
        # A briefing lost to an exception in an earlier pipeline is not stored either.
        crawler.signals.connect(pipeline.pipeline_error, signal=signals.item_error)
        return pipeline

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
            self.not_stored(item, exc)
            raise DropItem(f"not stored: {item.briefing.url}", log_level="DEBUG") from None
        self.stats.inc_value(f"briefwatch/{result.status}")
        self.stats.inc_value("briefwatch/alerts_queued", result.alerts_queued)
        if result.status != "unchanged":
            logger.info(
                "%s briefing %d (revision %d): %s",
                result.status,
                result.briefing_id,
                result.revision,
                item.briefing.title,
            )
        return item

    def not_stored(self, item: BriefingItem, exc: BaseException) -> None:
        """Count and name a briefing that was not stored; its feed keeps no validators."""
        self.stats.inc_value("briefwatch/store_errors")
        if item.feed_url:
            crawl_stats.append(self.stats, crawl_stats.INCOMPLETE_FEEDS, item.feed_url)
        b = item.briefing
        record_error(self.stats, f"not stored: {b.title!r} {b.url}: {first_line(exc)}")

    def pipeline_error(self, item, failure, **_kwargs) -> None:
        if isinstance(item, BriefingItem):
            self.not_stored(item, failure.value)
