"""Helpers for in-process tests of the crawl layer, after City Scrapers' ``file_response``:
a spider built by Scrapy's own ``get_crawler``, and responses built from real saved bodies
under ``tests/fixtures/`` (see each folder's PROVENANCE.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.http import HtmlResponse, Request, Response, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

FIXTURES = Path(__file__).parent.parent / "fixtures"
STATE_REPLAY = FIXTURES / "state_department" / "feed-replay" / "2021-07-05_09"
WH_REPLAY = FIXTURES / "whitehouse" / "feed-replay" / "2021-07-21_25"
WH_ARCHIVE = FIXTURES / "whitehouse" / "archive-2009-2016"


def make_spider(spidercls: type[Spider], settings: dict | None = None, **kwargs: Any) -> Any:
    """A spider on a fresh crawler (its stats open), as Scrapy builds it for a crawl."""
    crawler = get_crawler(spidercls, settings)
    spider = spidercls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    crawler.stats.open_spider()
    return spider


def body_response(
    url: str,
    body: bytes | str | Path,
    callback=None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    meta: dict[str, Any] | None = None,
    cb_kwargs: dict[str, Any] | None = None,
) -> Response:
    """A response to ``url`` carrying ``body`` (a saved file's bytes when a Path)."""
    if isinstance(body, Path):
        body = body.read_bytes()
    if isinstance(body, str):
        body = body.encode("utf-8")
    request = Request(url, callback=callback, meta=meta or {}, cb_kwargs=cb_kwargs or {})
    cls: type[TextResponse] = XmlResponse if url.endswith((".xml", "/feed/")) else HtmlResponse
    return cls(
        url, status=status, body=body, headers=headers or {}, request=request, encoding="utf-8"
    )


def feed_response(url: str, body: bytes | Path, **kwargs: Any) -> Response:
    """A feed's answer, as the feed spider's own request would get it."""
    meta = {"feed_url": url, **kwargs.pop("meta", {})}
    return body_response(url, body, meta=meta, **kwargs)


def stat(spider: Spider, name: str, default: Any = None) -> Any:
    return spider.crawler.stats.get_value(f"briefwatch/{name}", default)


def archive_briefing(n: int = 0):
    """The n-th real White House archive page parsed as the archive spider would (its
    listing row's title and date); page 0 is the Press Briefing of January 22, 2009."""
    import datetime as dt
    import json

    from scraper.parsing import parse_transcript

    page = json.loads((WH_ARCHIVE / "index.json").read_text(encoding="utf-8"))[n]
    body = (WH_ARCHIVE / page["file"]).read_text(encoding="utf-8")
    meta = {"title": page["title"], "date": dt.date.fromisoformat(page["date"])}
    return parse_transcript(body, url=page["url_archive"], meta=meta, source="whitehouse")
