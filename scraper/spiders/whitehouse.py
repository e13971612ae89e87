"""The White House's briefing-room feed and the 2009-2016 archive's listing."""

from scraper.sources.whitehouse import WhiteHouse
from scraper.spiders.archive import ArchiveSpider
from scraper.spiders.feed import FeedSpider


class WhiteHouseSpider(FeedSpider):
    name = "whitehouse"
    source = WhiteHouse


class WhiteHouseArchiveSpider(ArchiveSpider):
    name = "whitehouse"
    source = WhiteHouse
