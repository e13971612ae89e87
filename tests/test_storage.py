"""Storage on SQLite and PostgreSQL: schema, idempotent saves, revisions, full-text index."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from helpers.state_department import read_body, state_items
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
    assert storage.schema_revision() == migrate.head_revision() == "0010_turn_exchange_index"
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
    if storage.dialect == "sqlite":
        # SQLite keeps the unique index on briefings.url that it cannot drop without
        # rebuilding the table (see migration 0005); PostgreSQL has no such index.
        diff = [d for d in diff if not (d[0] == "remove_constraint" and "url" in str(d[1]))]
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
    assert store.schema_revision() == "0010_turn_exchange_index"
    assert store.counts()["briefings"] == 0
    store.close()


@pytest.mark.parametrize("url", ["postgresql+psycopg://nobody@127.0.0.1:1/x", "nonsense"])
def test_bad_urls_fail_cleanly(url):
    with pytest.raises(Exception):  # noqa: B017 - any clean error, the CLI words it
        open_storage(url).counts()


def _watched(b, terms=("Pakistan",)):
    """Hits and drafts as the flag pipeline makes them, for one watch on the log channel."""
    from scraper.alerts.plan import draft_alerts
    from scraper.watch.config import WatchConfig
    from scraper.watch.matcher import Matcher

    watch = WatchConfig(name="w", terms=tuple(terms))
    hits = Matcher([watch]).hits(b)
    return {"hits": hits, "drafts": draft_alerts(b, hits, {"w": watch}, ["log"])}


def test_watch_matches_are_stored_with_a_new_briefing_and_replaced_with_a_new_text(storage):
    def matches() -> dict[int, list[tuple[str, int, str]]]:
        with storage.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT briefing_id, term, turn_ordinal, snippet FROM watch_matches")
            )
            found: dict[int, list[tuple[str, int, str]]] = {}
            for briefing_id, term, ordinal, snippet in rows:
                found.setdefault(briefing_id, []).append((term, ordinal, snippet))
            return {k: sorted(v) for k, v in found.items()}

    def expected(b, terms):
        return sorted(
            (m.term, m.turn, m.snippet) for h in _watched(b, terms)["hits"] for m in h.matches
        )

    old, new = briefing(0), briefing(-1)
    other = dataclasses.replace(new, url="https://example.org/other", guid="", content_hash="o")
    first = storage.save_briefing(old, **_watched(old))
    kept = storage.save_briefing(other, **_watched(other, ("Afghanistan",)))
    assert matches() == {
        first.briefing_id: expected(old, ("Pakistan",)),
        kept.briefing_id: expected(other, ("Afghanistan",)),
    }
    assert expected(old, ("Pakistan",)) and expected(other, ("Afghanistan",))
    # A new text replaces its briefing's matches (here with another watch's) and no other's.
    updated = storage.save_briefing(new, **_watched(new, ("Afghanistan",)))
    assert updated.status == "updated"
    assert matches() == {
        first.briefing_id: expected(new, ("Afghanistan",)),
        kept.briefing_id: expected(other, ("Afghanistan",)),
    }


@pytest.mark.parametrize(
    ("filters", "listed"),
    [
        ({}, 2),
        ({"since": dt.date(2021, 7, 6), "until": dt.date(2021, 7, 6)}, 1),
        ({"until": dt.date(2021, 7, 5)}, 1),
        ({"kind": "press_briefing"}, 2),
        ({"kind": "speech"}, 0),
        ({"source": "state_department"}, 2),
        ({"source": "whitehouse"}, 0),
    ],
    ids=["none", "one day", "until", "kind", "other kind", "source", "other source"],
)
def test_list_and_iteration_apply_the_same_briefing_filters(storage, filters, listed):
    july_6 = briefing()
    storage.save_briefing(july_6)
    earlier = dataclasses.replace(
        july_6,
        url="https://example.org/earlier",
        guid="",
        content_hash="e",
        date=dt.date(2020, 1, 2),
    )
    storage.save_briefing(earlier)
    assert (july_6.date, july_6.kind, july_6.source) == (
        dt.date(2021, 7, 6),
        "press_briefing",
        "state_department",
    )
    total, page = storage.list_briefings(**filters)
    iterated = [b.url for _id, b in storage.iter_briefings(**filters)]
    assert total == len(page) == len(iterated) == listed
    assert sorted(info.url for info in page) == sorted(iterated)


def test_more_than_65535_turns_are_all_stored(storage):
    from scraper.model import Turn

    b = briefing()
    n = 65_600
    many = tuple(Turn(i, "Q", "QUESTION", "reporter", f"line {i}", None, 1, None) for i in range(n))
    big = dataclasses.replace(b, turns=many, exchanges=(), content_hash="many-turns")
    assert storage.save_briefing(big).status == "new"
    with storage.engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*), count(DISTINCT id) FROM turns")).one()
        last = conn.execute(text("SELECT text FROM turns WHERE ordinal = :o"), {"o": n - 1})
        assert last.scalar_one() == f"line {n - 1}"
    assert tuple(stored) == (n, n)


def test_urls_guids_and_alert_keys_of_any_length(storage):
    b = briefing()
    long_url = "https://www.state.gov/briefings/" + "a" * 6000
    long_guid = "https://www.state.gov/?p=" + "7" * 5000
    b = dataclasses.replace(b, url=long_url, guid=long_guid)
    first = storage.save_briefing(b, **_watched(b))
    assert first.status == "new" and first.alerts_queued > 0
    assert storage.save_briefing(b, **_watched(b)).status == "unchanged"
    assert storage.get_briefing(long_url)[0] == first.briefing_id
    assert storage.known_urls([long_url, "https://other/"]) == {long_url}
    assert long_url in storage.stored_urls()
    # Found again by the long guid alone, at yet another URL.
    moved = dataclasses.replace(b, url=long_url + "/moved")
    assert storage.save_briefing(moved).briefing_id == first.briefing_id
    long_feed = "http://127.0.0.1/feed?" + "x" * 1500
    storage.record_feed_poll(long_feed, 200, '"e"', None, items=1)
    assert storage.feed_validators(long_feed) == ('"e"', None)
    storage.set_crawl_state("backfill:" + long_feed, {"page": 2})
    assert storage.crawl_state("backfill:" + long_feed) == {"page": 2}


def test_a_slug_change_alerts_only_the_passages_that_changed(storage):
    old, new = briefing(0), briefing(-1)
    first = storage.save_briefing(old, **_watched(old))
    assert first.alerts_queued > 0
    # The edit also moves the transcript to a new slug; the guid stays.
    moved = dataclasses.replace(new, url=old.url.rstrip("/") + "-corrected/")
    second = storage.save_briefing(moved, **_watched(moved))
    assert (second.status, second.briefing_id) == ("updated", first.briefing_id)
    old_passages = {d.passage_hash for d in _watched(old)["drafts"]}
    changed = {d.passage_hash for d in _watched(moved)["drafts"]} - old_passages
    assert second.alerts_queued == len(changed)
    # The current URL is the new one; the old one still finds the same briefing.
    assert storage.get_briefing(moved.url)[1].url == moved.url
    assert storage.get_briefing(old.url)[0] == first.briefing_id
    assert table_counts(storage)["briefings"] == 1


def test_upgrade_from_0001_initial_keeps_data_and_rekeys_alerts(database_url):
    storage = open_storage(database_url, upgrade=False)
    migrate.upgrade(storage.engine, "0001_initial")
    now = "2026-12-01 00:00:00"
    with storage.engine.begin() as conn:
        conn.execute(text("INSERT INTO sources (id, slug, name) VALUES (1, 's', 'S')"))
        conn.execute(
            text(
                "INSERT INTO briefings (id, source_id, url, guid, title, kind, speakers, topics, "
                "content_hash, coverage, warnings, first_seen, last_seen, parser_version) "
                "VALUES (7, 1, 'https://x/a', 'g-7', 't', 'press_briefing', '[]', '[]', 'h', "
                f"1.0, '[]', '{now}', '{now}', '1')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO alert_outbox (alert_key, channel, watch, briefing_id, unit, "
                "payload, status, attempts, created_at, next_attempt_at) VALUES "
                "('log|w|https://x/a|abc123', 'log', 'w', 7, 'exchange 1', '{}', 'sent', 1, "
                f"'{now}', '{now}')"
            )
        )
    storage.upgrade()
    assert storage.schema_revision() == migrate.head_revision()
    assert storage.get_briefing("https://x/a")[0] == 7
    assert [a.key for a in storage.list_alerts()] == ["log|w|briefing/7|abc123"]
    migrate.downgrade(storage.engine, "0001_initial")
    with storage.engine.connect() as conn:
        keys = conn.execute(text("SELECT alert_key FROM alert_outbox")).scalars().all()
        assert keys == ["log|w|https://x/a|abc123"]
        assert conn.execute(text("SELECT count(*) FROM turns")).scalar_one() == 0
        assert conn.execute(text("SELECT url FROM briefings")).scalars().all() == ["https://x/a"]
    storage.close()


def test_sessions_wait_and_run_for_bounded_times(migrated_database_url):
    store = open_storage(
        migrated_database_url, busy_timeout_seconds=1.5, statement_timeout_seconds=2
    )
    try:
        with store.engine.connect() as conn:
            if store.dialect == "sqlite":
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1500
            else:
                assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "1500ms"
                assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "2s"
                with pytest.raises(Exception, match="statement timeout"):
                    conn.exec_driver_sql("SELECT pg_sleep(10)")
    finally:
        store.close()
