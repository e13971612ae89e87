"""Turns record the site's own anchor of their topic (``post-349303-UKRAINERUSSIA``, so a
link can point where the page really has one) and the name a moderator or official called
a reporter by (``named_as``, a hint beside the label); ``topic`` becomes the topic as the
page shows it ("Ukraine / Russia"); ``briefwatch reparse`` fills them for stored turns.

Plain ADD COLUMN on both backends: a batch rebuild of ``turns`` would drop SQLite's FTS
triggers.

Revision ID: 0008_turn_anchor_named
Revises: 0007_turn_function
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_turn_anchor_named"
down_revision = "0007_turn_function"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("turns", sa.Column("anchor", sa.Text()))
    op.add_column("turns", sa.Column("named_as", sa.Text()))


def downgrade() -> None:
    for column in ("named_as", "anchor"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE turns DROP COLUMN {column}")
        else:
            op.drop_column("turns", column)
