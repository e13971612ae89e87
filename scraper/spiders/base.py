"""The source-agnostic spider: feed monitoring and archive backfill.

It only finds URLs, hands text to the parser and yields items; storage, health checks and
state live in the pipelines. Everything it needs from the database (feed validators, the
URLs already stored, a backfill's resume point) is passed in as arguments by
:mod:`scraper.crawl`, so a spider never opens the database itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, ClassVar

import lxml.etree
import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper.items import BriefingItem, CursorItem, FeedPollItem
from scraper.masking import mask_text
from scraper.parsing import parse_transcript
from scraper.parsing.feed import FeedError, read_feed
from scraper.parsing.metadata import parse_date
from scraper.sources import Source
from scraper.url_policy import UrlPolicy

BLOCKED_STATUSES = (403, 429)
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class TranscriptSpider(scrapy.Spider):
    """Monitor a source's feeds (``mode="monitor"``) or walk its archive (``"backfill"``)."""

    source: ClassVar[type[Source]]

    def __init__(
        self,
        mode: str = "monitor",
        feeds: Iterable[str] = (),
        validators: dict[str, tuple[str | None, str | None]] | None = None,
        known_urls: Iterable[str] = (),
        listing_url: str = "",
        sitemap_url: str = "",
        max_pages: int = 1,
        start_page: int = 1,
        since: dt.date | None = None,
        until: dt.date | None = None,
        kinds: Iterable[str] = (),
        empty_feed_alert_runs: int = 3,
        url_policy: UrlPolicy | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.mode = mode
        self.feeds = list(feeds)
        self.validators = validators or {}
        self.known_urls = set(known_urls)
        self.listing_url = listing_url
        self.sitemap_url = sitemap_url
        self.max_pages = max_pages
        self.start_page = start_page
        self.since, self.until = since, until
        self.kinds = set(kinds)
        self.empty_feed_alert_runs = empty_feed_alert_runs
        urls = [*self.feeds, listing_url, sitemap_url]
        self.url_policy = url_policy or UrlPolicy.of(urls, self.source.domains)
        self.errors: list[str] = []
        self.notices: list[str] = []  # for the operator: the site may have changed
        self._page_pending: dict[int, int] = {}
        self._pages_listed: set[int] = set()
        self._cursor = start_page - 1
        self._listing_done = False

    # -- start -----------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.mode == "monitor":
            for url in self.feeds:
                yield self._feed_request(url)
            return
        if self.listing_url:
            yield self._listing_request(self.start_page)
        if self.sitemap_url:
            yield scrapy.Request(self.sitemap_url, self.parse_sitemap, errback=self.on_error)

    def _feed_request(self, url: str) -> scrapy.Request:
        etag, last_modified = self.validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return scrapy.Request(
            url,
            self.parse_feed,
            headers=headers,
            errback=self.on_error,
            dont_filter=True,
            meta={"handle_httpstatus_list": [304], "feed_url": url},
        )

    # -- monitoring ------------------------------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[Any]:
        url = response.meta["feed_url"]
        stats = self.crawler.stats
        if response.status == 304:
            stats.inc_value("briefwatch/feeds_not_modified")
            yield FeedPollItem(url, 304, None, None, None)
            return
        stats.inc_value("briefwatch/feeds_fetched")
        try:
            feed = read_feed(response.body)
        except FeedError as exc:
            stats.inc_value("briefwatch/feeds_invalid")
            self._error(f"feed {url}: {exc}")
            yield FeedPollItem(url, response.status, None, None, 0, error=str(exc))
            return
        for rejected in feed.rejected:  # the others are read and stored all the same
            stats.inc_value("briefwatch/items_invalid")
            self._error(f"feed {url}: {rejected}")
        items = feed.items
        details = 0
        for item in items:
            stats.inc_value("briefwatch/items_seen")
            if not item.is_teaser:
                found = self._briefing(item.body, item.link, item.meta())
                found.feed_url = url
                yield found
            elif item.link not in self.known_urls and self.source.expects_transcript(
                item.title, item.guid
            ):
                details += 1
                yield scrapy.Request(
                    item.link,
                    self.parse_detail,
                    errback=self.on_error,
                    cb_kwargs={"meta": item.meta()},
                )
        # Validators are kept only when everything the feed announced is in hand: with detail
        # pages still to fetch, a crash now must not turn the next poll into a silent 304.
        keep = details == 0
        yield FeedPollItem(
            url,
            response.status,
            _header(response, b"ETag") if keep else None,
            _header(response, b"Last-Modified") if keep else None,
            len(items),
        )

    # -- backfill --------------------------------------------------------------------------
    def _listing_request(self, page: int) -> scrapy.Request:
        url = self.source.listing_page_url(self.listing_url, page)
        return scrapy.Request(
            url, self.parse_listing, errback=self.on_error, cb_kwargs={"page": page}
        )

    def parse_listing(self, response: Response, page: int) -> Iterator[Any]:
        sel = self.source.listing
        assert sel is not None  # only a source with a listing is crawled through one
        entries = response.css(sel.item)
        self.crawler.stats.inc_value("briefwatch/listing_pages")
        older_than_since = False
        self._page_pending[page] = 0
        for entry in entries:
            link = entry.css(f"{sel.link}::attr(href)").get()
            if not link:
                continue
            title = " ".join(entry.css(f"{sel.link} ::text").getall()).strip()
            date = parse_date(" ".join(entry.css(f"{sel.date} ::text").getall()))
            if self.since and date and date < self.since:
                older_than_since = True
                continue
            if self.until and date and date > self.until:
                continue
            yield from self._detail(response.urljoin(link), {"title": title, "date": date}, page)
        self._pages_listed.add(page)
        self._listing_failures = 0
        if entries and not older_than_since and page < self.max_pages:
            yield self._listing_request(page + 1)
        else:
            self._listing_done = True
        yield from self._advance_cursor()

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        try:
            root = lxml.etree.fromstring(
                response.body, lxml.etree.XMLParser(resolve_entities=False)
            )
        except lxml.etree.XMLSyntaxError as exc:
            self._error(f"sitemap {response.url}: not well-formed XML: {exc}")
            return
        for node in root.iter(f"{_SITEMAP_NS}sitemap"):  # a sitemap index
            loc = node.findtext(f"{_SITEMAP_NS}loc")
            if loc:
                yield scrapy.Request(loc.strip(), self.parse_sitemap, errback=self.on_error)
        for node in root.iter(f"{_SITEMAP_NS}url"):
            loc = (node.findtext(f"{_SITEMAP_NS}loc") or "").strip()
            lastmod = parse_iso_date(node.findtext(f"{_SITEMAP_NS}lastmod"))
            # A page last modified before --since was published before it too.
            if loc and not (self.since and lastmod and lastmod < self.since):
                yield from self._detail(loc, {}, None)

    def _detail(self, url: str, meta: dict[str, Any], page: int | None) -> Iterator[Any]:
        if url in self.known_urls:
            self.crawler.stats.inc_value("briefwatch/skipped_known")
            return
        self.known_urls.add(url)  # the listing and the sitemap name the same pages
        self.crawler.stats.inc_value("briefwatch/details_scheduled")
        if page is not None:
            self._page_pending[page] += 1
        yield scrapy.Request(
            url,
            self.parse_detail,
            errback=self.on_error,
            cb_kwargs={"meta": meta, "page": page},
        )

    def parse_detail(
        self, response: Response, meta: dict[str, Any], page: int | None = None
    ) -> Iterator[Any]:
        self.crawler.stats.inc_value("briefwatch/details_fetched")
        item = self._briefing(response.text, response.url, meta)
        b = item.briefing
        out_of_range = (self.since and b.date and b.date < self.since) or (
            self.until and b.date and b.date > self.until
        )
        if out_of_range:
            self.crawler.stats.inc_value("briefwatch/skipped_out_of_range")
        else:
            yield item
        yield from self._page_done(page)

    def _page_done(self, page: int | None) -> Iterator[Any]:
        if page is not None:
            self._page_pending[page] -= 1
            yield from self._advance_cursor()

    def _advance_cursor(self) -> Iterator[Any]:
        """Save the last listing page all of whose transcripts are stored (or failed)."""
        moved = False
        while (
            self._cursor + 1 in self._pages_listed and self._page_pending.get(self._cursor + 1) == 0
        ):
            self._cursor += 1
            moved = True
        if moved:
            complete = self._listing_done and self._cursor == max(self._pages_listed)
            yield CursorItem(
                f"backfill:{self.listing_url}", {"page": self._cursor, "complete": complete}
            )

    # -- shared ----------------------------------------------------------------------------
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
        if request.callback == self.parse_listing:  # a listing page: go on with the next one
            yield from self._listing_failed(failure, request.cb_kwargs["page"])
            return
        yield from self._page_done(request.cb_kwargs.get("page"))

    def _listing_failed(self, failure: Failure, page: int) -> Iterator[Any]:
        """Skip an unreadable listing page (the cursor stays before it, so a later backfill
        tries it again); stop at a 404 (past the end) or after three failures in a row."""
        self._listing_failures = getattr(self, "_listing_failures", 0) + 1
        gone = failure.check(HttpError) and failure.value.response.status == 404
        if gone or self._listing_failures >= 3 or page >= self.max_pages:
            self._listing_done = True
            return
        yield self._listing_request(page + 1)

    def _error(self, message: str) -> None:
        long = len(message) > 1000  # a data: URL can be megabytes: keep both ends
        message = mask_text(message[:500] + " … " + message[-500:] if long else message)
        self.crawler.stats.inc_value("briefwatch/errors")
        self.errors.append(message)
        self.logger.error(message)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def parse_iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
