"""Running a crawl: Scrapy settings from the configuration, spider arguments from the database,
and the run's outcome (status and counts) from the crawl stats, never from an exit code.

One crawl per process: Scrapy's reactor cannot be restarted, so the daemon runs each crawl
in a fresh subprocess.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from scraper.alerts.plan import notice_payload
from scraper.config import Config
from scraper.crawl_stats import PIPELINE_ERRORS, SPIDER_ERRORS
from scraper.pipelines import PIPELINES
from scraper.run_health import run_status, source_notices
from scraper.sources import SourceConfig
from scraper.storage.runbook import RunBook

if TYPE_CHECKING:  # Scrapy and SQLAlchemy are imported only when a crawl needs them
    from scrapy.crawler import Crawler, CrawlerProcess

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
#: Counts also kept per source (``counts["sources"][slug]`` in the runs table), with
#: ``errors``: the error messages that source's crawl recorded.
SOURCE_COUNTS = ("items_seen", "new", "updated", "unchanged", "skipped_kind", "feeds_not_modified")


@dataclass
class RunOutcome:
    """What one crawl did; ``status`` is ok, partial (some errors), failed or blocked."""

    run_id: int
    status: str
    counts: dict[str, int]
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    #: The run's counts per source crawled: slug -> SOURCE_COUNTS and ``errors``.
    sources: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Each source's own status, by the same checks over its own stats.
    health: dict[str, str] = field(default_factory=dict)

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
        **_components_used(),
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
        "SPIDER_MIDDLEWARES": {"scraper.middlewares.UrlLengthReportMiddleware": 850},
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
    # The crawl's database handle: open from spider_opened to spider_closed.
    settings["EXTENSIONS"] = {"scraper.crawl_storage.CrawlStorage": 0}
    if mode == "backfill":
        settings["EXTENSIONS"]["scraper.progress.ProgressExtension"] = 500
    else:
        # Outside the daemon too, a poll cannot run forever (a huge Crawl-delay, a slow site).
        # A backfill may take hours and resumes where it stopped: it has no deadline.
        settings["CLOSESPIDER_TIMEOUT"] = http.crawl_deadline_seconds
    return settings


# Scrapy imports every component named in its settings (a None included) before each decides
# whether it is enabled. These are never enabled here, and importing them cost each crawl
# ~0.2 s of start-up (the remote control imports aiohttp, the cookies middleware tldextract),
# so they are left out of the defaults rather than switched off.
_UNUSED_COMPONENTS = {
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.memusage.MemoryUsage",
    "scrapy.extensions.memdebug.MemoryDebugger",
    "scrapy.extensions.feedexport.FeedExporter",
    "scrapy.extensions.logstats.LogStats",
    "scrapy.extensions.spiderstate.SpiderState",
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
}


def _components_used() -> dict[str, Any]:
    """Scrapy's default extensions and downloader middlewares, less the unused ones."""
    from scrapy.settings import default_settings

    return {
        name: {
            k: v for k, v in getattr(default_settings, name).items() if k not in _UNUSED_COMPONENTS
        }
        for name in ("EXTENSIONS_BASE", "DOWNLOADER_MIDDLEWARES_BASE")
    }


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


def spider_arguments(
    storage: Storage,
    source: SourceConfig,
    mode: str,
    known: Iterable[str],
    since: dt.date | None = None,
    until: dt.date | None = None,
    restart: bool = False,
) -> dict[str, Any]:
    """The arguments of one source's spider: what it needs from the database and the
    configuration, so that it never opens either itself."""
    kwargs: dict[str, Any] = {"known_urls": known, "since": since, "until": until}
    if mode == "monitor":
        kwargs["feeds"] = list(source.feeds)
        kwargs["validators"] = {url: storage.feed_validators(url) for url in source.feeds}
        return kwargs
    kwargs["listing_url"] = source.listing_url
    kwargs["sitemap_url"] = source.archive_sitemap_url
    kwargs["max_pages"] = source.listing_max_pages
    cursor = storage.crawl_state(f"backfill:{source.listing_url}")
    if cursor and not cursor.get("complete") and not restart:
        kwargs["start_page"] = int(cursor["page"]) + 1
        logger.info("resuming the listing walk at page %d", kwargs["start_page"])
    return kwargs


def source_settings(name: str, source: SourceConfig) -> dict[str, Any]:
    """Settings of one source's crawler, read by its pipelines and middlewares."""
    from scraper.spiders import SPIDERS

    return {
        "BRIEFWATCH_SOURCE": name,
        "BRIEFWATCH_KINDS": list(source.kinds),
        "BRIEFWATCH_URL_POLICY": SPIDERS[name].source.url_policy(source),
    }


@dataclass(frozen=True)
class SourceCrawl:
    """One source's part of a run: its spider, its crawler's own settings, the spider's
    arguments, and the limits its health checks use."""

    name: str
    spider: type
    settings: dict[str, Any]
    arguments: dict[str, Any]
    limits: dict[str, int]


