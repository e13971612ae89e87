"""Keep only the kinds of document the configuration asks for (press releases are not)."""

from __future__ import annotations

from collections.abc import Iterable

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from scraper.items import BriefingItem


class KindFilterPipeline:
    def __init__(self, kinds: Iterable[str], stats: StatsCollector) -> None:
        self.kinds = frozenset(kinds)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KindFilterPipeline:
        # Each source's own [sources.NAME] kinds, set on its crawler by scraper.crawl.
        return cls(crawler.settings.getlist("BRIEFWATCH_KINDS"), crawler.stats)

    def process_item(self, item):
        if isinstance(item, BriefingItem) and item.briefing.kind not in self.kinds:
            self.stats.inc_value("briefwatch/skipped_kind")
            raise DropItem(
                f"kind {item.briefing.kind!r} not watched: {item.briefing.url}", log_level="INFO"
            )
        return item
