"""What spiders yield: plain dataclasses that the pipelines handle, one concern each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scraper.model import Briefing


@dataclass
class BriefingItem:
    """One parsed transcript (or press release) from a feed item or a detail page."""

    briefing: Briefing
    #: The item's title or guid promised a transcript: no turns then means the site changed.
    expected_transcript: bool = False
    #: Set by the flag pipeline: watch hits and the alerts they call for.
    hits: list[Any] = field(default_factory=list)
    drafts: list[Any] = field(default_factory=list)
    #: The feed that carried it, in full or as a teaser (its validators wait until it is
    #: stored).
    feed_url: str | None = None


@dataclass
class FeedPollItem:
    """The outcome of one conditional GET of a feed, yielded after that feed's items."""

    url: str
    status: int
    etag: str | None
    last_modified: str | None
    items: int | None  # None for 304 Not Modified
    error: str | None = None
    #: The teaser links whose detail pages it sent the crawl to fetch (its validators are kept
    #: only once each is dealt with for good: see
    #: :class:`scraper.pipelines.validators.ValidatorLedger`).
    details: tuple[str, ...] = ()


@dataclass
class CursorItem:
    """Progress of a backfill walk, saved so an interrupted walk resumes where it was."""

    key: str
    value: dict[str, Any]
