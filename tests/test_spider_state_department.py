"""Real Scrapy crawls of a local mirror that serves the site's real feed versions in order."""

from __future__ import annotations

import pytest
from helpers.crawling import briefwatch, rows, write_config
from helpers.mirror import Mirror, Resource
from helpers.state_department import FEED_PATH, REPLAY, VERSIONS, feed

# Read off the 33 feed versions: the items carrying transcripts (bold speaker labels), from
# the version where each first appears. Everything else in the window is a press release.
BRIEFING = "https://www.state.gov/?post_type=state_briefing&p="
PAGE = "https://www.state.gov/?page_id="
NEW_AT = {
    0: {PAGE + "256894", PAGE + "256827", PAGE + "256707"},
    7: {BRIEFING + "257522"},  # Department Press Briefing, July 6 (edited at version 10)
    12: {BRIEFING + "257769"},
    20: {BRIEFING + "258028"},
}
EDITED_AT = {10: BRIEFING + "257522"}

pytestmark = pytest.mark.slow


# Every version, on SQLite: test_sources_contract.py crawls the same replay on PostgreSQL.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_replay_stores_exactly_the_new_transcripts(tmp_path, database_url, mirror):
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    expected: set[str] = set()
    last_etag = None
    for index, version in enumerate(VERSIONS):
        mirror.routes[FEED_PATH] = feed(version)
        # A changed feed is asked twice: the idle poll's conditional GET (answered 200), then
        # the crawl's; the first poll (no validators yet) and an unchanged feed once.
        changed = last_etag is not None and mirror.routes[FEED_PATH].etag != last_etag
        last_etag = mirror.routes[FEED_PATH].etag
        before = len(mirror.requests)
        result = briefwatch(config, "crawl")
        assert result.returncode == 0, result.stderr
        expected |= NEW_AT.get(index, set())
        stored = {g for (g,) in rows(database_url, "SELECT guid FROM briefings")}
        assert stored == expected, f"after version {index} ({version['file']})"
        paths = [r.path for r in mirror.requests[before:]]
        assert paths.count(FEED_PATH) == (2 if changed else 1), paths
        assert set(paths) <= {FEED_PATH, "/robots.txt"}, paths
        if index in EDITED_AT:
            (revisions,) = rows(
                database_url,
                "SELECT count(*) FROM revisions JOIN briefings ON briefings.id = "
                f"revisions.briefing_id WHERE guid = '{EDITED_AT[index]}'",
            )
            assert revisions == (2,)
    (count,) = rows(database_url, "SELECT count(*) FROM revisions")
    assert count == (len(expected) + len(EDITED_AT),)
    kinds = dict(rows(database_url, "SELECT guid, kind FROM briefings"))
    assert kinds[BRIEFING + "257522"] == "press_briefing"
    assert "press_release" not in kinds.values()


def test_unchanged_feed_costs_one_304_and_writes_nothing(tmp_path, database_url, mirror):
    mirror.routes[FEED_PATH] = feed(VERSIONS[7])
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    assert briefwatch(config, "crawl").returncode == 0
    snapshot = rows(database_url, "SELECT id, content_hash, last_seen FROM briefings")
    before = len(mirror.requests)
    result = briefwatch(config, "crawl")
    assert result.returncode == 0, result.stderr
    polls = [r for r in mirror.requests[before:] if r.path == FEED_PATH]
    assert [p.status for p in polls] == [304]
    assert polls[0].headers.get("If-None-Match") == mirror.routes[FEED_PATH].etag
    assert rows(database_url, "SELECT id, content_hash, last_seen FROM briefings") == snapshot
    runs = rows(database_url, "SELECT status, counts FROM runs ORDER BY id")
    assert [r[0] for r in runs] == ["ok", "ok"]
    assert '"feeds_not_modified": 1' in str(runs[-1][1]).replace("'", '"')


def test_blocked_by_the_site_is_reported_and_exits_1(tmp_path, database_url, mirror):
    mirror.routes[FEED_PATH] = Resource(b"denied", status=403)
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    result = briefwatch(config, "crawl")
    assert result.returncode == 1
    assert "blocked by the site (HTTP 403)" in result.stderr
    assert "user_agent" in result.stderr
    assert rows(database_url, "SELECT status FROM runs") == [("blocked",)]


def test_connection_refused_is_a_failed_run(tmp_path, database_url):
    config = write_config(tmp_path / "c.toml", database_url, feeds=["http://127.0.0.1:1/feed/"])
    result = briefwatch(config, "crawl")
    assert result.returncode == 1, result.stdout
    assert rows(database_url, "SELECT status FROM runs") == [("failed",)]


