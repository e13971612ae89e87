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
            if delay:
                key = self.crawler.engine.downloader.get_slot_key(request)
                self.delays[key] = float(delay)
                logger.info("robots.txt of %s asks for Crawl-delay %s s", key, delay)
        return response
