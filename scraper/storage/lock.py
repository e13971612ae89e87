"""The run lock shared by cron and the daemon: two runs never work at once.

SQLite: an OS file lock (flock) on a file next to the database. PostgreSQL: a session
advisory lock. The operating system or the server releases either when the holding process
dies, however it dies, so a killed run never blocks later ones.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text


class LockBusy(Exception):
    """Another run holds the lock."""


def _key(name: str) -> int:
    return zlib.crc32(f"briefwatch:{name}".encode())


@contextmanager
def run_lock(engine: Engine, name: str = "run") -> Iterator[None]:
    """Hold the lock named ``name`` for the block; raise :class:`LockBusy` at once if taken."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _key(name)}).scalar()
            conn.commit()
            if not got:
                raise LockBusy(name)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(name)})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # a private in-memory database: nobody else can run against it
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
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
