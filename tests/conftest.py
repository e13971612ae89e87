"""Shared fixtures: real saved material, and real databases (SQLite in a temporary folder,
PostgreSQL on the server named by BRIEFWATCH_TEST_POSTGRES_URL)."""

from __future__ import annotations

import html
import json
import os
import uuid
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
STATE = FIXTURES / "state_department"
POSTGRES_ENV = "BRIEFWATCH_TEST_POSTGRES_URL"


def state_items() -> list[dict]:
    """transcripts.json with guid and title decoded as a feed reader would see them."""
    items = json.loads((STATE / "transcripts.json").read_text(encoding="utf-8"))
    for item in items:
        item["guid"] = html.unescape(item["guid"])
        item["title"] = html.unescape(item["title"])
    return items


def read_body(relative: str) -> str:
    return (STATE / relative).read_text(encoding="utf-8")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database of each backend; PostgreSQL ones are dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (see README, Development)")
    import sqlalchemy

    name = f"briefwatch_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sqlalchemy.engine.make_url(server).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def storage(database_url):
    from scraper.storage import open_storage

    store = open_storage(database_url)
    yield store
    store.close()
