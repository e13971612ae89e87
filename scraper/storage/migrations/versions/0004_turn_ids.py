"""Turn ids become 64-bit and time-ordered (see ``scraper.storage.briefings.turn_id``), so
searches read the newest matches first. SQLite's INTEGER PRIMARY KEY is 64-bit already.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE turns ALTER COLUMN id TYPE BIGINT")
        op.execute("ALTER TABLE turns ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE IF EXISTS turns_id_seq")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE IF NOT EXISTS turns_id_seq OWNED BY turns.id")
        op.execute("ALTER TABLE turns ALTER COLUMN id SET DEFAULT nextval('turns_id_seq')")
        op.execute("ALTER TABLE turns ALTER COLUMN id TYPE INTEGER")
