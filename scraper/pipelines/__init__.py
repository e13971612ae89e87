"""Item pipelines, one concern each, in the order they run (see :data:`PIPELINES`).

They share one database handle per crawl, opened from the ``BRIEFWATCH_DATABASE_URL`` setting.
Failures they meet go into the crawl's stats (:func:`record_error`), where the runner reads
them with the spider's own.
"""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler

from scraper.storage import Storage, open_storage

logger = logging.getLogger(__name__)

PIPELINES = {
    "scraper.pipelines.offsite.OffsitePipeline": 50,
    "scraper.pipelines.health.HealthPipeline": 100,
    "scraper.pipelines.kinds.KindFilterPipeline": 200,
    "scraper.pipelines.flag.FlagPipeline": 250,
    "scraper.pipelines.store.StorePipeline": 300,
    "scraper.pipelines.feed_state.FeedStatePipeline": 800,
    "scraper.pipelines.cursor.CursorPipeline": 900,
}

#: Stats keys: the error lines of the crawl's pipelines, and the feeds one of whose items
#: could not be stored (their validators must not be saved).
ERRORS_KEY = "briefwatch/pipeline_errors"
INCOMPLETE_FEEDS_KEY = "briefwatch/incomplete_feeds"


def crawl_storage(crawler: Crawler) -> Storage:
    """The crawl's one database handle (opened on first use, closed with the spider)."""
    storage = getattr(crawler, "_briefwatch_storage", None)
    if storage is None:
        settings = crawler.settings
        storage = open_storage(
            settings["BRIEFWATCH_DATABASE_URL"],
            settings.getfloat("BRIEFWATCH_BUSY_TIMEOUT", 30),
            statement_timeout_seconds=settings.getfloat("BRIEFWATCH_STATEMENT_TIMEOUT", 0),
        )
        crawler._briefwatch_storage = storage  # type: ignore[attr-defined]
    return storage


def record_error(crawler: Crawler, message: str) -> None:
    """Count and keep one error line for the run's record (and log it)."""
    stats = crawler.stats
    stats.inc_value("briefwatch/errors")
    stats.set_value(ERRORS_KEY, [*(stats.get_value(ERRORS_KEY) or []), message])
    logger.error("%s", message)


def first_line(exc: BaseException) -> str:
    """A database error in one line: the driver's message, without SQL or parameters."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip() or type(exc).__name__
    return text.splitlines()[0]
