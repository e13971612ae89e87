"""Schema migrations with Alembic, run programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from scraper.storage.engine import write_options

MIGRATIONS = Path(__file__).with_name("migrations")


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest migration shipped with this version."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


#: Advisory lock key serializing schema changes on PostgreSQL ("brmg").
MIGRATE_LOCK_KEY = 0x6272_6D67


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the schema up to ``target``. On PostgreSQL, processes opening a new database at
    once take turns (a transaction advisory lock): the first migrates, the others then find
    the schema current."""
    cfg = _alembic_config()
    with engine.connect().execution_options(**write_options()) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
        conn.commit()


def downgrade(engine: Engine, target: str) -> None:
    """Take the schema back to ``target`` (``"base"`` drops everything)."""
    cfg = _alembic_config()
    with engine.connect().execution_options(**write_options()) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, target)
        conn.commit()
