"""Scrapy spiders, one module per source, named by its slug (``scraper.spiders.<slug>``),
each with a feed spider and an archive spider named ``slug``; the logic they share lives in
:mod:`scraper.spiders.feed`, :mod:`scraper.spiders.archive` and :mod:`scraper.spiders.base`."""

from __future__ import annotations

import importlib
from typing import TypeVar

from scraper.sources import SOURCES
from scraper.spiders.archive import ArchiveSpider
from scraper.spiders.base import TranscriptSpider
from scraper.spiders.feed import FeedSpider

_Kind = TypeVar("_Kind", bound=TranscriptSpider)


def _spider(slug: str, kind: type[_Kind]) -> type[_Kind]:
    """The ``kind`` of spider of source ``slug``: the one in ``scraper.spiders.<slug>``
    named ``slug``."""
    module = importlib.import_module(f"{__name__}.{slug}")
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, kind)
            and getattr(value, "name", None) == slug
        ):
            return value
    raise ImportError(f"{module.__name__} defines no {kind.__name__} named {slug!r}")


#: Every registered source's feed-monitoring spider (``briefwatch crawl`` and ``run``).
SPIDERS: dict[str, type[FeedSpider]] = {slug: _spider(slug, FeedSpider) for slug in SOURCES}
#: Every registered source's archive spider (``briefwatch backfill``).
ARCHIVE_SPIDERS: dict[str, type[ArchiveSpider]] = {
    slug: _spider(slug, ArchiveSpider) for slug in SOURCES
}

__all__ = ["ARCHIVE_SPIDERS", "SPIDERS", "ArchiveSpider", "FeedSpider", "TranscriptSpider"]
