"""The names a crawl's stats go under, and the helpers that write the lists among them.

Spiders, pipelines and middlewares report into the crawler's stats only; the runner
(:mod:`scraper.crawl`) reads them back when the crawl ends and the run's health checks
(:mod:`scraper.run_health`) judge them. Nothing is passed through spider attributes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: Every error line counted (the spider's and the pipelines' alike).
ERRORS = "briefwatch/errors"
#: The error lines themselves: the spider's (fetching, reading) and the pipelines' (storing).
SPIDER_ERRORS = "briefwatch/spider_errors"
PIPELINE_ERRORS = "briefwatch/pipeline_errors"
#: Feeds one of whose items could not be stored (their validators must not be saved).
INCOMPLETE_FEEDS = "briefwatch/incomplete_feeds"
#: Promised transcripts that parsed to no turns: ``[title, url]`` pairs.
EMPTY_TRANSCRIPT_PAGES = "briefwatch/empty_transcript_pages"
#: Feeds polled this crawl (answered 200) and how many polls in a row they have been empty.
EMPTY_FEED_STREAKS = "briefwatch/empty_feed_streaks"


def append(stats: StatsCollector, key: str, value: object) -> None:
    """Add ``value`` to the list kept under ``key``."""
    stats.set_value(key, [*(stats.get_value(key) or []), value])


def record_error(stats: StatsCollector, message: str, key: str = PIPELINE_ERRORS) -> None:
    """Count and keep one error line for the run's record (and log it)."""
    stats.inc_value(ERRORS)
    append(stats, key, message)
    logger.error("%s", message)
