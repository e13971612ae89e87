"""The RunBook (what an idle poll writes without SQLAlchemy) writes the rows Storage writes, in
the forms Storage stores and reads back, answers "is an alert due?" as Storage does, and takes
the same run lock."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest

from scraper.errors import LockBusy
from scraper.model import AlertStatus
from scraper.storage import open_storage
from scraper.storage.runbook import RunBook, open_runbook

#: Columns holding a moment: compared by their stored form, not their value.
MOMENTS = {"started_at", "finished_at", "checked_at", "created_at", "next_attempt_at"}
STORED_MOMENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
NOTICE = {"watch": "briefwatch", "text": "the feed listed no items in 3 runs"}
FEED, EMPTY_FEED = "http://127.0.0.1:1/feed/", "http://127.0.0.1:1/empty/"
LAST_MODIFIED = "Tue, 06 Jul 2021 10:00:00 GMT"


def same_writes(records) -> None:
    """What runs write about themselves, through ``records`` (a Storage or a RunBook)."""
    first = records.start_run("crawl")
    records.record_feed_poll(FEED, 200, '"v1"', LAST_MODIFIED, 12)
    records.record_feed_poll(FEED, 304, None, None, None)
    records.record_feed_poll(EMPTY_FEED, 200, None, None, 0)
    assert records.record_feed_poll(EMPTY_FEED, 200, None, None, 0) == 2
    assert records.record_feed_poll(FEED, 503, '"ignored"', None, None) == 0
    records.queue_notice(["log", "jsonl"], NOTICE)
    assert records.queue_notice(["log", "jsonl"], NOTICE) == 0  # once a day per channel
    assert records.queue_notice(["email"], {**NOTICE, "text": "another"}) == 1
    records.finish_run(first, "ok", {"new": 0, "sources": {"state_department": {"new": 0}}}, [])
    second = records.start_run("run")
    third = records.start_run("run")  # the second is then interrupted
    records.finish_run(third, "partial", {"new": 1}, [{"error": "timeout"}, {"notice": "n"}])
    records.start_run("backfill")  # left running
    assert second < third
    with pytest.raises(KeyError):
        records.finish_run(999, "ok", {}, [])


def rows(path: Path, table: str) -> list[dict]:
    """Every row of ``table`` as stored: moments as their form, every value with its type."""
    conn = sqlite3.connect(path)
    cursor = conn.execute(f"SELECT * FROM {table} ORDER BY 1")
    names = [column[0] for column in cursor.description]
    out = [
        {
            name: (
                ("moment" if STORED_MOMENT.fullmatch(value) else value)
                if name in MOMENTS and value is not None
                else (type(value).__name__, value)
            )
            for name, value in zip(names, row, strict=True)
        }
        for row in cursor
    ]
    conn.close()
    return out


@pytest.fixture
def two_archives(tmp_path, migrated_databases):
    """Two empty migrated SQLite archives: one written through Storage, one through a RunBook."""
    urls = []
    for name in ("storage", "runbook"):
        (tmp_path / name).mkdir()
        urls.append(migrated_databases.sqlite_url(tmp_path / name))
    return urls


def test_a_runbook_writes_the_rows_storage_writes(two_archives):
    storage = open_storage(two_archives[0])
    same_writes(storage)
    storage.close()
    book = open_runbook(two_archives[1], 5.0, lambda: pytest.fail("no Storage needed"))
    assert book is not None
    same_writes(book)
    book.close()
    paths = [Path(url.removeprefix("sqlite:///")) for url in two_archives]
    for table in ("runs", "feed_state", "alert_outbox"):
        assert rows(paths[1], table) == rows(paths[0], table), table
    assert len(rows(paths[1], "alert_outbox")) == 3


def test_storage_reads_back_what_a_runbook_wrote(two_archives):
    book = open_runbook(two_archives[1], 5.0, lambda: pytest.fail("no Storage needed"))
    same_writes(book)
    book.close()
    mine, theirs = open_storage(two_archives[1]), open_storage(two_archives[0])
    same_writes(theirs)
    for store in (mine, theirs):  # the moments differ; everything else is equal
        assert [bool(r.finished_at) for r in store.recent_runs()] == [False, True, True, True]
    assert [(r.id, r.command, r.status, r.counts, r.errors) for r in mine.recent_runs()] == [
        (r.id, r.command, r.status, r.counts, r.errors) for r in theirs.recent_runs()
    ]
    assert mine.feed_validators(FEED) == theirs.feed_validators(FEED) == ('"v1"', LAST_MODIFIED)
    strip = [dict(vars(a), created_at=None, next_attempt_at=None) for a in mine.list_alerts()]
    assert strip == [
        dict(vars(a), created_at=None, next_attempt_at=None) for a in theirs.list_alerts()
    ]
    mine.close()
    theirs.close()


@pytest.fixture
def opened(migrated_databases, tmp_path):
    """(url, Storage, RunBook) of one empty migrated SQLite archive."""
    url = migrated_databases.sqlite_url(tmp_path)
    storage = open_storage(url)
    book = open_runbook(url, 5.0, lambda: storage)
    assert book is not None
    yield url, storage, book
    book.close()
    storage.close()


def test_alerts_due_is_what_a_delivery_would_claim(opened):
    url, storage, book = opened
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    storage.queue_notice(["log", "jsonl", "email"], NOTICE)
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))

    def set_all(status: str, next_attempt: dt.datetime) -> None:
        with conn:
            conn.execute(
                "UPDATE alert_outbox SET status = ?, next_attempt_at = ?",
                (status, next_attempt.strftime("%Y-%m-%d %H:%M:%S.%f")),
            )

    cases = [
        (AlertStatus.PENDING, now - dt.timedelta(seconds=5)),  # due
        (AlertStatus.PENDING, now + dt.timedelta(hours=1)),  # backing off
        (AlertStatus.PENDING, now + dt.timedelta(days=30)),  # past the longest backoff
        (AlertStatus.SENDING, now + dt.timedelta(hours=1)),  # a dead sender's claim
        (AlertStatus.SENT, now - dt.timedelta(hours=1)),
        (AlertStatus.SENT, now + dt.timedelta(days=30)),
        (AlertStatus.FAILED, now - dt.timedelta(hours=1)),
        (AlertStatus.FAILED, now + dt.timedelta(days=30)),
    ]
    answers = []
    for status, next_attempt in cases:
        set_all(status, next_attempt)
        for channels in (["log"], ["jsonl", "email"], ["webhook"], []):
            for max_delay in (None, 86400.0):
                expected = storage.alerts_due(channels, max_delay)
                assert book.alerts_due(channels, max_delay) == expected, (status, channels)
                answers.append(expected)
                if channels == ["log"] and max_delay is not None:  # what a delivery claims
                    assert expected == bool(storage.due_alerts(channels, max_delay))
    assert True in answers and False in answers
    conn.close()


def test_the_runbook_and_storage_hold_one_run_lock(opened):
    _url, storage, book = opened
    with book.run_lock():
        with pytest.raises(LockBusy):
            storage.run_lock().__enter__()
        with storage.run_lock("alerts"):  # another lock's name is another lock
            pass
    with storage.run_lock(), pytest.raises(LockBusy):
        book.run_lock().__enter__()


def test_only_an_existing_sqlite_archive_at_this_schema_gets_a_runbook(tmp_path: Path):
    def never():
        raise AssertionError("not opened")

    missing = tmp_path / "missing.db"
    assert open_runbook(f"sqlite:///{missing}", 1.0, never) is None
    assert not missing.exists()  # nothing created: Storage creates and migrates
    (tmp_path / "text.db").write_text("not a database")
    assert open_runbook(f"sqlite:///{tmp_path / 'text.db'}", 1.0, never) is None
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        conn.execute("INSERT INTO alembic_version VALUES ('0001_initial')")
    conn.close()
    assert open_runbook(f"sqlite:///{old}", 1.0, never) is None
    assert open_runbook("sqlite:///:memory:", 1.0, never) is None
    assert open_runbook("postgresql+psycopg://postgres@127.0.0.1/x", 1.0, never) is None


def test_a_runbook_hands_over_to_the_storage_it_was_given(opened):
    _url, storage, book = opened
    assert isinstance(book, RunBook) and book.open_storage() is storage
