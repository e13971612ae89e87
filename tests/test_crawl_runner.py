"""The runner's wiring in-process (scraper.crawl): Scrapy settings from the configuration,
each source's spider arguments from the database and its own settings, and a crawler built
from them as ``run_crawl`` builds it. A whole crawl runs in a subprocess (test_spider_*.py)."""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys

import pytest
from helpers.crawl import archive_briefing
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.test import get_crawler

from scraper.config import config_from_dict
from scraper.crawl import (
    RunOutcome,
    _quiet_scrapy,
    _ScrapyLogFilter,
    _stop_when_lost,
    plan_crawl,
    queue_notices,
    record_run,
    scrapy_settings,
    source_settings,
    spider_arguments,
)
from scraper.crawl_storage import CrawlStorage
from scraper.spiders import ARCHIVE_SPIDERS, SPIDERS

CONFIG = config_from_dict({"http": {"crawl_deadline_seconds": 240}})
STATE = CONFIG.sources["state_department"]
WH = CONFIG.sources["whitehouse"]


@pytest.mark.parametrize("mode", ["monitor", "backfill"])
def test_settings_follow_the_configuration(mode):
    settings = scrapy_settings(CONFIG, mode)
    http = CONFIG.http
    assert settings["USER_AGENT"] == settings["ROBOTSTXT_USER_AGENT"] == http.effective_user_agent
    assert settings["DOWNLOAD_TIMEOUT"] == http.timeout_seconds
    assert settings["RETRY_TIMES"] == http.retry_times
    assert settings["BRIEFWATCH_CONFIG"] is CONFIG
    assert settings["DOWNLOAD_HANDLERS"] == {"file": None, "data": None, "s3": None, "ftp": None}
    assert settings["EXTENSIONS"]["scraper.crawl_storage.CrawlStorage"] == 0
    if mode == "monitor":
        assert settings["CLOSESPIDER_TIMEOUT"] == 240
        assert "scraper.progress.ProgressExtension" not in settings["EXTENSIONS"]
    else:  # a backfill may take hours and resumes: no deadline, a progress line
        assert "CLOSESPIDER_TIMEOUT" not in settings
        assert settings["EXTENSIONS"]["scraper.progress.ProgressExtension"] == 500


def test_unused_scrapy_components_are_left_out_not_imported(tmp_path):
    """Scrapy imports every component its settings name, a disabled one included: the crawl's
    settings leave the unused ones (remote control, telnet, cookies...) out of Scrapy's
    defaults, and keep what the crawl relies on (stats, the deadline, retries, robots.txt)."""
    from scrapy.extension import ExtensionManager
    from scrapy.settings import Settings

    values = {**scrapy_settings(CONFIG, "monitor"), "BRIEFWATCH_DATABASE_URL": ""}
    settings = Settings(values)
    extensions = settings.get_component_priority_dict_with_base("EXTENSIONS")
    middlewares = settings.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES")
    for name in ("RemoteControl", "TelnetConsole", "FeedExporter", "MemoryUsage", "LogStats"):
        assert not any(key.endswith(f".{name}") for key in extensions), name
    assert not any(key.endswith(".CookiesMiddleware") for key in middlewares)
    assert "scrapy.extensions.corestats.CoreStats" in extensions
    assert "scrapy.extensions.closespider.CloseSpider" in extensions
    for name in (
        "robotstxt.RobotsTxtMiddleware",
        "retry.RetryMiddleware",
        "redirect.RedirectMiddleware",
        "httpcompression.HttpCompressionMiddleware",
        "httpproxy.HttpProxyMiddleware",
    ):
        assert f"scrapy.downloadermiddlewares.{name}" in middlewares, name
    crawler = get_crawler(SPIDERS["state_department"], values)
    enabled = {type(e).__name__ for e in ExtensionManager.from_crawler(crawler).middlewares}
    assert {"CoreStats", "CloseSpider"} <= enabled and "RemoteControl" not in enabled


