"""Faults a site can serve, with what a run must make of each: the table swept by
tests/test_faults.py and by the reliability report in benchmarks/."""

from __future__ import annotations

from helpers.state_department import FEED_PATH

TRANSCRIPTS_IN_VERSION_7 = 1  # only the July 6 briefing; the rest are press releases
MB = 1024 * 1024

FAULTS = [
    # (id, faults served first, http settings, first run: exit, status, stored)
    ("500 burst, then answers", [500, 500], {"retry_times": 3}, 0, "ok", 1),
    ("503 beyond the retries", [503] * 4, {"retry_times": 2}, 1, "failed", 0),
    ("429 with Retry-After", [("status", 429, {"Retry-After": "1"})], {}, 0, "ok", 1),
    ("429 for too long", [("status", 429, {"Retry-After": "3600"})] * 3, {}, 1, "blocked", 0),
    ("403", [403, 403], {}, 1, "blocked", 0),
    ("connection resets", ["reset", "reset"], {}, 1, "failed", 0),
    ("read timeouts", [("sleep", 3), ("sleep", 3)], {"timeout_seconds": 1.0}, 1, "failed", 0),
    ("truncated bodies", ["truncate", "truncate"], {}, 1, "failed", 0),
    ("50 MB body", [("big", 50 * MB)] * 2, {"max_response_bytes": 20 * MB}, 1, "failed", 0),
    ("compression bomb", [("bomb", 200 * MB)] * 2, {"max_response_bytes": 20 * MB}, 1, "failed", 0),
    ("redirect loop", [("redirect", FEED_PATH)] * 12, {}, 1, "failed", 0),
]


#: The faults also swept on PostgreSQL (each costs a few seconds; SQLite runs them all).
POSTGRES_SAMPLE = ("503 beyond the retries", "connection resets", "truncated bodies", "403")
