"""Alert outbox: the recipients (targets) an alert already reached, so a retry after a partial
refusal goes to the others only.

Revision ID: 0006_alert_recipients
Revises: 0005_url_history
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_alert_recipients"
down_revision = "0005_url_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_outbox") as batch:
        batch.add_column(sa.Column("delivered_to", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("alert_outbox") as batch:
        batch.drop_column("delivered_to")
