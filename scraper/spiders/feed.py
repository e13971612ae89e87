"""Feed monitoring (``briefwatch crawl``): one conditional GET per feed, then the detail
pages of the teaser items that promise a transcript not yet stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from scraper import crawl_stats
from scraper.items import FeedPollItem
from scraper.parsing.feed import FeedError, read_feed
from scraper.spiders.base import TranscriptSpider, header

Validators = dict[str, tuple[str | None, str | None]]


class FeedSpider(TranscriptSpider):
    """Poll ``feeds``, sending each its saved ``validators`` (ETag, Last-Modified)."""

    def __init__(
        self,
        feeds: Iterable[str] = (),
        validators: Validators | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.feeds = list(feeds)
        self.validators = validators or {}

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.feeds:
            yield self.feed_request(url)

    def feed_request(self, url: str) -> scrapy.Request:
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
        details: list[str] = []
        for item in feed.items:
            stats.inc_value("briefwatch/items_seen")
            if not item.is_teaser:
                found = self._briefing(item.body, item.link, item.meta())
                found.feed_url = url
                yield found
            elif item.link not in self.known_urls and self.source.expects_transcript(
                item.title, item.guid
            ):
                details.append(item.link)
                request = self.detail_request(item.link, item.meta())
                request.meta.update({crawl_stats.FROM_FEED: url, crawl_stats.FEED_LINK: item.link})
                yield request
        yield FeedPollItem(
            url,
            response.status,
            header(response, b"ETag"),
            header(response, b"Last-Modified"),
            len(feed.items),
            details=tuple(details),
        )
