"""The White House's briefing-room feed and the 2009-2016 archive's listing."""

from scraper.sources.whitehouse import WhiteHouse
from scraper.spiders.base import TranscriptSpider


class WhiteHouseSpider(TranscriptSpider):
    name = "whitehouse"
    source = WhiteHouse
