"""Health: a promised transcript that parses to no turns means the site changed its markup.

The item is dropped and named in the stats; the run's health checks
(:mod:`scraper.run_health`) turn it into a notice for the operator."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from scraper import crawl_stats
from scraper.items import BriefingItem


class HealthPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HealthPipeline:
        return cls(crawler.stats)

    def process_item(self, item):
        if isinstance(item, BriefingItem) and item.expected_transcript and not item.briefing.turns:
            b = item.briefing
            self.stats.inc_value("briefwatch/empty_transcripts")
            crawl_stats.append(self.stats, crawl_stats.EMPTY_TRANSCRIPT_PAGES, [b.title, b.url])
            raise DropItem(f"transcript parsed to zero turns: {b.title!r} {b.url}")
        return item
