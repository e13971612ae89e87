"""What storage answers with, in modules that import no SQLAlchemy: the ORM-backed
:class:`~scraper.storage.Storage` and the SQLite :mod:`~scraper.storage.reader` return the same
records, and look URLs up by the same key."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunInfo:
    """A recorded run (``briefwatch runs``, ``status``)."""

    id: int
    command: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    counts: dict[str, Any]
    errors: list[Any]


@dataclass(frozen=True)
class BriefingInfo:
    """A stored briefing's summary (``briefwatch list``, ``show``)."""

    id: int
    date: dt.date | None
    kind: str
    source: str
    title: str
    url: str
    guid: str | None
    revisions: int


def url_hash(value: str) -> str:
    """The key a URL or guid is looked up by (no index over text of unbounded length)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def notice_key(channel: str, watch: str, text: str, day: dt.date) -> str:
    """The outbox key of an operator notice: at most one a day per channel and text."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:20]
    return f"{channel}|{watch}|{digest}|{day.isoformat()}"
