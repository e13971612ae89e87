"""Scrapy spiders, one module per source, named by its slug (``scraper.spiders.<slug>``); the
logic lives in :mod:`scraper.spiders.base`."""

import importlib

from scraper.sources import SOURCES
from scraper.spiders.base import TranscriptSpider


def _spider(slug: str) -> type[TranscriptSpider]:
    """The spider of source ``slug``: the one in ``scraper.spiders.<slug>`` named ``slug``."""
    module = importlib.import_module(f"{__name__}.{slug}")
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, TranscriptSpider)
            and getattr(value, "name", None) == slug
        ):
            return value
    raise ImportError(f"{module.__name__} defines no TranscriptSpider named {slug!r}")


#: Every registered source's spider, by slug.
SPIDERS: dict[str, type[TranscriptSpider]] = {slug: _spider(slug) for slug in SOURCES}

__all__ = ["SPIDERS", "TranscriptSpider"]
