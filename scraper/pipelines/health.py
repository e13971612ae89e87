"""Health: a promised transcript that parses to no turns means the site changed its markup."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from scraper.items import BriefingItem

logger = logging.getLogger(__name__)


class HealthPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HealthPipeline:
        return cls(crawler)

    def process_item(self, item):
        if isinstance(item, BriefingItem) and item.expected_transcript and not item.briefing.turns:
            b = item.briefing
            notice = (
                f"transcript parsed to zero turns (has the site's layout changed?): "
                f"{b.title!r} {b.url}"
            )
            self.crawler.spider.notices.append(notice)
            self.crawler.stats.inc_value("briefwatch/empty_transcripts")
            logger.warning(notice)
            raise DropItem(notice)
        return item
