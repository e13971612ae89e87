"""Progress of a long crawl: a live line on a terminal, a log line now and then otherwise."""

from __future__ import annotations

import logging
import sys
import time

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

logger = logging.getLogger(__name__)


class ProgressExtension:
    """Reports transcripts done, rate and remaining during a backfill."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.tty = sys.stderr.isatty()
        self.interval = 1.0 if self.tty else interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        ext = cls(crawler, crawler.settings.getfloat("BRIEFWATCH_PROGRESS_INTERVAL", 30.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider, reason) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.report(final=True)

    def line(self) -> str:
        stats = self.crawler.stats
        done = stats.get_value("briefwatch/details_fetched", 0)
        scheduled = stats.get_value("briefwatch/details_scheduled", 0)
        failed = stats.get_value("briefwatch/errors", 0)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return (
            f"backfill: {done} transcripts fetched ({done / elapsed:.2f}/s), "
            f"{max(scheduled - done - failed, 0)} remaining of those found so far, "
            f"{stats.get_value('briefwatch/skipped_known', 0)} already stored, {failed} errors"
        )

    def report(self, final: bool = False) -> None:
        if self.tty:
            sys.stderr.write("\r" + self.line() + ("\n" if final else ""))
            sys.stderr.flush()
        else:
            logger.info(self.line())
