"""Save a backfill's resume point once every transcript up to it is stored."""

from __future__ import annotations

from scrapy.crawler import Crawler

from scraper.items import CursorItem
from scraper.pipelines import crawl_storage


class CursorPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.storage = crawl_storage(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CursorPipeline:
        return cls(crawler)

    def process_item(self, item):
        if isinstance(item, CursorItem):
            self.storage.set_crawl_state(item.key, item.value)
            return item
        return item