class CrawlScope(TypedDict, total=False):
    """What a crawl covers, as :func:`plan_crawl` and :func:`run_crawl` take it: the sources
    named (all enabled ones when absent), a backfill's dates, and whether it starts over."""

    sources: list[str] | None
    since: dt.date | None
    until: dt.date | None
    restart: bool


def plan_crawl(
    config: Config, storage: Storage, mode: str = "monitor", **scope: Unpack[CrawlScope]
) -> list[SourceCrawl]:
    """What to crawl: every enabled source (or those named), with what it needs to know."""
    from scraper.spiders import ARCHIVE_SPIDERS, SPIDERS

    spiders = SPIDERS if mode == "monitor" else ARCHIVE_SPIDERS
    known = storage.stored_urls()
    since, until = scope.get("since"), scope.get("until")
    restart, sources = scope.get("restart", False), scope.get("sources")
    return [
        SourceCrawl(
            name,
            spiders[name],
            source_settings(name, source),
            spider_arguments(storage, source, mode, known, since, until, restart),
            {"empty_feed_alert_runs": source.empty_feed_alert_runs},
        )
        for name, source in config.enabled_sources()
        if not sources or name in sources
    ]


def run_crawl(
    config: Config,
    storage: Storage | RunBook,
    mode: str = "monitor",
    *,
    scrapy_log_level: int = logging.ERROR,
    lock: Any = None,
    command: str | None = None,
    **scope: Unpack[CrawlScope],
) -> RunOutcome:
    """Crawl every enabled source (or those named) and record the run (as ``command``:
    ``run``, ``crawl`` or ``backfill``).

    ``lock`` is the held run lock (:class:`~scraper.storage.lock.LockGuard`): when it is
    lost mid-crawl, the crawl stops and the run is recorded as failed. ``storage`` may be a
    :class:`~scraper.storage.runbook.RunBook`: enough for an idle poll, which then never
    imports SQLAlchemy; a crawl with Scrapy opens the Storage through it."""
    with _SignalsHeld() as held:  # until Scrapy takes SIGTERM over, it only stops the run
        run_id = storage.start_run(command or ("crawl" if mode == "monitor" else "backfill"))
        try:
            return _crawl(config, storage, run_id, mode, held, lock, scrapy_log_level, scope)
        except _Stopped:
            from scheduler.deadline import stop_outcome

            status, message = stop_outcome("shutdown")
            storage.finish_run(
                run_id, status or "failed", dict.fromkeys(COUNTS, 0), [{"error": message}]
            )
            logger.info("run %d %s before the crawl started", run_id, status or "failed")
            return RunOutcome(run_id, status or "failed", dict.fromkeys(COUNTS, 0), [message])


class _Stopped(Exception):
    """SIGTERM or SIGINT arrived before the crawl began."""


class _SignalsHeld:
    """SIGTERM and SIGINT between a run's record and the crawl's start mark the run stopped
    (raised as :class:`_Stopped` at :meth:`check`) instead of killing the process and leaving
    the run ``running``. Scrapy installs its own handlers when the crawl starts."""

    signum: int | None = None

    def __enter__(self) -> _SignalsHeld:
        import signal
        import threading

        self._old = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._old[sig] = signal.signal(sig, self._hold)
        return self

    def _hold(self, signum, _frame) -> None:
        self.signum = signum

    def check(self) -> None:
        if self.signum is not None:
            raise _Stopped

    def __exit__(self, *exc) -> None:
        import signal

        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def _crawl(
    config: Config,
    storage: Storage | RunBook,
    run_id: int,
    mode: str,
    held: _SignalsHeld,
    lock: Any,
    scrapy_log_level: int,
    scope: CrawlScope,
) -> RunOutcome:
    if mode == "monitor":
        idle = _idle_poll(config, storage, run_id, scope.get("sources"), held, lock)
        if idle is not None:
            return idle
    from scrapy.crawler import CrawlerProcess

    if isinstance(storage, RunBook):  # enough so far; Scrapy's crawl needs the Storage
        storage = storage.open_storage()
    plan = plan_crawl(config, storage, mode, **scope)
    _quiet_scrapy(scrapy_log_level)
    process = CrawlerProcess(scrapy_settings(config, mode))
    crawlers: dict[str, Crawler] = {}
    for part in plan:
        crawler = process.create_crawler(part.spider)
        crawler.settings.setdict(part.settings, priority="spider")
        crawlers[part.name] = crawler
        process.crawl(crawler, **part.arguments)
    watch = _stop_when_lost(process, lock)
    held.check()
    held.__exit__()  # Scrapy's own handlers from here (a graceful stop, then a hard one)
    process.start()
    if watch is not None and watch.running:
        watch.stop()
    stats = {name: crawler.stats.get_stats() for name, crawler in crawlers.items()}
    return record_run(storage, config, run_id, plan, stats, lock)


