"""The test suite's own migrated PostgreSQL databases (helpers/databases.py): a database given
back to the pool comes back as a fresh migrated one would (no row, every id from 1), and one
whose schema a test changed is replaced, never handed out again. The rest of the suite relies
on it without checking: a row or an id leaking between tests would pass unseen."""

from __future__ import annotations

import pytest
import sqlalchemy
from helpers.databases import MigratedDatabases
from helpers.state_department import parse_fixture

from scraper.alerts.plan import draft_alerts, notice_payload
from scraper.config import config_from_dict
from scraper.storage import open_storage
from scraper.watch.matcher import Matcher

pytestmark = pytest.mark.postgres

JUL_21 = "transcripts/department-press-briefing-july-21-2021.p261072.html"
TABLES = """
SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'
ORDER BY tablename
"""


def _name(url: str) -> str:
    return sqlalchemy.engine.make_url(url).database


def _counts(url: str) -> dict[str, int]:
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.connect() as conn:
            tables = list(conn.exec_driver_sql(TABLES).scalars())
            return {
                t: conn.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar_one() for t in tables
            }
    finally:
        engine.dispose()


def _fill(url: str) -> dict[str, int]:
    """Writes what a crawl and its alerts write (and a failed insert that still takes ids);
    returns the ids the first rows got."""
    config = config_from_dict(
        {"watch": [{"name": "cuba", "terms": ["Cuba"]}], "alerts": {"log": {"enabled": True}}}
    )
    briefing = parse_fixture(JUL_21)
    storage = open_storage(url)
    try:
        hits = Matcher(config.watch).hits(briefing)
        drafts = draft_alerts(briefing, hits, {w.name: w for w in config.watch}, ["log"])
        saved = storage.save_briefing(briefing, hits=hits, drafts=drafts)
        run = storage.start_run("crawl")
        storage.finish_run(run, "ok", {}, [])
        storage.record_feed_poll("https://x/feed/", 200, '"e"', None, 3)
        storage.set_crawl_state("backfill:https://x/", {"page": 2})
        storage.queue_notice(["log"], notice_payload("the feed changed"))
        with pytest.raises(Exception, match="violates|null"):
            storage.start_run(None)  # type: ignore[arg-type]
    finally:
        storage.close()
    return {"briefing": saved.briefing_id, "run": run}


def test_a_database_given_back_is_empty_with_ids_from_1_and_a_changed_one_is_replaced():
    pool = MigratedDatabases()
    try:
        with pool.postgres_url() as url:
            written = _name(url)
            assert _fill(url) == {"briefing": 1, "run": 1}
            counts = _counts(url)
            for table in ("briefings", "turns", "exchanges", "revisions", "watch_matches"):
                assert counts[table] > 0, table
            for table in ("alert_outbox", "runs", "feed_state", "crawl_state", "sources"):
                assert counts[table] > 0, table

        seen = []
        for _ in range(4):  # two databases taken in turn: the written one comes back
            with pool.postgres_url() as url:
                seen.append(_name(url))
                assert set(_counts(url).values()) == {0}
                if seen[-1] == written:
                    assert _fill(url) == {"briefing": 1, "run": 1}  # ids start again at 1
        assert written in seen

        with pool.postgres_url() as url:
            changed = _name(url)
            engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
            with engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE turns ADD COLUMN stray integer")
            engine.dispose()
        for _ in range(4):
            with pool.postgres_url() as url:
                assert _name(url) != changed
                assert set(_counts(url).values()) == {0}
                engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
                with engine.connect() as conn:
                    columns = conn.exec_driver_sql(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_name = 'turns'"
                    ).scalars()
                    assert "stray" not in set(columns)
                engine.dispose()
    finally:
        pool.close()
