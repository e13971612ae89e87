"""The database behind :class:`Storage` (imported through :mod:`scraper.storage`).

Everything else opens a :class:`Storage` and calls its intention-named methods. The schema is
managed by Alembic; a database that is behind is brought up to date when it is opened.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from scraper.masking import mask_url
from scraper.model import AlertDraft, AlertStatus, Briefing, Hit, NoticePayload, RunStatus
from scraper.search.query import Node
from scraper.storage import catalog, migrate, outbox
from scraper.storage import reparse as _reparse
from scraper.storage import search as _search
from scraper.storage.briefings import (
    SaveResult,
    alert_identity,
    find_briefing,
    load_briefing,
    replace_all_matches,
    save_briefing,
    url_hash,
)
from scraper.storage.browse import Archive as Archive
from scraper.storage.engine import make_engine, write_options
from scraper.storage.lock import LockBusy, LockGuard, run_lock
from scraper.storage.models import (
    AlertRow,
    BriefingRow,
    BriefingUrlRow,
    CrawlStateRow,
    ExchangeRow,
    FeedStateRow,
    RevisionRow,
    RunRow,
    TurnRow,
    WatchMatchRow,
)
from scraper.storage.outbox import QueuedAlert
from scraper.storage.readonly import open_archive as open_archive
from scraper.storage.runs import (
    RunInfo,
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


class Storage(_search.SearchQueries):
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
        return mask_url(url.render_as_string(hide_password=True))  # ?password= too

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
                problems.append(f"turns_fts: {getattr(exc, 'orig', exc)}")
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
        self,
        since: dt.date | None = None,
        until: dt.date | None = None,
        batch: int = 200,
        only: Sequence[int] | None = None,
        kind: str | None = None,
        source: str | None = None,
    ) -> Iterator[tuple[int, Briefing]]:
        """Stored briefings (those of ``only``, if given; of one kind or source slug, if
        given), oldest first, read in batches (the archive never sits in memory)."""
        last_id = 0
        wanted = sorted(only) if only is not None else None
        chunk: list[int] = []
        while True:
            with self._read() as session:
                query = select(BriefingRow).where(BriefingRow.id > last_id)
                if wanted is not None:
                    chunk = wanted[bisect.bisect_right(wanted, last_id) :][:batch]
                    query = query.where(BriefingRow.id.in_(chunk))
                query = query.where(*catalog.briefing_filters(since, until, kind, source))
                query = query.options(
                    selectinload(BriefingRow.turns), selectinload(BriefingRow.exchanges)
                )  # a batch's turns and exchanges in two queries, not two per briefing
                rows = session.scalars(query.order_by(BriefingRow.id).limit(batch)).all()
                loaded = [(row.id, load_briefing(row)) for row in rows]
            if not loaded:
                if wanted is None or not chunk:
                    return
                last_id = chunk[-1]  # (a chunk the date filters left empty)
                continue
            yield from loaded
            last_id = loaded[-1][0]

    def rematch_units(
        self, queries: Sequence[Node], since: dt.date | None = None
    ) -> tuple[dict[int, set[int]], int] | None:
        """For ``rematch``: the units (see :meth:`load_units`) where one of ``queries``
        (parsed searches) finds a turn, by briefing (from ``since``), every briefing with
        stored matches among them (with no unit if none is found), and how many briefings
        there are from ``since``; None if the index cannot tell."""
        with self._read() as session:
            return _search.rematch_units(session, queries, since)

    def rematch_all(
        self,
        rematched: Sequence[tuple[int, Sequence[Hit], Sequence[AlertDraft]]],
        alert_on_update: bool = True,
    ) -> int:
        """Replace the matches of several briefings, each given as (id, hits, drafts to
        queue), in one transaction. Returns alerts queued."""
        now = utcnow()
        with self._write() as session:
            replace_all_matches(session, {b: hits for b, hits, _drafts in rematched}, now)
            return sum(
                # the same key whatever the briefing's URL
                outbox.enqueue(session, list(drafts), b, alert_identity(b), now, alert_on_update)
                for b, _hits, drafts in rematched
                if drafts
            )

    # -- reparse --------------------------------------------------------------------------
    def revisions_behind(self, version: str) -> int:
        """Stored revisions read by another parser version (``briefwatch reparse`` fixes)."""
        with self._read() as session:
            return _reparse.revisions_behind(session, version)

    def iter_texts_to_reparse(
        self,
        version: str,
        since: dt.date | None = None,
        everything: bool = False,
        batch: int = 50,
    ) -> Iterator[_reparse.StoredText]:
        """Stored briefings with a revision behind ``version``, with their bodies, in batches."""
        last_id = 0
        while True:
            with self._read() as session:
                found = _reparse.texts_to_reparse(
                    session, version, since, last_id, batch, everything
                )
            if not found:
                return
            yield from found
            last_id = found[-1].briefing_id

    def apply_reparse(
        self, briefing_id: int, parsed: Sequence[tuple[int, Briefing]], hits: Sequence[Hit]
    ) -> bool:
        """Replace one briefing's reading (turns, exchanges, matches) in one transaction;
        queues no alert. Returns whether its turns or exchanges changed."""
        with self._write() as session:
            return _reparse.apply_reparse(session, briefing_id, parsed, hits, utcnow())

    # -- search (search_turns, count_turns, search_exchanges, trend, briefings_by_period:
    # from SearchQueries) ---------------------------------------------------------------
    def iter_matching_turns(
        self, query: Node | None, filters: Filters, batch: int = 1000
    ) -> Iterator[_search.TurnRow]:
        """Every turn matching a parsed query (None: every turn) under ``filters``, oldest
        first, read ``batch`` at a time."""
        after = -(2**62)
        while True:
            with self._read() as session:
                found = _search.matching_turns(session, query, filters, after, batch)
            yield from (row for _id, row in found)
            if len(found) < batch:
                return
            after = found[-1][0]

    def get_briefing(self, id_or_url: str) -> tuple[int, Briefing] | None:
        """A stored briefing by its number or any URL it has had."""
        with self._read() as session:
            if id_or_url.isdigit():
                row = session.get(BriefingRow, int(id_or_url))
            else:
                row = find_briefing(session, id_or_url)
            return (row.id, load_briefing(row)) if row else None

    # -- browsing -------------------------------------------------------------------------
    def list_briefings(self, **filters: Any) -> tuple[int, list[catalog.BriefingInfo]]:
        """(total, a page of stored briefings newest first); see :func:`catalog.list_briefings`."""
        with self._read() as session:
            return catalog.list_briefings(session, **filters)

    def briefing_info(self, briefing_id: int) -> catalog.BriefingInfo | None:
        with self._read() as session:
            return catalog.briefing_info(session, briefing_id)

    def revisions(self, briefing_id: int) -> list[catalog.Revision]:
        with self._read() as session:
            return catalog.revisions(session, briefing_id)

    # -- alerts ---------------------------------------------------------------------------
    def queue_notice(self, channels: list[str], payload: NoticePayload) -> int:
        with self._write() as session:
            return outbox.enqueue_notice(session, channels, payload, utcnow())

    def claim_alerts(
        self,
        channels: list[str],
        stale_after: dt.timedelta = dt.timedelta(minutes=15),
        max_delay: float | None = None,
    ) -> list[QueuedAlert]:
        """Take the due alerts of ``channels`` for sending (no other sender will get them)."""
        with self._write() as session:
            return outbox.claim_due(session, channels, utcnow(), stale_after, max_delay)

    def due_alerts(self, channels: list[str], max_delay: float | None = None) -> list[QueuedAlert]:
        """The alerts a delivery would take now, without taking them (dry runs)."""
        with self._read() as session:
            return outbox.list_due(session, channels, utcnow(), max_delay)

    def alerts_due(self, channels: list[str], max_delay: float | None = None) -> bool:
        """Whether a delivery holding the alerts lock would claim anything now."""
        with self._read() as session:
            return outbox.any_due(session, channels, utcnow(), max_delay)

    def mark_sent(self, ids: list[int]) -> None:
        with self._write() as session:
            outbox.mark_sent(session, ids, utcnow())

    def record_delivered(self, progress: dict[int, list[str]]) -> None:
        """Remember the recipients each alert reached (the others get the retry)."""
        with self._write() as session:
            outbox.record_delivered(session, progress)

    def mark_failed(
        self,
        ids: list[int],
        error: str,
        base: float,
        cap: float,
        max_attempts: int,
        retry_after: float | None = None,
    ) -> list[int]:
        """Record a failed attempt; returns the ids given up (``max_attempts`` reached)."""
        with self._write() as session:
            return outbox.mark_failed(
                session, ids, error, utcnow(), base, cap, max_attempts, retry_after
            )

    def mark_given_up(self, ids: list[int], error: str) -> None:
        """A permanent failure: not retried until ``alerts retry``."""
        with self._write() as session:
            outbox.mark_given_up(session, ids, error, utcnow())

    def alerts_given_up(self) -> int:
        """How many alerts were given up (for ``status``; ``alerts retry`` revives them)."""
        with self._read() as session:
            return outbox.count_given_up(session)

    def list_alerts(self, status: str | None = None, limit: int = 50) -> list[QueuedAlert]:
        with self._read() as session:
            return outbox.list_alerts(session, status, limit)

    def retry_alerts(self, ids: list[int] | None = None) -> int:
        with self._write() as session:
            return outbox.retry(session, ids, utcnow())

    def known_urls(self, urls: list[str]) -> set[str]:
        """Which of ``urls`` are stored already (at that URL now or before)."""
        found: set[str] = set()
        with self._read() as session:
            for start in range(0, len(urls), 500):
                chunk = {url_hash(u): u for u in urls[start : start + 500]}
                found.update(
                    chunk[h]
                    for h in session.scalars(
                        select(BriefingUrlRow.url_hash).where(BriefingUrlRow.url_hash.in_(chunk))
                    )
                )
        return found

    def stored_urls(self) -> set[str]:
        """Every URL a stored briefing has been seen at (a crawl skips these pages)."""
        with self._read() as session:
            return set(session.scalars(select(BriefingUrlRow.url)))

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
                    query = query.where(AlertRow.status == AlertStatus.PENDING)
                out[name] = session.scalar(query) or 0
            # Alerts given up (max_attempts, or refused for good): `alerts retry` revives them.
            out["alerts_given_up"] = outbox.count_given_up(session)
        return out

    # -- runs -----------------------------------------------------------------------------
    def run_lock(self, name: str = "run") -> AbstractContextManager[LockGuard]:
        """Context manager: hold the run lock, or raise :class:`LockBusy` at once."""
        return run_lock(self.engine, name)

    def start_run(self, command: str) -> int:
        """Record a run as started. Call it holding the run lock: any run still marked
        running then belongs to a process that died, and is marked interrupted."""
        with self._write() as session:
            for row in session.scalars(select(RunRow).where(RunRow.status == RunStatus.RUNNING)):
                row.status, row.finished_at = RunStatus.INTERRUPTED, utcnow()
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

    def set_feed_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Keep the validators of a feed whose every item is stored (see ``record_feed_poll``)."""
        with self._write() as session:
            row = session.get(FeedStateRow, url)
            if row is None:
                row = FeedStateRow(url=url, empty_runs=0)
                session.add(row)
            row.etag, row.last_modified = etag, last_modified

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


def open_storage(
    url: str,
    busy_timeout_seconds: float = 30.0,
    upgrade: bool = True,
    statement_timeout_seconds: float = 0.0,
) -> Storage:
    """Open the database at ``url``, migrating it to the current schema unless told not to."""
    make_url(url)  # raises ArgumentError for a malformed URL before anything is created
    storage = Storage(make_engine(url, busy_timeout_seconds, statement_timeout_seconds))
    if upgrade and storage.schema_revision() != migrate.head_revision():
        storage.upgrade()
    return storage
