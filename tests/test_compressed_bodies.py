"""Stored page bodies are compressed on disk and read back exactly; migration 0009 rewrites
the bodies of an existing archive, and its downgrade restores them as text."""

from __future__ import annotations

import zlib

from helpers.search_archive import FILES
from helpers.state_department import parse_fixture
from sqlalchemy import text

from scraper.storage import migrate, open_storage


def test_bodies_are_stored_compressed_and_read_back_exactly(storage):
    briefing = parse_fixture(FILES[0])
    saved = storage.save_briefing(briefing)
    with storage.engine.connect() as conn:
        raw = conn.execute(text("SELECT body FROM revisions")).scalar_one()
    assert zlib.decompress(raw).decode("utf-8") == briefing.body
    assert len(raw) * 2 < len(briefing.body.encode("utf-8"))
    assert storage.revisions(saved.briefing_id)[0].body == briefing.body


def test_migration_compresses_stored_bodies_and_downgrade_restores_them(database_url):
    bodies = [parse_fixture(name).body for name in FILES[:3]]
    storage = open_storage(database_url, upgrade=False)
    migrate.upgrade(storage.engine, "0008_turn_anchor_named")
    with storage.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO sources (id, slug, name) VALUES (1, 'state_department', 'x')")
        )
        for n, body in enumerate(bodies, 1):
            conn.execute(
                text(
                    "INSERT INTO briefings (id, source_id, url, title, kind, speakers, topics, "
                    "content_hash, coverage, warnings, first_seen, last_seen, parser_version) "
                    "VALUES (:n, 1, :url, 't', 'press_briefing', '[]', '[]', 'h', 1.0, '[]', "
                    "'2026-01-01 00:00:00', '2026-01-01 00:00:00', '1')"
                ),
                {"n": n, "url": f"https://x/{n}"},
            )
            conn.execute(
                text(
                    "INSERT INTO revisions (briefing_id, number, content_hash, body, first_seen, "
                    "changes) VALUES (:n, 1, 'h', :body, '2026-01-01 00:00:00', '{}')"
                ),
                {"n": n, "body": body},
            )
    storage.upgrade()
    assert storage.schema_revision() == "0010_turn_exchange_index"
    assert [storage.revisions(n)[0].body for n in (1, 2, 3)] == bodies
    migrate.downgrade(storage.engine, "0008_turn_anchor_named")
    with storage.engine.connect() as conn:
        stored = conn.execute(text("SELECT body FROM revisions ORDER BY briefing_id")).scalars()
        assert list(stored) == bodies
    storage.close()
