"""Real databases for the tests: SQLite files in temporary folders, and PostgreSQL databases
on the server named by BRIEFWATCH_TEST_POSTGRES_URL, each with a unique name (so pytest-xdist
workers and parallel sessions never share one) and dropped afterwards.

Two kinds: :func:`database` is a fresh, empty one (for the tests of migrations and of a first
open); :class:`MigratedDatabases` hands out databases already at the head revision and holding
no rows, made once per session: SQLite copies a file migrated once, PostgreSQL empties one
database per session (per xdist worker) before each test rather than creating, migrating and
dropping one per test (~0.7-1.5 s each on a busy server, most of it DROP's checkpoint)."""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

POSTGRES_ENV = "BRIEFWATCH_TEST_POSTGRES_URL"

# Everything the schema is made of, as one digest: a test that migrates, downgrades or alters
# the shared database changes it, and the next test then gets a new database.
SCHEMA_DIGEST = """
SELECT md5(string_agg(item, E'\\n' ORDER BY item)) FROM (
    SELECT 'schema ' || nspname FROM pg_namespace
    UNION ALL
    SELECT 'database ' || datconnlimit || ' ' || datallowconn || ' ' || coalesce(
        (
            SELECT string_agg(setrole || ' ' || setconfig::text, ' ' ORDER BY setrole)
            FROM pg_db_role_setting WHERE setdatabase = d.oid
        ), '')
    FROM pg_database d WHERE datname = current_database()
    UNION ALL
    SELECT 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' '
        || c.relowner::regrole::text || ' ' || coalesce(c.relacl::text, '')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    UNION ALL
    SELECT 'column ' || table_schema || '.' || table_name || '.' || column_name || ' '
        || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
    FROM information_schema.columns
    WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
    UNION ALL
    SELECT 'index ' || indexdef FROM pg_indexes
    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' '
        || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace <> 'pg_catalog'::regnamespace
    UNION ALL
    SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname FROM pg_trigger
    WHERE NOT tgisinternal
    UNION ALL
    SELECT 'function ' || oid::regprocedure::text || ' ' || md5(prosrc) FROM pg_proc
    WHERE pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
    UNION ALL
    SELECT 'type ' || typnamespace::regnamespace::text || '.' || typname FROM pg_type
    WHERE typnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
    UNION ALL
    SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
    UNION ALL
    SELECT 'revision ' || version_num FROM alembic_version
) AS schema(item)
"""


# Tables of the schema holding a page (so a row, live, dead or rolled back), alembic's aside.
WRITTEN_TABLES = """
SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
WHERE schemaname = 'public' AND tablename <> 'alembic_version'
    AND pg_relation_size(quote_ident(schemaname) || '.' || quote_ident(tablename)) > 0
ORDER BY tablename
"""

# Every sequence used since its start back to it: last_value at start_value, not yet called.
RESTART_SEQUENCES = """
SELECT setval(quote_ident(schemaname) || '.' || quote_ident(sequencename), start_value, false)
FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL
"""


# Commits on a test database need not wait for the WAL to reach the disk: only a crash of the
# server could tell the difference, and the database is thrown away (a setting of the database,
# not of the shared server).
NO_COMMIT_WAIT = 'ALTER DATABASE "{name}" SET synchronous_commit = off'


def postgres_server() -> str:
    """The server URL from the environment; skips the test when none is named."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (see README, Development)")
    return server


def _url(server: str, name: str) -> str:
    import sqlalchemy

    url = sqlalchemy.engine.make_url(server).set(database=name)
    return url.render_as_string(hide_password=False)


# DROP DATABASE waits for a checkpoint (0.5-5 s on a busy server): tests hand their databases
# to these threads and go on; the session waits for the drops at its end (wait_for_drops).
# Drops asked for together can share a checkpoint.
_DROPPER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="drop-database")
_DROPS: list[Future[None]] = []


def _on_server(server: str, statement: str) -> None:
    """Runs ``statement`` on the server's own database, outside any transaction."""
    import sqlalchemy

    admin = sqlalchemy.create_engine(
        server, isolation_level="AUTOCOMMIT", poolclass=sqlalchemy.pool.NullPool
    )
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(statement)
    finally:
        admin.dispose()


def _drop(server: str, name: str) -> None:
    _on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_later(server: str, name: str) -> None:
    """Drops database ``name`` in the background (every session on it is ended first)."""
    _DROPS.append(_DROPPER.submit(_drop, server, name))


def wait_for_drops() -> None:
    """Waits for every database handed to :func:`drop_later`; raises the first failure."""
    while _DROPS:
        _DROPS.pop(0).result()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database; skips the test when no server is named.
    Dropped once the caller is done (in the background: see :func:`drop_later`)."""
    server = postgres_server()
    name = f"briefwatch_test_{uuid.uuid4().hex[:12]}"
    _on_server(server, f'CREATE DATABASE "{name}"')
    try:
        _on_server(server, NO_COMMIT_WAIT.format(name=name))
        yield _url(server, name)
    finally:
        drop_later(server, name)


@contextlib.contextmanager
def database(backend: str, folder) -> Iterator[str]:
    """A fresh, empty database of ``backend`` ("sqlite": a file in ``folder``; "postgresql")."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
    else:
        with postgres_database() as url:
            yield url


