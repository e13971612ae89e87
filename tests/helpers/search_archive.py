"""A small archive for search tests: five real State Department transcripts, July 2021 to
July 2022, with gaps of whole months."""

from __future__ import annotations

from helpers.state_department import parse_fixture

FILES = [
    "transcripts/department-press-briefing-july-21-2021.p261072.html",
    "transcripts/department-press-briefing-august-2-2021.p264901.html",
    "transcripts/department-press-briefing-august-4-2021.p266043.html",
    "transcripts/department-press-briefing-july-20-2022.p361464.html",
    "transcripts/secretary-antony-j-blinken-with-judy-woodruff-of-pbs-newshour-2.p352647.html",
]


def fill(storage) -> list:
    """Save the five transcripts into ``storage``; return the Briefings saved."""
    briefings = [parse_fixture(name) for name in FILES]
    for briefing in briefings:
        storage.save_briefing(briefing)
    return briefings
