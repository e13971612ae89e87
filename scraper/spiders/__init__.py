"""Scrapy spiders, one module per source; the logic lives in :mod:`scraper.spiders.base`."""

from scraper.spiders.base import TranscriptSpider
from scraper.spiders.state_department import StateDepartmentSpider
from scraper.spiders.whitehouse import WhiteHouseSpider

SPIDERS: dict[str, type[TranscriptSpider]] = {
    spider.name: spider for spider in (StateDepartmentSpider, WhiteHouseSpider)
}

__all__ = ["SPIDERS", "TranscriptSpider"]
