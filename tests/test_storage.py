"""Storage on SQLite and PostgreSQL: schema, idempotent saves, revisions, full-text index."""

from __future__ import annotations

import dataclasses

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import read_body, state_items
from sqlalchemy import inspect, text

from scraper.parsing import parse_transcript
from scraper.storage import migrate, open_storage
from scraper.storage.models import Base

JULY_6 = next(i for i in state_items() if i["title"].endswith("July 6, 2021"))


def briefing(version: int = -1):
    item = JULY_6
    return parse_transcript(
        read_body(item["versions"][version]["file"]),
        url=item["link"],
        meta={"title": item["title"], "guid": item["guid"], "creator": item["creator"]},
    )


def table_counts(storage) -> dict[str, int]:
    with storage.engine.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("briefings", "revisions", "turns", "exchanges", "sources")
        }


def test_upgrade_creates_schema_with_full_text_index(storage):
    tables = set(inspect(storage.engine).get_table_names())
    assert {
        "sources",
        "briefings",
        "revisions",
        "turns",
        "exchanges",
        "watch_matches",
        "alert_outbox",
        "runs",
        "feed_state",
        "alembic_version",
    } <= tables
    assert storage.schema_revision() == migrate.head_revision() == "0005_turn_function"
    if storage.dialect == "sqlite":
        assert "turns_fts" in tables
        with storage.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    else:
        columns = {c["name"] for c in inspect(storage.engine).get_columns("turns")}
        assert "text_tsv" in columns
        indexes = {i["name"] for i in inspect(storage.engine).get_indexes("turns")}
        assert "ix_turns_text_tsv" in indexes


def test_migrations_and_models_agree(storage):
    with storage.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # The full-text column and table are backend-specific and deliberately not modelled.
    diff = [d for d in diff if "text_tsv" not in str(d) and "turns_fts" not in str(d)]
    assert diff == []


def test_downgrade_to_base_and_up_again(database_url):
    storage = open_storage(database_url)
    migrate.downgrade(storage.engine, "base")
    assert "briefings" not in inspect(storage.engine).get_table_names()
    storage.upgrade()
    assert "briefings" in inspect(storage.engine).get_table_names()
    storage.close()


def test_save_twice_stores_one_set_of_rows(storage):
    b = briefing()
    first = storage.save_briefing(b)
    counts = table_counts(storage)
    second = storage.save_briefing(b)
    assert (first.status, second.status) == ("new", "unchanged")
    assert first.briefing_id == second.briefing_id
    assert (
        table_counts(storage)
        == counts
        == {
            "briefings": 1,
            "revisions": 1,
            "turns": len(b.turns),
            "exchanges": len(b.exchanges),
            "sources": 1,
        }
    )


def test_edited_text_adds_a_revision_and_replaces_turns(storage):
    old, new = briefing(0), briefing(-1)
    assert old.content_hash != new.content_hash
    storage.save_briefing(old)
    result = storage.save_briefing(new)
    assert result.status == "updated" and result.revision == 2
    assert sum(result.changes.values()) >= 1
    counts = table_counts(storage)
    assert counts["revisions"] == 2 and counts["turns"] == len(new.turns)
    # The stale first version seen again is not a third revision and does not win.
    assert storage.save_briefing(old).status == "unchanged"
    assert table_counts(storage) == counts
    assert storage.check_integrity() == []


def test_same_briefing_under_another_guid_is_stored_once(storage):
    b = briefing()
    storage.save_briefing(b)
    again = dataclasses.replace(b, guid="https://www.state.gov/?page_id=1")
    assert storage.save_briefing(again).status == "unchanged"
    assert table_counts(storage)["briefings"] == 1


def test_full_text_index_follows_updates_and_deletes(storage):
    storage.save_briefing(briefing())
    with storage.engine.connect() as conn:
        if storage.dialect == "sqlite":
            hits = "SELECT count(*) FROM turns_fts WHERE turns_fts MATCH :q"
        else:
            hits = "SELECT count(*) FROM turns WHERE text_tsv @@ plainto_tsquery('english', :q)"
        before = conn.execute(text(hits), {"q": "Pakistan"}).scalar_one()
        assert before > 0
        conn.execute(text("UPDATE turns SET text = 'zzyzx' WHERE text LIKE '%Pakistan%'"))
        assert conn.execute(text(hits), {"q": "Pakistan"}).scalar_one() == 0
        assert conn.execute(text(hits), {"q": "zzyzx"}).scalar_one() == before
        conn.execute(text("DELETE FROM turns WHERE text = 'zzyzx'"))
        assert conn.execute(text(hits), {"q": "zzyzx"}).scalar_one() == 0
        conn.commit()
    assert storage.check_integrity() == []


def test_runs_and_feed_state(storage):
    run = storage.start_run("crawl")
    storage.finish_run(run, "ok", {"items": 3}, [])
    (last,) = storage.recent_runs(1)
    assert (last.command, last.status, last.counts) == ("crawl", "ok", {"items": 3})
    url = "http://127.0.0.1/feed"
    assert storage.feed_validators(url) == (None, None)
    assert storage.record_feed_poll(url, 200, '"e1"', "Tue, 06 Jul 2021", items=0) == 1
    assert storage.record_feed_poll(url, 304, None, None, items=None) == 1
    assert storage.feed_validators(url) == ('"e1"', "Tue, 06 Jul 2021")
    assert storage.record_feed_poll(url, 200, '"e2"', None, items=5) == 0


def test_new_database_is_migrated_on_first_use(tmp_path):
    store = open_storage(f"sqlite:///{tmp_path / 'deep' / 'dir' / 'x.db'}")
    assert store.schema_revision() == "0005_turn_function"
    assert store.counts()["briefings"] == 0
    store.close()


@pytest.mark.parametrize("url", ["postgresql+psycopg://nobody@127.0.0.1:1/x", "nonsense"])
def test_bad_urls_fail_cleanly(url):
    with pytest.raises(Exception):  # noqa: B017 - any clean error, the CLI words it
        open_storage(url).counts()
