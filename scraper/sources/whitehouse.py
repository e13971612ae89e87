"""The White House (www.whitehouse.gov, and the 2009-2016 archive at obamawhitehouse.archives.gov).

Its transcripts differ from the State Department's in form, not in substance: labels are never
bold (``MS. PSAKI:``), a reporter is a bare ``Q`` without a colon, whole transcripts are packed
into one paragraph with ``<br>`` between turns, and the end is the closing time or ``END``.
The briefing-room feed mixes transcripts with statements, readouts and proclamations, and
neither its category nor its link path finds every briefing: the title names the event.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from scraper.sources import ListingSelectors, Source, SourceConfig

_CORRECTED = re.compile(r"^\s*corrected\s*:\s*", re.I)
_GAGGLE = re.compile(r"\bgaggle\b", re.I)
_PRESS_BRIEFING = re.compile(r"\b(?:daily\s+)?press\s+briefing\b|^\s*press\s+briefing\b", re.I)
_CALL = re.compile(r"\b(?:press|conference)\s+call\b|\bteleconference\b", re.I)
_CONFERENCE = re.compile(r"\bpress\s+conference\b", re.I)
_BRIEFING = re.compile(r"\bbriefing\b", re.I)
_INTERVIEW = re.compile(r"\binterview\b|\btown\s+hall\s+with\b", re.I)
_REMARKS = re.compile(r"\bremarks\b", re.I)
# Not transcripts, whatever a bold "NPR:" inside them looks like.
_NOT_TRANSCRIPT = re.compile(
    r"^\s*(?:statement|readout|fact\s+sheet|memorandum|executive\s+order|proclamation|"
    r"letter|message|notice|a\s+proclamation|nominations?|president\s+biden\s+announces)\b",
    re.I,
)


class WhiteHouse(Source):
    """The White House's press briefings, gaggles, press calls, press conferences and remarks."""

    slug = "whitehouse"
    name = "The White House"
    defaults = SourceConfig(
        enabled=True,
        feeds=("https://www.whitehouse.gov/briefing-room/feed/",),
        listing_url="https://obamawhitehouse.archives.gov/briefing-room/press-briefings",
        kinds=("press_briefing", "telephonic_briefing", "press_availability", "remarks"),
    )
    # The 2009-2016 archive's listing (Drupal views): ?page=N, counted from 0.
    listing = ListingSelectors(
        item="div.view-content div.views-row",
        link="div.views-field-title h3.field-content a",
        doctype="div.views-field-title h3.field-content a",  # the title names the kind
        date="div.views-field-created span.field-content",
        next_page="?page={n}",
    )

    unbolded_labels = True
    bare_labels = ("Q",)
    period_labels = True
    # "END", "2:51 P.M. EDT", "END 4:18 P.M. EDT", "END ... 6:29 P.M. EDT" (EST, BST, CEST
    # abroad, or "(Local)"), and once a bare "1:32 P.M.".
    end_marker = re.compile(
        r"^(?=\S)(?:END\b[\s.]*)?(?:\d{1,2}:\d{2}\s*[AP]\.?\s*M\.?(?:\s+(?:[A-Z]{2,4}|\(Local\)))?)?\s*$"
    )
    label_words = ("OPERATOR", "MODERATOR", "ADMINISTRATION", "OFFICIAL", "SENIOR")
    role_words = {"AIDE": "moderator"}
    creator_is_speaker = False  # dc:creator is always "The White House"
    timezone = "America/New_York"

    @classmethod
    def title_kind(cls, title: str) -> str | None:
        """The kind of transcript a title names, or None when it names none."""
        title = _CORRECTED.sub("", title)
        if _NOT_TRANSCRIPT.search(title):
            return None
        if _CALL.search(title):
            return "telephonic_briefing"
        if _GAGGLE.search(title) or _PRESS_BRIEFING.search(title):
            return "press_briefing"
        if _CONFERENCE.search(title):
            return "press_availability"
        if _BRIEFING.search(title):
            return "special_briefing"
        if _INTERVIEW.search(title):
            return "interview"
        if _REMARKS.search(title):
            return "remarks"
        return None

    @classmethod
    def classify(cls, title: str, url: str, guid: str, labels: Collection[str]) -> str:
        """Kind of one item from the event its title names (not its category or URL).

        An item without speaker labels is a press release (statements, readouts), and so is
        one whose title names no event. ``CORRECTED:`` and ``Remarks by ...`` decide nothing:
        *Remarks by ... in Joint Press Conference* is a press availability.
        """
        if not labels:
            return "press_release"
        if not title:  # an archive page parsed alone: its URL's slug names the event
            title = url.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        kind = cls.title_kind(title)
        if kind == "special_briefing" and "OPERATOR" in labels:
            return "telephonic_briefing"
        return kind or "press_release"

    @classmethod
    def expects_transcript(cls, title: str, guid: str) -> bool:
        kind = cls.title_kind(title)
        return kind is not None and kind != "remarks"  # most remarks are speeches: no labels
