"""Downloader middleware: honour robots.txt Crawl-delay, which Scrapy itself ignores, up to
``http.max_crawl_delay_seconds``."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlparse

from protego import Protego
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

logger = logging.getLogger(__name__)


class CrawlDelayMiddleware:
    """Read ``Crawl-delay`` from each site's robots.txt (fetched by Scrapy's RobotsTxt
    middleware, whose request passes through here) and keep that site's download slot at
    least that slow, even when AutoThrottle would speed it up."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.user_agent = crawler.settings.get("USER_AGENT") or "*"
        self.max_delay = crawler.settings.getfloat("BRIEFWATCH_MAX_CRAWL_DELAY", 60.0)
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
                self.delays[key] = min(float(delay), self.max_delay)
                if float(delay) > self.max_delay:
                    logger.warning(
                        "robots.txt of %s asks for Crawl-delay %s s; capped to %s s "
                        "(http.max_crawl_delay_seconds)",
                        key,
                        delay,
                        self.max_delay,
                    )
                else:
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


class DeadlineMiddleware:
    """Keep every request inside the crawl's deadline (``http.crawl_deadline_seconds``): its
    download timeout never runs past it, and none starts after it. Scrapy's
    ``CLOSESPIDER_TIMEOUT`` closes the crawl at the deadline, but waits for the downloads in
    flight; this bounds them."""

    def __init__(self, deadline_seconds: float) -> None:
        self.deadline = time.monotonic() + deadline_seconds

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DeadlineMiddleware:
        seconds = crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")
        if not seconds:
            raise NotConfigured("no crawl deadline")
        return cls(seconds)

    def process_request(self, request):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise IgnoreRequest("the crawl deadline (http.crawl_deadline_seconds) has passed")
        timeout = request.meta.get("download_timeout") or remaining
        request.meta["download_timeout"] = max(0.1, min(float(timeout), remaining))
        return None
