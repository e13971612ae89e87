"""Migrations 0001-0004 were squashed into ``0001_initial`` before the first release. A database
built by the old chain (kept frozen in ``fixtures/pre_squash_migrations``) still upgrades to
head, and the squashed revision builds exactly the schema the old chain built."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from scraper.storage import migrate, open_storage
from scraper.storage.models import Base

OLD_MIGRATIONS = Path(__file__).parent / "fixtures" / "pre_squash_migrations"
NOW = "2026-12-01 00:00:00"


def old_chain(engine: Engine, action: str, target: str) -> None:
    """Run the frozen pre-squash migrations (``upgrade`` or ``downgrade`` to ``target``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(OLD_MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, target)
        conn.commit()


def schema(engine: Engine) -> dict[str, object]:
    """Everything a migration decides, per table (the version table aside), comparable
    across two builds of the same backend."""
    insp = inspect(engine)
    out: dict[str, object] = {}
    for table in sorted(set(insp.get_table_names()) - {"alembic_version"}):
        out[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in insp.get_columns(table)
            ],
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], str(f.get("options")))
                for f in insp.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in insp.get_indexes(table)
            ),
            "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
        }
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            out["sqlite_master"] = sorted(
                tuple(r)
                for r in conn.exec_driver_sql(
                    "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'table') "
                    "AND name LIKE 'turns_fts%'"
                )
            )
        else:
            out["sequences"] = sorted(
                conn.exec_driver_sql(
                    "SELECT sequence_name FROM information_schema.sequences"
                ).scalars()
            )
    return out


def test_the_squashed_revision_builds_the_schema_the_old_chain_built(database_url):
    storage = open_storage(database_url, upgrade=False)
    old_chain(storage.engine, "upgrade", "0004")
    built_by_old_chain = schema(storage.engine)
    old_chain(storage.engine, "downgrade", "base")
    assert set(inspect(storage.engine).get_table_names()) == {"alembic_version"}
    migrate.upgrade(storage.engine, "0001_initial")
    assert schema(storage.engine) == built_by_old_chain
    assert "crawl_state" in built_by_old_chain
    turns = built_by_old_chain["turns"]["columns"]  # type: ignore[index]
    expected_id = "INTEGER" if storage.dialect == "sqlite" else "BIGINT"
    assert turns[0][:2] == ("id", expected_id)
    storage.close()


def test_a_database_at_0004_from_the_old_migrations_upgrades_to_head(database_url):
    storage = open_storage(database_url, upgrade=False)
    old_chain(storage.engine, "upgrade", "0004")
    with storage.engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, slug, name) VALUES (1, 's', 'S')"))
        conn.execute(
            text(
                "INSERT INTO briefings (id, source_id, url, guid, title, kind, speakers, topics, "
                "content_hash, coverage, warnings, first_seen, last_seen, parser_version) "
                "VALUES (7, 1, 'https://x/a', 'g-7', 't', 'press_briefing', '[]', '[]', 'h', "
                f"1.0, '[]', '{NOW}', '{NOW}', '1')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO alert_outbox (alert_key, channel, watch, briefing_id, unit, "
                "payload, status, attempts, created_at, next_attempt_at) VALUES "
                "('log|w|https://x/a|abc123', 'log', 'w', 7, 'exchange 1', '{}', 'sent', 1, "
                f"'{NOW}', '{NOW}')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO crawl_state (key, value, updated_at) "
                f"VALUES ('backfill', '{{\"page\": 3}}', '{NOW}')"
            )
        )
    assert storage.schema_revision() == "0004"
    storage.close()

    upgraded = open_storage(database_url)  # as the CLI opens it: migrated to head
    assert upgraded.schema_revision() == migrate.head_revision() == "0010_turn_exchange_index"
    assert upgraded.get_briefing("https://x/a")[0] == 7
    assert [a.key for a in upgraded.list_alerts()] == ["log|w|briefing/7|abc123"]
    with upgraded.engine.connect() as conn:
        assert conn.execute(text("SELECT key FROM crawl_state")).scalars().all() == ["backfill"]
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # As in test_storage: the full-text index is not modelled, and SQLite keeps briefings.url's
    # old unique index (migration 0005).
    diff = [d for d in diff if "text_tsv" not in str(d) and "turns_fts" not in str(d)]
    if upgraded.dialect == "sqlite":
        diff = [d for d in diff if not (d[0] == "remove_constraint" and "url" in str(d[1]))]
    assert diff == []
    upgraded.close()


@pytest.mark.parametrize("revision", ["0001", "0002", "0003"])
def test_a_database_between_the_squashed_revisions_is_refused(database_url, revision):
    storage = open_storage(database_url, upgrade=False)
    old_chain(storage.engine, "upgrade", revision)
    with pytest.raises(RuntimeError, match=f"schema revision {revision}, from before the first"):
        migrate.upgrade(storage.engine)
    assert storage.schema_revision() == revision  # left as it was
    storage.close()