def _idle_poll(
    config: Config,
    storage: Storage | RunBook,
    run_id: int,
    sources: list[str] | None,
    held: _SignalsHeld,
    lock: Any,
) -> RunOutcome | None:
    """The run, recorded as the crawl would record it, when every feed answered 304 to the
    fast path (:mod:`scraper.idle_poll`); None when Scrapy must crawl (nothing recorded)."""
    from scraper.idle_poll import idle_poll, idle_sources

    chosen = [(n, s) for n, s in config.enabled_sources() if not sources or n in sources]
    stats = idle_poll(
        idle_sources(chosen, storage.feed_validators),
        config.http,
        config.http.crawl_deadline_seconds,
    )
    if stats is None:
        return None
    held.check()
    try:
        for _name, source in chosen:
            for url in source.feeds:  # as the feed-state pipeline records a 304
                storage.record_feed_poll(url, 304, None, None, None)
    except Exception as exc:  # noqa: BLE001 - the crawl records what goes wrong
        logger.info("idle poll not recorded (%s): crawling with Scrapy", exc)
        return None
    logger.info("every feed answered 304: the run needed no crawl")
    limits = {name: {"empty_feed_alert_runs": s.empty_feed_alert_runs} for name, s in chosen}
    lost = [f"the run lock was lost, crawl stopped: {lock.lost}"] if lock and lock.lost else []
    outcome = finish(storage, run_id, stats, limits, lost)
    queue_notices(storage, config, outcome.notices)
    return outcome


def record_run(
    storage: Storage,
    config: Config,
    run_id: int,
    plan: list[SourceCrawl],
    stats: Mapping[str, Mapping[str, Any]],
    lock: Any = None,
) -> RunOutcome:
    """Judge and record a finished crawl from each source's stats, and queue its notices."""
    lost = [f"the run lock was lost, crawl stopped: {lock.lost}"] if lock and lock.lost else []
    outcome = finish(storage, run_id, stats, {p.name: p.limits for p in plan}, lost)
    queue_notices(storage, config, outcome.notices)
    return outcome


def queue_notices(storage: Storage | RunBook, config: Config, notices: list[str]) -> None:
    """Send the run's notices to the operator through every enabled alert channel."""
    channels = config.alerts.enabled_names()
    for notice in notices:
        storage.queue_notice(channels, notice_payload(notice))


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


def facts_of(
    stats: Mapping[str, Any], errors: list[str], stopped: str | None = None, lock_lost: bool = False
) -> dict[str, Any]:
    """What the health checks read: the counts, and what the runner derives from them."""
    counts = {name: int(stats.get(key, 0)) for name, key in COUNTS.items()}
    return {
        **counts,
        "stored": counts["new"] + counts["updated"] + counts["unchanged"],
        "answers": (
            counts["feeds_fetched"]
            - counts["feeds_invalid"]
            + counts["feeds_not_modified"]
            + counts["details_fetched"]
        ),
        "error_lines": len(errors),
        "stopped": stopped,
        "lock_lost": int(lock_lost),
    }


def finish(
    storage: Storage | RunBook,
    run_id: int,
    source_stats: Mapping[str, Mapping[str, Any]],
    limits: Mapping[str, Mapping[str, int]] | None = None,
    lost: Sequence[str] = (),
) -> RunOutcome:
    """Judge the crawl's stats (each source's, and all summed) and record the run."""
    from scheduler.deadline import stop_outcome

    counts = dict.fromkeys(COUNTS, 0)
    errors: list[str] = list(lost)
    notices: list[str] = []
    health: dict[str, str] = {}
    by_source: dict[str, dict[str, int]] = {}
    forced: str | None = None  # a run stopped by a signal or by its deadline
    for name, stats in source_stats.items():
        for count, key in COUNTS.items():
            counts[count] += int(stats.get(key, 0))
        own = [*stats.get(SPIDER_ERRORS, []), *stats.get(PIPELINE_ERRORS, [])]
        stopped = None
        reason = stats.get("finish_reason")
        if reason is not None and reason != "finished":
            stopped, message = stop_outcome(reason)
            forced, errors, own = forced or stopped, [message, *errors, *own], [message, *own]
        else:
            errors += own
        by_source[name] = {
            **{count: int(stats.get(COUNTS[count], 0)) for count in SOURCE_COUNTS},
            "errors": len(own),
        }
        health[name] = run_status(facts_of(stats, own, stopped, bool(lost)))
        default = {"empty_feed_alert_runs": SourceConfig.empty_feed_alert_runs}
        notices += source_notices(stats, (limits or {}).get(name, default))
    status = run_status(facts_of(counts_as_stats(counts), errors, forced, bool(lost)))
    storage.finish_run(
        run_id,
        status,
        {**counts, "sources": by_source},
        [{"error": e} for e in errors] + [{"notice": n} for n in notices],
    )
    outcome = RunOutcome(run_id, status, counts, errors, notices, by_source, health)
    logger.info("run %d %s", run_id, outcome.summary())
    return outcome


def counts_as_stats(counts: Mapping[str, int]) -> dict[str, int]:
    """Summed counts under their stats keys again (the form :func:`facts_of` reads)."""
    return {COUNTS[name]: value for name, value in counts.items()}
