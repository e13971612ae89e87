"""A run's health from its crawl stats: the declarative checks (scraper.run_health) as tables,
and the runner's record of a run (scraper.crawl.finish) on a real database, per source."""

from __future__ import annotations

import pytest

from scraper import crawl_stats
from scraper.crawl import COUNTS, facts_of, finish
from scraper.run_health import NOTICE_CHECKS, STATUS_CHECKS, run_status, source_notices

OK = {"stored": 3, "answers": 2, "error_lines": 0}
STATUS_CASES = {
    "healthy": ({**OK}, "ok"),
    "nothing to do": ({"stored": 0, "answers": 1, "error_lines": 0}, "ok"),
    "blocked": ({**OK, "blocked": 1, "error_lines": 1}, "blocked"),
    "some items not stored": ({**OK, "store_errors": 1, "error_lines": 1}, "partial"),
    "nothing stored of what it tried": (
        {**OK, "stored": 0, "store_errors": 2, "error_lines": 2},
        "failed",
    ),
    "errors, yet answers": ({**OK, "error_lines": 1}, "partial"),
    "errors and no answer at all": ({**OK, "answers": 0, "error_lines": 1}, "failed"),
    "the lock lost beats a block": ({**OK, "lock_lost": 1, "blocked": 1}, "failed"),
    "a signal": ({**OK, "stopped": "interrupted", "error_lines": 1}, "interrupted"),
    "the deadline": ({**OK, "stopped": "failed", "error_lines": 1}, "failed"),
    "a block beats nothing stored": (
        {**OK, "blocked": 1, "store_errors": 1, "stored": 0, "error_lines": 2},
        "blocked",
    ),
}


@pytest.mark.parametrize(("facts", "status"), STATUS_CASES.values(), ids=STATUS_CASES)
def test_run_status(facts, status):
    assert run_status(facts) == status


def test_every_check_is_named_and_gives_a_known_status():
    assert {c.status for c in STATUS_CHECKS} <= {"failed", "blocked", "partial", "interrupted"}
    assert len({c.name for c in [*STATUS_CHECKS, *NOTICE_CHECKS]}) == 9


FEED = "https://www.state.gov/rss-feed/press-releases/feed/"
NOTICE_CASES = {
    "a quiet crawl": ({}, 3, []),
    "a promised transcript with no turns": (
        {crawl_stats.EMPTY_TRANSCRIPT_PAGES: [["Department Press Briefing", "https://x/b/"]]},
        3,
        [
            "transcript parsed to zero turns (has the site's layout changed?): "
            "'Department Press Briefing' https://x/b/"
        ],
    ),
    "a feed empty twice, the limit three": ({crawl_stats.EMPTY_FEED_STREAKS: {FEED: 2}}, 3, []),
    "a feed empty three times": (
        {crawl_stats.EMPTY_FEED_STREAKS: {FEED: 3}},
        3,
        [f"feed {FEED} has yielded no items 3 polls in a row (has the site changed?)"],
    ),
    "a feed empty once, the limit one": (
        {crawl_stats.EMPTY_FEED_STREAKS: {FEED: 1}},
        1,
        [f"feed {FEED} has yielded no items 1 polls in a row (has the site changed?)"],
    ),
}


@pytest.mark.parametrize(("stats", "limit", "notices"), NOTICE_CASES.values(), ids=NOTICE_CASES)
def test_source_notices(stats, limit, notices, caplog):
    assert source_notices(stats, {"empty_feed_alert_runs": limit}) == notices
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == notices


def test_facts_derive_what_was_stored_and_answered():
    stats = {
        "briefwatch/feeds_fetched": 2,
        "briefwatch/feeds_invalid": 1,
        "briefwatch/feeds_not_modified": 3,
        "briefwatch/details_fetched": 4,
        "briefwatch/new": 1,
        "briefwatch/updated": 2,
        "briefwatch/unchanged": 5,
    }
    facts = facts_of(stats, ["e1", "e2"], stopped="interrupted", lock_lost=True)
    assert (facts["answers"], facts["stored"], facts["error_lines"]) == (8, 8, 2)
    assert (facts["stopped"], facts["lock_lost"], facts["blocked"]) == ("interrupted", 1, 0)
    assert set(COUNTS) <= set(facts)


# -- the runner's record ------------------------------------------------------------------------
def crawl(**values) -> dict:
    """A crawler's stats after a crawl: the counts by short name, and any lists."""
    stats = {"finish_reason": "finished"}
    for name, value in values.items():
        stats[COUNTS.get(name, name)] = value
    return stats


def test_a_run_is_judged_per_source_and_as_a_whole(storage):
    run_id = storage.start_run("crawl")
    outcome = finish(
        storage,
        run_id,
        {
            "state_department": crawl(
                feeds_fetched=1,
                new=2,
                **{crawl_stats.EMPTY_FEED_STREAKS: {FEED: 4}},
            ),
            "whitehouse": crawl(
                blocked=1,
                errors=1,
                **{crawl_stats.SPIDER_ERRORS: ["blocked by the site (HTTP 403) at https://w/"]},
            ),
        },
        {
            "state_department": {"empty_feed_alert_runs": 3},
            "whitehouse": {"empty_feed_alert_runs": 3},
        },
    )
    assert outcome.status == "blocked"
    assert outcome.health == {"state_department": "ok", "whitehouse": "blocked"}
    assert outcome.errors == ["blocked by the site (HTTP 403) at https://w/"]
    assert outcome.notices == [
        f"feed {FEED} has yielded no items 4 polls in a row (has the site changed?)"
    ]
    assert (outcome.counts["new"], outcome.counts["blocked"], outcome.counts["errors"]) == (2, 1, 1)
    assert outcome.sources["state_department"] == {
        "items_seen": 0,
        "new": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped_kind": 0,
        "feeds_not_modified": 0,
        "errors": 0,
    }
    assert outcome.sources["whitehouse"]["errors"] == 1
    (run,) = storage.recent_runs(1)
    assert (run.id, run.status, run.counts["new"]) == (run_id, "blocked", 2)
    assert run.counts["sources"] == outcome.sources
    assert run.errors == [{"error": outcome.errors[0]}, {"notice": outcome.notices[0]}]


def test_spider_errors_come_before_pipeline_errors_and_an_early_end_first(storage):
    run_id = storage.start_run("backfill")
    stats = crawl(
        details_fetched=3,
        new=2,
        store_errors=1,
        errors=2,
        **{
            crawl_stats.SPIDER_ERRORS: ["https://x/a: 500"],
            crawl_stats.PIPELINE_ERRORS: ["not stored: 'B' https://x/b: disk full"],
        },
    )
    stats["finish_reason"] = "closespider_timeout"
    outcome = finish(storage, run_id, {"state_department": stats}, lost=["the run lock was lost"])
    assert outcome.errors == [
        "crawl ended early: closespider_timeout",
        "the run lock was lost",
        "https://x/a: 500",
        "not stored: 'B' https://x/b: disk full",
    ]
    assert outcome.status == "failed" and outcome.lost == 1
    assert outcome.summary().startswith("failed: 2 new, 0 updated, 0 unchanged;")


def test_a_healthy_run_with_nothing_new(storage):
    run_id = storage.start_run("crawl")
    outcome = finish(storage, run_id, {"whitehouse": crawl(feeds_not_modified=1)})
    assert (outcome.status, outcome.errors, outcome.notices) == ("ok", [], [])
    assert outcome.health == {"whitehouse": "ok"}
