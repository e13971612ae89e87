"""Turns are indexed by (briefing, exchange): ``watch test``, ``rematch`` and ``exchanges``
read the turns of the exchanges the full-text index found, one index seek each, instead of
every turn of those briefings (an exchange holds a few of a briefing's hundred turns).

Revision ID: 0010_turn_exchange_index
Revises: 0009_compressed_bodies
Create Date: 2026-12-06
"""

from alembic import op

revision = "0010_turn_exchange_index"
down_revision = "0009_compressed_bodies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_turns_briefing_exchange", "turns", ["briefing_id", "exchange"])


def downgrade() -> None:
    op.drop_index("ix_turns_briefing_exchange", table_name="turns")
