"""What a parsed transcript is: plain, frozen data shared by parsing, storage and alerts."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, NotRequired, TypedDict


class Role(StrEnum):
    """Who a speaker is in a briefing."""

    OFFICIAL = "official"
    REPORTER = "reporter"
    MODERATOR = "moderator"
    OPERATOR = "operator"
    OTHER = "other"


class TurnFunction(StrEnum):
    """What a turn does (GUIDE.md of the gold annotations): asks, answers, runs the floor,
    manages the line or courtesies, makes remarks not in reply to a question, or else."""

    QUESTION = "question"
    ANSWER = "answer"
    MODERATION = "moderation"
    PROCEDURAL = "procedural"
    STATEMENT = "statement"
    OTHER = "other"


class AlertStatus(StrEnum):
    """Where a queued alert is: waiting, claimed by a sender, delivered, given up, or held
    back (an update of a passage already alerted, with alert_on_update off)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class RunStatus(StrEnum):
    """How a recorded run (``run``, ``crawl``, ``backfill``) ended, or that it still runs."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"
    BLOCKED = "blocked"
    INTERRUPTED = "interrupted"


ROLES = tuple(r.value for r in Role)
FUNCTIONS = tuple(f.value for f in TurnFunction)


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker's uninterrupted contribution (one or more paragraphs)."""

    ordinal: int
    label: str  # as written, e.g. "MR. PRICE" (empty for the preamble of unlabelled text)
    speaker: str  # normalized: "Ned Price", "SENIOR STATE DEPARTMENT OFFICIAL ONE"
    role: str  # one of ROLES
    text: str  # paragraphs joined by blank lines, stage notes kept as written
    topic: str | None = None
    paragraphs: int = 1
    exchange: int | None = None  # ordinal of the exchange the turn belongs to
    function: str = "other"  # one of FUNCTIONS
    anchor: str | None = None  # the page's element id of the topic ("post-349303-IRAN2")
    named_as: str | None = None  # the name the moderator or official called the speaker by


@dataclass(frozen=True, slots=True)
class Exchange:
    """A reporter's question (with follow-ups) and the official answers that follow it."""

    ordinal: int
    question_turns: tuple[int, ...]
    answer_turns: tuple[int, ...]
    topic: str | None = None

    @property
    def turn_ordinals(self) -> tuple[int, ...]:
        return tuple(sorted(self.question_turns + self.answer_turns))


@dataclass(frozen=True)
class Briefing:
    """A whole transcript with its metadata, turns and exchanges."""

    title: str = ""
    url: str | None = None
    guid: str | None = None
    source: str | None = None
    kind: str = "remarks"
    date: dt.date | None = None
    published_at: dt.datetime | None = None
    speakers_of_record: tuple[str, ...] = ()
    location: str | None = None
    start_time: str | None = None  # "15:15 EDT"
    end_time: str | None = None  # "15:57"
    topics: tuple[str, ...] = ()
    preamble: tuple[str, ...] = ()  # paragraphs before the first turn
    closing: tuple[str, ...] = ()  # paragraphs after the last turn ("(The briefing was...)")
    turns: tuple[Turn, ...] = ()
    exchanges: tuple[Exchange, ...] = ()
    coverage: float = 1.0  # share of the body's text placed (preamble, turns or closing)
    turn_share: float = 0.0  # share of the body's text inside labelled turns (0 for no turns)
    labels_seen: int = 0  # bold "Name:" openers found, speakers or not ("labels seen")
    warnings: tuple[str, ...] = ()
    content_hash: str = ""
    body: str = field(default="", repr=False)  # the HTML (or text) the parse came from
    parser_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the shape ``briefwatch parse --format json`` prints)."""
        data = dataclasses.asdict(self)
        data.pop("body")
        data["date"] = self.date.isoformat() if self.date else None
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        data["exchanges"] = [
            {**dataclasses.asdict(e), "turns": list(e.turn_ordinals)} for e in self.exchanges
        ]
        return data


@dataclass(frozen=True)
class Match:
    watch: str
    turn: int  # ordinal of the turn
    exchange: int | None
    start: int  # character span in the turn's text
    end: int
    term: str  # the configured term or regex
    snippet: str


@dataclass(frozen=True)
class Hit:
    """A watch firing on one unit of a transcript (an exchange, or a turn outside any)."""

    watch: str
    unit: str  # "x3" (exchange 3) or "t5" (turn 5)
    exchange: int | None
    turns: tuple[int, ...]  # every turn of the unit, for display
    matches: tuple[Match, ...]


class BriefingRef(TypedDict):
    """The briefing an alert is about, as its payload carries it."""

    title: str
    url: str | None
    date: str | None  # ISO date
    kind: str
    source: str | None  # the source's slug
    publisher: str | None  # the source's publisher, as alerts name it


class PayloadTurn(TypedDict):
    ordinal: int
    speaker: str
    named_as: str | None  # the name a caller called the speaker by (a hint)
    role: str
    text: str
    matches: list[list[Any]]  # [start, end, term] spans in ``text``


class MatchPayload(TypedDict):
    """What a watch's alert carries (stored as JSON in the outbox, read by every channel)."""

    type: Literal["match"]
    watch: str
    briefing: BriefingRef
    unit: str
    exchange: int | None
    terms: list[str]
    matched: list[str]
    turns: list[PayloadTurn]
    update: NotRequired[bool]  # set when queued: an earlier alert covered the same passage


class NoticePayload(TypedDict):
    """What an alert to the operator carries (the site changed, a feed went empty)."""

    type: Literal["notice"]
    watch: str
    text: str


AlertPayload = MatchPayload | NoticePayload


@dataclass(frozen=True)
class AlertDraft:
    watch: str
    unit: str
    #: Hash of the passage the alert shows: an edit elsewhere in the transcript keeps it.
    passage_hash: str
    channels: tuple[str, ...]
    payload: MatchPayload
