"""Refuse a briefing whose URL is off the source's site (a feed item whose link is
``file:``, ``data:``, ``javascript:``, another host or port): never stored, one error line.

Detail pages cannot get here off-site (the downloader refuses them); a feed item that
carries its whole body is not fetched, so its link is checked here before it is stored.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from scraper.items import BriefingItem
from scraper.masking import mask_text
from scraper.url_policy import UrlPolicy

logger = logging.getLogger(__name__)
MAX_URL_SHOWN = 300  # a data: link can be megabytes long


class OffsitePipeline:
    def __init__(self, policy: UrlPolicy, errors: list[str], stats: StatsCollector) -> None:
        self.policy = policy
        self.errors = errors  # the run's error lines (the spider's list)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsitePipeline:
        spider: Any = crawler.spider
        return cls(spider.url_policy, spider.errors, crawler.stats)

    def process_item(self, item):
        if not isinstance(item, BriefingItem):
            return item
        url = item.briefing.url
        reason = self.policy.refusal(url)
        if reason is None:
            return item
        shown = url if len(url) <= MAX_URL_SHOWN else url[:MAX_URL_SHOWN] + "…"
        message = mask_text(f"{shown}: refused off-site URL: {reason}")
        self.errors.append(message)
        self.stats.inc_value("briefwatch/errors")
        self.stats.inc_value("briefwatch/offsite_refused")
        logger.error(message)
        raise DropItem(message)
