"""Quick questions to an up-to-date SQLite archive, without SQLAlchemy.

``briefwatch search``, ``exchanges``, ``trend``, ``show``, ``status`` and ``runs`` ask a few
statements; on SQLite the ``sqlite3`` module answers them in a few milliseconds, while importing
SQLAlchemy and its ORM costs most of half a second. :func:`open_reader` opens such an archive
directly (read-only queries; search, exchanges and trend through the statements
:class:`~scraper.storage.Storage` runs, :mod:`scraper.storage.search`) when it exists and is at
the schema of this version; anything else (PostgreSQL, a missing or outdated file, an unusual
URL) gets None, and the caller opens a :class:`Storage` instead, which creates or migrates as
it always does. ``tests/test_reader*.py`` check every answer against :class:`Storage`'s.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scraper.model import AlertStatus, Briefing, Exchange, Turn
from scraper.storage.migrate import head_revision
from scraper.storage.records import BriefingInfo, RunInfo, url_hash
from scraper.storage.search import SearchQueries, SqliteStatements

#: ``sqlite:///relative.db``, ``sqlite:////absolute.db``: a file, with no query string or
#: escapes (anything else is left to SQLAlchemy's URL parsing).
_SQLITE_FILE = re.compile(r"sqlite(?:\+pysqlite)?:///([^?%]+)")


#: ``Storage.counts()``: its names, and the rows each counts.
_COUNTS = {
    "briefings": "briefings",
    "revisions": "revisions",
    "turns": "turns",
    "exchanges": "exchanges",
    "watch_matches": "watch_matches",
    "alerts_pending": f"alert_outbox WHERE status = '{AlertStatus.PENDING}'",
    "alerts_given_up": f"alert_outbox WHERE status = '{AlertStatus.FAILED}'",
}
_BRIEFING = (
    "SELECT b.id, b.title, b.url, b.guid, s.slug, b.kind, b.date, b.published_at, b.speakers, "
    "b.location, b.start_time, b.end_time, b.topics, b.coverage, b.warnings, b.content_hash, "
    "b.parser_version FROM briefings b JOIN sources s ON s.id = b.source_id"
)


class Reader(SearchQueries):
    """Search, exchanges, trend, one briefing, counts and runs of a SQLite archive (the
    methods of ``Storage`` of the same names, with the same answers)."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection, location: str = "") -> None:
        self.conn = conn
        #: The SQLite file, as ``Storage.location`` gives it (the path of the URL).
        self.location = location

    @contextmanager
    def _read(self) -> Iterator[SqliteStatements]:
        self.conn.execute("BEGIN")
        try:
            yield SqliteStatements(self.conn)
        finally:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()

    def _all(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self._read() as statements:
            return statements.rows(sql, params).fetchall()

    def schema_revision(self) -> str | None:
        return next((r[0] for r in self._all("SELECT version_num FROM alembic_version")), None)

    def counts(self) -> dict[str, int]:
        """Rows per table, for ``briefwatch status``."""
        with self._read() as statements:
            return {
                name: statements.rows(f"SELECT count(*) FROM {rows}").fetchone()[0]
                for name, rows in _COUNTS.items()
            }

    def _count(self, sql: str, params: dict[str, Any] | None = None) -> int:
        return int(self._all(sql, params)[0][0])

    def alerts_given_up(self) -> int:
        return self._count(f"SELECT count(*) FROM {_COUNTS['alerts_given_up']}")

    def revisions_behind(self, version: str) -> int:
        """Stored revisions read by another parser version (``briefwatch reparse`` fixes)."""
        sql = "SELECT count(*) FROM revisions WHERE parser_version IS NULL OR parser_version != :v"
        return self._count(sql, {"v": version})

    def recent_runs(self, limit: int = 10) -> list[RunInfo]:
        rows = self._all(
            "SELECT id, command, started_at, finished_at, status, counts, errors FROM runs "
            "ORDER BY id DESC LIMIT :limit",
            {"limit": limit},
        )
        return [
            RunInfo(i, c, dt.datetime.fromisoformat(start), _moment(end), s, _json(n), _json(e))
            for i, c, start, end, s, n, e in rows
        ]

    def crawl_state(self, key: str) -> dict[str, Any] | None:
        """The value saved under ``key`` (None if never saved)."""
        rows = self._all("SELECT value FROM crawl_state WHERE key = :key", {"key": key})
        return _json(rows[0][0]) if rows else None

    def briefing_info(self, briefing_id: int) -> BriefingInfo | None:
        rows = self._all(
            "SELECT b.id, b.date, b.kind, s.slug, b.title, b.url, b.guid, "
            "(SELECT count(*) FROM revisions r WHERE r.briefing_id = b.id) "
            "FROM briefings b JOIN sources s ON s.id = b.source_id WHERE b.id = :id",
            {"id": briefing_id},
        )
        if not rows:
            return None
        bid, date, kind, source, title, url, guid, revisions = rows[0]
        return BriefingInfo(bid, _day(date), kind, source, title, url, guid, revisions)

    def get_briefing(self, id_or_url: str) -> tuple[int, Briefing] | None:
        """A stored briefing by its number or any URL it has had."""
        with self._read() as statements:
            if id_or_url.isdigit():
                found = statements.rows(f"{_BRIEFING} WHERE b.id = :id", {"id": int(id_or_url)})
            else:
                found = statements.rows(
                    f"{_BRIEFING} JOIN briefing_urls u ON u.briefing_id = b.id "
                    "WHERE u.url_hash = :hash",
                    {"hash": url_hash(id_or_url)},
                )
            row = found.fetchone()
            if row is None:
                return None
            turns = statements.rows(
                "SELECT ordinal, label, speaker, role, text, topic, paragraphs, exchange, "
                "function, anchor, named_as FROM turns WHERE briefing_id = :id ORDER BY ordinal",
                {"id": row[0]},
            ).fetchall()
            exchanges = statements.rows(
                "SELECT ordinal, question_turns, answer_turns, topic FROM exchanges "
                "WHERE briefing_id = :id ORDER BY ordinal",
                {"id": row[0]},
            ).fetchall()
        (bid, title, url, guid, source, kind, date, published, speakers, location, start, end,
         topics, coverage, warnings, content_hash, parser_version) = row  # fmt: skip
        return bid, Briefing(
            title=title,
            url=url,
            guid=guid,
            source=source,
            kind=kind,
            date=_day(date),
            published_at=_moment(published),
            speakers_of_record=tuple(_json(speakers)),
            location=location,
            start_time=start,
            end_time=end,
            topics=tuple(_json(topics)),
            turns=tuple(
                Turn(o, label, who, role, text, topic, n, x, function or "other", anchor, named)
                for o, label, who, role, text, topic, n, x, function, anchor, named in turns
            ),
            exchanges=tuple(
                Exchange(o, tuple(_json(q)), tuple(_json(a)), topic) for o, q, a, topic in exchanges
            ),
            coverage=coverage,
            warnings=tuple(_json(warnings)),
            content_hash=content_hash,
            parser_version=parser_version,
        )


def _json(value: str | None) -> Any:
    """A JSON column as SQLAlchemy's ``JSON`` type reads it back."""
    return None if value is None else json.loads(value)


def _day(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _moment(value: str | None) -> dt.datetime | None:
    """A ``DateTime`` column as SQLAlchemy stores it on SQLite (naive, in UTC)."""
    return None if value is None else dt.datetime.fromisoformat(value)


def open_reader(url: str, busy_timeout_seconds: float = 30.0) -> Reader | None:
    """A :class:`Reader` of the SQLite file at ``url`` if it exists and is at this version's
    schema; None otherwise (open a :class:`~scraper.storage.Storage`)."""
    found = connect_current(url, busy_timeout_seconds, read_only=True)
    return Reader(*found) if found else None


def connect_current(
    url: str, busy_timeout_seconds: float, read_only: bool
) -> tuple[sqlite3.Connection, str] | None:
    """A connection to the SQLite file at ``url`` (and its path as the URL gives it) if the
    file exists and is at this version's schema; None otherwise. Transactions are the
    caller's to begin (autocommit mode); ``read_only`` refuses every write."""
    found = _SQLITE_FILE.fullmatch(url)
    if not found or found.group(1) == ":memory:":
        return None
    path = Path(found.group(1)).expanduser()
    if not path.is_file():
        return None
    conn = sqlite3.connect(path, timeout=busy_timeout_seconds, check_same_thread=False)
    try:
        conn.isolation_level = None
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        if read_only:
            conn.execute("PRAGMA query_only=ON")
        else:  # as scraper.storage.engine sets up every writer
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
        stored = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:  # not a database, or never migrated: Storage says or does what fits
        conn.close()
        return None
    if stored != [(head_revision(),)]:
        conn.close()
        return None
    return conn, found.group(1)
