"""Initial schema: briefings, revisions, turns (with full-text index), exchanges, watch
matches, alert outbox, runs, feed state and crawl state.

The pre-release migrations 0001-0004 squashed into one, ending in the same schema: turn ids
64-bit and time-ordered (see ``scraper.storage.briefings.turn_id``; SQLite's INTEGER PRIMARY KEY
is 64-bit already), alerts keyed by their unit. A database stamped ``0004`` is re-stamped with
this revision before upgrading (:data:`scraper.storage.migrate.SQUASHED`).

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

# External-content FTS5 index over turns.text. The delete trigger must pass the old text:
# a 'delete' given only the rowid is accepted silently and the old words keep matching.
SQLITE_FTS = [
    """CREATE VIRTUAL TABLE turns_fts USING fts5(
        text, content='turns', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
        INSERT INTO turns_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
        INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER turns_fts_update AFTER UPDATE OF text ON turns BEGIN
        INSERT INTO turns_fts(turns_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO turns_fts(rowid, text) VALUES (new.id, new.text);
    END""",
]

POSTGRES_FTS = [
    """ALTER TABLE turns ADD COLUMN text_tsv tsvector
        GENERATED ALWAYS AS (to_tsvector('english', coalesce(text, ''))) STORED""",
    "CREATE INDEX ix_turns_text_tsv ON turns USING GIN (text_tsv)",
]


def _briefing_id() -> sa.Column[int]:
    """The column tying a row to its briefing, removed with it."""
    return sa.Column(
        "briefing_id",
        sa.Integer,
        sa.ForeignKey("briefings.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    op.create_table(
        "briefings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("url", sa.String(1000), nullable=False, unique=True),
        sa.Column("guid", sa.String(1000)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("date", sa.Date),
        sa.Column("published_at", sa.DateTime),
        sa.Column("speakers", sa.JSON, nullable=False),
        sa.Column("location", sa.Text),
        sa.Column("start_time", sa.String(40)),
        sa.Column("end_time", sa.String(40)),
        sa.Column("topics", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("coverage", sa.Float, nullable=False),
        sa.Column("warnings", sa.JSON, nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
        sa.Column("parser_version", sa.String(20), nullable=False),
    )
    op.create_index("ix_briefings_source_id", "briefings", ["source_id"])
    op.create_index("ix_briefings_guid", "briefings", ["guid"])
    op.create_index("ix_briefings_kind", "briefings", ["kind"])
    op.create_index("ix_briefings_date", "briefings", ["date"])
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True),
        _briefing_id(),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
        sa.UniqueConstraint("briefing_id", "content_hash"),
    )
    op.create_table(
        "turns",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        _briefing_id(),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("speaker", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("topic", sa.String(200)),
        sa.Column("paragraphs", sa.Integer, nullable=False),
        sa.Column("exchange", sa.Integer),
        sa.UniqueConstraint("briefing_id", "ordinal"),
    )
    op.create_index("ix_turns_speaker", "turns", ["speaker"])
    op.create_table(
        "exchanges",
        sa.Column("id", sa.Integer, primary_key=True),
        _briefing_id(),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("question_turns", sa.JSON, nullable=False),
        sa.Column("answer_turns", sa.JSON, nullable=False),
        sa.Column("topic", sa.String(200)),
        sa.UniqueConstraint("briefing_id", "ordinal"),
    )
    op.create_table(
        "watch_matches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("watch", sa.String(200), nullable=False),
        _briefing_id(),
        sa.Column("turn_ordinal", sa.Integer, nullable=False),
        sa.Column("exchange", sa.Integer),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("term", sa.Text, nullable=False),
        sa.Column("snippet", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_watch_matches_watch_briefing", "watch_matches", ["watch", "briefing_id"])
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_key", sa.String(400), nullable=False, unique=True),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("watch", sa.String(200), nullable=False),
        sa.Column("briefing_id", sa.Integer, sa.ForeignKey("briefings.id", ondelete="SET NULL")),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("unit", sa.String(40), nullable=False, server_default=""),
        sa.Column("claimed_at", sa.DateTime),
    )
    op.create_index("ix_alert_outbox_status", "alert_outbox", ["status", "next_attempt_at"])
    op.create_index(
        "ix_alert_outbox_lookup", "alert_outbox", ["channel", "watch", "briefing_id", "unit"]
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("command", sa.String(40), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("errors", sa.JSON, nullable=False),
    )
    op.create_table(
        "feed_state",
        sa.Column("url", sa.String(1000), primary_key=True),
        sa.Column("etag", sa.String(400)),
        sa.Column("last_modified", sa.String(100)),
        sa.Column("last_status", sa.Integer),
        sa.Column("checked_at", sa.DateTime),
        sa.Column("empty_runs", sa.Integer, nullable=False),
    )
    op.create_table(
        "crawl_state",
        sa.Column("key", sa.String(400), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_FTS, "postgresql": POSTGRES_FTS}.get(dialect, []):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS turns_fts")
    for table in (
        "crawl_state",
        "feed_state",
        "runs",
        "alert_outbox",
        "watch_matches",
        "exchanges",
        "turns",
        "revisions",
        "briefings",
        "sources",
    ):
        op.drop_table(table)
