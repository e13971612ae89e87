"""Shared fixtures: real databases (SQLite in a temporary folder, PostgreSQL on the server named
by BRIEFWATCH_TEST_POSTGRES_URL). Helpers the tests import live in ``tests/helpers/``."""

from __future__ import annotations

import compileall
from pathlib import Path

import pytest
from helpers.databases import database
from helpers.mirror import Mirror


def pytest_sessionstart(session: pytest.Session) -> None:
    """Byte-compile the project once, so the ``briefwatch`` processes the tests start
    load it rather than each compiling its ~100 modules again (~0.15 s of CPU apiece) where
    PYTHONDONTWRITEBYTECODE is set, as it is on these machines. Up-to-date files are skipped."""
    root = Path(__file__).resolve().parent.parent
    for package in ("scraper", "scheduler"):
        compileall.compile_dir(root / package, quiet=2)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database of each backend; PostgreSQL ones are dropped afterwards."""
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def storage(database_url):
    from scraper.storage import open_storage

    store = open_storage(database_url)
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
    """Run the ``slow`` tests first: pytest-xdist hands tests out in this order, so the
    long crawls start while the many short tests are left to fill the workers at the end,
    instead of one long crawl running alone on one worker after the rest are done."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
