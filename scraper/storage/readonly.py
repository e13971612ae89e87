"""A connection that cannot write, for ``briefwatch serve``.

SQLite is opened with ``mode=ro`` and ``query_only``; PostgreSQL sessions start with
``default_transaction_read_only``. Nothing is created or migrated: an archive that is missing,
empty or at another schema is refused.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from scraper.errors import ArchiveUnavailable as ArchiveUnavailable
from scraper.storage.browse import Archive
from scraper.storage.migrate import current_revision, head_revision


def read_only_engine(url: str, busy_timeout_seconds: float = 30.0) -> Engine:
    """An engine that cannot write: SQLite ``mode=ro``, PostgreSQL read-only transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"options": "-c default_transaction_read_only=on"},
        )
    if not parsed.database or parsed.database == ":memory:":
        raise ArchiveUnavailable("an in-memory SQLite database has no archive to serve")
    path = Path(parsed.database).expanduser()
    if not path.is_file():
        raise ArchiveUnavailable(f"no archive at {path} (run briefwatch crawl first)")
    uri = path.resolve().as_uri() + "?mode=ro"
    timeout_ms = int(busy_timeout_seconds * 1000)

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_seconds, check_same_thread=False)
        conn.isolation_level = None  # SQLAlchemy, not sqlite3, begins transactions
        conn.execute(f"PRAGMA busy_timeout={timeout_ms}")
        conn.execute("PRAGMA query_only=ON")
        return conn

    engine = create_engine(f"sqlite:///{path}", creator=connect, poolclass=QueuePool)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def open_archive(url: str, busy_timeout_seconds: float = 30.0) -> Archive:
    """The archive at ``url``, read-only; refuses one that is empty or at another schema."""
    from scraper.storage import Storage

    engine = read_only_engine(url, busy_timeout_seconds)
    try:
        current = current_revision(engine)
    except Exception:
        engine.dispose()
        raise
    head = head_revision()
    if current != head:
        engine.dispose()
        if current is None:
            raise ArchiveUnavailable("the database is empty (run briefwatch crawl first)")
        raise ArchiveUnavailable(
            f"the database is at schema {current}, this version needs {head} "
            "(run briefwatch db upgrade)"
        )
    return Archive(Storage(engine))
