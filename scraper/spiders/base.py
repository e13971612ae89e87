"""What every spider shares: a source, the URLs already stored, detail pages, errors.

Spiders only find URLs, hand text to the parser and yield items; storage, health checks and
state live in the pipelines. Everything a spider needs from the database (feed validators,
the URLs already stored, a backfill's resume point) is passed in as arguments by
:mod:`scraper.crawl`, so a spider never opens the database itself. Two kinds build on it:
:class:`~scraper.spiders.feed.FeedSpider` (``briefwatch crawl``) and
:class:`~scraper.spiders.archive.ArchiveSpider` (``briefwatch backfill``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper import crawl_stats
from scraper.items import BriefingItem
from scraper.masking import mask_text
from scraper.offsite import RefusedRequest
from scraper.parsing import parse_transcript
from scraper.sources import Source

BLOCKED_STATUSES = (403, 429)
#: A page answering these is gone: asked again every poll, it would keep its feed refetched.
GONE_STATUSES = (404, 410)


class TranscriptSpider(scrapy.Spider):
    """The source-agnostic part of both spiders; a subclass names its ``source``."""

    source: ClassVar[type[Source]]

    def __init__(
        self,
        known_urls: Iterable[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.known_urls = set(known_urls)
        self.since, self.until = since, until

    def in_range(self, date: dt.date | None) -> bool:
        """Whether a transcript of ``date`` is inside ``--since``/``--until`` (unknown: yes)."""
        if date is None:
            return True
        return not (self.since and date < self.since) and not (self.until and date > self.until)

    def detail_request(self, url: str, meta: dict[str, Any], **cb_kwargs: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            self.parse_detail,
            errback=self.on_error,
            cb_kwargs={"meta": meta, **cb_kwargs},
        )

    def parse_detail(self, response: Response, meta: dict[str, Any]) -> Iterator[Any]:
        stats = self.crawler.stats
        stats.inc_value("briefwatch/details_fetched")
        item = self._briefing(response.text, response.url, meta)
        item.feed_url = response.meta.get(crawl_stats.FROM_FEED)
        # Read: stored next, or skipped on purpose (a store that fails marks its feed).
        crawl_stats.settle(stats, response.meta)
        if self.in_range(item.briefing.date):
            yield item
        else:
            self.crawler.stats.inc_value("briefwatch/skipped_out_of_range")

    def _briefing(self, body: str, url: str, meta: dict[str, Any]) -> BriefingItem:
        briefing = parse_transcript(body, url=url, meta=meta, source=self.source.slug)
        stats = self.crawler.stats
        stats.inc_value("briefwatch/parsed")
        stats.inc_value("briefwatch/turns_parsed", len(briefing.turns))
        stats.inc_value("briefwatch/parse_warnings", len(briefing.warnings))
        expected = self.source.expects_transcript(
            str(meta.get("title") or briefing.title), str(meta.get("guid") or "")
        )
        return BriefingItem(briefing, expected_transcript=expected)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """Name a failed request in the run's errors (a block tells what to do about it)."""
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy
        if failure.check(HttpError) and failure.value.response.status in BLOCKED_STATUSES:
            status = failure.value.response.status
            self.crawler.stats.inc_value("briefwatch/blocked")
            self._error(
                f"blocked by the site (HTTP {status}) at {request.url}: set http.user_agent "
                "to a browser-like value in the configuration, or slow down"
            )
        else:
            self._error(f"{request.url}: {failure.getErrorMessage() or failure.type.__name__}")
        if _for_good(failure):
            crawl_stats.settle(self.crawler.stats, request.meta)
        return iter(())

    def _error(self, message: str) -> None:
        long = len(message) > 1000  # a data: URL can be megabytes: keep both ends
        message = mask_text(message[:500] + " … " + message[-500:] if long else message)
        stats = self.crawler.stats
        stats.inc_value(crawl_stats.ERRORS)
        crawl_stats.append(stats, crawl_stats.SPIDER_ERRORS, message)
        self.logger.error(message)


def _for_good(failure: Failure) -> bool:
    """Whether asking again on the next poll would get the same answer: a URL we refuse, a
    page gone (404, 410) or one robots.txt forbids. Such a teaser is reported by the run that
    reads its feed and holds no validators back; a later change of the feed asks it again."""
    if failure.check(RefusedRequest):
        return True
    if failure.check(HttpError):
        return failure.value.response.status in GONE_STATUSES
    return bool(failure.check(IgnoreRequest)) and "robots.txt" in str(failure.value)


def header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
