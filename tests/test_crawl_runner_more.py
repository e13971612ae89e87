"""More of the runner in-process (scraper.crawl): ``run_crawl`` when every feed answers
304 (the idle fast path records the run without starting Scrapy), and the signal guard that
holds SIGTERM/SIGINT between a run's record and the crawl's start.

The feed is the State Department's real feed replay, served by the local mirror."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from helpers.mirror import Mirror
from helpers.state_department import FEED_PATH, VERSIONS, feed

from scraper.config import config_from_dict
from scraper.crawl import _SignalsHeld, _Stopped, run_crawl
from scraper.sources import SOURCES
from scraper.storage import open_storage


@pytest.fixture
def site():
    with Mirror() as mirror:
        mirror.routes[FEED_PATH] = feed(VERSIONS[7])
        yield mirror


@pytest.fixture
def store(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'cov.db'}")
    yield storage
    storage.close()


def config_for(site):
    sources = {name: {"enabled": False} for name in SOURCES if name != "state_department"}
    sources["state_department"] = {"feeds": [site.url(FEED_PATH)]}
    http = {"download_delay_seconds": 0.0, "autothrottle": False, "timeout_seconds": 10.0}
    return config_from_dict({"http": http, "sources": sources})


def test_an_idle_monitor_run_is_recorded_without_scrapy(site, store):
    url = site.url(FEED_PATH)
    store.record_feed_poll(url, 200, None, None, 3)
    store.set_feed_validators(url, site.routes[FEED_PATH].etag, None)
    outcome = run_crawl(config_for(site), store, "monitor", command="run")
    assert [(r.path, r.status) for r in site.requests] == [("/robots.txt", 200), (FEED_PATH, 304)]
    assert (outcome.status, outcome.errors) == ("ok", [])
    assert outcome.counts["feeds_not_modified"] == 1 and outcome.counts["new"] == 0
    assert outcome.sources["state_department"]["feeds_not_modified"] == 1
    run = store.recent_runs(1)[0]
    assert (run.id, run.command, run.status, run.errors) == (outcome.run_id, "run", "ok", [])
    assert run.counts["feeds_not_modified"] == 1 and run.counts["requests"] == 2
    assert store.feed_validators(url) == (site.routes[FEED_PATH].etag, None)


def test_a_lost_lock_during_an_idle_run_fails_it(site, store):
    class Lost:  # as LockGuard reports a lock taken over by another process
        lost = "taken over by pid 99"

    url = site.url(FEED_PATH)
    store.record_feed_poll(url, 200, None, None, 3)
    store.set_feed_validators(url, site.routes[FEED_PATH].etag, None)
    outcome = run_crawl(config_for(site), store, "monitor", lock=Lost())
    message = "the run lock was lost, crawl stopped: taken over by pid 99"
    assert outcome.status == "failed" and message in outcome.errors
    run = store.recent_runs(1)[0]
    assert (run.command, run.status) == ("crawl", "failed")
    assert {"error": message} in run.errors


def test_signals_are_held_then_restored():
    if threading.current_thread() is not threading.main_thread():
        pytest.fail("signal handlers can only be set from the main thread")
    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with _SignalsHeld() as held:
        assert signal.getsignal(signal.SIGTERM) == held._hold
        assert signal.getsignal(signal.SIGINT) == held._hold
        held.check()  # nothing arrived yet
        os.kill(os.getpid(), signal.SIGTERM)  # held, not fatal
        assert held.signum == signal.SIGTERM
        with pytest.raises(_Stopped):
            held.check()
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before


def test_outside_the_main_thread_nothing_is_held():
    seen = {}

    def enter():
        with _SignalsHeld() as held:
            seen["old"] = dict(held._old)
            held.check()

    thread = threading.Thread(target=enter)
    thread.start()
    thread.join()
    assert seen == {"old": {}}


class _SignalOnFeed(list):
    """The mirror's request log, sending this process SIGTERM as the feed is answered."""

    def append(self, seen) -> None:
        super().append(seen)
        if seen.path == FEED_PATH:
            os.kill(os.getpid(), signal.SIGTERM)


def test_sigterm_before_the_crawl_starts_records_the_run_interrupted(site, store):
    if threading.current_thread() is not threading.main_thread():
        pytest.fail("signal handlers can only be set from the main thread")
    before = signal.getsignal(signal.SIGTERM)
    url = site.url(FEED_PATH)
    store.record_feed_poll(url, 200, None, None, 3)
    store.set_feed_validators(url, site.routes[FEED_PATH].etag, None)
    site.requests = _SignalOnFeed()
    outcome = run_crawl(config_for(site), store, "monitor", command="run")
    message = "stopped by a signal (SIGTERM or SIGINT) before it finished"
    assert (outcome.status, outcome.errors) == ("interrupted", [message])
    assert set(outcome.counts.values()) == {0}
    run = store.recent_runs(1)[0]
    assert (run.id, run.status, run.errors) == (outcome.run_id, "interrupted", [{"error": message}])
    # SIGTERM is handled as before the run again.
    assert signal.getsignal(signal.SIGTERM) == before
