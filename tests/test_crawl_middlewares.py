"""Downloader middlewares in-process: Retry-After (a table of header values), the crawl
deadline, the off-site guard and robots.txt Crawl-delay, on Scrapy's own Request, Response
and download Slot objects."""

from __future__ import annotations

import asyncio
import email.utils
import logging

import pytest
from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from scraper.middlewares import (
    CrawlDelayMiddleware,
    DeadlineMiddleware,
    first_request_now,
    keep_slow,
    robots_crawl_delay,
)
from scraper.offsite import OffsiteGuardMiddleware
from scraper.retry_after import RetryAfterMiddleware, retry_after_seconds
from scraper.url_policy import UrlPolicy

URL = "https://www.state.gov/rss-feed/press-releases/feed/"
NOW = 1_625_443_200.0  # Mon, 05 Jul 2021 00:00:00 GMT

RETRY_AFTER = {
    "seconds": (b"120", 120.0),
    "zero": (b"0", 0.0),
    "padded": (b" 7 ", 7.0),
    "an HTTP date 90 s ahead": (b"Mon, 05 Jul 2021 00:01:30 GMT", 90.0),
    "an HTTP date past": (b"Sun, 04 Jul 2021 23:00:00 GMT", 0.0),
    "missing": (None, None),
    "empty": (b"", None),
    "negative": (b"-5", None),
    "a fraction": (b"1.5", None),
    "words": (b"soon", None),
}


@pytest.mark.parametrize(("value", "seconds"), RETRY_AFTER.values(), ids=RETRY_AFTER)
def test_retry_after_seconds(value, seconds):
    assert retry_after_seconds(value, now=NOW) == seconds


def test_retry_after_reads_the_clock_when_not_told():
    soon = email.utils.formatdate(usegmt=True)
    assert 0.0 <= retry_after_seconds(soon.encode()) <= 1.0


def answer(status: int, retry_after: str | None = None) -> Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return Response(URL, status=status, headers=headers)


@pytest.mark.parametrize(
    ("status", "retry_after", "times", "retried"),
    [
        (429, "0", 0, True),
        (503, "0", 2, True),
        (503, "0", 3, False),  # asked three times already
        (429, "121", 0, False),  # longer than the wait allowed: left to the next run
        (429, None, 0, False),  # no header: Scrapy's own retry decides
        (500, "0", 0, False),
        (200, "0", 0, False),
    ],
    ids=["429", "503", "times-up", "too-long", "no-header", "500", "200"],
)
def test_retry_after_middleware(status, retry_after, times, retried):
    mw = RetryAfterMiddleware(max_wait=120.0, max_times=3)
    request = Request(URL, meta={"retry_after_times": times})
    response = answer(status, retry_after)
    out = asyncio.run(mw.process_response(request, response))
    if retried:
        assert isinstance(out, Request) and out.url == URL and out.dont_filter
        assert out.meta["retry_after_times"] == times + 1
    else:
        assert out is response


def test_retry_after_settings():
    crawler = get_crawler(settings_dict={"BRIEFWATCH_RETRY_AFTER_MAX": 5, "RETRY_TIMES": 1})
    mw = RetryAfterMiddleware.from_crawler(crawler)
    assert (mw.max_wait, mw.max_times) == (5.0, 1)


# -- the crawl deadline ------------------------------------------------------------------------
def test_no_deadline_no_middleware():
    with pytest.raises(NotConfigured):
        DeadlineMiddleware.from_crawler(get_crawler())
    mw = DeadlineMiddleware.from_crawler(get_crawler(settings_dict={"CLOSESPIDER_TIMEOUT": 60}))
    assert mw.deadline > 0


def test_a_request_never_outlives_the_deadline():
    mw = DeadlineMiddleware(30.0)
    short = Request(URL, meta={"download_timeout": 10.0})
    long = Request(URL, meta={"download_timeout": 180.0})
    plain = Request(URL)
    for request in (short, long, plain):
        assert mw.process_request(request) is None
    assert short.meta["download_timeout"] == 10.0
    assert 29.0 < long.meta["download_timeout"] <= 30.0
    assert 29.0 < plain.meta["download_timeout"] <= 30.0
    with pytest.raises(IgnoreRequest, match="crawl deadline"):
        DeadlineMiddleware(0.0).process_request(Request(URL))


