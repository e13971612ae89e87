"""Faults from the site: each run completes, records what failed, stores nothing partial, and
the next run picks up what was missed. Real crawls against the local mirror."""

from __future__ import annotations

import json

import pytest
from helpers.crawling import briefwatch, rows, write_config
from helpers.faults import FAULTS, POSTGRES_SAMPLE, TRANSCRIPTS_IN_VERSION_7
from helpers.mirror import Mirror, Resource
from helpers.state_department import FEED_PATH, REPLAY, VERSIONS, VICTIM, damaged, feed

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("faults", "http", "code", "status", "stored"),
    [f[1:] for f in FAULTS],
    ids=[f[0] for f in FAULTS],
)
def test_fault_then_recovery(tmp_path, faults, http, code, status, stored):
    fault_then_recovery(
        tmp_path, f"sqlite:///{tmp_path / 'f.db'}", faults, http, code, status, stored
    )


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
@pytest.mark.parametrize(
    ("faults", "http", "code", "status", "stored"),
    [f[1:] for f in FAULTS if f[0] in POSTGRES_SAMPLE],
    ids=[f[0] for f in FAULTS if f[0] in POSTGRES_SAMPLE],
)
def test_fault_then_recovery_on_postgresql(
    tmp_path, database_url, faults, http, code, status, stored
):
    fault_then_recovery(tmp_path, database_url, faults, http, code, status, stored)


def fault_then_recovery(tmp_path, database_url, faults, http, code, status, stored):
    with Mirror() as site:
        resource = feed(VERSIONS[7])
        resource.faults = list(faults)
        site.routes[FEED_PATH] = resource
        config = write_config(
            tmp_path / "c.toml", database_url, http=http, feeds=[site.url(FEED_PATH)]
        )
        first = briefwatch(config, "run", timeout=180)
        assert first.returncode == code, first.stderr[-2000:]
        assert "Traceback" not in first.stderr
        (run,) = rows(database_url, "SELECT status, errors FROM runs")
        assert run[0] == status
        if status != "ok":
            assert json.loads(run[1]) if isinstance(run[1], str) else run[1]
        assert rows(database_url, "SELECT count(*) FROM briefings") == [(stored,)]
        # Nothing partial: every stored briefing has its turns.
        assert rows(
            database_url,
            "SELECT count(*) FROM briefings b WHERE NOT EXISTS "
            "(SELECT 1 FROM turns t WHERE t.briefing_id = b.id)",
        ) == [(0,)]
        site.routes[FEED_PATH].faults = []
        second = briefwatch(config, "run", timeout=180)
        assert second.returncode == 0, second.stderr[-2000:]
    assert rows(database_url, "SELECT count(*) FROM briefings") == [(TRANSCRIPTS_IN_VERSION_7,)]
    assert site.faults_served >= 1


