"""The State Department's feeds, listing and archive sitemap."""

from scraper.sources.state_department import StateDepartment
from scraper.spiders.archive import ArchiveSpider
from scraper.spiders.feed import FeedSpider


class StateDepartmentSpider(FeedSpider):
    name = "state_department"
    source = StateDepartment


class StateDepartmentArchiveSpider(ArchiveSpider):
    name = "state_department"
    source = StateDepartment
