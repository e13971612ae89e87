"""Alert outbox: the unit (exchange or turn) an alert is about, and when a sender claimed it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_outbox") as batch:
        batch.add_column(sa.Column("unit", sa.String(40), nullable=False, server_default=""))
        batch.add_column(sa.Column("claimed_at", sa.DateTime))
    op.create_index(
        "ix_alert_outbox_lookup", "alert_outbox", ["channel", "watch", "briefing_id", "unit"]
    )


def downgrade() -> None:
    op.drop_index("ix_alert_outbox_lookup", "alert_outbox")
    with op.batch_alter_table("alert_outbox") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("unit")