# -- the off-site guard ------------------------------------------------------------------------
@pytest.fixture
def stats():
    collector = MemoryStatsCollector(get_crawler())
    collector.open_spider()
    return collector


def test_offsite_guard_lets_the_sources_origins_through(stats):
    guard = OffsiteGuardMiddleware(UrlPolicy.of([URL], ["www.state.gov"]), stats)
    assert guard.process_request(Request("https://www.state.gov/briefings/x/")) is None
    with pytest.raises(IgnoreRequest, match=r"^refused off-site URL: "):
        guard.process_request(Request("https://example.org/x"))
    redirected = Request(
        "http://127.0.0.1:9/x", meta={"redirect_urls": ["https://www.state.gov/moved/"]}
    )
    with pytest.raises(IgnoreRequest, match=r"\(redirected from https://www.state.gov/moved/\)"):
        guard.process_request(redirected)
    assert stats.get_value("briefwatch/offsite_refused") == 2


def test_offsite_guard_without_a_policy_refuses_everything():
    guard = OffsiteGuardMiddleware.from_crawler(get_crawler())
    with pytest.raises(IgnoreRequest):
        guard.process_request(Request(URL))


# -- robots.txt Crawl-delay --------------------------------------------------------------------
ROBOTS = {
    "for everyone": ("User-agent: *\nCrawl-delay: 10\n", "briefwatch/0.1", 10.0),
    "for us only": ("User-agent: briefwatch\nCrawl-delay: 2.5\n", "briefwatch/0.1", 2.5),
    "for someone else": ("User-agent: otherbot\nCrawl-delay: 9\n", "briefwatch/0.1", None),
    "none": ("User-agent: *\nDisallow: /private/\n", "briefwatch/0.1", None),
    "empty": ("", "briefwatch/0.1", None),
}


@pytest.mark.parametrize(("robots", "agent", "delay"), ROBOTS.values(), ids=ROBOTS)
def test_robots_crawl_delay(robots, agent, delay):
    assert robots_crawl_delay(robots, agent) == delay


def test_a_site_delay_is_remembered_and_capped(caplog):
    mw = CrawlDelayMiddleware(None, "briefwatch", max_delay=30.0)
    caplog.set_level(logging.INFO)
    assert mw.site_delay("www.state.gov", 5.0) == 5.0
    assert mw.site_delay("slow.example", 3600.0) == 30.0
    assert mw.site_delay("www.whitehouse.gov", None) is None
    assert mw.delays == {"www.state.gov": 5.0, "slow.example": 30.0}
    assert "capped to 30.0 s" in caplog.text


def test_crawl_delay_settings():
    crawler = get_crawler(
        settings_dict={"USER_AGENT": "briefwatch/0.1", "BRIEFWATCH_MAX_CRAWL_DELAY": 12}
    )
    mw = CrawlDelayMiddleware.from_crawler(crawler)
    assert (mw.user_agent, mw.max_delay) == ("briefwatch/0.1", 12.0)


def test_a_slot_is_kept_at_least_as_slow_as_asked():
    slot = Slot(concurrency=4, delay=1.0)
    keep_slow(slot, 5.0)
    assert slot.delay == 5.0
    keep_slow(slot, 2.0)  # never faster
    assert slot.delay == 5.0
    keep_slow(None, 5.0)  # (no slot yet)


def test_the_first_request_after_robots_need_not_wait():
    slot = Slot(concurrency=4, delay=3.0)
    slot.lastseen = 1e9
    first_request_now(slot)
    assert slot.lastseen == 0
    busy = Slot(concurrency=4, delay=3.0)
    busy.lastseen = 1e9
    busy.queue.append((Request(URL), None))
    first_request_now(busy)
    assert busy.lastseen == 1e9  # requests already waiting: left alone
