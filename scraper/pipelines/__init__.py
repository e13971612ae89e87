"""Item pipelines, one concern each, in the order they run (see :data:`PIPELINES`).

They share one database handle per crawl, opened from the ``BRIEFWATCH_DATABASE_URL`` setting.
"""

from __future__ import annotations

from scrapy.crawler import Crawler

from scraper.storage import Storage, open_storage

PIPELINES = {
    "scraper.pipelines.offsite.OffsitePipeline": 50,
    "scraper.pipelines.health.HealthPipeline": 100,
    "scraper.pipelines.kinds.KindFilterPipeline": 200,
    "scraper.pipelines.flag.FlagPipeline": 250,
    "scraper.pipelines.store.StorePipeline": 300,
    "scraper.pipelines.feed_state.FeedStatePipeline": 800,
    "scraper.pipelines.cursor.CursorPipeline": 900,
}


def crawl_storage(crawler: Crawler) -> Storage:
    """The crawl's one database handle (opened on first use, closed with the spider)."""
    storage = getattr(crawler, "_briefwatch_storage", None)
    if storage is None:
        settings = crawler.settings
        storage = open_storage(
            settings["BRIEFWATCH_DATABASE_URL"], settings.getfloat("BRIEFWATCH_BUSY_TIMEOUT", 30)
        )
        crawler._briefwatch_storage = storage
    return storage
