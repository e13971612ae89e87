"""Shared fixtures: real databases (SQLite in a temporary folder, PostgreSQL on the server named
by BRIEFWATCH_TEST_POSTGRES_URL). Helpers the tests import live in ``tests/helpers/``."""

from __future__ import annotations

import compileall
import contextlib
import os
import sys
from pathlib import Path

import pytest
from helpers.databases import POSTGRES_ENV, MigratedDatabases, database, wait_for_drops
from helpers.mirror import Mirror

_DONT_WRITE_BYTECODE = pytest.StashKey[bool]()
_MIGRATED = pytest.StashKey[MigratedDatabases]()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Byte-compile the project once, so the ``briefwatch`` processes the tests start
    load it rather than each compiling its ~100 modules again (~0.15 s of CPU apiece) where
    PYTHONDONTWRITEBYTECODE is set, as it is on these machines. Up-to-date files are skipped."""
    root = Path(__file__).resolve().parent.parent
    for package in ("scraper", "scheduler"):
        compileall.compile_dir(root / package, quiet=2)
    # Likewise pytest keeps each test module, its asserts rewritten, as a .pyc only where
    # bytecode may be written: without one, every session (every xdist worker) parses and
    # rewrites all ~80 test modules again (~2 s of CPU apiece). Only while collecting.
    session.config.stash[_DONT_WRITE_BYTECODE] = sys.dont_write_bytecode
    sys.dont_write_bytecode = False


def pytest_collection_finish(session: pytest.Session) -> None:
    """Restores the interpreter's bytecode setting changed for the collection, and starts
    making the session's first migrated PostgreSQL database if a test will want one."""
    sys.dont_write_bytecode = session.config.stash.get(
        _DONT_WRITE_BYTECODE, sys.dont_write_bytecode
    )
    wanted = any(i.get_closest_marker("postgres") for i in session.items)
    if wanted and os.environ.get(POSTGRES_ENV) and not session.config.option.collectonly:
        # A server out of reach fails the PostgreSQL tests (each tries again), not the session.
        with contextlib.suppress(Exception):
            _migrated(session.config).prepare()


def _migrated(config: pytest.Config) -> MigratedDatabases:
    if _MIGRATED not in config.stash:
        config.stash[_MIGRATED] = MigratedDatabases()
    return config.stash[_MIGRATED]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The PostgreSQL databases the tests made are dropped in the background; the session
    waits for the last ones (and fails if one could not be dropped)."""
    if _MIGRATED in session.config.stash:
        session.config.stash[_MIGRATED].close()
    wait_for_drops()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """A fresh, empty database of each backend; PostgreSQL ones are dropped afterwards."""
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_databases(request):
    """This session's source of migrated databases (helpers/databases.py)."""
    return _migrated(request.config)  # closed at the session's end


@pytest.fixture(params=BACKENDS)
def migrated_database_url(request, tmp_path, migrated_databases) -> str:
    """A database of each backend at the head revision and holding no rows, as a fresh one is
    once ``open_storage`` has migrated it: SQLite a copy of a file migrated once per session,
    PostgreSQL one of this session's databases, emptied after each test."""
    if request.param == "sqlite":
        yield migrated_databases.sqlite_url(tmp_path)
    else:
        with migrated_databases.postgres_url() as url:
            yield url


@pytest.fixture
def storage(migrated_database_url):
    from scraper.storage import open_storage

    store = open_storage(migrated_database_url)
    yield store
    store.close()


@pytest.fixture
def mirror():
    """The site on 127.0.0.1 that a crawl reads (helpers/mirror.py): ``mirror.routes[path] =
    Resource(...)``, ``mirror.url(path)``, every request in ``mirror.requests``. A fresh one
    per test (a thread and a port chosen by the system), so no route or request leaks between
    tests or pytest-xdist workers."""
    with Mirror() as site:
        yield site


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the ``slow`` tests first: pytest-xdist hands tests out in this order, two at a
    time (``--maxschedchunk=2`` in pyproject.toml), so the long crawls spread over the
    workers from the start and the many short tests fill them at the end, instead of one long
    crawl running alone on one worker after the rest are done."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
