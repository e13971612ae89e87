"""Engines with the settings each backend needs to be safe for several processes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url


def make_engine(
    url: str, busy_timeout_seconds: float = 30.0, statement_timeout_seconds: float = 0.0
) -> Engine:
    """An engine for ``url``. SQLite gets WAL, a busy timeout, foreign keys and writers that
    take the lock up front (``BEGIN IMMEDIATE`` when asked, see :func:`write_options`).
    PostgreSQL sessions wait at most ``busy_timeout_seconds`` for a lock (``lock_timeout``)
    and run a statement at most ``statement_timeout_seconds`` (0: no limit), so a run stuck
    behind another session's row lock fails instead of hanging while it holds the run lock."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        options = f"-c lock_timeout={max(1, int(busy_timeout_seconds * 1000))}"
        if statement_timeout_seconds > 0:
            options += f" -c statement_timeout={max(1, int(statement_timeout_seconds * 1000))}"
        return create_engine(url, pool_pre_ping=True, connect_args={"options": options})
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": busy_timeout_seconds})
    timeout_ms = int(busy_timeout_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A plain BEGIN that reads and then writes fails at once with "database is locked"
        # despite the busy timeout; writers must ask for the write lock when they start.
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def write_options() -> dict[str, str]:
    """Execution options for a connection that will write."""
    return {"sqlite_begin": "IMMEDIATE"}