def test_invalid_xml_feed_then_recovery(tmp_path, database_url, mirror):
    good = (REPLAY / VERSIONS[7]["file"]).read_bytes()
    # BUILT: the real feed cut in half, as a proxy or a crashed server may serve it.
    mirror.routes[FEED_PATH] = Resource(good[: len(good) // 2], content_type="application/rss+xml")
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    first = briefwatch(config, "run")
    assert first.returncode == 1 and "not well-formed XML" in first.stderr
    assert rows(database_url, "SELECT status FROM runs") == [("failed",)]
    assert rows(database_url, "SELECT count(*) FROM briefings") == [(0,)]
    # Its validators were not kept: the next poll fetches the feed again, whole this time.
    assert rows(database_url, "SELECT etag FROM feed_state") == [(None,)]
    mirror.routes[FEED_PATH] = feed(VERSIONS[7])
    assert briefwatch(config, "run").returncode == 0
    assert rows(database_url, "SELECT count(*) FROM briefings") == [(1,)]


def test_items_that_vanish_and_reappear_are_stored_once(tmp_path, database_url, mirror):
    xml = (REPLAY / VERSIONS[7]["file"]).read_text(encoding="utf-8")
    # BUILT: the same feed without its items, as when a CDN serves an empty page for a while.
    empty = xml[: xml.index("<item>")] + xml[xml.rindex("</item>") + len("</item>") :]
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    for body in (xml, empty, xml):
        mirror.routes[FEED_PATH] = Resource(body.encode(), content_type="application/rss+xml")
        assert briefwatch(config, "run").returncode == 0
    assert rows(database_url, "SELECT count(*) FROM briefings") == [(1,)]
    assert rows(database_url, "SELECT count(*) FROM revisions") == [(1,)]


class _HeldLock:
    """Another session holding what storing a new briefing needs: SQLite's write lock, or on
    PostgreSQL a row lock on the source (inserting a briefing checks its foreign key)."""

    def __init__(self, database_url: str) -> None:
        import sqlalchemy

        self.engine = sqlalchemy.create_engine(database_url)
        self.conn = self.engine.connect()
        if self.engine.dialect.name == "sqlite":
            self.conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            self.conn.exec_driver_sql("SELECT * FROM sources FOR UPDATE")

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()
        self.engine.dispose()


def test_an_item_that_cannot_be_stored_fails_the_run_and_is_fetched_again(tmp_path, database_url):
    import subprocess
    import sys

    from helpers.crawling import count, wait_for

    from scraper.storage import open_storage

    store = open_storage(database_url)  # the schema, and the source row to lock
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sources (slug, name) VALUES ('state_department', 'State Department')"
        )
    store.close()
    with Mirror() as site:
        resource = feed(VERSIONS[7])
        resource.faults = [("sleep", 2)]  # answered late: the lock is taken meanwhile
        site.routes[FEED_PATH] = resource
        config = write_config(tmp_path / "c.toml", database_url, feeds=[site.url(FEED_PATH)])
        config.write_text(
            config.read_text().replace("[http]", "busy_timeout_seconds = 1.0\n[http]")
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "scraper", "--config", str(config), "run"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(lambda: count(database_url, "SELECT count(*) FROM runs"), timeout=60, step=0.05)
        lock = _HeldLock(database_url)
        try:
            stderr = []
            for line in proc.stderr:  # held until the store has given up waiting
                stderr.append(line)
                if "not stored" in line:
                    break
        finally:
            lock.release()
        out, rest = proc.communicate(timeout=120)
        stderr = "".join(stderr) + rest
        assert proc.returncode == 1, stderr[-2000:]
        assert "Traceback" not in stderr
        assert "1 items not stored" in stderr
        ((status, errors),) = rows(database_url, "SELECT status, errors FROM runs")
        errors = json.loads(errors) if isinstance(errors, str) else errors
        assert status == "failed"
        named = [e["error"] for e in errors if "not stored" in e.get("error", "")]
        assert len(named) == 1 and "department-press-briefing-july-6-2021" in named[0], errors
        assert rows(database_url, "SELECT count(*) FROM briefings") == [(0,)]
        assert rows(database_url, "SELECT etag FROM feed_state") == [(None,)]
        # The next poll fetches the feed again (no 304) and stores the transcript.
        before = len(site.requests)
        second = briefwatch(config, "run")
        assert second.returncode == 0, second.stderr[-2000:]
        polls = [r.status for r in site.requests[before:] if r.path == FEED_PATH]
        assert polls == [200]
    assert rows(database_url, "SELECT count(*) FROM briefings") == [(TRANSCRIPTS_IN_VERSION_7,)]


@pytest.mark.parametrize("how", ["control character", "invalid byte", "text over 10 MB"])
def test_one_bad_item_costs_only_itself(tmp_path, database_url, how, mirror):
    mirror.routes[FEED_PATH] = Resource(damaged(how), content_type="application/rss+xml")
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    result = briefwatch(config, "run")
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    # The transcript the feed carried is stored; the bad item is named once.
    assert rows(database_url, "SELECT count(*) FROM briefings") == [(TRANSCRIPTS_IN_VERSION_7,)]
    ((status, errors),) = rows(database_url, "SELECT status, errors FROM runs")
    errors = json.loads(errors) if isinstance(errors, str) else errors
    assert status == "partial"
    assert [e["error"] for e in errors if VICTIM.decode() in e.get("error", "")] == [
        e["error"] for e in errors
    ]
    assert len(errors) == 1 and "not well-formed XML" in errors[0]["error"]


@pytest.fixture
def tiny_filesystem(tmp_path):
    """A 3 MB tmpfs (needs root, as on the CI machine): a disk that really fills up."""
    import subprocess

    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_fails_the_run_and_the_item_is_fetched_again(tmp_path, tiny_filesystem):
    import os

    database_url = f"sqlite:///{tiny_filesystem / 'full.db'}"
    from scraper.storage import open_storage

    open_storage(database_url).close()
    filler = tiny_filesystem / "filler"
    with filler.open("wb") as out:  # leave about 64 KB: enough to record a run, not a transcript
        free = os.statvfs(tiny_filesystem).f_bavail * os.statvfs(tiny_filesystem).f_frsize
        out.write(b"\0" * max(0, free - 64 * 1024))
    with Mirror() as site:
        site.routes[FEED_PATH] = feed(VERSIONS[7])
        config = write_config(tmp_path / "c.toml", database_url, feeds=[site.url(FEED_PATH)])
        first = briefwatch(config, "crawl")
        assert first.returncode == 1, first.stderr[-2000:]
        assert "Traceback" not in first.stderr
        assert "1 items not stored" in first.stderr and "full" in first.stderr
        assert rows(database_url, "SELECT count(*) FROM briefings") == [(0,)]
        assert rows(database_url, "SELECT etag FROM feed_state") in ([], [(None,)])
        filler.unlink()  # space again: the next poll refetches and stores it
        second = briefwatch(config, "crawl")
        assert second.returncode == 0, second.stderr[-2000:]
    assert rows(database_url, "SELECT count(*) FROM briefings") == [(TRANSCRIPTS_IN_VERSION_7,)]
