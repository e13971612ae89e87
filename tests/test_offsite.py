"""A crawl fetches and stores only the source's own origins (issue 11, item 6).

Real crawls of a local mirror serving a real feed version in which ONE item was rewritten
(BUILT for these tests, the rest of the feed is as served): the Department Press Briefing of
July 6, 2021 becomes a teaser (its body cut to its first paragraph and "[…]", as WordPress
excerpts end) whose <link> points to a local file, a data: URL, another port, another
host name, or a same-site page that redirects off-site. Detail pages are built around that
briefing's real body (tests/helpers/site_pages.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json

import pytest
from helpers.crawling import briefwatch, rows, write_config
from helpers.mirror import Mirror, Resource
from helpers.site_pages import Entry, detail_page
from helpers.state_department import STATE

REPLAY = STATE / "feed-replay" / "2021-07-05_09"
VERSION = json.loads((REPLAY / "versions.json").read_text())[12]
FEED_PATH = "/rss-feed/press-releases/feed/"
GUID = "https://www.state.gov/?post_type=state_briefing&p=257522"
DETAIL = "/briefings/department-press-briefing-july-6-2021/"
# The other transcript of that feed version (July 7), whose link is on www.state.gov.
OTHERS = {"https://www.state.gov/?post_type=state_briefing&p=257769"}

pytestmark = pytest.mark.slow


def _item_bounds(xml: str) -> tuple[int, int]:
    at = xml.index("p=257522</guid>")
    return xml.rindex("<item>", 0, at), xml.index("</item>", at)


def real_body() -> str:
    xml = (REPLAY / VERSION["file"]).read_text(encoding="utf-8")
    start, end = _item_bounds(xml)
    item = xml[start:end]
    return item[item.index("<![CDATA[<p>") + 9 : item.rindex("]]></description>")]


def feed_with(link: str, teaser: bool = True) -> bytes:
    """The real feed, its July 6 briefing linking to ``link`` (a teaser unless told)."""
    xml = (REPLAY / VERSION["file"]).read_text(encoding="utf-8")
    start, end = _item_bounds(xml)
    item = xml[start:end]
    old_link = item[item.index("<link>") : item.index("</link>") + 7]
    item = item.replace(old_link, f"<link>{html.escape(link)}</link>")
    if teaser:  # the excerpt alone, as a feed of excerpts carries it
        body = real_body()
        item = (
            item[: item.index("<content:encoded>")] + item[item.index("</content:encoded>") + 18 :]
        )
        item = item.replace(body, body[: body.index("</p>") + 4] + " [&#8230;]")
    return (xml[:start] + item + xml[end:]).encode()


def page() -> bytes:
    title = "Department Press Briefing – July 6, 2021"
    return detail_page(Entry(DETAIL, title, dt.date(2021, 7, 6), real_body()))


def crawl(tmp_path, database_url, site, feed: bytes, **source: object):
    site.routes[FEED_PATH] = Resource(feed, content_type="application/rss+xml; charset=UTF-8")
    config = write_config(tmp_path / "c.toml", database_url, feeds=[site.url(FEED_PATH)], **source)
    return briefwatch(config, "crawl")


def loaded(value) -> list:
    """A JSON column as read back: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def stored(database_url: str) -> dict[str, str]:
    return dict(rows(database_url, "SELECT guid, url FROM briefings"))


def assert_refused(result, database_url: str, reason: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    refused = [line for line in result.stderr.splitlines() if "refused off-site URL" in line]
    assert len(refused) == 1, result.stderr
    assert reason in refused[0]
    assert set(stored(database_url)) == OTHERS  # the rest of the feed is stored as usual
    ((status, errors),) = rows(database_url, "SELECT status, errors FROM runs")
    assert status == "partial"
    assert reason in str(errors)
    assert rows(database_url, "SELECT count(*) FROM turns WHERE text LIKE '%SECRET-MARKER%'") == [
        (0,)
    ]


def test_a_same_site_teaser_link_is_fetched_and_stored(tmp_path, database_url, mirror):
    # The control: the same built feed, its link on the feed's own origin, is followed.
    mirror.routes[DETAIL] = Resource(page())
    result = crawl(tmp_path, database_url, mirror, feed_with(mirror.url(DETAIL)))
    assert result.returncode == 0, result.stderr
    assert stored(database_url) == {
        GUID: mirror.url(DETAIL),
        **{guid: url for guid, url in stored(database_url).items() if guid in OTHERS},
    }
    assert set(stored(database_url)) == {GUID, *OTHERS}
    assert rows(database_url, "SELECT status FROM runs") == [("ok",)]
    assert [r.path for r in mirror.requests].count(DETAIL) == 1


def test_a_file_link_is_never_read(tmp_path, database_url, mirror):
    secret = tmp_path / "secret.html"
    secret.write_bytes(page().replace(b"Good afternoon.", b"Good afternoon. SECRET-MARKER"))
    result = crawl(tmp_path, database_url, mirror, feed_with(secret.as_uri()))
    assert_refused(result, database_url, "scheme 'file' is not http(s)")


def test_a_data_link_is_never_stored(tmp_path, database_url, mirror):
    # The page is the real body's first exchange (Scrapy drops links over 2,083 characters).
    body = real_body()
    first = body[: body.index("<p><strong>MR PRICE:</strong> That is it.</p>")]
    small = detail_page(Entry(DETAIL, "July 6", dt.date(2021, 7, 6), first + "SECRET-MARKER"))
    link = "data:text/html;base64," + base64.b64encode(small).decode()
    assert len(link) < 2083
    result = crawl(tmp_path, database_url, mirror, feed_with(link))
    assert_refused(result, database_url, "scheme 'data' is not http(s)")


def test_another_port_is_never_fetched(tmp_path, database_url):
    with Mirror() as site, Mirror() as other:
        other.routes[DETAIL] = Resource(page())
        result = crawl(tmp_path, database_url, site, feed_with(other.url(DETAIL)))
        assert other.requests == []  # not even its robots.txt
    port = other.server.server_address[1]
    assert_refused(result, database_url, f"http://127.0.0.1:{port} is not one of the source")


def test_another_host_name_for_the_same_server_is_never_fetched(tmp_path, database_url, mirror):
    mirror.routes[DETAIL] = Resource(page())
    link = mirror.url(DETAIL).replace("127.0.0.1", "localhost")
    result = crawl(tmp_path, database_url, mirror, feed_with(link))
    assert [r.path for r in mirror.requests].count(DETAIL) == 0
    assert_refused(result, database_url, "http://localhost:")


def test_a_redirect_off_site_is_not_followed(tmp_path, database_url):
    with Mirror() as site, Mirror() as other:
        other.routes[DETAIL] = Resource(page())
        site.routes[DETAIL] = Resource(page(), faults=[("redirect", other.url(DETAIL))])
        result = crawl(tmp_path, database_url, site, feed_with(site.url(DETAIL)))
        assert other.requests == []
        assert site.faults_served == 1  # the same-site hop was made, the next one refused
    assert_refused(result, database_url, f"redirected from {site.url(DETAIL)}")


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "file:///etc/passwd", "http://user:pw@www.state.gov/briefings/x/"],
    ids=["javascript", "file", "credentials"],
)
def test_a_whole_item_with_an_off_site_link_is_not_stored(tmp_path, database_url, link, mirror):
    # The item keeps its real body (nothing is fetched): its link alone is refused.
    result = crawl(tmp_path, database_url, mirror, feed_with(link, teaser=False))
    assert "pw@" not in result.stderr
    reason = "credentials in the URL" if "pw@" in link else "is not http(s)"
    assert_refused(result, database_url, reason)