class MigratedDatabases:
    """Databases at the head revision holding no rows, for the tests that start from one (the
    ``storage`` fixture): the same as a fresh database that ``open_storage`` has just migrated,
    made once per session. SQLite: a copy of a file migrated once. PostgreSQL: copies
    (``CREATE DATABASE ... TEMPLATE``) of a database migrated once, two taken in turn; the one
    a test gave back is emptied in a thread while the next test runs on the other. Alembic
    runs only in the main thread (its ``op`` and ``context`` are process-wide), the thread
    runs plain SQL. :meth:`close` drops what it made."""

    POOL = 2

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="briefwatch-migrated-")
        self._sqlite: Path | None = None
        self._server: str | None = None
        self._template: str | None = None
        self._digests: dict[str, str] = {}  # database name -> schema digest once migrated
        self._ready: collections.deque[Future[str]] = collections.deque()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="empty-database")

    def sqlite_url(self, folder: Path) -> str:
        """A copy, in ``folder``, of an SQLite database migrated once per session."""
        from scraper.storage import open_storage

        if self._sqlite is None:
            template = Path(self._folder.name) / "migrated.db"
            open_storage(f"sqlite:///{template}").close()
            # Closing the last connection checkpoints the WAL into the file and removes it,
            # so the file alone is the whole database.
            assert not Path(f"{template}-wal").exists()
            self._sqlite = template
        target = folder / "migrated.db"  # not database()'s test.db: a test may ask for both
        shutil.copyfile(self._sqlite, target)
        return f"sqlite:///{target}"

    def prepare(self) -> None:
        """Migrates the template now and starts copying it in the background (the session
        calls this once it has collected PostgreSQL tests, before the first runs)."""
        self._server = postgres_server()
        self._migrate_template()
        if not self._ready:
            self._ready.append(self._worker.submit(self._create))

    @contextlib.contextmanager
    def postgres_url(self) -> Iterator[str]:
        """A migrated, empty PostgreSQL database for one test (or one module), emptied again
        once it is given back."""
        self._server = postgres_server()
        self._migrate_template()
        if not any(f.done() for f in self._ready) and len(self._ready) < self.POOL:
            self._ready.append(self._worker.submit(self._create))
        future = next((f for f in self._ready if f.done()), self._ready[0])
        self._ready.remove(future)
        name = future.result()
        try:
            yield _url(self._server, name)
        finally:
            self._ready.append(self._worker.submit(self._emptied, name))

    def _engine(self, name: str, **options):
        import sqlalchemy

        assert self._server is not None
        return sqlalchemy.create_engine(
            _url(self._server, name), poolclass=sqlalchemy.pool.NullPool, **options
        )

    def _new_database(self, template: str | None = None) -> str:
        assert self._server is not None
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"briefwatch_test_{worker}_{uuid.uuid4().hex[:12]}"
        admin = self._engine(self._server_database(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                copy = f' TEMPLATE "{template}"' if template else ""
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
                try:
                    conn.exec_driver_sql(NO_COMMIT_WAIT.format(name=name))
                except BaseException:
                    drop_later(self._server, name)
                    raise
        finally:
            admin.dispose()
        return name

    def _migrate_template(self) -> None:
        """The database the others copy, migrated once (in the calling, main thread)."""
        from scraper.storage import open_storage

        if self._template is None:
            name = self._new_database()
            try:
                open_storage(_url(self._server or "", name)).close()
            except BaseException:
                drop_later(self._server or "", name)
                raise
            self._template = name

    def _create(self) -> str:
        """A copy of the template (plain SQL: safe in the thread)."""
        assert self._template is not None
        name = self._new_database(self._template)
        own = self._engine(name)
        try:
            with own.connect() as conn:
                self._digests[name] = conn.exec_driver_sql(SCHEMA_DIGEST).scalar_one()
        except BaseException:
            drop_later(self._server or "", name)
            raise
        finally:
            own.dispose()
        return name

    def _server_database(self) -> str:
        import sqlalchemy

        assert self._server is not None
        return sqlalchemy.engine.make_url(self._server).database or "postgres"

    def _emptied(self, name: str) -> str:
        """Empties the database a test used, as a fresh migrated one is: no session left on it
        (so no lock held), no row, every sequence at its start. When its schema is no longer
        the one migrated at the start (a test changed it), drops it and makes another."""
        import sqlalchemy

        own = self._engine(name)
        try:
            with own.connect() as conn:
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                try:
                    digest = conn.exec_driver_sql(SCHEMA_DIGEST).scalar_one()
                except sqlalchemy.exc.DBAPIError:
                    digest = None  # alembic_version itself is gone
                if digest == self._digests[name]:
                    # A table that never held a row, even one rolled back, has no page: only
                    # the others need TRUNCATE (~20 ms a table: it makes new files).
                    written = list(conn.exec_driver_sql(WRITTEN_TABLES).scalars())
                    if written:
                        conn.exec_driver_sql(
                            f"TRUNCATE {', '.join(written)} RESTART IDENTITY CASCADE"
                        )
                    conn.exec_driver_sql(RESTART_SEQUENCES)
                    conn.commit()
                    return name
        finally:
            own.dispose()
        drop_later(self._server, name)
        del self._digests[name]
        return self._create()

    def close(self) -> None:
        """Drops the PostgreSQL databases made (the SQLite file goes with its folder)."""
        for future in self._ready:
            with contextlib.suppress(Exception):
                future.result()
        self._worker.shutdown()
        assert self._server is not None or not (self._digests or self._template)
        for name in [*self._digests, *([self._template] if self._template else [])]:
            drop_later(self._server, name)
        self._folder.cleanup()
