"""Save a backfill's resume point once every transcript up to it is stored.

Once a transcript of the crawl could not be stored, the point no longer moves: the next
backfill resumes before it (stored pages are skipped) instead of after it."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from scraper.crawl_stats import record_error
from scraper.crawl_storage import CrawlStorage
from scraper.items import CursorItem
from scraper.pipelines import first_line
from scraper.storage import Storage


class CursorPipeline:
    def __init__(self, storage: Storage | CrawlStorage, stats: StatsCollector) -> None:
        self.storage = storage
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CursorPipeline:
        return cls(CrawlStorage.of(crawler), crawler.stats)

    def process_item(self, item):
        if isinstance(item, CursorItem):
            if self.stats.get_value("briefwatch/store_errors"):
                return item
            try:
                self.storage.set_crawl_state(item.key, item.value)
            except Exception as exc:  # noqa: BLE001 - the walk resumes from an older point
                record_error(self.stats, f"resume point not saved: {first_line(exc)}")
        return item
