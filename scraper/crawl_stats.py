"""The names a crawl's stats go under, and the helpers that write the lists among them.

Spiders, pipelines and middlewares report into the crawler's stats only; the runner
(:mod:`scraper.crawl`) reads them back when the crawl ends and the run's health checks
(:mod:`scraper.run_health`) judge them. Nothing is passed through spider attributes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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
#: Teaser links whose detail page is dealt with for good: read (then stored, or skipped on
#: purpose), or refused for good (the URL policy, URLLENGTH_LIMIT, a page gone or forbidden
#: by robots.txt). A link that failed otherwise (a timeout, a 5xx, a 403 or 429) is not: its
#: feed keeps no validators, so it is tried again.
SETTLED_LINKS = "briefwatch/settled_links"
#: The request meta keys of a teaser's detail page: the feed that announced it, and its link
#: as the feed wrote it (a redirect changes the request's URL, not its meta).
FROM_FEED, FEED_LINK = "briefwatch_from_feed", "briefwatch_feed_link"
#: Promised transcripts that parsed to no turns: ``[title, url]`` pairs.
EMPTY_TRANSCRIPT_PAGES = "briefwatch/empty_transcript_pages"
#: Feeds polled this crawl (answered 200) and how many polls in a row they have been empty.
EMPTY_FEED_STREAKS = "briefwatch/empty_feed_streaks"


def append(stats: StatsCollector, key: str, value: object) -> None:
    """Add ``value`` to the list kept under ``key``."""
    stats.set_value(key, [*(stats.get_value(key) or []), value])


def settle(stats: StatsCollector, meta: Mapping[str, Any]) -> None:
    """Count a teaser's detail request (``meta`` its request's) as dealt with for good."""
    link = meta.get(FEED_LINK)
    if link is not None:
        append(stats, SETTLED_LINKS, link)


def record_error(stats: StatsCollector, message: str, key: str = PIPELINE_ERRORS) -> None:
    """Count and keep one error line for the run's record (and log it)."""
    stats.inc_value(ERRORS)
    append(stats, key, message)
    logger.error("%s", message)
