"""Downloader middleware: honour robots.txt Crawl-delay, which Scrapy itself ignores."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from protego import Protego
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class CrawlDelayMiddleware:
    """Read ``Crawl-delay`` from each site's robots.txt (fetched by Scrapy's RobotsTxt
    middleware, whose request passes through here) and keep that site's download slot at
    least that slow, even when AutoThrottle would speed it up."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.user_agent = crawler.settings.get("USER_AGENT") or "*"
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        return cls(crawler)

    def process_request(self, request):
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        delay = self.delays.get(key)
        slot = downloader.slots.get(key)
        if delay and slot is not None and slot.delay < delay:
            slot.delay = delay
        return None

    def process_response(self, request, response):
        if urlparse(request.url).path == "/robots.txt" and response.status == 200:
            try:
                delay = Protego.parse(response.text).crawl_delay(self.user_agent)
            except Exception:  # a robots.txt we cannot read sets no delay  # noqa: BLE001
                delay = None
            key = self.crawler.engine.downloader.get_slot_key(request)
            if delay:
                self.delays[key] = float(delay)
                logger.info("robots.txt of %s asks for Crawl-delay %s s", key, delay)
            else:
                self._first_request_now(key)
        return response

    def _first_request_now(self, key: str) -> None:
        """robots.txt was this run's first request to the site (runs are minutes apart): the
        first real request need not wait our own download delay after it. A Crawl-delay the
        site asks for is always waited."""
        slot = self.crawler.engine.downloader.slots.get(key)
        if slot is None or getattr(slot, "queue", True) or not hasattr(slot, "lastseen"):
            return  # (another Scrapy, or requests already waiting: leave the slot alone)
        latercall = getattr(slot, "latercall", None)
        if latercall is not None and hasattr(latercall, "cancel"):
            latercall.cancel()
            slot.latercall = None
        slot.lastseen = 0
