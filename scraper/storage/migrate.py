"""Schema migrations with Alembic, run programmatically (no alembic.ini needed).

Opening a database only compares its stored revision with the newest one shipped (read from
the migration files' ``revision``/``down_revision`` lines, no Alembic import): Alembic itself
is imported only when a migration has to run.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"^(down_revision|revision)\b[^=\n]*=(.*)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@functools.cache
def head_revision() -> str:
    """The newest migration shipped with this version: the one no other revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        fields = dict(_REVISION.findall(path.read_text(encoding="utf-8")))
        if "revision" in fields:
            revisions.update(_QUOTED.findall(fields["revision"]))
            revised.update(_QUOTED.findall(fields.get("down_revision", "")))
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


#: Advisory lock key serializing schema changes on PostgreSQL ("brmg").
MIGRATE_LOCK_KEY = 0x6272_6D67
#: Revisions squashed into another, by the revision that now stands for them: a database
#: stamped with one is re-stamped before upgrading. The pre-release chain 0001-0004 ends in
#: the schema of ``0001_initial``; a database left at 0001-0003 (never released) is refused.
SQUASHED = {"0004": "0001_initial"}
UNSUPPORTED = ("0001", "0002", "0003")


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the schema up to ``target``. On PostgreSQL, processes opening a new database at
    once take turns (a transaction advisory lock): the first migrates, the others then find
    the schema current."""
    from alembic import command
    from sqlalchemy import text

    from scraper.storage.engine import write_options

    cfg = _alembic_config()
    with engine.connect().execution_options(**write_options()) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK_KEY})
        _restamp_squashed(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
        conn.commit()


def _restamp_squashed(conn: Connection) -> None:
    """Give a database at a squashed revision the revision that replaced it."""
    from sqlalchemy import inspect, text

    if not inspect(conn).has_table("alembic_version"):
        return
    version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if version in UNSUPPORTED:
        raise RuntimeError(
            f"the database is at schema revision {version}, from before the first release; "
            "create a new database (or upgrade it to 0004 with an earlier version first)"
        )
    if version in SQUASHED:
        conn.execute(
            text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
            {"new": SQUASHED[version], "old": version},
        )


def downgrade(engine: Engine, target: str) -> None:
    """Take the schema back to ``target`` (``"base"`` drops everything)."""
    from alembic import command

    from scraper.storage.engine import write_options

    cfg = _alembic_config()
    with engine.connect().execution_options(**write_options()) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, target)
        conn.commit()
