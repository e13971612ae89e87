"""Scrapy spiders, one module per source; the logic lives in :mod:`scraper.spiders.base`."""

from scraper.spiders.base import TranscriptSpider
from scraper.spiders.state_department import StateDepartmentSpider

SPIDERS: dict[str, type[TranscriptSpider]] = {StateDepartmentSpider.name: StateDepartmentSpider}

__all__ = ["SPIDERS", "TranscriptSpider"]