_BUILD_MANAGERS = """
import sys
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.extension import ExtensionManager
from scrapy.utils.test import get_crawler
from scraper.config import config_from_dict
from scraper.crawl import scrapy_settings
from scraper.spiders import SPIDERS
values = {**scrapy_settings(config_from_dict({}), "monitor"), "BRIEFWATCH_DATABASE_URL": ""}
crawler = get_crawler(SPIDERS["state_department"], values)
ExtensionManager.from_crawler(crawler)
DownloaderMiddlewareManager.from_crawler(crawler)
print(" ".join(sorted(sys.modules)))
"""


def test_building_the_crawls_components_imports_none_of_the_unused():
    """In a process of its own (this one has imported them all): the crawl's extensions and
    downloader middlewares, built as Scrapy builds them, import no unused component."""
    out = subprocess.run(
        [sys.executable, "-c", _BUILD_MANAGERS], capture_output=True, text=True, check=True
    )
    loaded = set(out.stdout.split())
    assert "scrapy.extensions.closespider" in loaded  # the managers were built
    unused = {"aiohttp", "tldextract", "scrapy.downloadermiddlewares.cookies"}
    unused |= {f"scrapy.extensions.{name}" for name in ("telnet", "remote_control", "feedexport")}
    assert not unused & loaded


def test_monitor_arguments_carry_each_feeds_validators(storage):
    feed = STATE.feeds[0]
    storage.record_feed_poll(feed, 200, None, None, 3)
    storage.set_feed_validators(feed, '"e"', "Mon, 05 Jul 2021")
    kwargs = spider_arguments(storage, STATE, "monitor", {"https://x/"})
    assert kwargs["feeds"] == list(STATE.feeds)
    assert kwargs["validators"][feed] == ('"e"', "Mon, 05 Jul 2021")
    assert kwargs["known_urls"] == {"https://x/"} and kwargs["since"] is None


@pytest.mark.parametrize(
    ("saved", "restart", "start"),
    [
        (None, False, None),
        ({"page": 7, "complete": False}, False, 8),
        ({"page": 7, "complete": False}, True, None),
        ({"page": 170, "complete": True}, False, None),
    ],
    ids=["fresh", "resumed", "restarted", "complete"],
)
def test_backfill_arguments_resume_the_listing_walk(storage, saved, restart, start):
    if saved:
        storage.set_crawl_state(f"backfill:{WH.listing_url}", saved)
    since = dt.date(2010, 1, 1)
    kwargs = spider_arguments(storage, WH, "backfill", set(), since=since, restart=restart)
    assert kwargs.get("start_page") == start
    assert (kwargs["listing_url"], kwargs["max_pages"]) == (WH.listing_url, WH.listing_max_pages)
    assert kwargs["sitemap_url"] == WH.archive_sitemap_url and kwargs["since"] == since


