"""What a run records about itself, on an up-to-date SQLite archive, without SQLAlchemy.

An idle poll (every feed answered 304, :mod:`scraper.idle_poll`) writes only a few rows: the
run, each feed's poll, perhaps an operator notice; and ``briefwatch run`` then only asks
whether an alert is due. Importing SQLAlchemy and the ORM for that would be most of the poll's
CPU. A :class:`RunBook` makes those writes through the ``sqlite3`` module, as the
:class:`~scraper.storage.Storage` methods of the same names make them (same rows, same stored
forms: ``tests/test_runbook.py`` compares them), and takes the same run lock. Anything more
(a crawl with Scrapy, a delivery) asks :meth:`RunBook.open_storage` for the Storage.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from scraper.model import AlertStatus, NoticePayload, RunStatus
from scraper.storage.lock import LockGuard, file_lock
from scraper.storage.reader import connect_current
from scraper.storage.records import notice_key

if TYPE_CHECKING:
    from scraper.storage.database import Storage


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)  # naive UTC, as Storage stores it


def _stored(moment: dt.datetime) -> str:
    """A timestamp as SQLAlchemy's ``DateTime`` stores it on SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _json(value: Any) -> str:
    """A value as SQLAlchemy's ``JSON`` type stores it (its default serializer)."""
    return json.dumps(value)


class RunBook:
    """The run lock, the runs table, feed polls, operator notices and "is an alert due?" of a
    SQLite archive at this version's schema (the :class:`~scraper.storage.Storage` methods
    of the same names). ``open_storage`` opens the Storage when more is needed."""

    def __init__(
        self, conn: sqlite3.Connection, database: str, open_storage: Callable[[], Storage]
    ) -> None:
        self.conn = conn
        #: The SQLite file, as the database URL gives it (the lock file sits beside it).
        self.database = database
        self.open_storage = open_storage

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")  # the write lock up front, as Storage's writers
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def run_lock(self, name: str = "run") -> AbstractContextManager[LockGuard]:
        """Context manager: hold the run lock, or raise ``LockBusy`` at once."""
        return file_lock(self.database, name)

    def start_run(self, command: str) -> int:
        """Record a run as started; runs still marked running are marked interrupted (call
        holding the run lock: their processes are gone)."""
        now = _stored(_now())
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET status = ?, finished_at = ? WHERE status = ?",
                (RunStatus.INTERRUPTED, now, RunStatus.RUNNING),
            )
            cursor = conn.execute(
                "INSERT INTO runs (command, started_at, finished_at, status, counts, errors) "
                "VALUES (?, ?, NULL, ?, ?, ?)",
                (command, now, RunStatus.RUNNING, _json({}), _json([])),
            )
            return int(cursor.lastrowid or 0)

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, Any], errors: list[Any]
    ) -> None:
        with self._write() as conn:
            done = conn.execute(
                "UPDATE runs SET status = ?, counts = ?, errors = ?, finished_at = ? WHERE id = ?",
                (status, _json(dict(counts)), _json(list(errors)), _stored(_now()), run_id),
            )
            if not done.rowcount:
                raise KeyError(f"no run {run_id}")

    def feed_validators(self, url: str) -> tuple[str | None, str | None]:
        """The (ETag, Last-Modified) last seen for ``url``."""
        row = self.conn.execute(
            "SELECT etag, last_modified FROM feed_state WHERE url = ?", (url,)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def record_feed_poll(
        self, url: str, status: int, etag: str | None, last_modified: str | None, items: int | None
    ) -> int:
        """Remember a poll of ``url``; returns how many polls in a row found no items
        (``items`` is None for a 304: nothing new, nothing wrong)."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO feed_state (url, empty_runs) VALUES (?, 0) ON CONFLICT DO NOTHING",
                (url,),
            )
            conn.execute(
                "UPDATE feed_state SET last_status = ?, checked_at = ? WHERE url = ?",
                (status, _stored(_now()), url),
            )
            if status == 200:
                conn.execute(
                    "UPDATE feed_state SET etag = ?, last_modified = ? WHERE url = ?",
                    (etag, last_modified, url),
                )
            if items is not None:
                conn.execute(
                    "UPDATE feed_state SET empty_runs = "
                    "CASE WHEN ? THEN 0 ELSE empty_runs + 1 END WHERE url = ?",
                    (items, url),
                )
            row = conn.execute("SELECT empty_runs FROM feed_state WHERE url = ?", (url,))
            return int(row.fetchone()[0])

    def queue_notice(self, channels: list[str], payload: NoticePayload) -> int:
        """Queue an operator notice, at most once a day per channel and text."""
        now = _now()
        added = 0
        with self._write() as conn:
            for channel in channels:
                key = notice_key(channel, payload["watch"], payload["text"], now.date())
                cursor = conn.execute(
                    "INSERT INTO alert_outbox (alert_key, channel, watch, briefing_id, unit, "
                    "payload, status, attempts, created_at, next_attempt_at, delivered_to) "
                    "VALUES (?, ?, ?, NULL, '', ?, ?, 0, ?, ?, 'null') "
                    "ON CONFLICT (alert_key) DO NOTHING",
                    (key, channel, payload["watch"], _json(payload), AlertStatus.PENDING,
                     _stored(now), _stored(now)),
                )  # fmt: skip
                added += cursor.rowcount
        return added

    def alerts_due(self, channels: Sequence[str], max_delay: float | None = None) -> bool:
        """Whether a delivery holding the alerts lock would claim anything for ``channels``
        now (what ``Storage.claim_alerts`` with no grace for stale claims takes)."""
        if not channels:
            return False
        now = _now()
        due = "next_attempt_at <= ?"
        params: list[Any] = [*channels, AlertStatus.SENDING, AlertStatus.PENDING, _stored(now)]
        if max_delay is not None:
            due += " OR next_attempt_at > ?"
            params.append(_stored(now + dt.timedelta(seconds=max_delay)))
        marks = ", ".join("?" * len(channels))
        sql = (
            f"SELECT 1 FROM alert_outbox WHERE channel IN ({marks}) "
            f"AND (status = ? OR (status = ? AND ({due}))) LIMIT 1"
        )
        return self.conn.execute(sql, params).fetchone() is not None


def open_runbook(
    url: str, busy_timeout_seconds: float, open_storage: Callable[[], Storage]
) -> RunBook | None:
    """A :class:`RunBook` of the SQLite file at ``url`` if it exists and is at this version's
    schema; None otherwise (use the Storage, which creates or migrates it)."""
    found = connect_current(url, busy_timeout_seconds, read_only=False)
    return RunBook(*found, open_storage) if found else None
