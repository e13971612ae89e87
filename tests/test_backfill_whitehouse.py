"""Backfill of the 2009-2016 White House archive: the real listing pages read in-process, then
real crawls of a local mirror serving listing and detail pages BUILT around the 60 real
archive bodies (``helpers/whitehouse_fixtures.py`` says why and what is made)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from helpers.crawling import briefwatch, count, rows, wait_for, write_config
from helpers.whitehouse_fixtures import ARCHIVE, LISTING_PATH, archive_pages, serve_archive
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scraper.sources.whitehouse import WhiteHouse
from scraper.spiders.whitehouse import WhiteHouseArchiveSpider

LISTING = "https://obamawhitehouse.archives.gov/briefing-room/press-briefings"
ROWS = json.loads((ARCHIVE / "listing" / "listing.json").read_text(encoding="utf-8"))


def backfill_spider(**kwargs) -> WhiteHouseArchiveSpider:
    crawler = get_crawler(WhiteHouseArchiveSpider)
    return WhiteHouseArchiveSpider.from_crawler(
        crawler, listing_url=LISTING, max_pages=500, **kwargs
    )


def read_listing(spider: WhiteHouseArchiveSpider, n: int, page: int) -> list:
    url = WhiteHouse.listing_page_url(LISTING, page)
    body = (ARCHIVE / "listing" / f"{n}.html").read_bytes()
    request = Request(url, cb_kwargs={"page": page})
    return list(spider.parse_listing(HtmlResponse(url, body=body, request=request), page=page))


def test_listing_pages_are_counted_from_zero():
    assert WhiteHouse.listing_page_url(LISTING, 1) == LISTING
    assert WhiteHouse.listing_page_url(LISTING, 2) == LISTING + "?page=1"
    assert WhiteHouse.listing_page_url(LISTING, 170) == LISTING + "?page=169"


@pytest.mark.parametrize(("n", "page"), [(0, 1), (1, 2), (169, 170)])
def test_real_listing_page_names_every_row_and_the_next_page(n, page):
    out = read_listing(backfill_spider(), n, page)
    details = [r for r in out if isinstance(r, Request) and r.callback.__name__ == "parse_detail"]
    (expected,) = [p["rows"] for p in ROWS if p["file"] == f"listing/{n}.html"]
    assert [r.url for r in details] == [
        "https://obamawhitehouse.archives.gov/" + row["href"].removeprefix("../")
        for row in expected
    ]
    for request, row in zip(details, expected, strict=True):
        meta = request.cb_kwargs["meta"]
        assert meta["date"].strftime("%B %d, %Y") == row["date"]
        assert " ".join(meta["title"].split())[:30] == " ".join(row["title"].split())[:30]
    (following,) = [r for r in out if isinstance(r, Request) and r not in details]
    assert following.url == LISTING + f"?page={n + 1}"


def test_listing_skips_what_is_stored_and_stops_before_since():
    import datetime as dt

    stored = "https://obamawhitehouse.archives.gov/" + ROWS[0]["rows"][0]["href"][3:]
    spider = backfill_spider(known_urls=[stored], since=dt.date(2016, 7, 25))
    out = read_listing(spider, 0, 1)
    urls = [r.url for r in out if isinstance(r, Request)]
    assert stored not in urls
    # Rows of July 21 and older are before --since: no detail, and no next page either.
    assert len(urls) == 6 and all("page=" not in u for u in urls)


# -- real crawls of the mirror -------------------------------------------------------------
PAGES = archive_pages()  # 60 pages, oldest first
PER_PAGE = 10


def listing_pages() -> list[list[dict]]:
    newest_first = sorted(PAGES, key=lambda p: p["date"], reverse=True)
    return [newest_first[i : i + PER_PAGE] for i in range(0, len(newest_first), PER_PAGE)]


def config_for(site, tmp_path, database_url, delay: float = 0.0):
    return write_config(
        tmp_path / "c.toml",
        database_url,
        http={"download_delay_seconds": delay},
        slug="whitehouse",
        feeds=[],
        listing_url=site.url(LISTING_PATH),
    )


def detail_requests(site) -> list[str]:
    return [r.path for r in site.requests if r.path.startswith("/the-press-office/")]


def stored_paths(database_url: str) -> dict[str, tuple]:
    found = rows(database_url, "SELECT url, kind, date FROM briefings")
    return {urlsplit(url).path: (kind, str(date)) for url, kind, date in found}


@pytest.mark.slow
def test_backfill_stores_every_archive_briefing_once(tmp_path, database_url, mirror):
    serve_archive(mirror, listing_pages())
    config = config_for(mirror, tmp_path, database_url)
    result = briefwatch(config, "backfill")
    assert result.returncode == 0, result.stderr
    stored = stored_paths(database_url)
    assert sorted(stored) == sorted(p["path_on_site"] for p in PAGES)
    assert sorted(detail_requests(mirror)) == sorted(stored)
    for page in PAGES:
        kind, date = stored[page["path_on_site"]]
        assert date == page["date"], page["file"]  # from the title, the body or the listing
        assert kind == WhiteHouse.title_kind(page["title"]), page["file"]
    assert count(database_url, "SELECT count(*) FROM turns") > 60 * 20
    # Walking again fetches the listing but no stored page.
    before = len(detail_requests(mirror))
    assert briefwatch(config, "backfill", "--restart").returncode == 0
    assert len(detail_requests(mirror)) == before


@pytest.mark.slow
def test_interrupted_archive_backfill_resumes_without_refetching(tmp_path, mirror):
    database_url = f"sqlite:///{tmp_path / 'b.db'}"
    serve_archive(mirror, listing_pages())
    config = config_for(mirror, tmp_path, database_url, delay=0.3)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--config", str(config), "backfill"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: count(database_url, "SELECT count(*) FROM briefings") >= 25, 90, 0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    first = set(stored_paths(database_url))
    assert 25 <= len(first) < 60
    before = len(detail_requests(mirror))

    result = briefwatch(config_for(mirror, tmp_path, database_url), "backfill")
    assert result.returncode == 0, result.stderr
    assert len(stored_paths(database_url)) == 60
    assert not set(detail_requests(mirror)[before:]) & first  # nothing stored is fetched again
    ((state,),) = rows(database_url, "SELECT value FROM crawl_state")
    state = json.loads(state) if isinstance(state, str) else state
    assert state["complete"] is True
