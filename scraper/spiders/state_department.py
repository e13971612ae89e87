"""The State Department's feeds, listing and archive sitemap."""

from scraper.sources.state_department import StateDepartment
from scraper.spiders.base import TranscriptSpider


class StateDepartmentSpider(TranscriptSpider):
    name = "state_department"
    source = StateDepartment
