"""Running a crawl: Scrapy settings from the configuration, spider arguments from the database,
and the run's outcome (status and counts) from the crawl stats, never from an exit code.

One crawl per process: Scrapy's reactor cannot be restarted, so the daemon runs each crawl
in a fresh subprocess.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import CrawlerProcess

from scraper.alerts.deliver import enabled_channels
from scraper.alerts.plan import notice_payload
from scraper.config import Config
from scraper.pipelines import ERRORS_KEY, PIPELINES
from scraper.spiders import SPIDERS
from scraper.storage import Storage

logger = logging.getLogger(__name__)

RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
#: Stats reported in the runs table, under these names.
COUNTS = {
    "feeds_fetched": "briefwatch/feeds_fetched",
    "feeds_not_modified": "briefwatch/feeds_not_modified",
    "feeds_invalid": "briefwatch/feeds_invalid",
    "items_seen": "briefwatch/items_seen",
    "listing_pages": "briefwatch/listing_pages",
    "details_fetched": "briefwatch/details_fetched",
    "skipped_known": "briefwatch/skipped_known",
    "skipped_kind": "briefwatch/skipped_kind",
    "new": "briefwatch/new",
    "updated": "briefwatch/updated",
    "unchanged": "briefwatch/unchanged",
    "turns_parsed": "briefwatch/turns_parsed",
    "parse_warnings": "briefwatch/parse_warnings",
    "empty_transcripts": "briefwatch/empty_transcripts",
    "watch_hits": "briefwatch/watch_hits",
    "alerts_queued": "briefwatch/alerts_queued",
    "errors": "briefwatch/errors",
    "store_errors": "briefwatch/store_errors",
    "items_invalid": "briefwatch/items_invalid",
    "blocked": "briefwatch/blocked",
    "requests": "downloader/request_count",
}


@dataclass
class RunOutcome:
    """What one crawl did; ``status`` is ok, partial (some errors), failed or blocked."""

    run_id: int
    status: str
    counts: dict[str, int]
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        """Items this run saw but could not store (named in ``errors``)."""
        return self.counts["store_errors"] + self.counts["items_invalid"]

    def summary(self) -> str:
        c = self.counts
        return (
            f"{self.status}: {c['new']} new, {c['updated']} updated, {c['unchanged']} unchanged; "
            f"{c['feeds_fetched']} feeds fetched, {c['feeds_not_modified']} not modified, "
            f"{c['details_fetched']} pages fetched, {c['requests']} requests, "
            f"{c['errors']} errors"
        )


def scrapy_settings(config: Config, mode: str) -> dict[str, Any]:
    """Scrapy settings for one crawl, all taken from the configuration."""
    http = config.http
    settings: dict[str, Any] = {
        "BOT_NAME": "briefwatch",
        "USER_AGENT": http.effective_user_agent,
        "ROBOTSTXT_OBEY": http.obey_robots_txt,
        "ROBOTSTXT_USER_AGENT": http.effective_user_agent,
        "DOWNLOAD_DELAY": http.download_delay_seconds,
        **_no_jitter(),
        "AUTOTHROTTLE_ENABLED": http.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(http.download_delay_seconds, 1.0),
        "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
        "DOWNLOAD_TIMEOUT": http.timeout_seconds,
        "RETRY_ENABLED": http.retry_times > 0,
        "RETRY_TIMES": http.retry_times,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "DOWNLOAD_MAXSIZE": http.max_response_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "REDIRECT_MAX_TIMES": 5,
        "COOKIES_ENABLED": False,
        "HTTPCACHE_ENABLED": False,  # its default policy caches forever: new briefings unseen
        "TELNETCONSOLE_ENABLED": False,
        # Scrapy >= 2.16 also serves a code-execution endpoint on 127.0.0.1 and leaves a token
        # file under ~/.local/state/scrapy/: never wanted here.
        "REMOTE_CONTROL_ENABLED": False,
        "BRIEFWATCH_MAX_CRAWL_DELAY": http.max_crawl_delay_seconds,
        "LOG_ENABLED": False,  # our own logging configuration applies
        "LOG_INSTALL_ROOT_HANDLER": False,
        "ITEM_PIPELINES": PIPELINES,
        # Only http(s), and only to the source's own origins (scraper.url_policy).
        "DOWNLOAD_HANDLERS": {"file": None, "data": None, "s3": None, "ftp": None},
        "DOWNLOADER_MIDDLEWARES": {
            "scraper.offsite.OffsiteGuardMiddleware": 40,
            "scraper.middlewares.CrawlDelayMiddleware": 110,
            # After DownloadTimeoutMiddleware (350), which sets the configured timeout.
            "scraper.middlewares.DeadlineMiddleware": 360,
            # After RetryMiddleware (550) in the response chain: it sees a 429/503 first.
            "scraper.retry_after.RetryAfterMiddleware": 560,
        },
        "BRIEFWATCH_CONFIG": config,
        "BRIEFWATCH_DATABASE_URL": config.database_url,
        "BRIEFWATCH_BUSY_TIMEOUT": config.database.busy_timeout_seconds,
        "BRIEFWATCH_STATEMENT_TIMEOUT": config.database.statement_timeout_seconds,
    }
    if mode == "backfill":
        settings["EXTENSIONS"] = {"scraper.progress.ProgressExtension": 500}
    else:
        # Outside the daemon too, a poll cannot run forever (a huge Crawl-delay, a slow site).
        # A backfill may take hours and resumes where it stopped: it has no deadline.
        settings["CLOSESPIDER_TIMEOUT"] = http.crawl_deadline_seconds
    return settings


def _no_jitter() -> dict[str, Any]:
    """Delays exactly as configured (the setting's name changed in Scrapy 2.19)."""
    from scrapy.settings import default_settings

    if hasattr(default_settings, "DOWNLOAD_DELAY_JITTER"):
        return {"DOWNLOAD_DELAY_JITTER": 0}
    return {"RANDOMIZE_DOWNLOAD_DELAY": False}


class _ScrapyLogFilter(logging.Filter):
    """Keeps Scrapy's own log lines at ``level`` or above. Its robots.txt and retry
    middlewares are dropped altogether: the spider's errback reports the same failures in one
    line each, without their tracebacks. (A filter on our handlers, because Scrapy resets its
    loggers' levels whenever a CrawlerProcess is made.)"""

    REDUNDANT = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry")

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if name.startswith(self.REDUNDANT):
            return self.level <= logging.DEBUG
        if name.startswith(("scrapy", "twisted", "protego", "py.warnings")):
            return record.levelno >= self.level
        return True


def _quiet_scrapy(level: int) -> None:
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, _ScrapyLogFilter)]:
            handler.removeFilter(old)
        handler.addFilter(_ScrapyLogFilter(level))


