"""Turns record their function (question, answer, moderation, procedural, statement, other);
revisions record the parser version that read them (``briefwatch reparse`` brings them up).

Plain ADD COLUMN on both backends: a batch rebuild of ``turns`` would drop SQLite's FTS
triggers.

Revision ID: 0007_turn_function
Revises: 0006_alert_recipients
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_turn_function"
down_revision = "0006_alert_recipients"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("turns", sa.Column("function", sa.String(20), nullable=False, server_default=""))
    op.add_column("revisions", sa.Column("parser_version", sa.String(20)))


def downgrade() -> None:
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("parser_version")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops a plain column in place, keeping the FTS triggers on turns.
        op.execute("ALTER TABLE turns DROP COLUMN function")
    else:
        op.drop_column("turns", "function")
