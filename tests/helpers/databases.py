"""Real databases for the tests: SQLite files in temporary folders, and PostgreSQL databases
created on the server named by BRIEFWATCH_TEST_POSTGRES_URL, each with a unique name (so
pytest-xdist workers and parallel sessions never share one) and dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest

POSTGRES_ENV = "BRIEFWATCH_TEST_POSTGRES_URL"


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database; skips the test when no server is named."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (see README, Development)")
    import sqlalchemy

    name = f"briefwatch_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sqlalchemy.engine.make_url(server).set(database=name)
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@contextlib.contextmanager
def database(backend: str, folder) -> Iterator[str]:
    """A fresh, empty database of ``backend`` ("sqlite": a file in ``folder``; "postgresql")."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
    else:
        with postgres_database() as url:
            yield url
