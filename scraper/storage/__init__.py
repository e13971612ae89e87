"""Storage: the only package that imports SQLAlchemy.

Everything else opens a :class:`Storage` and calls its intention-named methods. The schema is
managed by Alembic; a database that is behind is brought up to date when it is opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scraper.model import Briefing
from scraper.storage import migrate
from scraper.storage.briefings import SaveResult, save_briefing
from scraper.storage.engine import make_engine, write_options
from scraper.storage.models import (
    AlertRow,
    BriefingRow,
    CrawlStateRow,
    ExchangeRow,
    FeedStateRow,
    RevisionRow,
    TurnRow,
    WatchMatchRow,
)
from scraper.storage.runs import RunInfo, finish_run, recent_runs, start_run

__all__ = ["Storage", "StorageError", "SaveResult", "RunInfo", "open_storage"]

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
    def save_briefing(self, briefing: Briefing, now: dt.datetime | None = None) -> SaveResult:
        """Store one parsed briefing in one transaction (see :func:`save_briefing`)."""
        with self._write() as session:
            return save_briefing(session, briefing, now or utcnow())

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
    def start_run(self, command: str) -> int:
        with self._write() as session:
            return start_run(session, command, utcnow())

    def finish_run(
        self, run_id: int, status: str, counts: dict[str, Any], errors: list[Any]
    ) -> None:
        with self._write() as session:
            finish_run(session, run_id, status, counts, errors, utcnow())

    def recent_runs(self, limit: int = 10) -> list[RunInfo]:
        with self._read() as session:
            return recent_runs(session, limit)

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
