"""One bad item costs only itself: the feed is read item by item when the whole is not
well-formed. Real feed (version 7 of the replay) with one press-release item damaged."""

from __future__ import annotations

import pytest
from helpers.state_department import GOOD, VICTIM, damaged

from scraper.parsing.feed import FeedError, parse_feed, read_feed

TRANSCRIPT = "https://www.state.gov/briefings/department-press-briefing-july-6-2021/"


CASES = ["control character", "invalid byte", "text over 10 MB"]


@pytest.mark.parametrize("how", CASES)
def test_one_bad_item_is_rejected_and_the_others_read(how):
    feed = read_feed(damaged(how))
    good = read_feed(GOOD)
    assert good.rejected == [] and len(good.items) == 10
    assert [i.link for i in feed.items] == [i.link for i in good.items if "solomon" not in i.link]
    assert feed.items[0].link == TRANSCRIPT and feed.items[0].body == good.items[0].body
    (line,) = feed.rejected
    assert line.startswith(f"item 4 ({VICTIM.decode()}): not well-formed XML")
    with pytest.raises(FeedError):  # the strict reading used by `briefwatch parse`
        parse_feed(damaged(how))


def test_a_feed_cut_short_is_still_refused_whole():
    with pytest.raises(FeedError, match="not well-formed XML"):
        read_feed(GOOD[: len(GOOD) // 2])


def test_damage_outside_the_items_costs_nothing():
    broken = GOOD.replace(b"<channel>", b"<channel><title>\x02</title>", 1)
    feed = read_feed(broken)
    assert feed.rejected == [] and len(feed.items) == 10


def test_not_rss_is_refused():
    with pytest.raises(FeedError, match="not an RSS feed"):
        read_feed(b"<html><body>hi</body></html>")