def test_robots_txt_is_obeyed(tmp_path, database_url):
    with Mirror(robots="User-agent: *\nDisallow: /rss-feed/\n") as site:
        site.routes[FEED_PATH] = feed(VERSIONS[7])
        config = write_config(tmp_path / "c.toml", database_url, feeds=[site.url(FEED_PATH)])
        briefwatch(config, "crawl")
        assert [r.path for r in site.requests] == ["/robots.txt"]
        assert rows(database_url, "SELECT count(*) FROM briefings") == [(0,)]


def test_layout_change_is_told_to_the_operator(tmp_path, database_url, mirror):
    # BUILT from the real feed to stand for a site redesign: every <strong> label of the
    # bodies becomes <em>, so the briefing that the title promises parses to no turns.
    xml = (REPLAY / VERSIONS[7]["file"]).read_text(encoding="utf-8")
    redesigned = xml.replace("<strong>", "<em>").replace("</strong>", "</em>")
    mirror.routes[FEED_PATH] = Resource(redesigned.encode(), content_type="application/rss+xml")
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    result = briefwatch(config, "run")
    assert result.returncode == 0, result.stderr
    assert "notice: transcript parsed to zero turns" in result.stderr
    assert "Department Press Briefing – July 6, 2021" in result.stderr
    notices = rows(
        database_url, "SELECT channel, status FROM alert_outbox WHERE watch = '__operator__'"
    )
    assert notices == [("log", "sent")]
    assert "operator notice: transcript parsed to zero turns" in result.stderr


def test_feed_without_items_for_n_polls_is_told_to_the_operator(tmp_path, database_url, mirror):
    # BUILT from the real feed: its items removed, as when a site empties or moves a feed.
    xml = (REPLAY / VERSIONS[0]["file"]).read_text(encoding="utf-8")
    empty = xml[: xml.index("<item>")] + xml[xml.rindex("</item>") + len("</item>") :]
    config = write_config(
        tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)], empty_feed_alert_runs=2
    )
    for poll in range(3):
        # A new Last-Modified each time: the feed is fetched (200), not answered 304.
        mirror.routes[FEED_PATH] = Resource(
            (empty + f"<!-- {poll} -->").encode(), content_type="application/rss+xml"
        )
        result = briefwatch(config, "crawl")
        assert result.returncode == 0, result.stderr
        told = "has yielded no items" in result.stderr
        assert told == (poll >= 1), (poll, result.stderr)


def _run_with_home(config, home, *args, timeout=90):
    import os
    import subprocess
    import sys

    env = {**os.environ, "HOME": str(home), "XDG_STATE_HOME": str(home / "state")}
    return subprocess.run(
        [sys.executable, "-m", "scraper", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_huge_crawl_delay_is_capped_and_no_control_server_is_started(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'd.db'}"
    with Mirror(robots="User-agent: *\nCrawl-delay: 3600\n") as site:
        site.routes[FEED_PATH] = feed(VERSIONS[7])
        config = write_config(
            tmp_path / "c.toml",
            database_url,
            http={"max_crawl_delay_seconds": 2.0},
            feeds=[site.url(FEED_PATH)],
        )
        result = _run_with_home(config, tmp_path, "crawl")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "capped to 2.0 s" in result.stderr
    robots, poll = (r.at for r in site.requests if r.path in ("/robots.txt", FEED_PATH))
    assert 1.5 <= poll - robots < 30
    # Scrapy's remote-control server (and the token file it leaves) stays off, like telnet.
    assert not (tmp_path / "state" / "scrapy").exists()
    assert not (tmp_path / ".local" / "state" / "scrapy").exists()


def test_a_crawl_past_its_deadline_is_stopped_and_failed(tmp_path, mirror):
    import time

    database_url = f"sqlite:///{tmp_path / 'd.db'}"
    slow = feed(VERSIONS[7])
    slow.faults = [("sleep", 40)]
    mirror.routes[FEED_PATH] = slow
    config = write_config(
        tmp_path / "c.toml",
        database_url,
        http={"crawl_deadline_seconds": 3.0, "timeout_seconds": 60.0},
        feeds=[mirror.url(FEED_PATH)],
    )
    started = time.monotonic()
    result = briefwatch(config, "crawl", timeout=60)
    took = time.monotonic() - started
    assert took < 25, took
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    ((status, errors),) = rows(database_url, "SELECT status, errors FROM runs")
    assert status == "failed" and "crawl_deadline_seconds" in errors
