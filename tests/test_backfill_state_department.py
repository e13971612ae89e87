"""Backfill crawls of a local mirror of the listing, detail pages and archive sitemap.

The listing and detail pages are BUILT (``helpers/site_pages.py`` says why) around real bodies.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
from helpers.crawling import briefwatch, count, rows, slow_backfill_config, wait_for, write_config
from helpers.mirror import Mirror, Resource
from helpers.site_pages import detail_page
from helpers.state_department import BRIEFINGS, build_site, entry, path_of, state_items

from scraper.parsing.metadata import parse_date

pytestmark = pytest.mark.slow


def config_for(site: Mirror, tmp_path, database_url, **extra):
    return write_config(
        tmp_path / "c.toml",
        database_url,
        feeds=[],
        listing_url=site.url("/department-press-briefings/"),
        archive_sitemap_url="",
        **extra,
    )


def detail_requests(site: Mirror) -> list[str]:
    return [r.path for r in site.requests if r.path.startswith("/briefings/")]


def test_backfill_stores_every_listed_transcript_once(tmp_path, database_url, mirror):
    build_site(mirror)
    config = config_for(mirror, tmp_path, database_url)
    result = briefwatch(config, "backfill")
    assert result.returncode == 0, result.stderr
    stored = dict(rows(database_url, "SELECT url, kind FROM briefings"))
    assert len(stored) == 12 and set(stored.values()) == {"press_briefing"}
    assert sorted(detail_requests(mirror)) == sorted(path_of(i) for i in BRIEFINGS)
    (turns,) = rows(database_url, "SELECT count(*) FROM turns")
    assert turns[0] > 12 * 20
    # A second backfill walks the listing again but fetches no stored page.
    before = len(detail_requests(mirror))
    assert briefwatch(config, "backfill", "--restart").returncode == 0
    assert len(detail_requests(mirror)) == before


def test_backfill_since_until(tmp_path, database_url, mirror):
    build_site(mirror)
    config = config_for(mirror, tmp_path, database_url)
    dates = sorted(parse_date(i["title"]) for i in BRIEFINGS)
    since, until = dates[3], dates[8]
    result = briefwatch(config, "backfill", "--since", str(since), "--until", str(until))
    assert result.returncode == 0, result.stderr
    stored = {d for (d,) in rows(database_url, "SELECT date FROM briefings")}
    assert {str(d) for d in stored} == {str(d) for d in dates if since <= d <= until}


def test_sitemap_adds_pages_the_listing_lacks(tmp_path, database_url, mirror):
    build_site(mirror)
    extra = [i for i in state_items() if i["title"].startswith("Briefing With")][:2]
    for item in extra:
        mirror.routes[path_of(item)] = Resource(detail_page(entry(item)))
    locs = "".join(
        f"<url><loc>{mirror.url(path_of(i))}</loc><lastmod>2021-07-01</lastmod></url>"
        for i in [*extra, BRIEFINGS[0]]
    )
    mirror.routes["/sitemap.xml"] = Resource(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{locs}</urlset>".encode(),
        content_type="application/xml",
    )
    config = write_config(
        tmp_path / "c.toml",
        database_url,
        feeds=[],
        listing_url=mirror.url("/department-press-briefings/"),
        archive_sitemap_url=mirror.url("/sitemap.xml"),
    )
    assert briefwatch(config, "backfill").returncode == 0
    assert count(database_url, "SELECT count(*) FROM briefings") == 14
    assert len(detail_requests(mirror)) == 14  # BRIEFINGS[0] is named twice, fetched once


def test_interrupted_backfill_resumes_without_starting_over(tmp_path, mirror):
    database_url = f"sqlite:///{tmp_path / 'b.db'}"
    build_site(mirror)
    config = slow_backfill_config(tmp_path, database_url, mirror, delay=0.4)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--config", str(config), "backfill"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: count(database_url, "SELECT count(*) FROM briefings") >= 6, 60, 0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    (first,) = rows(database_url, "SELECT count(*) FROM briefings")
    assert 6 <= first[0] < 12
    (cursor,) = rows(database_url, "SELECT value FROM crawl_state")
    assert '"complete": false' in cursor[0]
    fetched_first = len(detail_requests(mirror))
    listing_first = [r.path for r in mirror.requests if "department-press" in r.path]

    result = briefwatch(config, "backfill")
    assert result.returncode == 0, result.stderr
    assert count(database_url, "SELECT count(*) FROM briefings") == 12
    # Stored pages are never fetched again; at most the one in flight at the kill is.
    assert len(detail_requests(mirror)) <= 12 + 1
    assert fetched_first >= 6
    listing_second = [r.path for r in mirror.requests if "department-press" in r.path]
    # The walk resumed after the last finished page instead of at page 1.
    assert listing_second[len(listing_first)] != "/department-press-briefings/"


def test_a_listing_page_answering_an_error_is_one_line_and_the_walk_goes_on(tmp_path, mirror):
    database_url = f"sqlite:///{tmp_path / 'b.db'}"
    build_site(mirror)
    mirror.routes["/department-press-briefings/page/2/"] = Resource(status=500)
    config = config_for(mirror, tmp_path, database_url)
    result = briefwatch(config, "backfill")
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
    assert result.returncode == 0 and result.stderr.count("page/2/") == 1  # one line
    # Pages 1 and 3 are read: 8 of the 12 transcripts; the run says what it missed.
    assert rows(database_url, "SELECT count(*) FROM briefings") == [(8,)]
    assert rows(database_url, "SELECT status FROM runs") == [("partial",)]
    ((cursor,),) = rows(database_url, "SELECT value FROM crawl_state")
    assert json.loads(cursor)["page"] == 1  # a later backfill tries page 2 again
