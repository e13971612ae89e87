"""Flag: run every watch over each briefing and draft the alerts its hits call for."""

from __future__ import annotations

from collections.abc import Iterable

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from scraper.alerts.plan import draft_alerts
from scraper.items import BriefingItem
from scraper.watch.matcher import Matcher


class FlagPipeline:
    def __init__(self, watches: Iterable, channels: Iterable, stats: StatsCollector) -> None:
        watches = list(watches)
        self.matcher = Matcher(watches)
        self.watches = {w.name: w for w in watches}
        self.channels = list(channels)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FlagPipeline:
        config = crawler.settings["BRIEFWATCH_CONFIG"]
        return cls(config.watch, config.alerts.enabled_names(), crawler.stats)

    def process_item(self, item):
        if isinstance(item, BriefingItem) and self.watches:
            item.hits = self.matcher.hits(item.briefing)
            item.drafts = draft_alerts(item.briefing, item.hits, self.watches, self.channels)
            self.stats.inc_value("briefwatch/watch_hits", len(item.hits))
        return item
