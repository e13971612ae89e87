"""Keep only the kinds of document the configuration asks for (press releases are not)."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from scraper.items import BriefingItem


class KindFilterPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KindFilterPipeline:
        return cls(crawler)

    def process_item(self, item):
        kinds = self.crawler.spider.kinds  # each source's own [sources.NAME] kinds
        if isinstance(item, BriefingItem) and item.briefing.kind not in kinds:
            self.crawler.stats.inc_value("briefwatch/skipped_kind")
            raise DropItem(
                f"kind {item.briefing.kind!r} not watched: {item.briefing.url}", log_level="INFO"
            )
        return item
