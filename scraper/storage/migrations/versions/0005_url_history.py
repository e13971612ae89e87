"""URLs and guids of any length, and a briefing's URL history.

A briefing is found by any URL it has had (``briefing_urls``, keyed by the URL's SHA-256) or
by its guid (``briefings.guid_hash``), so neither needs a B-tree index on the text itself:
PostgreSQL's unique index on ``briefings.url`` refused URLs over 1,000 characters (and an index
entry over ~2,700 bytes at any declared length). On PostgreSQL the long-text columns become
TEXT; SQLite never enforced the declared lengths, so its tables are left as they are (its
legacy unique index on ``briefings.url`` stays, harmless: a current URL is unique anyway).

Alert keys name the briefing by its id instead of its URL (``channel|watch|briefing/ID|
passage``): bounded in length, and the same after the briefing's URL changes, so a slug
change no longer re-alerts every passage.

Revision ID: 0005_url_history
Revises: 0001_initial
Create Date: 2026-12-06
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0005_url_history"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.create_table(
        "briefing_urls",
        sa.Column("url_hash", sa.String(64), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column(
            "briefing_id",
            sa.Integer,
            sa.ForeignKey("briefings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("first_seen", sa.DateTime, nullable=False),
    )
    op.create_index("ix_briefing_urls_briefing_id", "briefing_urls", ["briefing_id"])
    op.add_column("briefings", sa.Column("guid_hash", sa.String(64)))
    op.drop_index("ix_briefings_guid", "briefings")
    op.create_index("ix_briefings_guid_hash", "briefings", ["guid_hash"])
    if postgres:
        op.execute("ALTER TABLE briefings DROP CONSTRAINT IF EXISTS briefings_url_key")
        op.execute("ALTER TABLE briefings ALTER COLUMN url TYPE TEXT")
        op.execute("ALTER TABLE briefings ALTER COLUMN guid TYPE TEXT")
        op.execute("ALTER TABLE feed_state ALTER COLUMN url TYPE TEXT")
        op.execute("ALTER TABLE crawl_state ALTER COLUMN key TYPE TEXT")

    briefings = sa.table(
        "briefings",
        sa.column("id", sa.Integer),
        sa.column("url", sa.Text),
        sa.column("guid", sa.Text),
        sa.column("guid_hash", sa.String),
        sa.column("first_seen", sa.DateTime),
    )
    urls = sa.table(
        "briefing_urls",
        sa.column("url_hash", sa.String),
        sa.column("url", sa.Text),
        sa.column("briefing_id", sa.Integer),
        sa.column("first_seen", sa.DateTime),
    )
    known: dict[int, str] = {}
    for bid, url, guid, first_seen in bind.execute(
        sa.select(briefings.c.id, briefings.c.url, briefings.c.guid, briefings.c.first_seen)
    ):
        known[bid] = url
        bind.execute(
            urls.insert().values(
                url_hash=_sha(url), url=url, briefing_id=bid, first_seen=first_seen
            )
        )
        if guid:
            bind.execute(
                briefings.update().where(briefings.c.id == bid).values(guid_hash=_sha(guid))
            )

    alerts = sa.table(
        "alert_outbox",
        sa.column("id", sa.Integer),
        sa.column("alert_key", sa.String),
        sa.column("channel", sa.String),
        sa.column("watch", sa.String),
        sa.column("briefing_id", sa.Integer),
    )
    rows = bind.execute(
        sa.select(alerts.c.id, alerts.c.alert_key, alerts.c.channel, alerts.c.watch,
                  alerts.c.briefing_id).where(alerts.c.briefing_id.is_not(None))
    ).all()  # fmt: skip
    for aid, key, channel, watch, bid in rows:
        old_prefix = f"{channel}|{watch}|{known.get(bid)}|"
        if key.startswith(old_prefix):
            passage = key[len(old_prefix) :]
            new_key = f"{channel}|{watch}|briefing/{bid}|{passage}"
            bind.execute(alerts.update().where(alerts.c.id == aid).values(alert_key=new_key))


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "UPDATE alert_outbox SET alert_key = channel || '|' || watch || '|' || "
            "(SELECT url FROM briefings WHERE briefings.id = alert_outbox.briefing_id) || '|' || "
            "substr(alert_key, length(channel || '|' || watch || '|briefing/' || "
            "CAST(briefing_id AS TEXT) || '|') + 1) "
            "WHERE briefing_id IS NOT NULL AND alert_key LIKE channel || '|' || watch || "
            "'|briefing/%'"
        )
    )
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE crawl_state ALTER COLUMN key TYPE VARCHAR(400)")
        op.execute("ALTER TABLE feed_state ALTER COLUMN url TYPE VARCHAR(1000)")
        op.execute("ALTER TABLE briefings ALTER COLUMN guid TYPE VARCHAR(1000)")
        op.execute("ALTER TABLE briefings ALTER COLUMN url TYPE VARCHAR(1000)")
        op.execute("ALTER TABLE briefings ADD CONSTRAINT briefings_url_key UNIQUE (url)")
    op.drop_index("ix_briefings_guid_hash", "briefings")
    op.create_index("ix_briefings_guid", "briefings", ["guid"])
    # Not batch mode: rebuilding briefings on SQLite would cascade-delete its turns.
    op.execute("ALTER TABLE briefings DROP COLUMN guid_hash")
    op.drop_index("ix_briefing_urls_briefing_id", "briefing_urls")
    op.drop_table("briefing_urls")
