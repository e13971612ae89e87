"""Quick questions to an up-to-date SQLite archive, without SQLAlchemy.

``briefwatch search``, ``exchanges`` and ``trend`` ask one or two statements; on SQLite the
``sqlite3`` module answers them in a few milliseconds, while importing SQLAlchemy costs a
quarter of a second. :func:`open_reader` opens such an archive directly (read-only queries, the
same statements as :class:`~scraper.storage.Storage`, through :mod:`scraper.storage.search`)
when it exists and is at the schema of this version; anything else (PostgreSQL, a missing or
outdated file, an unusual URL) gets None, and the caller opens a :class:`Storage` instead,
which creates or migrates as it always does.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scraper.storage.migrate import head_revision
from scraper.storage.search import SearchQueries, SqliteStatements

#: ``sqlite:///relative.db``, ``sqlite:////absolute.db``: a file, with no query string or
#: escapes (anything else is left to SQLAlchemy's URL parsing).
_SQLITE_FILE = re.compile(r"sqlite(?:\+pysqlite)?:///([^?%]+)")


class Reader(SearchQueries):
    """Search, exchanges and trend over a SQLite archive (the methods of ``Storage``)."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @contextmanager
    def _read(self) -> Iterator[SqliteStatements]:
        self.conn.execute("BEGIN")
        try:
            yield SqliteStatements(self.conn)
        finally:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()


def open_reader(url: str, busy_timeout_seconds: float = 30.0) -> Reader | None:
    """A :class:`Reader` of the SQLite file at ``url`` if it exists and is at this version's
    schema; None otherwise (open a :class:`~scraper.storage.Storage`)."""
    found = _SQLITE_FILE.fullmatch(url)
    if not found or found.group(1) == ":memory:":
        return None
    path = Path(found.group(1)).expanduser()
    if not path.is_file():
        return None
    conn = sqlite3.connect(path, timeout=busy_timeout_seconds, check_same_thread=False)
    try:
        conn.isolation_level = None  # transactions are begun by Reader._read
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        conn.execute("PRAGMA query_only=ON")
        stored = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:  # not a database, or never migrated: Storage says or does what fits
        conn.close()
        return None
    if stored != [(head_revision(),)]:
        conn.close()
        return None
    return Reader(conn)
