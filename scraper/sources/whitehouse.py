"""The White House (www.whitehouse.gov, and the 2009-2016 archive at obamawhitehouse.archives.gov).

Its transcripts differ from the State Department's in form, not in substance: labels are never
bold (``MS. PSAKI:``), a reporter is a bare ``Q`` without a colon, whole transcripts are packed
into one paragraph with ``<br>`` between turns, and the end is the closing time or ``END``.
The briefing-room feed mixes transcripts with statements, readouts and proclamations, and
neither its category nor its link path finds every briefing: the title names the event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from zoneinfo import ZoneInfo

from scraper.sources import ListingSelectors, Source, SourceConfig

_CORRECTED = re.compile(r"^\s*corrected\s*:\s*", re.I)
_GAGGLE = re.compile(r"\bgaggle\b", re.I)
_PRESS_BRIEFING = re.compile(r"\b(?:daily\s+)?press\s+briefing\b|^\s*press\s+briefing\b", re.I)
_CALL = re.compile(r"\b(?:press|conference)\s+call\b|\bteleconference\b", re.I)
_CONFERENCE = re.compile(r"\bpress\s+conference\b", re.I)
# "Background Briefing by ...", "Briefing on ..." (not "Remarks ... Before a Command Briefing").
_BRIEFING = re.compile(r"^\s*(?:background\s+)?briefing\b", re.I)
_INTERVIEW = re.compile(r"\binterview\b|\btown\s+hall\s+with\b", re.I)
_REMARKS = re.compile(r"\bremarks\b", re.I)
# Not transcripts, whatever a bold "NPR:" inside them looks like.
# "6/13/12", "07/08/2013" (archive titles); "March 3rd, 2022" (feed titles).
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\b")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
# "For Immediate Release   August 11, 2009" (2009 header), "May 21, 2021" alone on a line.
_DATE_LINE = re.compile(
    r"^(?:for\s+immediate\s+release\b.*|[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})$", re.I
)
# "... by Press Secretary Jen Psaki and National Security Advisor Jake Sullivan, June 7, 2021",
# "... by Principal Deputy Press Secretary Karine Jean-Pierre Aboard Air Force One En Route".
_BY = re.compile(r"\bby\s+(.+)$", re.I)
_AFTER_NAMES = re.compile(
    r"\s+(?:aboard|en route|on|with|to|in|at|after|before|previewing|during)\s.*$|\s*--.*$", re.I
)
_TRAILING_DATE = re.compile(
    r",?\s*(?:[A-Z][a-z]+\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{1,2}/\d{1,2}/\d{2,4})\s*$"
)
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
    )
    #: Hosts of the publisher's own links: the feed's items, and the archive's pages.
    domains = ("www.whitehouse.gov", "obamawhitehouse.archives.gov")
    # The 2009-2016 archive's listing (Drupal views): ?page=N, counted from 0.
    listing = ListingSelectors(
        item="div.view-content div.views-row",
        link="div.views-field-title h3.field-content a",
        doctype="div.views-field-title h3.field-content a",  # the title names the kind
        date="div.views-field-created span.field-content",
    )

    # The archive's pages hold the transcript in the Drupal body field.
    content_xpath = "//div[contains(@class, 'field-name-field-forall-body')]"

    unbolded_labels = True
    bare_labels = ("Q",)
    period_labels = True
    # "END", "2:51 P.M. EDT", "END 4:18 P.M. EDT", "END ... 6:29 P.M. EDT" (EST, BST, CEST
    # abroad, or "(Local)"), and once a bare "1:32 P.M.".
    end_marker = re.compile(
        r"^(?=\S)(?:END\b[\s.]*)?(?:\d{1,2}:\d{2}\s*[AP]\.?\s*M\.?(?:\s+(?:[A-Z]{2,4}|\(Local\)))?)?\s*$"
    )
    # The 2009 header ("THE WHITE HOUSE", "Office of the Press Secretary", underscores, "For
    # Immediate Release", the title in capitals) and the 2016 calls' capitalised header lines.
    letterhead = re.compile(
        r"^(?:THE WHITE HOUSE|Office of the [A-Z][\w ]+|_{5,}.*|For Immediate Release\b.*"
        r"|(?!.*[a-z]{2})(?=.*[A-Z]{2}).+)$"  # capitals ("DENIS McDONOUGH" too)
    )
    label_words = ("OPERATOR", "MODERATOR", "ADMINISTRATION", "OFFICIAL", "SENIOR")
    role_words = {"AIDE": "moderator"}
    creator_is_speaker = False  # dc:creator is always "The White House"
    timezone = "America/New_York"

    @classmethod
    def listing_page_url(cls, listing_url: str, page: int) -> str:
        """Drupal counts the archive's listing pages from 0: page 2 is ``?page=1``."""
        return listing_url if page <= 1 else f"{listing_url}?page={page - 1}"

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
        if kind is None and not title.strip():  # a saved body alone: nothing names the event
            return "remarks"
        return kind or "press_release"

    @classmethod
    def speakers_named(cls, title: str) -> str:
        """The briefers a title names after "by": "Press Secretary Jen Psaki, National Security
        Advisor Jake Sullivan" (the feed's dc:creator is always "The White House")."""
        found = _BY.search(_CORRECTED.sub("", title))
        if not found or cls.title_kind(title) in (None, "remarks", "interview"):
            return ""  # "Remarks by President Biden Honoring ..." names an occasion too
        names = _TRAILING_DATE.sub("", _AFTER_NAMES.sub("", found.group(1)))
        return re.sub(r",?\s+and\s+", ", ", names).strip(" ,")

    @classmethod
    def date_of(
        cls, title: str, preamble: Sequence[str], published_at: dt.datetime | None
    ) -> dt.date | None:
        """The title's date, else a date line of the body, else the publication day in Eastern time.

        Never the UTC day: a briefing published at 23:02 EDT is dated that evening.
        """
        from scraper.parsing.metadata import parse_date

        date = _title_date(title)
        if date:
            return date
        for line in preamble[:8]:
            if _DATE_LINE.match(line) and parse_date(line):
                return parse_date(line)
        if published_at is not None and published_at.tzinfo is not None:
            return published_at.astimezone(ZoneInfo(cls.timezone)).date()
        return None

    @classmethod
    def expects_transcript(cls, title: str, guid: str) -> bool:
        kind = cls.title_kind(title)
        return kind is not None and kind != "remarks"  # most remarks are speeches: no labels


def _title_date(title: str) -> dt.date | None:
    from scraper.parsing.metadata import parse_date

    date = parse_date(_ORDINAL.sub(r"\1", title))
    if date:
        return date
    m = _NUMERIC_DATE.search(title)
    if not m:
        return None
    month, day, year = (int(g) for g in m.groups())
    try:
        return dt.date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return None
