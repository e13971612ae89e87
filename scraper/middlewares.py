"""Downloader middleware: honour robots.txt Crawl-delay, which Scrapy itself ignores, up to
``http.max_crawl_delay_seconds``; keep every request inside the crawl's deadline. Spider
middleware: a link too long to fetch is reported, not dropped in silence."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlparse

from protego import Protego
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware

from scraper import crawl_stats
from scraper.masking import mask_text

logger = logging.getLogger(__name__)


def robots_crawl_delay(robots_txt: str, user_agent: str) -> float | None:
    """The Crawl-delay a robots.txt asks of ``user_agent`` (None: none, or unreadable)."""
    try:
        delay = Protego.parse(robots_txt).crawl_delay(user_agent)
    except Exception:  # a robots.txt we cannot read sets no delay  # noqa: BLE001
        return None
    return float(delay) if delay else None


def keep_slow(slot: Any, delay: float | None) -> None:
    """Keep a download slot at least ``delay`` seconds apart (AutoThrottle may lower it)."""
    if delay and slot is not None and slot.delay < delay:
        slot.delay = delay


def first_request_now(slot: Any) -> None:
    """robots.txt was this run's first request to the site (runs are minutes apart): the
    first real request need not wait our own download delay after it. A Crawl-delay the
    site asks for is always waited."""
    if slot is None or getattr(slot, "queue", True) or not hasattr(slot, "lastseen"):
        return  # (another Scrapy, or requests already waiting: leave the slot alone)
    latercall = getattr(slot, "latercall", None)
    if latercall is not None and hasattr(latercall, "cancel"):
        latercall.cancel()
        slot.latercall = None
    slot.lastseen = 0


class CrawlDelayMiddleware:
    """Read ``Crawl-delay`` from each site's robots.txt (fetched by Scrapy's RobotsTxt
    middleware, whose request passes through here) and keep that site's download slot at
    least that slow, even when AutoThrottle would speed it up."""

    def __init__(self, crawler: Crawler, user_agent: str, max_delay: float) -> None:
        self.crawler = crawler  # for its downloader's slots, which exist once it runs
        self.user_agent = user_agent
        self.max_delay = max_delay
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        s = crawler.settings
        return cls(
            crawler, s.get("USER_AGENT") or "*", s.getfloat("BRIEFWATCH_MAX_CRAWL_DELAY", 60.0)
        )

    def process_request(self, request):
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        keep_slow(downloader.slots.get(key), self.delays.get(key))
        return None

    def process_response(self, request, response):
        if urlparse(request.url).path == "/robots.txt" and response.status == 200:
            downloader = self.crawler.engine.downloader
            key = downloader.get_slot_key(request)
            delay = self.site_delay(key, robots_crawl_delay(response.text, self.user_agent))
            if delay is None:
                first_request_now(downloader.slots.get(key))
        return response

    def site_delay(self, key: str, asked: float | None) -> float | None:
        """Remember the delay a site's robots.txt asked for, capped; None if it asked none."""
        if not asked:
            return None
        self.delays[key] = min(asked, self.max_delay)
        if asked > self.max_delay:
            logger.warning(
                "robots.txt of %s asks for Crawl-delay %s s; capped to %s s "
                "(http.max_crawl_delay_seconds)",
                key,
                asked,
                self.max_delay,
            )
        else:
            logger.info("robots.txt of %s asks for Crawl-delay %s s", key, asked)
        return self.delays[key]


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


class UrlLengthReportMiddleware(UrlLengthMiddleware):
    """Scrapy's ``URLLENGTH_LIMIT`` (2083 characters), reported: a request for a longer URL is
    not made, as Scrapy's own middleware decides, but it is counted and named among the run's
    errors (Scrapy only logs it at INFO), so a transcript link over the limit is seen. It is
    refused for good: the feed that announced it keeps its validators, so it is reported once,
    not on every poll."""

    def get_processed_request(self, request: Any, response: Any) -> Any:
        if len(request.url) <= self.maxlength:
            return request
        stats = self.crawler.stats
        stats.inc_value("urllength/request_ignored_count")
        url = request.url
        shown = url if len(url) <= 300 else f"{url[:200]} … {url[-100:]}"
        crawl_stats.record_error(
            stats,
            mask_text(
                f"link not fetched: its URL is {len(url)} characters long, over the "
                f"{self.maxlength} of URLLENGTH_LIMIT: {shown}"
            ),
            key=crawl_stats.SPIDER_ERRORS,
        )
        crawl_stats.settle(stats, request.meta)
        return None
