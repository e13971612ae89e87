"""Archive backfill (``briefwatch backfill``): walk a source's listing pages and its archive
sitemap, fetch every transcript not yet stored, and keep a resume point as it goes."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any

import lxml.etree
import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from scraper.items import CursorItem
from scraper.parsing.metadata import parse_date
from scraper.spiders.base import TranscriptSpider
from scraper.spiders.listing_cursor import ListingCursor

#: Listing pages that fail in a row before the walk gives up.
MAX_LISTING_FAILURES = 3


class ArchiveSpider(TranscriptSpider):
    """Walk ``listing_url`` from ``start_page`` up to ``max_pages``, and ``sitemap_url``."""

    def __init__(
        self,
        listing_url: str = "",
        sitemap_url: str = "",
        max_pages: int = 1,
        start_page: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.listing_url = listing_url
        self.sitemap_url = sitemap_url
        self.max_pages = max_pages
        self.start_page = start_page
        self.cursor = ListingCursor(start_page)
        self._listing_failures = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.listing_url:
            yield self.listing_request(self.start_page)
        if self.sitemap_url:
            yield scrapy.Request(self.sitemap_url, self.parse_sitemap, errback=self.on_error)

    # -- the listing -----------------------------------------------------------------------
    def listing_request(self, page: int) -> scrapy.Request:
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
        self.cursor.page_started(page)
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
        self.cursor.page_listed(page)
        self._listing_failures = 0
        if entries and not older_than_since and page < self.max_pages:
            yield self.listing_request(page + 1)
        else:
            self.cursor.walk_done()
        yield from self._advance_cursor()

    def _listing_failed(self, failure: Failure, page: int) -> Iterator[Any]:
        """Skip an unreadable listing page (the cursor stays before it, so a later backfill
        tries it again); stop at a 404 (past the end) or after three failures in a row."""
        self._listing_failures += 1
        gone = failure.check(HttpError) and failure.value.response.status == 404
        if gone or self._listing_failures >= MAX_LISTING_FAILURES or page >= self.max_pages:
            self.cursor.walk_done()
            return
        yield self.listing_request(page + 1)

    # -- the sitemap -----------------------------------------------------------------------
    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        try:
            sitemap = Sitemap(response.body)
            entries = list(sitemap)
        except (lxml.etree.XMLSyntaxError, StopIteration) as exc:
            self._error(f"sitemap {response.url}: not well-formed XML: {exc or 'empty'}")
            return
        for entry in entries:
            loc = entry["loc"]
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(loc, self.parse_sitemap, errback=self.on_error)
                continue
            lastmod = parse_iso_date(entry.get("lastmod"))
            # A page last modified before --since was published before it too.
            if not (self.since and lastmod and lastmod < self.since):
                yield from self._detail(loc, {}, None)

    # -- detail pages and the resume point -------------------------------------------------
    def _detail(self, url: str, meta: dict[str, Any], page: int | None) -> Iterator[Any]:
        if url in self.known_urls:
            self.crawler.stats.inc_value("briefwatch/skipped_known")
            return
        self.known_urls.add(url)  # the listing and the sitemap name the same pages
        self.crawler.stats.inc_value("briefwatch/details_scheduled")
        if page is not None:
            self.cursor.detail_scheduled(page)
        yield self.detail_request(url, meta, page=page)

    def parse_detail(
        self, response: Response, meta: dict[str, Any], page: int | None = None
    ) -> Iterator[Any]:
        yield from super().parse_detail(response, meta)
        yield from self._page_done(page)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        yield from super().on_error(failure)
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy
        if request.callback == self.parse_listing:  # a listing page: go on with the next one
            yield from self._listing_failed(failure, request.cb_kwargs["page"])
            return
        yield from self._page_done(request.cb_kwargs.get("page"))

    def _page_done(self, page: int | None) -> Iterator[Any]:
        if page is not None:
            self.cursor.detail_done(page)
            yield from self._advance_cursor()

    def _advance_cursor(self) -> Iterator[Any]:
        """Save the last listing page all of whose transcripts are stored (or failed)."""
        position = self.cursor.advance()
        if position is not None:
            yield CursorItem(
                f"backfill:{self.listing_url}",
                {"page": position, "complete": self.cursor.complete},
            )


def parse_iso_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
