"""SQLAlchemy 2.0 typed models. The schema itself is created by the Alembic migrations;
``tests/test_storage.py`` checks that the two agree."""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}
    # Every model here maps one Table (SQLAlchemy types it as any FromClause; its authors
    # suggest this narrowing: sqlalchemy/sqlalchemy#9130).
    __table__: ClassVar[Table]


class CompressedText(TypeDecorator[str]):
    """Text stored zlib-compressed (UTF-8), read back as the same ``str``: page bodies are
    a third of a SQLite archive and compress about 2.5 to one (zlib level 1: a third of the
    CPU of level 6, for a tenth less compression)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        return None if value is None else compress_text(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> str | None:
        return None if value is None else decompress_text(value)


def compress_text(value: str) -> bytes:
    return zlib.compress(value.encode("utf-8"), 1)


def decompress_text(value: bytes) -> str:
    return zlib.decompress(value).decode("utf-8")


class SourceRow(Base):
    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


#: Text of any length. SQLite never enforced the lengths declared before migration 0005 and
#: its tables keep them; PostgreSQL's columns are TEXT.
def _long_text(legacy_length: int) -> Text:
    return Text().with_variant(String(legacy_length), "sqlite")


class BriefingRow(Base):
    __tablename__ = "briefings"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    #: The URL it was last stored from; every URL it has had is in ``briefing_urls``.
    url: Mapped[str] = mapped_column(_long_text(1000))
    guid: Mapped[str | None] = mapped_column(_long_text(1000))
    #: SHA-256 of ``guid``: looked up without a B-tree over text of unbounded length.
    guid_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    date: Mapped[dt.date | None] = mapped_column(index=True)
    published_at: Mapped[dt.datetime | None]
    speakers: Mapped[list[Any]]
    location: Mapped[str | None] = mapped_column(Text)
    start_time: Mapped[str | None] = mapped_column(String(40))
    end_time: Mapped[str | None] = mapped_column(String(40))
    topics: Mapped[list[Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    coverage: Mapped[float] = mapped_column(Float)
    warnings: Mapped[list[Any]]
    first_seen: Mapped[dt.datetime]
    last_seen: Mapped[dt.datetime]
    parser_version: Mapped[str] = mapped_column(String(20))

    source: Mapped[SourceRow] = relationship()
    turns: Mapped[list[TurnRow]] = relationship(
        back_populates="briefing", cascade="all, delete-orphan", order_by="TurnRow.ordinal"
    )
    exchanges: Mapped[list[ExchangeRow]] = relationship(
        cascade="all, delete-orphan", order_by="ExchangeRow.ordinal"
    )


class BriefingUrlRow(Base):
    """Every URL a briefing has been seen at, so an old slug still finds it."""

    __tablename__ = "briefing_urls"
    url_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of url
    url: Mapped[str] = mapped_column(Text)
    briefing_id: Mapped[int] = mapped_column(
        ForeignKey("briefings.id", ondelete="CASCADE"), index=True
    )
    first_seen: Mapped[dt.datetime]


class RevisionRow(Base):
    """Every distinct text a briefing has had, oldest first."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("briefing_id", "content_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The page the text was parsed from, compressed (see :class:`CompressedText`).
    body: Mapped[str] = mapped_column(CompressedText)
    first_seen: Mapped[dt.datetime]
    #: Turn-level changes against the previous revision: {"added": n, "removed": n, "changed": n}.
    changes: Mapped[dict[str, Any]]
    #: The parser version whose reading of ``body`` is stored (None: stored before 0005).
    parser_version: Mapped[str | None] = mapped_column(String(20))


class TurnRow(Base):
    __tablename__ = "turns"
    __table_args__ = (
        UniqueConstraint("briefing_id", "ordinal"),
        # The turns of one exchange, for the units a backtest reads (migration 0010).
        Index("ix_turns_briefing_exchange", "briefing_id", "exchange"),
    )
    #: Time-ordered (see ``briefings.turn_id``); SQLite's INTEGER PRIMARY KEY is 64-bit.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"))
    ordinal: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))
    speaker: Mapped[str] = mapped_column(String(200), index=True)
    role: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(200))
    paragraphs: Mapped[int]
    exchange: Mapped[int | None]
    #: What the turn does (``scraper.model.FUNCTIONS``); empty for turns stored before 0005.
    function: Mapped[str] = mapped_column(String(20), server_default="")
    #: The page's own element id of the turn's topic (``post-349303-UKRAINERUSSIA``).
    anchor: Mapped[str | None] = mapped_column(Text)
    #: The name a moderator or official called the (reporter) speaker by: a hint.
    named_as: Mapped[str | None] = mapped_column(Text)

    briefing: Mapped[BriefingRow] = relationship(back_populates="turns")


class ExchangeRow(Base):
    __tablename__ = "exchanges"
    __table_args__ = (UniqueConstraint("briefing_id", "ordinal"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"))
    ordinal: Mapped[int]
    question_turns: Mapped[list[Any]]
    answer_turns: Mapped[list[Any]]
    topic: Mapped[str | None] = mapped_column(String(200))


class WatchMatchRow(Base):
    __tablename__ = "watch_matches"
    __table_args__ = (Index("ix_watch_matches_watch_briefing", "watch", "briefing_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    watch: Mapped[str] = mapped_column(String(200))
    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"))
    turn_ordinal: Mapped[int]
    exchange: Mapped[int | None]
    start: Mapped[int]
    end: Mapped[int]
    term: Mapped[str] = mapped_column(Text)
    snippet: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class AlertRow(Base):
    """The outbox: one row per alert and channel; ``alert_key`` makes re-sending impossible."""

    __tablename__ = "alert_outbox"
    __table_args__ = (
        Index("ix_alert_outbox_status", "status", "next_attempt_at"),
        Index("ix_alert_outbox_lookup", "channel", "watch", "briefing_id", "unit"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_key: Mapped[str] = mapped_column(String(400), unique=True)
    channel: Mapped[str] = mapped_column(String(40))
    watch: Mapped[str] = mapped_column(String(200))
    briefing_id: Mapped[int | None] = mapped_column(ForeignKey("briefings.id", ondelete="SET NULL"))
    unit: Mapped[str] = mapped_column(String(40), server_default="")
    payload: Mapped[dict[str, Any]]
    #: pending | sending (claimed by a sender) | sent | failed | suppressed
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
    claimed_at: Mapped[dt.datetime | None]
    #: Recipients (targets) already reached when a channel has several and some refused.
    delivered_to: Mapped[list[Any] | None]


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    command: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(20))  # running | ok | failed | blocked
    counts: Mapped[dict[str, Any]]
    errors: Mapped[list[Any]]


class FeedStateRow(Base):
    """Conditional-GET validators and health of one feed URL."""

    __tablename__ = "feed_state"
    url: Mapped[str] = mapped_column(_long_text(1000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(400))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_status: Mapped[int | None]
    checked_at: Mapped[dt.datetime | None]
    empty_runs: Mapped[int]


class CrawlStateRow(Base):
    """Small named values a crawl keeps between runs (a backfill's resume point)."""

    __tablename__ = "crawl_state"
    key: Mapped[str] = mapped_column(_long_text(400), primary_key=True)
    value: Mapped[dict[str, Any]]
    updated_at: Mapped[dt.datetime]
