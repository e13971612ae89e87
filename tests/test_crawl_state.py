"""The two decisions a crawl keeps state for, as pure classes and tables of cases: where an
interrupted listing walk resumes (ListingCursor) and which feeds keep their validators
(ValidatorLedger)."""

from __future__ import annotations

import pytest

from scraper.pipelines.validators import ValidatorLedger
from scraper.spiders.listing_cursor import ListingCursor


def run(cursor: ListingCursor, events: list[tuple]) -> list[int | None]:
    """Apply ``(event, page)`` steps; the position after each ``advance``."""
    moves = []
    for name, *args in events:
        if name == "advance":
            moves.append(cursor.advance())
        else:
            getattr(cursor, name)(*args)
    return moves


CURSOR_CASES = {
    "a page waits for its transcripts": (
        1,
        [
            ("page_started", 1),
            ("detail_scheduled", 1),
            ("detail_scheduled", 1),
            ("page_listed", 1),
            ("advance",),
            ("detail_done", 1),
            ("advance",),
            ("detail_done", 1),
            ("advance",),
        ],
        [None, None, 1],
        False,
    ),
    "an empty page moves at once": (
        1,
        [("page_started", 1), ("page_listed", 1), ("advance",)],
        [1],
        False,
    ),
    "a page not yet fully listed does not move": (
        1,
        [("page_started", 1), ("advance",)],
        [None],
        False,
    ),
    "a later page done first waits for the earlier": (
        1,
        [
            ("page_started", 1),
            ("detail_scheduled", 1),
            ("page_listed", 1),
            ("page_started", 2),
            ("page_listed", 2),
            ("advance",),
            ("detail_done", 1),
            ("advance",),
        ],
        [None, 2],
        False,
    ),
    "a skipped page holds the cursor before it": (
        1,
        [
            ("page_started", 1),
            ("page_listed", 1),
            ("page_started", 3),
            ("page_listed", 3),
            ("walk_done",),
            ("advance",),
        ],
        [1],
        False,
    ),
    "resumed at page 5 and walked to the end": (
        5,
        [("page_started", 5), ("page_listed", 5), ("walk_done",), ("advance",)],
        [5],
        True,
    ),
    "the end, with nothing listed": (3, [("walk_done",), ("advance",)], [None], False),
}


@pytest.mark.parametrize(
    ("start", "events", "moves", "complete"), CURSOR_CASES.values(), ids=CURSOR_CASES
)
def test_listing_cursor(start, events, moves, complete):
    cursor = ListingCursor(start)
    assert cursor.position == start - 1
    assert run(cursor, events) == moves
    assert cursor.complete is complete


FEED = "https://www.state.gov/rss-feed/press-releases/feed/"
A, B = "https://www.state.gov/briefings/a/", "https://www.state.gov/briefings/b/"
LEDGER_CASES = {
    # (the poll's answer and the detail pages it asked for, the links dealt with for good,
    # an item lost, the validators kept)
    "a 200 with both validators": (
        (200, '"e"', "Mon, 05 Jul 2021", ()),
        [],
        False,
        ('"e"', "Mon, 05 Jul 2021"),
    ),
    "an ETag alone": ((200, '"e"', None, ()), [], False, ('"e"', None)),
    "a Last-Modified alone": (
        (200, None, "Mon, 05 Jul 2021", ()),
        [],
        False,
        (None, "Mon, 05 Jul 2021"),
    ),
    "no validators at all": ((200, None, None, ()), [], False, None),
    "a detail page not dealt with (failed, or not reached)": (
        (200, '"e"', None, (A,)),
        [],
        False,
        None,
    ),
    "one of two detail pages not dealt with": ((200, '"e"', None, (A, B)), [B], False, None),
    "every detail page read or refused for good": (
        (200, '"e"', None, (A, B)),
        [A, B],
        False,
        ('"e"', None),
    ),
    "an item not stored": ((200, '"e"', None, ()), [], True, None),
    "a detail page read, its briefing not stored": ((200, '"e"', None, (A,)), [A], True, None),
    "a 304 (nothing new to keep)": ((304, None, None, ()), [], False, None),
    "another status": ((203, '"e"', None, ()), [], False, None),
}


@pytest.mark.parametrize(
    ("answer", "settled", "lost", "kept"), LEDGER_CASES.values(), ids=LEDGER_CASES
)
def test_validator_ledger(answer, settled, lost, kept):
    ledger = ValidatorLedger()
    ledger.answered(FEED, *answer)
    ledger.settled(settled)
    if lost:
        ledger.not_stored(FEED)
    assert ledger.keep() == ({FEED: kept} if kept else {})
    offered = answer[0] == 200 and (answer[1] or answer[2])
    assert ledger.withheld() == ([FEED] if offered and not kept else [])


def test_validator_ledger_judges_each_feed_alone():
    other = "https://www.state.gov/rss-feed/other/feed/"
    ledger = ValidatorLedger()
    ledger.answered(FEED, 200, '"a"', None)
    ledger.answered(other, 200, '"b"', None)
    ledger.not_stored(other)
    ledger.not_stored("https://www.state.gov/never-polled/")
    assert ledger.keep() == {FEED: ('"a"', None)}
    assert ledger.withheld() == [other]


def test_a_link_two_feeds_share_is_dealt_with_for_both():
    # The crawl fetches it once (Scrapy's duplicate filter drops the second request).
    other = "https://www.state.gov/rss-feed/other/feed/"
    ledger = ValidatorLedger()
    ledger.answered(FEED, 200, '"a"', None, details=[A])
    ledger.answered(other, 200, '"b"', None, details=[A, B])
    ledger.settled([A])
    assert ledger.keep() == {FEED: ('"a"', None)}
    ledger.settled([B])
    assert ledger.keep() == {FEED: ('"a"', None), other: ('"b"', None)}
