"""The crawl's one database handle, owned by a Scrapy extension: opened when the spider
opens, closed when it closes (after the pipelines have closed, so their last writes land).

Pipelines are handed the extension as their storage: attribute access goes to the open
:class:`~scraper.storage.Storage`, so a test hands a pipeline a plain ``Storage`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from scraper.storage import Storage, open_storage


class CrawlStorage:
    """``EXTENSIONS = {"scraper.crawl_storage.CrawlStorage": 0}``; settings
    ``BRIEFWATCH_DATABASE_URL``, ``BRIEFWATCH_BUSY_TIMEOUT``, ``BRIEFWATCH_STATEMENT_TIMEOUT``."""

    def __init__(self, opener: Callable[[], Storage]) -> None:
        self._opener = opener
        self._storage: Storage | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlStorage:
        settings = crawler.settings
        ext = cls(
            partial(
                open_storage,
                settings["BRIEFWATCH_DATABASE_URL"],
                settings.getfloat("BRIEFWATCH_BUSY_TIMEOUT", 30),
                statement_timeout_seconds=settings.getfloat("BRIEFWATCH_STATEMENT_TIMEOUT", 0),
            )
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlStorage:
        """The crawl's extension (the pipelines' storage)."""
        ext = crawler.get_extension(cls)
        if ext is None:
            raise RuntimeError("the CrawlStorage extension is not enabled (scraper.crawl)")
        return ext

    def spider_opened(self, spider: Any = None) -> None:
        if self._storage is None:
            self._storage = self._opener()

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        storage, self._storage = self._storage, None
        if storage is not None:
            storage.close()

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("the crawl's database is not open (before spider_opened?)")
        return self._storage

    def __getattr__(self, name: str) -> Any:
        return getattr(self.storage, name)