def test_a_crawler_is_wired_as_the_runner_wires_it(storage, tmp_path):
    """Settings for the process, the source's own on its crawler, then the spider and the
    item pipelines Scrapy builds from them: each pipeline got its values from the settings."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    settings = {**scrapy_settings(CONFIG, "backfill"), "BRIEFWATCH_DATABASE_URL": url}
    own = source_settings("whitehouse", WH)
    assert own["BRIEFWATCH_KINDS"] == list(WH.kinds)
    crawler = get_crawler(ARCHIVE_SPIDERS["whitehouse"], {**settings, **own})
    kwargs = spider_arguments(storage, WH, "backfill", {"https://x/"})
    spider = crawler.spidercls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    assert spider.listing_url == WH.listing_url and spider.known_urls == {"https://x/"}
    pipelines = ItemPipelineManager.from_crawler(crawler)
    by_name = {type(p).__name__: p for p in pipelines.middlewares}
    assert len(by_name) == 7
    assert by_name["KindFilterPipeline"].kinds == frozenset(WH.kinds)
    assert by_name["OffsitePipeline"].policy.allows(WH.listing_url)
    assert not by_name["OffsitePipeline"].policy.allows("https://example.org/")
    assert isinstance(by_name["StorePipeline"].storage, CrawlStorage)
    assert by_name["StorePipeline"].alert_on_update is CONFIG.alerts.alert_on_update


@pytest.mark.parametrize(
    ("mode", "sources", "expected"),
    [
        (
            "monitor",
            None,
            [("state_department", "StateDepartmentSpider"), ("whitehouse", "WhiteHouseSpider")],
        ),
        ("backfill", ["whitehouse"], [("whitehouse", "WhiteHouseArchiveSpider")]),
    ],
)
def test_a_run_is_planned_per_source(storage, mode, sources, expected):
    storage.save_briefing(archive_briefing(0))
    plan = plan_crawl(CONFIG, storage, mode, sources=sources)
    assert [(p.name, p.spider.__name__) for p in plan] == expected
    for part in plan:
        assert part.arguments["known_urls"] == {archive_briefing(0).url}
        assert part.settings["BRIEFWATCH_SOURCE"] == part.name
        assert part.limits == {"empty_feed_alert_runs": 3}


def test_notices_go_to_every_enabled_channel(storage):
    queue_notices(storage, CONFIG, ["feed x has yielded no items 3 polls in a row"])
    (alert,) = storage.list_alerts(limit=10)
    assert alert.channel == "log" and "feed x has yielded no items" in str(alert.payload)


def test_each_source_has_its_spiders():
    assert set(SPIDERS) == set(ARCHIVE_SPIDERS) == set(CONFIG.sources)


# -- logging and the outcome -------------------------------------------------------------------
def record(name: str, level: int) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, "x", (), None)


@pytest.mark.parametrize(
    ("name", "level", "shown_at_error", "shown_at_debug"),
    [
        ("scrapy.downloadermiddlewares.retry", logging.ERROR, False, True),
        ("scrapy.downloadermiddlewares.robotstxt", logging.ERROR, False, True),
        ("scrapy.core.engine", logging.INFO, False, True),
        ("scrapy.core.scraper", logging.ERROR, True, True),
        ("twisted", logging.WARNING, False, True),
        ("scraper.crawl", logging.INFO, True, True),
    ],
)
def test_scrapys_own_lines_are_filtered(name, level, shown_at_error, shown_at_debug):
    assert _ScrapyLogFilter(logging.ERROR).filter(record(name, level)) is shown_at_error
    assert _ScrapyLogFilter(logging.DEBUG).filter(record(name, level)) is shown_at_debug


def test_the_filter_is_installed_once_per_handler():
    handler = logging.StreamHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        _quiet_scrapy(logging.ERROR)
        _quiet_scrapy(logging.DEBUG)
        (only,) = [f for f in handler.filters if isinstance(f, _ScrapyLogFilter)]
        assert only.level == logging.DEBUG
    finally:
        root.removeHandler(handler)


def test_an_outcome_counts_what_it_lost():
    counts = dict.fromkeys(
        ["new", "updated", "unchanged", "feeds_fetched", "feeds_not_modified"], 1
    ) | {"details_fetched": 2, "requests": 5, "errors": 3, "store_errors": 2, "items_invalid": 1}
    outcome = RunOutcome(4, "partial", counts)
    assert outcome.lost == 3
    assert outcome.summary() == (
        "partial: 1 new, 1 updated, 1 unchanged; 1 feeds fetched, 1 not modified, "
        "2 pages fetched, 5 requests, 3 errors"
    )


def test_a_finished_crawl_is_recorded_and_a_lost_lock_fails_it(storage):
    from scraper.storage.lock import LockGuard

    plan = plan_crawl(CONFIG, storage, "monitor", sources=["whitehouse"])
    stats = {
        "whitehouse": {
            "finish_reason": "finished",
            "briefwatch/feeds_fetched": 1,
            "briefwatch/empty_feed_streaks": {WH.feeds[0]: 3},
        }
    }
    run_id = storage.start_run("run")
    outcome = record_run(storage, CONFIG, run_id, plan, stats)
    assert (outcome.status, outcome.errors) == ("ok", [])
    assert outcome.notices == [
        f"feed {WH.feeds[0]} has yielded no items 3 polls in a row (has the site changed?)"
    ]
    assert len(storage.list_alerts(limit=10)) == 1  # the notice, queued to the log channel
    guard = LockGuard()
    guard.lost = "server closed the connection unexpectedly"
    outcome = record_run(storage, CONFIG, storage.start_run("run"), plan, stats, guard)
    assert outcome.status == "failed"
    assert outcome.errors == [
        "the run lock was lost, crawl stopped: server closed the connection unexpectedly"
    ]


def test_no_lock_no_watch():
    assert _stop_when_lost(None, None) is None
