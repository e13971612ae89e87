"""Scrapy spiders, one module per source, each with a feed spider and an archive spider;
the logic lives in :mod:`scraper.spiders.feed` and :mod:`scraper.spiders.archive`."""

from scraper.spiders.archive import ArchiveSpider
from scraper.spiders.base import TranscriptSpider
from scraper.spiders.feed import FeedSpider
from scraper.spiders.state_department import (
    StateDepartmentArchiveSpider,
    StateDepartmentSpider,
)
from scraper.spiders.whitehouse import WhiteHouseArchiveSpider, WhiteHouseSpider

#: The feed-monitoring spider of each source (``briefwatch crawl`` and ``run``).
SPIDERS: dict[str, type[FeedSpider]] = {
    spider.name: spider for spider in (StateDepartmentSpider, WhiteHouseSpider)
}
#: The archive spider of each source (``briefwatch backfill``).
ARCHIVE_SPIDERS: dict[str, type[ArchiveSpider]] = {
    spider.name: spider for spider in (StateDepartmentArchiveSpider, WhiteHouseArchiveSpider)
}

__all__ = ["ARCHIVE_SPIDERS", "SPIDERS", "ArchiveSpider", "FeedSpider", "TranscriptSpider"]
