"""Storage: the only package that imports SQLAlchemy.

Everything else opens a :class:`Storage` (:func:`open_storage`) and calls its intention-named
methods; quick questions to an up-to-date SQLite archive may instead use the SQLite-only
:func:`open_reader`. Importing this package is cheap: its names are loaded on first use, so a
command that never needs SQLAlchemy (``briefwatch search`` on SQLite, ``--help``) never loads it.
"""

from __future__ import annotations

import importlib
import sqlite3
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the real names for type checkers; at run time, loaded by __getattr__
    from scraper.storage.browse import Archive as Archive
    from scraper.storage.database import RunInfo as RunInfo
    from scraper.storage.database import SaveResult as SaveResult
    from scraper.storage.database import Storage as Storage
    from scraper.storage.database import StorageError as StorageError
    from scraper.storage.database import open_archive as open_archive
    from scraper.storage.database import open_storage as open_storage
    from scraper.storage.lock import LockBusy as LockBusy
    from scraper.storage.outbox import QueuedAlert as QueuedAlert
    from scraper.storage.reader import Reader as Reader
    from scraper.storage.reader import open_reader as open_reader
    from scraper.storage.search import Filters as Filters
    from scraper.storage.search import TurnHit as TurnHit

#: Public name -> the module (of this package) that defines it.
_NAMES = {
    "Archive": "browse",
    "Filters": "search",
    "TurnHit": "search",
    "LockBusy": "lock",
    "QueuedAlert": "outbox",
    "open_reader": "reader",
    "Reader": "reader",
    **dict.fromkeys(
        ("RunInfo", "SaveResult", "Storage", "StorageError", "open_archive", "open_storage"),
        "database",
    ),
}

__all__ = [*_NAMES, "is_storage_error"]


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    globals()[name] = value
    return value


def is_storage_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a database failure (SQLAlchemy's, or the SQLite reader's)."""
    if isinstance(exc, sqlite3.Error):
        return True
    if "sqlalchemy.exc" not in sys.modules:
        return False
    from sqlalchemy.exc import SQLAlchemyError

    return isinstance(exc, SQLAlchemyError)
