"""The run lock and the schema under concurrency: backfill takes the lock, a run whose lock
is lost stops, several processes may open a new database at once. Real processes, real
databases (PostgreSQL where the behaviour is PostgreSQL's)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from helpers.crawling import briefwatch, rows, wait_for, write_config
from helpers.state_department import FEED_PATH, VERSIONS, feed

from scraper.storage import open_storage
from scraper.storage.lock import _key

pytestmark = pytest.mark.slow


def test_processes_opening_a_new_database_at_once_all_succeed(database_url):
    code = (
        "import sys; from scraper.storage import open_storage; "
        "print(open_storage(sys.argv[1]).counts()['briefings'])"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, database_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert [(rc, out.strip()) for rc, out, _ in results] == [(0, "0")] * 6, [
        err[-500:] for _, _, err in results
    ]


def test_backfill_waits_its_turn_and_leaves_a_live_run_alone(tmp_path, database_url):
    config = write_config(  # nothing listens there: the backfill must not get that far
        tmp_path / "c.toml",
        database_url,
        feeds=[],
        listing_url="http://127.0.0.1:9/department-press-briefings/",
        archive_sitemap_url="",
    )
    storage = open_storage(database_url)
    try:
        with storage.run_lock():
            live = storage.start_run("crawl")
            result = briefwatch(config, "backfill")
            assert result.returncode == 75, result.stderr[-1000:]
            assert "another run is in progress" in result.stderr
            assert rows(database_url, "SELECT id, status FROM runs") == [(live, "running")]
    finally:
        storage.close()


# On SQLite the lock is a file lock, held until the process ends.
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_run_that_loses_its_lock_stops(tmp_path, database_url, mirror):
    slow = feed(VERSIONS[7])
    slow.faults = [("sleep", 60)]  # the run is mid-crawl for a minute
    mirror.routes[FEED_PATH] = slow
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--config", str(config), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # pg_locks is server-wide: only this test's database (parallel tests hold run locks too).
    holder = (
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = "
        + str(_key("run"))
        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    pid = wait_for(lambda: (rows(database_url, holder) or [[None]])[0][0], timeout=60, step=0.1)
    wait_for(lambda: any(r.path == FEED_PATH for r in mirror.requests), timeout=60, step=0.1)
    rows(database_url, f"SELECT pg_terminate_backend({int(pid)})")
    cut = time.monotonic()
    _, stderr = proc.communicate(timeout=60)
    assert time.monotonic() - cut < 20
    assert proc.returncode == 1, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "the run lock was lost" in stderr
    ((status, errors),) = rows(database_url, "SELECT status, errors::text FROM runs")
    assert status == "failed" and "run lock was lost" in errors
    assert rows(database_url, "SELECT count(*) FROM alert_outbox WHERE status = 'sent'") == [(0,)]
