"""Spider callbacks in-process, as City Scrapers tests its spiders: each callback is called on
a response built from a real saved page (tests/fixtures/, see PROVENANCE.md) and its items
and requests are checked exactly. No reactor, no server: milliseconds per case.

BUILT here (marked where used): a teaser version of one real feed item (its body cut to the
first paragraph and "[&#8230;]", as WordPress excerpts end), tiny sitemaps following the
sitemap protocol, and failures as Scrapy hands them to an errback.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from helpers.crawl import (
    FIXTURES,
    STATE_REPLAY,
    WH_ARCHIVE,
    WH_REPLAY,
    body_response,
    feed_response,
    make_spider,
    stat,
)
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper import crawl_stats
from scraper.items import BriefingItem, CursorItem, FeedPollItem
from scraper.offsite import RefusedRequest
from scraper.spiders import ARCHIVE_SPIDERS, SPIDERS, ArchiveSpider, FeedSpider
from scraper.spiders.archive import parse_iso_date
from scraper.spiders.state_department import (
    StateDepartmentArchiveSpider,
    StateDepartmentSpider,
)
from scraper.spiders.whitehouse import WhiteHouseArchiveSpider, WhiteHouseSpider

STATE_FEED = "https://www.state.gov/rss-feed/press-releases/feed/"
STATE_VERSIONS = json.loads((STATE_REPLAY / "versions.json").read_text())
FIRST = STATE_REPLAY / STATE_VERSIONS[0]["file"]  # 10 items, all with their whole body
JULY_7 = STATE_REPLAY / STATE_VERSIONS[12]["file"]  # has the July 6 press briefing
JULY_6_LINK = "https://www.state.gov/briefings/department-press-briefing-july-6-2021/"
JULY_6_GUID = "https://www.state.gov/?post_type=state_briefing&#038;p=257522"
WH_FEED = "https://www.whitehouse.gov/briefing-room/feed/"
LISTING = "https://obamawhitehouse.archives.gov/briefing-room/press-briefings"
WH_SITE = "https://obamawhitehouse.archives.gov/"
LANDMINES = "briefing-on-the-united-states-updated-anti-personnel-landmine-policy.p353757.html"
WH_INDEX = json.loads((WH_ARCHIVE / "index.json").read_text(encoding="utf-8"))


def errors(spider) -> list[str]:
    return spider.crawler.stats.get_value(crawl_stats.SPIDER_ERRORS, [])


def teaser(xml: bytes, guid: str) -> bytes:
    """BUILT: the real feed with the item ``guid`` cut to a WordPress excerpt."""
    text = xml.decode("utf-8")
    at = text.index(guid + "</guid>")
    start, end = text.index("<description>", at), text.index("</content:encoded>", at)
    excerpt = "<description><![CDATA[<p>Ned Price, Department Spokesperson</p> [&#8230;]]]>"
    return (text[:start] + excerpt + "</description>" + text[end + 18 :]).encode("utf-8")


def failure_of(exc: Exception, request: Request) -> Failure:
    """A failure as Scrapy hands it to an errback (the request attached)."""
    try:
        raise exc
    except Exception:  # noqa: BLE001 - captured into the Failure
        failure = Failure()
    failure.request = request
    return failure


def http_error(status: int, request: Request) -> Failure:
    response = Response(request.url, status=status, request=request)
    return failure_of(HttpError(response, "Ignoring non-200 response"), request)


# -- registry ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("slug", "feed", "archive"),
    [
        ("state_department", StateDepartmentSpider, StateDepartmentArchiveSpider),
        ("whitehouse", WhiteHouseSpider, WhiteHouseArchiveSpider),
    ],
)
def test_each_source_has_a_feed_spider_and_an_archive_spider(slug, feed, archive):
    assert SPIDERS[slug] is feed and ARCHIVE_SPIDERS[slug] is archive
    assert issubclass(feed, FeedSpider) and issubclass(archive, ArchiveSpider)
    assert feed.name == archive.name == slug and feed.source is archive.source


# -- feed monitoring -----------------------------------------------------------------------
async def _requests(spider) -> list[Request]:
    return [r async for r in spider.start()]


def test_feed_requests_are_conditional_and_let_304_through():
    import asyncio

    feeds = [STATE_FEED, "https://www.state.gov/rss-feed/other/feed/"]
    spider = make_spider(
        StateDepartmentSpider,
        feeds=feeds,
        validators={STATE_FEED: ('"abc"', "Mon, 05 Jul 2021 04:04:53 GMT")},
    )
    first, second = asyncio.run(_requests(spider))
    assert first.url == STATE_FEED and first.dont_filter
    assert first.headers.get("If-None-Match") == b'"abc"'
    assert first.headers.get("If-Modified-Since") == b"Mon, 05 Jul 2021 04:04:53 GMT"
    assert first.meta == {"handle_httpstatus_list": [304], "feed_url": STATE_FEED}
    assert b"If-None-Match" not in second.headers and b"If-Modified-Since" not in second.headers
    assert first.callback == spider.parse_feed and first.errback == spider.on_error


def test_a_304_is_one_poll_item_and_nothing_else():
    spider = make_spider(StateDepartmentSpider, feeds=[STATE_FEED])
    out = list(spider.parse_feed(feed_response(STATE_FEED, b"", status=304)))
    assert out == [FeedPollItem(STATE_FEED, 304, None, None, None)]
    assert stat(spider, "feeds_not_modified") == 1 and stat(spider, "feeds_fetched") is None


def test_a_real_feed_yields_its_ten_items_then_its_poll():
    spider = make_spider(StateDepartmentSpider, feeds=[STATE_FEED])
    headers = {"ETag": '"v0"', "Last-Modified": "Mon, 05 Jul 2021 04:04:53 GMT"}
    out = list(spider.parse_feed(feed_response(STATE_FEED, FIRST, headers=headers)))
    items, poll = out[:-1], out[-1]
    assert len(items) == 10 and all(isinstance(i, BriefingItem) for i in items)
    assert items[0].briefing.title == "Venezuela National Day"
    assert items[0].briefing.url == "https://www.state.gov/venezuela-national-day/"
    assert items[-1].briefing.title == (
        "Secretary Antony J. Blinken at the 2021 Trafficking in Persons Report Launch Ceremony"
    )
    assert all(i.feed_url == STATE_FEED and i.briefing.source == "state_department" for i in items)
    assert poll == FeedPollItem(
        STATE_FEED, 200, '"v0"', "Mon, 05 Jul 2021 04:04:53 GMT", 10, details=()
    )
    assert stat(spider, "feeds_fetched") == 1 and stat(spider, "items_seen") == 10
    assert stat(spider, "parsed") == 10 and errors(spider) == []


def test_a_teaser_sends_the_crawl_to_its_page_once():
    body = teaser(JULY_7.read_bytes(), JULY_6_GUID)
    spider = make_spider(StateDepartmentSpider, feeds=[STATE_FEED])
    out = list(spider.parse_feed(feed_response(STATE_FEED, body, headers={"ETag": '"v12"'})))
    (request,) = [o for o in out if isinstance(o, Request)]
    assert request.url == JULY_6_LINK and request.callback == spider.parse_detail
    meta = request.cb_kwargs["meta"]
    assert meta["title"] == "Department Press Briefing – July 6, 2021"
    assert meta["guid"] == "https://www.state.gov/?post_type=state_briefing&p=257522"
    assert len([o for o in out if isinstance(o, BriefingItem)]) == 9
    assert out[-1] == FeedPollItem(STATE_FEED, 200, '"v12"', None, 10, details=(JULY_6_LINK,))
    # Already stored: no request, and nothing left to fetch.
    known = make_spider(StateDepartmentSpider, feeds=[STATE_FEED], known_urls=[JULY_6_LINK])
    out = list(known.parse_feed(feed_response(STATE_FEED, body)))
    assert not any(isinstance(o, Request) for o in out) and out[-1].details == ()


def test_a_feed_that_is_not_xml_is_one_error_and_an_empty_poll():
    spider = make_spider(StateDepartmentSpider, feeds=[STATE_FEED])
    out = list(spider.parse_feed(feed_response(STATE_FEED, FIRST.read_bytes()[:5000])))
    (poll,) = out
    assert poll.items == 0 and poll.etag is None and poll.error.startswith("not well-formed")
    (error,) = errors(spider)
    assert error.startswith(f"feed {STATE_FEED}: not well-formed XML")
    assert stat(spider, "feeds_invalid") == 1 and stat(spider, "errors") == 1


@pytest.mark.parametrize("version", [0, 12, 31], ids=lambda n: f"version{n}")
def test_white_house_feed_versions_yield_ten_whole_items(version):
    versions = json.loads((WH_REPLAY / "versions.json").read_text())
    spider = make_spider(WhiteHouseSpider, feeds=[WH_FEED])
    out = list(spider.parse_feed(feed_response(WH_FEED, WH_REPLAY / versions[version]["file"])))
    assert [type(o) for o in out] == [BriefingItem] * 10 + [FeedPollItem]
    assert all(o.briefing.source == "whitehouse" for o in out[:-1])
    assert out[-1].items == 10 and out[-1].details == ()


def test_a_detail_page_gives_its_briefing():
    page = WH_INDEX[0]  # Press Briefing 1/22/09
    spider = make_spider(WhiteHouseSpider)
    meta = {"title": page["title"], "date": dt.date(2009, 1, 22)}
    response = body_response(page["url_archive"], WH_ARCHIVE / page["file"])
    (item,) = spider.parse_detail(response, meta)
    b = item.briefing
    assert (b.title, b.date, b.url) == (page["title"], dt.date(2009, 1, 22), page["url_archive"])
    assert b.turns[0].label == "MR. GIBBS" and item.expected_transcript
    assert stat(spider, "details_fetched") == 1 and stat(spider, "turns_parsed") == len(b.turns)


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [403, 429])
def test_a_block_is_named_with_what_to_do(status):
    spider = make_spider(StateDepartmentSpider, feeds=[STATE_FEED])
    assert list(spider.on_error(http_error(status, Request(STATE_FEED)))) == []
    (error,) = errors(spider)
    assert error == (
        f"blocked by the site (HTTP {status}) at {STATE_FEED}: set http.user_agent to a "
        "browser-like value in the configuration, or slow down"
    )
    assert stat(spider, "blocked") == 1


def test_another_failure_is_one_line_and_a_huge_url_keeps_both_ends():
    spider = make_spider(StateDepartmentSpider)
    huge = "https://www.state.gov/" + "x" * 3000 + "/end"
    list(spider.on_error(failure_of(IgnoreRequest("refused"), Request(huge))))
    list(spider.on_error(http_error(500, Request(STATE_FEED))))
    first, second = errors(spider)
    assert first.startswith("https://www.state.gov/xxx") and first.endswith("/end: refused")
    assert " … " in first and len(first) == 1003
    assert second == f"{STATE_FEED}: Ignoring non-200 response"
    assert stat(spider, "errors") == 2 and stat(spider, "blocked") is None


TEASER_OUTCOMES = {
    # (how the teaser's detail request ended, whether its link is dealt with for good)
    "refused by the URL policy": (
        lambda r: failure_of(RefusedRequest("refused off-site"), r),
        True,
    ),
    "gone (404)": (lambda r: http_error(404, r), True),
    "gone (410)": (lambda r: http_error(410, r), True),
    "forbidden by robots.txt": (
        lambda r: failure_of(IgnoreRequest("Forbidden by robots.txt"), r),
        True,
    ),
    "a 500 after the retries": (lambda r: http_error(500, r), False),
    "blocked (429)": (lambda r: http_error(429, r), False),
    "a timeout": (lambda r: failure_of(TimeoutError("took too long"), r), False),
    "past the crawl's deadline": (lambda r: failure_of(IgnoreRequest("deadline"), r), False),
}


@pytest.mark.parametrize(("failure", "settled"), TEASER_OUTCOMES.values(), ids=TEASER_OUTCOMES)
def test_a_teaser_that_failed_is_dealt_with_only_when_refused_for_good(failure, settled):
    spider = make_spider(StateDepartmentSpider, feeds=[STATE_FEED])
    out = spider.parse_feed(feed_response(STATE_FEED, teaser(JULY_7.read_bytes(), JULY_6_GUID)))
    (request,) = [o for o in out if isinstance(o, Request)]
    assert list(spider.on_error(failure(request))) == [] and len(errors(spider)) == 1
    dealt_with = spider.crawler.stats.get_value(crawl_stats.SETTLED_LINKS)
    assert dealt_with == ([JULY_6_LINK] if settled else None)


def test_a_teasers_page_read_is_dealt_with_and_names_its_feed():
    spider = make_spider(StateDepartmentSpider, feeds=[STATE_FEED])
    out = spider.parse_feed(feed_response(STATE_FEED, teaser(JULY_7.read_bytes(), JULY_6_GUID)))
    (request,) = [o for o in out if isinstance(o, Request)]
    body = FIXTURES / "state_department" / "transcripts" / LANDMINES  # any real transcript
    (item,) = spider.parse_detail(
        body_response(JULY_6_LINK, body, meta=request.meta), **request.cb_kwargs
    )
    assert item.briefing.url == JULY_6_LINK and item.feed_url == STATE_FEED  # if not stored
    assert spider.crawler.stats.get_value(crawl_stats.SETTLED_LINKS) == [JULY_6_LINK]


# -- archive: the listing and the resume point ------------------------------------------------
def archive(**kwargs) -> WhiteHouseArchiveSpider:
    return make_spider(
        WhiteHouseArchiveSpider, **{"listing_url": LISTING, "max_pages": 500, **kwargs}
    )


def listing(spider, n: int, page: int) -> list:
    url = spider.source.listing_page_url(LISTING, page)
    response = body_response(url, WH_ARCHIVE / "listing" / f"{n}.html", cb_kwargs={"page": page})
    return list(spider.parse_listing(response, page=page))


def test_archive_starts_with_the_listing_and_the_sitemap():
    import asyncio

    spider = archive(sitemap_url=WH_SITE + "sitemap.xml", start_page=4)
    first, second = asyncio.run(_requests(spider))
    assert (first.url, first.cb_kwargs) == (LISTING + "?page=3", {"page": 4})
    assert second.url == WH_SITE + "sitemap.xml" and second.callback == spider.parse_sitemap


def test_the_cursor_moves_once_a_pages_transcripts_are_in():
    spider = archive()
    out = listing(spider, 0, 1)
    details = [r for r in out if isinstance(r, Request) and r.callback == spider.parse_detail]
    assert len(details) == 10 and out[-1].url == LISTING + "?page=1"
    assert not any(isinstance(o, CursorItem) for o in out)
    assert details[0].url == WH_SITE + (
        "the-press-office/2016/08/04/press-conference-president-after-meeting-national-"
        "security-officials"
    )
    page = WH_INDEX[0]
    for n, request in enumerate(details):
        response = body_response(request.url, WH_ARCHIVE / page["file"])
        out = list(spider.parse_detail(response, **request.cb_kwargs))
        cursors = [o for o in out if isinstance(o, CursorItem)]
        if n < 9:
            assert cursors == []
        else:  # the last of page 1: the walk may resume after it
            assert cursors == [CursorItem(f"backfill:{LISTING}", {"page": 1, "complete": False})]
    assert stat(spider, "details_scheduled") == 10 and stat(spider, "listing_pages") == 1


@pytest.mark.parametrize(("max_pages", "complete"), [(170, True), (500, False)])
def test_the_last_listing_page_completes_the_walk(max_pages, complete):
    spider = archive(max_pages=max_pages, start_page=170)
    out = listing(spider, 169, 170)  # 7 rows, the oldest of the archive
    details = [r for r in out if isinstance(r, Request) and r.callback == spider.parse_detail]
    assert len(details) == 7 and all(r.cb_kwargs["page"] == 170 for r in details)
    assert len(out) == (7 if complete else 8)  # (page 171 is asked for unless the last)
    # A failed detail counts as done: the walk must not wait for it forever.
    for request in details[:-1]:
        list(spider.on_error(failure_of(IgnoreRequest("x"), request)))
    (cursor,) = spider.on_error(http_error(500, details[-1]))
    assert cursor.value == {"page": 170, "complete": complete}


def test_stored_pages_are_skipped_and_the_dates_bound_the_rows():
    stored = WH_SITE + "the-press-office/press-briefing-12309"  # January 23
    spider = archive(
        known_urls=[stored], since=dt.date(2009, 1, 23), until=dt.date(2009, 1, 26), start_page=170
    )
    urls = [r.url for r in listing(spider, 169, 170)]
    # February 2 to January 27 are after --until; January 22 is before --since, so no
    # later listing page is asked for either.
    assert urls == [WH_SITE + "the-press-office/press-briefing-12609"]
    assert stat(spider, "skipped_known") == 1


def test_a_failed_listing_page_is_skipped_and_a_404_ends_the_walk():
    spider = archive(max_pages=10)
    first = spider.listing_request(2)
    (following,) = spider.on_error(http_error(500, first))
    assert following.cb_kwargs == {"page": 3} and following.url == LISTING + "?page=2"
    assert list(spider.on_error(http_error(404, following))) == []
    assert spider.cursor.position == 0  # it stays before the unread page


def test_three_listing_failures_in_a_row_end_the_walk():
    spider = archive(max_pages=10)
    request = spider.listing_request(1)
    for _ in range(2):
        (request,) = spider.on_error(failure_of(IgnoreRequest("x"), request))
    assert list(spider.on_error(failure_of(IgnoreRequest("x"), request))) == []
    assert len(errors(spider)) == 3


def test_a_detail_outside_the_dates_is_skipped():
    page = WH_INDEX[0]
    spider = archive(since=dt.date(2010, 1, 1))
    response = body_response(page["url_archive"], WH_ARCHIVE / page["file"])
    meta = {"title": page["title"], "date": dt.date(2009, 1, 22)}
    assert list(spider.parse_detail(response, meta)) == []
    assert stat(spider, "skipped_out_of_range") == 1


# -- archive: the sitemap (BUILT, per the sitemap protocol) ----------------------------------
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def sitemap(spider, body: str) -> list:
    return list(spider.parse_sitemap(body_response(WH_SITE + "s.xml", body)))


def test_a_sitemap_names_its_pages_and_since_drops_older_ones():
    spider = archive(since=dt.date(2021, 1, 1), known_urls=[WH_SITE + "c/"])
    body = (
        f'<?xml version="1.0"?><urlset {NS}>'
        f"<url><loc> {WH_SITE}a/ </loc><lastmod>2021-06-02T10:00:00+00:00</lastmod></url>"
        f"<url><loc>{WH_SITE}b/</loc><lastmod>2020-12-31</lastmod></url>"
        f"<url><loc>{WH_SITE}c/</loc></url><url><loc>{WH_SITE}d/</loc><lastmod>x</lastmod></url>"
        "<url><lastmod>2021-06-02</lastmod></url></urlset>"
    )
    out = sitemap(spider, body)
    assert [r.url for r in out] == [WH_SITE + "a/", WH_SITE + "d/"]
    assert all(r.cb_kwargs == {"meta": {}, "page": None} for r in out)
    assert stat(spider, "skipped_known") == 1


def test_a_sitemap_index_is_followed_and_bad_xml_is_an_error():
    spider = archive()
    index = (
        f'<?xml version="1.0"?><sitemapindex {NS}>'
        f"<sitemap><loc>{WH_SITE}s1.xml</loc></sitemap>"
        f"<sitemap><loc>{WH_SITE}s2.xml</loc></sitemap></sitemapindex>"
    )
    out = sitemap(spider, index)
    assert [(r.url, r.callback) for r in out] == [
        (WH_SITE + "s1.xml", spider.parse_sitemap),
        (WH_SITE + "s2.xml", spider.parse_sitemap),
    ]
    assert sitemap(spider, "") == []
    (error,) = errors(spider)
    assert error.startswith(f"sitemap {WH_SITE}s.xml: not well-formed XML")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-06-02", dt.date(2021, 6, 2)),
        (" 2021-06-02T10:00:00+00:00 ", dt.date(2021, 6, 2)),
        ("June 2", None),
        ("", None),
        (None, None),
    ],
    ids=["date", "datetime", "words", "empty", "missing"],
)
def test_sitemap_lastmod(value, expected):
    assert parse_iso_date(value) == expected


def test_a_link_too_long_to_fetch_is_an_error_not_a_silent_drop():
    from scrapy.core.spidermw import SpiderMiddlewareManager
    from scrapy.spidermiddlewares.urllength import UrlLengthMiddleware

    from scraper.config import config_from_dict
    from scraper.crawl import scrapy_settings
    from scraper.middlewares import UrlLengthReportMiddleware

    long_link = JULY_6_LINK + "?utm_content=" + "x" * 2100  # BUILT: over the 2083 limit
    body = teaser(JULY_7.read_bytes(), JULY_6_GUID).replace(
        JULY_6_LINK.encode() + b"<", long_link.encode() + b"<"
    )
    settings = scrapy_settings(config_from_dict({}), "poll")
    spider = make_spider(StateDepartmentSpider, settings, feeds=[STATE_FEED])
    chain = SpiderMiddlewareManager.from_crawler(spider.crawler).middlewares
    kinds = [type(m) for m in chain]
    # Ours is nearer the spider than Scrapy's: it sees a spider's requests first.
    assert kinds.index(UrlLengthReportMiddleware) > kinds.index(UrlLengthMiddleware)
    (ours,) = [m for m in chain if type(m) is UrlLengthReportMiddleware]
    response = feed_response(STATE_FEED, body)
    out = list(ours.process_spider_output(response, spider.parse_feed(response)))
    assert not any(isinstance(o, Request) for o in out)  # not fetched, as before
    assert len([o for o in out if isinstance(o, BriefingItem)]) == 9
    # Refused for good: it holds the feed's validators back no longer than this run, so the
    # next poll can be answered 304 and the error is not reported on every poll.
    assert out[-1].details == (long_link,)
    assert spider.crawler.stats.get_value(crawl_stats.SETTLED_LINKS) == [long_link]
    (error,) = errors(spider)
    assert error.startswith(
        "link not fetched: its URL is 2183 characters long, over the 2083 of URLLENGTH_LIMIT: "
        + JULY_6_LINK
    )
    assert len(error) < 400
    assert stat(spider, "errors") == 1
    assert spider.crawler.stats.get_value("urllength/request_ignored_count") == 1
