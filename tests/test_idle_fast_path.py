"""The idle poll's fast path (scraper.idle_poll): when every feed answers 304 the run is
recorded as the crawl records it, without Scrapy; anything else is crawled by Scrapy as before.

Each crawl is a real ``briefwatch crawl`` process against the local mirror serving the
State Department's real feed replay (tests/fixtures/state_department/feed-replay)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers.crawling import rows, write_config
from helpers.mirror import Mirror
from helpers.state_department import FEED_PATH, VERSIONS, feed

pytestmark = pytest.mark.slow

#: Runs ``briefwatch`` as its console script does, then counts the Scrapy and Twisted modules
#: and the SQLAlchemy ones the process imported (on the last line of stderr).
WRAPPER = """
import runpy, sys
sys.argv = ["briefwatch", *sys.argv[1:]]
try:
    runpy.run_module("scraper", run_name="__main__")
except SystemExit as stop:
    code = stop.code
else:
    code = 0
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("scrapy", "twisted"))
sqlalchemy = [m for m in sys.modules if m.split(".")[0] == "sqlalchemy"]
print(code, len(loaded), len(sqlalchemy), file=sys.stderr)
"""
ZERO = dict.fromkeys(
    [
        "feeds_fetched",
        "feeds_not_modified",
        "feeds_invalid",
        "items_seen",
        "listing_pages",
        "details_fetched",
        "skipped_known",
        "skipped_kind",
        "new",
        "updated",
        "unchanged",
        "turns_parsed",
        "parse_warnings",
        "empty_transcripts",
        "watch_hits",
        "alerts_queued",
        "errors",
        "store_errors",
        "items_invalid",
        "blocked",
        "requests",
    ],
    0,
)
SOURCE_ZERO = dict.fromkeys(
    ("items_seen", "new", "updated", "unchanged", "skipped_kind", "feeds_not_modified", "errors"),
    0,
)


def crawl(config) -> tuple[int, int]:
    """Exit code of ``briefwatch crawl`` and how many Scrapy/Twisted modules it imported."""
    code, loaded, _sqlalchemy = briefwatch(config, "crawl")
    return code, loaded


def briefwatch(config, *args: str) -> tuple[int, int, int]:
    """Exit code of ``briefwatch args`` and how many Scrapy/Twisted modules and SQLAlchemy
    modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    code, loaded, sqlalchemy = done.stderr.strip().splitlines()[-1].split()
    return int(code), int(loaded), int(sqlalchemy)


def last_run(database_url: str) -> tuple[str, dict, list]:
    run = rows(database_url, "SELECT status, counts, errors FROM runs ORDER BY id DESC")[0]
    decode = [json.loads(v) if isinstance(v, str) else v for v in run[1:]]
    return run[0], decode[0], decode[1]


@pytest.fixture
def site():
    with Mirror() as mirror:
        mirror.routes[FEED_PATH] = feed(VERSIONS[7])
        yield mirror


@pytest.fixture
def db(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'a.db'}"


@pytest.fixture
def config(tmp_path, db, site):
    return write_config(tmp_path / "c.toml", db, feeds=[site.url(FEED_PATH)])


def test_a_first_poll_without_validators_is_crawled_by_scrapy_alone(site, config, db):
    code, loaded = crawl(config)
    assert code == 0 and loaded > 0
    assert [(r.path, r.status) for r in site.requests] == [("/robots.txt", 200), (FEED_PATH, 200)]
    assert rows(db, "SELECT count(*) FROM briefings") == [(1,)]


def test_an_idle_poll_is_recorded_as_the_crawl_records_it_without_scrapy(site, config, db):
    code, loaded = crawl(config)
    assert code == 0 and loaded > 0  # the first poll: Scrapy
    before = len(site.requests)
    code, loaded = crawl(config)
    assert (code, loaded) == (0, 0)
    assert [(r.path, r.status) for r in site.requests[before:]] == [
        ("/robots.txt", 200),
        (FEED_PATH, 304),
    ]
    feed_request = site.requests[-1]
    assert feed_request.headers["If-None-Match"] == site.routes[FEED_PATH].etag
    assert feed_request.headers["User-Agent"] == site.requests[before - 1].headers["User-Agent"]
    # What the Scrapy path records for the same poll (measured on main before the fast path).
    assert last_run(db) == (
        "ok",
        {
            **ZERO,
            "feeds_not_modified": 1,
            "requests": 2,
            "sources": {"state_department": {**SOURCE_ZERO, "feeds_not_modified": 1}},
        },
        [],
    )
    assert rows(db, "SELECT last_status, empty_runs FROM feed_state") == [(304, 0)]