# -- a link refused for good is reported once --------------------------------------------------
def statement_page() -> bytes:
    """The July 6 briefing's page serving a statement instead (the Malawi National Day statement
    of the same feed version, whose body has no speaker labels): no transcript."""
    xml = (REPLAY / VERSION["file"]).read_text(encoding="utf-8")
    item = xml[xml.index("<title>Malawi National Day</title>") :]
    body = item[item.index("<content:encoded><![CDATA[") + 26 : item.index("]]></content:encoded>")]
    return detail_page(
        Entry(DETAIL, "Department Press Briefing – July 6, 2021", dt.date(2021, 7, 6), body)
    )


def gone(status: int):
    """The July 6 briefing's page answering ``status``, every time."""
    return lambda: Resource(page(), status=status)


REFUSED_FOR_GOOD = {
    # (the teaser's link, the page served there (fetched when set; a Resource to answer with
    # another status), the [sources] settings, what the first run records)
    "an off-site link": (lambda site: "file:///etc/passwd", None, {}, "refused off-site URL"),
    "a link over URLLENGTH_LIMIT": (
        lambda site: site.url(DETAIL) + "?utm_content=" + "x" * 2100,  # BUILT: 2,184 characters
        None,
        {},
        "over the 2083 of URLLENGTH_LIMIT",
    ),
    "a page of a kind not kept": (
        lambda site: site.url(DETAIL),
        page,
        {"kinds": ["remarks"]},
        None,
    ),
    "a page that is no transcript": (
        lambda site: site.url(DETAIL),
        statement_page,
        {},
        "transcript parsed to zero turns",  # a notice: the run is ok
    ),
    "a page gone (404)": (lambda site: site.url(DETAIL), gone(404), {}, "Ignoring non-200"),
    "a page gone (410)": (lambda site: site.url(DETAIL), gone(410), {}, "Ignoring non-200"),
}


@pytest.mark.parametrize(
    ("link", "served", "source", "recorded"), REFUSED_FOR_GOOD.values(), ids=REFUSED_FOR_GOOD
)
def test_a_teaser_refused_for_good_is_reported_once(
    tmp_path, database_url, mirror, link, served, source, recorded
):
    # It can never be stored, so it must not hold the feed's validators back: the run that
    # first sees it reports it and keeps them, and the next poll is one GET answered 304.
    made = (served or page)()
    mirror.routes[DETAIL] = made if isinstance(made, Resource) else Resource(made)
    first = crawl(tmp_path, database_url, mirror, feed_with(link(mirror)), **source)
    assert "Traceback" not in first.stderr, first.stderr
    ((etag,),) = rows(database_url, "SELECT etag FROM feed_state")
    assert etag == mirror.routes[FEED_PATH].etag
    second = briefwatch(tmp_path / "c.toml", "crawl")
    assert second.returncode == 0, second.stderr
    assert [(r.path, r.status) for r in mirror.requests if r.path != "/robots.txt"] == [
        (FEED_PATH, 200),
        *([(DETAIL, mirror.routes[DETAIL].status)] if served else []),
        (FEED_PATH, 304),
    ]
    (_, first_errors), (status, errors) = rows(
        database_url, "SELECT status, errors FROM runs ORDER BY id"
    )
    lines = [text for entry in loaded(first_errors) for text in entry.values()]
    assert len(lines) == (1 if recorded else 0) and all(recorded in line for line in lines)
    assert (status, loaded(errors)) == ("ok", [])