def run_crawl(
    config: Config,
    storage: Storage,
    mode: str = "monitor",
    sources: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    restart: bool = False,
    scrapy_log_level: int = logging.ERROR,
    lock: Any = None,
    command: str | None = None,
) -> RunOutcome:
    """Crawl every enabled source (or those named) and record the run (as ``command``:
    ``run``, ``crawl`` or ``backfill``).

    ``lock`` is the held run lock (:class:`~scraper.storage.lock.LockGuard`): when it is
    lost mid-crawl, the crawl stops and the run is recorded as failed."""
    chosen = [(n, s) for n, s in config.enabled_sources() if not sources or n in sources]
    run_id = storage.start_run(command or ("crawl" if mode == "monitor" else "backfill"))
    known = storage.stored_urls()
    _quiet_scrapy(scrapy_log_level)
    process = CrawlerProcess(scrapy_settings(config, mode))
    crawlers = []
    for name, source in chosen:
        kwargs: dict[str, Any] = {
            "mode": mode,
            "known_urls": known,
            "kinds": source.kinds,
            "since": since,
            "until": until,
            "empty_feed_alert_runs": source.empty_feed_alert_runs,
            "url_policy": SPIDERS[name].source.url_policy(source),
        }
        if mode == "monitor":
            kwargs["feeds"] = list(source.feeds)
            kwargs["validators"] = {url: storage.feed_validators(url) for url in source.feeds}
        else:
            kwargs["listing_url"] = source.listing_url
            kwargs["sitemap_url"] = source.archive_sitemap_url
            kwargs["max_pages"] = source.listing_max_pages
            cursor = storage.crawl_state(f"backfill:{source.listing_url}")
            if cursor and not cursor.get("complete") and not restart:
                kwargs["start_page"] = int(cursor["page"]) + 1
                logger.info("resuming the listing walk at page %d", kwargs["start_page"])
        crawler = process.create_crawler(SPIDERS[name])
        crawlers.append(crawler)
        process.crawl(crawler, **kwargs)
    watch = _stop_when_lost(process, lock)
    process.start()
    if watch is not None and watch.running:
        watch.stop()
    lost = [f"the run lock was lost, crawl stopped: {lock.lost}"] if lock and lock.lost else []
    outcome = _finish(storage, run_id, crawlers, lost)
    channels = list(enabled_channels(config))
    for notice in outcome.notices:
        storage.queue_notice(channels, notice_payload(notice))
    return outcome


def _stop_when_lost(process: CrawlerProcess, lock: Any):
    """Stop the crawl soon after the run lock is lost (checked once a second)."""
    if lock is None:
        return None
    from twisted.internet import task

    def check() -> None:
        if lock.lost:
            call.stop()
            process.stop()

    call = task.LoopingCall(check)
    call.start(1.0, now=False)
    return call


def _finish(
    storage: Storage, run_id: int, crawlers: list[Any], lost: Sequence[str] = ()
) -> RunOutcome:
    from scheduler.deadline import stop_outcome

    counts = dict.fromkeys(COUNTS, 0)
    errors: list[str] = list(lost)
    notices: list[str] = []
    forced: str | None = None  # a run stopped by a signal or by its deadline
    for crawler in crawlers:
        stats = crawler.stats.get_stats()
        for name, key in COUNTS.items():
            counts[name] += int(stats.get(key, 0))
        spider = crawler.spider
        errors += getattr(spider, "errors", [])
        errors += stats.get(ERRORS_KEY, [])
        notices += getattr(spider, "notices", [])
        if stats.get("finish_reason") not in (None, "finished"):
            status_, message = stop_outcome(stats.get("finish_reason"))
            forced, errors = forced or status_, [message, *errors]
    answers = (
        counts["feeds_fetched"]
        - counts["feeds_invalid"]
        + counts["feeds_not_modified"]
        + counts["details_fetched"]
    )
    stored = counts["new"] + counts["updated"] + counts["unchanged"]
    if lost:
        status = "failed"  # the run lock was lost: another run may be writing
    elif forced:
        status = forced
    elif counts["blocked"]:
        status = "blocked"
    elif counts["store_errors"] and not stored:
        status = "failed"  # nothing it tried to store was stored
    elif errors:
        status = "partial" if answers else "failed"
    else:
        status = "ok"
    storage.finish_run(
        run_id, status, counts, [{"error": e} for e in errors] + [{"notice": n} for n in notices]
    )
    outcome = RunOutcome(run_id, status, counts, errors, notices)
    logger.info("run %d %s", run_id, outcome.summary())
    return outcome
