"""Item pipelines, one concern each, in the order they run (see :data:`PIPELINES`).

Each takes plain values in ``__init__`` (read from the crawl's settings in ``from_crawler``),
so a test builds one without a crawler. They share the crawl's one database handle, the
:class:`~scraper.crawl_storage.CrawlStorage` extension, and report failures into the crawl's
stats (:mod:`scraper.crawl_stats`), where the runner reads them.
"""

from __future__ import annotations

from scraper import crawl_stats

PIPELINES = {
    "scraper.pipelines.offsite.OffsitePipeline": 50,
    "scraper.pipelines.health.HealthPipeline": 100,
    "scraper.pipelines.kinds.KindFilterPipeline": 200,
    "scraper.pipelines.flag.FlagPipeline": 250,
    "scraper.pipelines.store.StorePipeline": 300,
    "scraper.pipelines.feed_state.FeedStatePipeline": 800,
    "scraper.pipelines.cursor.CursorPipeline": 900,
}

#: Stats keys (kept here under their old names): the pipelines' error lines, and the feeds
#: one of whose items could not be stored.
ERRORS_KEY = crawl_stats.PIPELINE_ERRORS
INCOMPLETE_FEEDS_KEY = crawl_stats.INCOMPLETE_FEEDS


def first_line(exc: BaseException) -> str:
    """A database error in one line: the driver's message, without SQL or parameters."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip() or type(exc).__name__
    return text.splitlines()[0]
