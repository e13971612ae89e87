"""Storage: the only package that imports SQLAlchemy.

Everything else opens a :class:`Storage` and calls its intention-named methods. The schema is
managed by Alembic; a database that is behind is brought up to date when it is opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scraper.model import Briefing
from scraper.storage import browse, migrate, outbox
from scraper.storage import search as _search
from scraper.storage.briefings import SaveResult, load_briefing, replace_matches, save_briefing
from scraper.storage.engine import make_engine, write_options
from scraper.storage.lock import LockBusy, run_lock
from scraper.storage.models import (
    AlertRow,
    BriefingRow,
    CrawlStateRow,
    ExchangeRow,
    FeedStateRow,
    RevisionRow,
    RunRow,
    TurnRow,
    WatchMatchRow,
)
from scraper.storage.outbox import QueuedAlert
from scraper.storage.runs import (
    RunInfo,
    alerts_given_up,
    close_abandoned_runs,
    finish_run,
    recent_runs,
    start_run,
)
from scraper.storage.search import Filters, TurnHit

__all__ = [
    "Filters",
    "TurnHit",
    "LockBusy",
    "QueuedAlert",
    "RunInfo",
    "SaveResult",
    "Storage",
    "StorageError",
    "open_storage",
]

StorageError = SQLAlchemyError


def utcnow() -> dt.datetime:
    """Naive UTC, the form every timestamp is stored in."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Storage:
    """A database of briefings. Create with :func:`open_storage`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def location(self) -> str:
        """Where the data lives: the SQLite file, or the server URL without its password."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return str(url.database)
        return url.render_as_string(hide_password=True)

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with (
            self.engine.connect().execution_options(**write_options()) as conn,
            Session(bind=conn) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()

    # -- schema ---------------------------------------------------------------------------
    def schema_revision(self) -> str | None:
        return migrate.current_revision(self.engine)

    def upgrade(self) -> None:
        migrate.upgrade(self.engine)

    def check_integrity(self) -> list[str]:
        """Problems found by the backend's own checks (empty when all is well)."""
        if self.dialect != "sqlite":
            return []
        with self.engine.connect() as conn:
            problems = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            problems = [p for p in problems if p != "ok"]
            try:
                conn.exec_driver_sql("INSERT INTO turns_fts(turns_fts) VALUES ('integrity-check')")
            except SQLAlchemyError as exc:
                problems.append(f"turns_fts: {exc.orig}")
            conn.rollback()
        return problems

    # -- briefings ------------------------------------------------------------------------
    def save_briefing(
        self,
        briefing: Briefing,
        now: dt.datetime | None = None,
        hits: Sequence[Any] = (),
        drafts: Sequence[Any] = (),
        alert_on_update: bool = True,
    ) -> SaveResult:
        """Store one parsed briefing with its watch matches and alerts, in one transaction."""
        with self._write() as session:
            return save_briefing(session, briefing, now or utcnow(), hits, drafts, alert_on_update)

    def iter_briefings(
        self, since: dt.date | None = None, until: dt.date | None = None, batch: int = 200
    ) -> Iterator[tuple[int, Briefing]]:
        """Stored briefings, oldest first, read in batches (the archive never sits in memory)."""
        last_id = 0
        while True:
            with self._read() as session:
                query = select(BriefingRow).where(BriefingRow.id > last_id)
                if since:
                    query = query.where(BriefingRow.date >= since)
                if until:
                    query = query.where(BriefingRow.date <= until)
                rows = session.scalars(query.order_by(BriefingRow.id).limit(batch)).all()
                loaded = [(row.id, load_briefing(row)) for row in rows]
            if not loaded:
                return
            yield from loaded
            last_id = loaded[-1][0]

    def rematch(
        self,
        briefing_id: int,
        url: str,
        hits: Sequence[Any],
        drafts: Sequence[Any] = (),
        alert_on_update: bool = True,
    ) -> int:
        """Replace one briefing's matches; queue ``drafts`` (if any). Returns alerts queued."""
        now = utcnow()
        with self._write() as session:
            replace_matches(session, briefing_id, hits, now)
            return outbox.enqueue(session, list(drafts), briefing_id, url, now, alert_on_update)

    # -- search ---------------------------------------------------------------------------
    def search_turns(
        self, query, filters: Filters, limit: int = 20, offset: int = 0, order: str = "date"
    ) -> list[TurnHit]:
        """Turns matching a parsed query (see :mod:`scraper.search.query`)."""
        with self._read() as session:
            return _search.search_turns(session, query, filters, limit, offset, order)

    def count_turns(self, query, filters: Filters) -> int:
        """How many turns match a parsed query (the total of :meth:`search_turns`)."""
        with self._read() as session:
            return _search.count_turns(session, query, filters)

    def search_exchanges(
        self, query, filters: Filters, limit: int = 20, offset: int = 0
    ) -> list[tuple[Briefing, int]]:
        """(briefing, exchange ordinal) for exchanges whose question or answer matches."""
        with self._read() as session:
            found = _search.search_exchanges(session, query, filters, limit, offset)
            briefings = {
                row.id: load_briefing(row)
                for row in session.scalars(
                    select(BriefingRow).where(BriefingRow.id.in_({b for b, _ in found}))
                )
            }
        return [(briefings[b], x) for b, x in found]

    def trend(self, query, by: str, filters: Filters) -> list[tuple[str, int, int]]:
        with self._read() as session:
            return _search.trend(session, query, by, filters)

    def get_briefing(self, id_or_url: str) -> tuple[int, Briefing] | None:
        """A stored briefing by its number or its URL."""
        with self._read() as session:
            column = BriefingRow.id if id_or_url.isdigit() else BriefingRow.url
            value = int(id_or_url) if id_or_url.isdigit() else id_or_url
            row = session.scalars(select(BriefingRow).where(column == value)).first()
            return (row.id, load_briefing(row)) if row else None

    # -- browsing -------------------------------------------------------------------------
    def list_briefings(self, **filters: Any) -> tuple[int, list[browse.BriefingInfo]]:
        """(total, a page of stored briefings newest first); see :func:`browse.list_briefings`."""
        with self._read() as session:
            return browse.list_briefings(session, **filters)

    def briefing_info(self, briefing_id: int) -> browse.BriefingInfo | None:
        with self._read() as session:
            return browse.briefing_info(session, briefing_id)

    def revisions(self, briefing_id: int) -> list[browse.Revision]:
        with self._read() as session:
            return browse.revisions(session, briefing_id)

    # -- alerts ---------------------------------------------------------------------------
    def queue_notice(self, channels: list[str], payload: dict[str, Any]) -> int:
        with self._write() as session:
            return outbox.enqueue_notice(session, channels, payload, utcnow())

    def claim_alerts(
        self, channels: list[str], stale_after: dt.timedelta = dt.timedelta(minutes=15)
    ) -> list[QueuedAlert]:
        """Take the due alerts of ``channels`` for sending (no other sender will get them)."""
        with self._write() as session:
            return outbox.claim_due(session, channels, utcnow(), stale_after)

    def mark_sent(self, ids: list[int]) -> None:
        with self._write() as session:
            outbox.mark_sent(session, ids, utcnow())

    def mark_failed(
        self, ids: list[int], error: str, base: float, cap: float, max_attempts: int
    ) -> None:
        with self._write() as session:
            outbox.mark_failed(session, ids, error, utcnow(), base, cap, max_attempts)

    def list_alerts(self, status: str | None = None, limit: int = 50) -> list[QueuedAlert]:
        with self._read() as session:
            return outbox.list_alerts(session, status, limit)

    def retry_alerts(self, ids: list[int] | None = None) -> int:
        with self._write() as session:
            return outbox.retry(session, ids, utcnow())

    def known_urls(self, urls: list[str]) -> set[str]:
        """Which of ``urls`` are stored already."""
        found: set[str] = set()
        with self._read() as session:
            for start in range(0, len(urls), 500):
                chunk = urls[start : start + 500]
                found.update(
                    session.scalars(select(BriefingRow.url).where(BriefingRow.url.in_(chunk)))
                )
        return found

    def stored_urls(self) -> set[str]:
        """Every stored briefing's URL (a crawl skips these pages)."""
        with self._read() as session:
            return set(session.scalars(select(BriefingRow.url)))

    def counts(self) -> dict[str, int]:
        """Rows per table, for ``briefwatch status``."""
        tables = {
            "briefings": BriefingRow,
            "revisions": RevisionRow,
            "turns": TurnRow,
            "exchanges": ExchangeRow,
            "watch_matches": WatchMatchRow,
            "alerts_pending": AlertRow,
        }
        out: dict[str, int] = {}
        with self._read() as session:
            for name, model in tables.items():
                query = select(func.count()).select_from(model)
                if model is AlertRow:
                    query = query.where(AlertRow.status == "pending")
                out[name] = session.scalar(query) or 0
        return out

    # -- runs -----------------------------------------------------------------------------
    def run_lock(self, name: str = "run"):
        """Context manager: hold the run lock, or raise :class:`LockBusy` at once."""
        return run_lock(self.engine, name)

    def start_run(self, command: str) -> int:
        """Record a run as started. Call it holding the run lock: any run still marked
        running then belongs to a process that died, and is marked interrupted."""
        with self._write() as session:
            for row in session.scalars(select(RunRow).where(RunRow.status == "running")):
                row.status, row.finished_at = "interrupted", utcnow()
            return start_run(session, command, utcnow())

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, Any], errors: list[Any]
    ) -> None:
        with self._write() as session:
            finish_run(session, run_id, status, counts, errors, utcnow())

    def recent_runs(self, limit: int = 10) -> list[RunInfo]:
        with self._read() as session:
            return recent_runs(session, limit)

    def close_abandoned_runs(self, status: str, error: str) -> int:
        """Mark runs whose process is gone ``status`` with ``error`` (hold the run lock)."""
        with self._write() as session:
            return close_abandoned_runs(session, status, error, utcnow())

    def alerts_given_up(self) -> int:
        """How many alerts reached ``max_attempts`` (shown by ``briefwatch status``)."""
        with self._read() as session:
            return alerts_given_up(session)

    # -- feeds ----------------------------------------------------------------------------
    def feed_validators(self, url: str) -> tuple[str | None, str | None]:
        """The (ETag, Last-Modified) last seen for ``url``."""
        with self._read() as session:
            row = session.get(FeedStateRow, url)
            return (row.etag, row.last_modified) if row else (None, None)

    def record_feed_poll(
        self, url: str, status: int, etag: str | None, last_modified: str | None, items: int | None
    ) -> int:
        """Remember a poll of ``url``; returns how many polls in a row found no items.

        ``items`` is None for a 304 (nothing new, nothing wrong).
        """
        with self._write() as session:
            row = session.get(FeedStateRow, url)
            if row is None:
                row = FeedStateRow(url=url, empty_runs=0)
                session.add(row)
            row.last_status, row.checked_at = status, utcnow()
            if status == 200:
                row.etag, row.last_modified = etag, last_modified
            if items is not None:
                row.empty_runs = 0 if items else row.empty_runs + 1
            return row.empty_runs

    # -- crawl state ----------------------------------------------------------------------
    def crawl_state(self, key: str) -> dict[str, Any] | None:
        """The value saved under ``key`` (None if never saved)."""
        with self._read() as session:
            row = session.get(CrawlStateRow, key)
            return dict(row.value) if row else None

    def set_crawl_state(self, key: str, value: dict[str, Any]) -> None:
        with self._write() as session:
            row = session.get(CrawlStateRow, key)
            if row is None:
                session.add(CrawlStateRow(key=key, value=value, updated_at=utcnow()))
            else:
                row.value, row.updated_at = value, utcnow()


def open_storage(url: str, busy_timeout_seconds: float = 30.0, upgrade: bool = True) -> Storage:
    """Open the database at ``url``, migrating it to the current schema unless told not to."""
    make_url(url)  # raises ArgumentError for a malformed URL before anything is created
    storage = Storage(make_engine(url, busy_timeout_seconds))
    if upgrade and storage.schema_revision() != migrate.head_revision():
        storage.upgrade()
    return storage
