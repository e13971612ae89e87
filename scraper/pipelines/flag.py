"""Flag: run every watch over each briefing and draft the alerts its hits call for."""

from __future__ import annotations

from scrapy.crawler import Crawler

from scraper.alerts.deliver import enabled_channels
from scraper.alerts.plan import draft_alerts
from scraper.items import BriefingItem
from scraper.watch.matcher import Matcher


class FlagPipeline:
    def __init__(self, crawler: Crawler) -> None:
        config = crawler.settings["BRIEFWATCH_CONFIG"]
        self.crawler = crawler
        self.matcher = Matcher(config.watch)
        self.watches = {w.name: w for w in config.watch}
        self.channels = list(enabled_channels(config))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FlagPipeline:
        return cls(crawler)

    def process_item(self, item):
        if isinstance(item, BriefingItem) and self.watches:
            item.hits = self.matcher.hits(item.briefing)
            item.drafts = draft_alerts(item.briefing, item.hits, self.watches, self.channels)
            self.crawler.stats.inc_value("briefwatch/watch_hits", len(item.hits))
        return item
