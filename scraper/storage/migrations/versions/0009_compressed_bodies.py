"""Stored page bodies are compressed: ``revisions.body`` becomes zlib-compressed UTF-8 (a BLOB
on SQLite, ``bytea`` on PostgreSQL), read back as the same text
(``scraper.storage.models.CompressedText``). Bodies were a third of a SQLite archive.

Every stored body is rewritten, 500 at a time, into a new column that then takes the old one's
place (SQLite rebuilds ``revisions``, which has no triggers).

Revision ID: 0009_compressed_bodies
Revises: 0008_turn_anchor_named
Create Date: 2026-12-06
"""

import zlib
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0009_compressed_bodies"
down_revision = "0008_turn_anchor_named"
branch_labels = None
depends_on = None

BATCH = 500


def _rewrite(new_type: type[sa.types.TypeEngine[Any]], convert: Callable[[Any], Any]) -> None:
    """Fill ``revisions.body_new`` (of ``new_type``) with ``convert(body)``; swap the two."""
    op.add_column("revisions", sa.Column("body_new", new_type))
    bind = op.get_bind()
    update = sa.text("UPDATE revisions SET body_new = :v WHERE id = :id").bindparams(
        sa.bindparam("v", type_=new_type)
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.text("SELECT id, body FROM revisions WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            break
        bind.execute(update, [{"id": i, "v": convert(body)} for i, body in rows])
        last = rows[-1][0]
    with op.batch_alter_table("revisions") as batch:
        batch.drop_column("body")
        batch.alter_column(
            "body_new", new_column_name="body", existing_type=new_type, nullable=False
        )


def upgrade() -> None:
    _rewrite(sa.LargeBinary, lambda body: zlib.compress(body.encode("utf-8"), 1))


def downgrade() -> None:
    _rewrite(sa.Text, lambda body: zlib.decompress(body).decode("utf-8"))
