"""Downloader middleware: wait as long as a 429 or 503 answer's Retry-After asks, then retry."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time

from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds, or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


class RetryAfterMiddleware:
    """Honours Retry-After up to ``BRIEFWATCH_RETRY_AFTER_MAX`` seconds, a few times per
    request; a longer wait is left to the next scheduled run (the answer counts as blocked)."""

    def __init__(self, max_wait: float, max_times: int) -> None:
        self.max_wait, self.max_times = max_wait, max_times

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        s = crawler.settings
        return cls(s.getfloat("BRIEFWATCH_RETRY_AFTER_MAX", 120.0), s.getint("RETRY_TIMES", 3))

    async def process_response(self, request, response):
        if response.status not in (429, 503):
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        times = request.meta.get("retry_after_times", 0)
        if wait is None or wait > self.max_wait or times >= self.max_times:
            return response
        logger.info("%s answered %d: retrying after %.0f s", request.url, response.status, wait)
        await asyncio.sleep(wait)
        retry = request.replace(dont_filter=True)
        retry.meta["retry_after_times"] = times + 1
        return retry
