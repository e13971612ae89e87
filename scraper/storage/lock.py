"""The run lock shared by cron and the daemon: two runs never work at once.

SQLite: an OS file lock (flock) on a file next to the database (:func:`file_lock`, which
needs no SQLAlchemy: an idle poll takes it through :mod:`scraper.storage.runbook`).
PostgreSQL: a session advisory lock. The operating system or the server releases either when
the holding process dies, however it dies, so a killed run never blocks later ones.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from scraper.errors import LockBusy as LockBusy

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

logger = logging.getLogger(__name__)

#: Seconds between two checks that the PostgreSQL session holding the run lock is alive.
CHECK_EVERY_SECONDS = 2.0


class LockGuard:
    """The held run lock. On PostgreSQL the lock lives as long as its session: a thread
    checks the session every few seconds and sets :attr:`lost` when it is gone (the server
    restarted, the connection was cut), so the run can stop before a second one overlaps."""

    def __init__(self, conn: Connection | None = None, every: float = CHECK_EVERY_SECONDS):
        self.lost: str | None = None
        self._conn = conn
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if conn is not None:
            self._thread = threading.Thread(
                target=self._watch, args=(every,), name="run-lock-guard", daemon=True
            )
            self._thread.start()

    def _watch(self, every: float) -> None:
        assert self._conn is not None
        while not self._stop.wait(every):
            try:
                self._conn.exec_driver_sql("SELECT 1").scalar()
                self._conn.commit()
            except Exception as exc:  # noqa: BLE001 - any failure means the lock is gone
                orig = getattr(exc, "orig", None) or exc
                self.lost = str(orig).strip().splitlines()[0] if str(orig).strip() else "gone"
                logger.error("the run lock was lost (its database session ended): %s", self.lost)
                with contextlib.suppress(Exception):
                    self._conn.invalidate()  # closed without trying to roll back
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _key(name: str) -> int:
    return zlib.crc32(f"briefwatch:{name}".encode())


@contextmanager
def run_lock(engine: Engine, name: str = "run") -> Iterator[LockGuard]:
    """Hold the lock named ``name`` for the block; raise :class:`LockBusy` at once if taken.

    Yields a :class:`LockGuard` whose ``lost`` says whether the lock is still held."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy import text

        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _key(name)}).scalar()
            conn.commit()
            if not got:
                raise LockBusy(name)
            guard = LockGuard(conn)
            try:
                yield guard
            finally:
                guard.stop()
                if not guard.lost:
                    with contextlib.suppress(Exception):  # a dead session holds nothing
                        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(name)})
                        conn.commit()
        return
    with file_lock(engine.url.database, name) as guard:
        yield guard


@contextmanager
def file_lock(database: str | None, name: str = "run") -> Iterator[LockGuard]:
    """Hold the lock ``name`` of the SQLite database at ``database`` (its path, as the URL
    gives it) for the block; raise :class:`LockBusy` at once if another process holds it."""
    if not database or database == ":memory:":
        yield LockGuard()  # a private in-memory database: nobody else can run against it
        return
    path = Path(f"{database}.{name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockBusy(name) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield LockGuard()  # held by this open file until the process ends
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