def test_an_idle_crawl_or_run_on_sqlite_imports_neither_scrapy_nor_sqlalchemy(site, config, db):
    assert crawl(config)[0] == 0
    before = len(site.requests)
    assert briefwatch(config, "crawl") == (0, 0, 0)
    assert briefwatch(config, "run") == (0, 0, 0)  # and no alert is due
    assert [(r.path, r.status) for r in site.requests[before:]] == [
        ("/robots.txt", 200),
        (FEED_PATH, 304),
    ] * 2
    runs = rows(db, "SELECT command, status FROM runs ORDER BY id")
    assert runs == [("crawl", "ok"), ("crawl", "ok"), ("run", "ok")]
    assert last_run(db)[1]["feeds_not_modified"] == 1


def test_an_idle_run_delivers_the_alerts_due_from_before(site, tmp_path, db):
    from scraper.storage import open_storage

    out = tmp_path / "alerts.jsonl"
    config = write_config(tmp_path / "c.toml", db, feeds=[site.url(FEED_PATH)])
    with config.open("a") as toml:
        toml.write(f'[alerts.jsonl]\nenabled = true\npath = "{out}"\n')
    assert crawl(config)[0] == 0
    storage = open_storage(db)  # a notice left pending by an earlier run
    storage.queue_notice(["jsonl"], {"watch": "briefwatch", "text": "the feed moved"})
    storage.close()
    code, loaded, sqlalchemy = briefwatch(config, "run")
    assert (code, loaded) == (0, 0) and sqlalchemy > 0  # the Storage opened to deliver
    assert [json.loads(line)["text"] for line in out.read_text().splitlines()] == ["the feed moved"]
    assert rows(db, "SELECT status FROM alert_outbox") == [("sent",)]


def test_a_changed_feed_falls_through_to_scrapy_and_is_stored(site, config, db):
    assert crawl(config)[0] == 0
    site.routes[FEED_PATH] = feed(VERSIONS[10])  # the July 6 briefing, edited
    before = len(site.requests)
    code, loaded = crawl(config)
    assert code == 0 and loaded > 0
    assert [(r.path, r.status) for r in site.requests[before:]] == [
        ("/robots.txt", 200),
        (FEED_PATH, 200),  # the fast path's one extra request
        ("/robots.txt", 200),
        (FEED_PATH, 200),
    ]
    status, counts, errors = last_run(db)
    assert (status, counts["feeds_fetched"], counts["updated"], errors) == ("ok", 1, 1, [])
    assert rows(db, "SELECT count(*) FROM revisions") == [(2,)]


def test_a_503_falls_through_and_scrapy_records_it(site, config, db):
    assert crawl(config)[0] == 0
    site.routes[FEED_PATH].faults = [503, 503, 503]
    before = len(site.requests)
    code, loaded = crawl(config)
    assert code == 1 and loaded > 0
    assert [r.path for r in site.requests[before:]] == [
        "/robots.txt",
        FEED_PATH,  # the fast path: 503, so Scrapy crawls
        "/robots.txt",
        FEED_PATH,
        FEED_PATH,  # Scrapy's one retry (retry_times = 1)
    ]
    status, counts, errors = last_run(db)
    assert status == "failed" and counts["feeds_not_modified"] == 0
    assert errors == [{"error": f"{site.url(FEED_PATH)}: Ignoring non-200 response"}]


def test_robots_txt_disallowing_the_feed_falls_through(tmp_path, db):
    with Mirror() as site:
        site.routes[FEED_PATH] = feed(VERSIONS[7])
        config = write_config(tmp_path / "c.toml", db, feeds=[site.url(FEED_PATH)])
        assert crawl(config)[0] == 0
        site.routes["/robots.txt"].body = b"User-agent: *\nDisallow: /rss-feed/\n"
        before = len(site.requests)
        code, loaded = crawl(config)
        made = [r.path for r in site.requests[before:]]
        url = site.url(FEED_PATH)
    assert loaded > 0 and code == 1
    assert made == ["/robots.txt", "/robots.txt"]  # the feed is never asked
    status, _counts, errors = last_run(db)
    assert (status, errors) == ("failed", [{"error": f"{url}: Forbidden by robots.txt"}])
