"""U.S. Department of State (www.state.gov): URLs, feed selection and kinds of document."""

from __future__ import annotations

import re
from collections.abc import Collection

from scraper.sources import ListingSelectors, Source, SourceConfig

_PRESS_BRIEFING = re.compile(r"^\s*department\s+press\s+briefing\b", re.I)
_TELEPHONIC = re.compile(r"\btelephonic\b|\bteleconference\b", re.I)
_AVAILABILITY = re.compile(r"\bpress\s+(availability|conference)\b", re.I)
_BRIEFING = re.compile(r"\bbriefing\b|^\s*senior\s+.*official", re.I)
# "Secretary X With Jake Tapper of CNN", "Secretary X on ABC's This Week": one outlet, one host.
_INTERVIEW = re.compile(
    r"\binterview\b|\bwith\s+[A-Z][\w.'’ -]+\s+of\s+[A-Z]|\bon\s+[A-Z]{2,}[\w’']*\s", re.I
)
_BRIEFING_GUID = re.compile(r"post_type=state_briefing")
# Names the Department's topic anchors are made of (``UKRAINERUSSIA``, ``NORTHKOREASOUTHKOREA``),
# as a reader writes them; an anchor made of none of them is shown as written.
_TOPIC_WORDS = (
    *"""Afghanistan Africa Argentina Armenia ASEAN Asia Austria Azerbaijan Bahrain Bangladesh
    Belarus Brazil Burma Cambodia Canada Chile China Climate Colombia Congo COVID Cuba
    Cybersecurity Department DPRK DRC Egypt Energy Eritrea Estonia Ethiopia EU Finland France
    G7 G20 Georgia Germany Ghana Greece Guatemala Haiti Honduras Hungary India Indonesia Iran
    Iraq Israel Italy Japan Jordan Kenya Korea Kosovo Latvia Lebanon Libya Lithuania Mali
    Maldives Mexico Moldova Morocco NATO Nicaragua Niger Nigeria Nonproliferation Norway Oman
    Pakistan Palestinians Passports Peru Philippines Poland Qatar Region Report ROK Romania
    Russia Rwanda Saudi Secretary Serbia Somalia Sudan Sweden Syria Taiwan Tanzania Thailand
    TIP Tigray Travel Tunisia Turkey UAE UK Ukraine Uzbekistan Vaccines Venezuela Vietnam
    Yemen Zambia Zimbabwe""".split(),  # noqa: SIM905 - a word list, read as prose
    "Burkina Faso",
    "Central America",
    "COVID-19",
    "Costa Rica",
    "Hong Kong",
    "Middle East",
    "Middle East Peace",
    "Nord Stream",
    "North Korea",
    "Olympics",
    "Saudi Arabia",
    "South Africa",
    "South Korea",
    "Summit for Democracy",
    "Summit of the Americas",
    "United Nations",
    "Western Hemisphere",
    "Western Sahara",
    "World Health Assembly",
    "World Refugee Day",
    "Wrongful Detainees",
)


class StateDepartment(Source):
    """The State Department's press briefings, special briefings, interviews and remarks."""

    slug = "state_department"
    name = "U.S. Department of State"
    defaults = SourceConfig(
        enabled=True,
        feeds=(
            "https://www.state.gov/rss-feed/department-press-briefings/feed/",
            "https://www.state.gov/rss-feed/press-releases/feed/",
        ),
        listing_url="https://www.state.gov/department-press-briefings/",
        archive_sitemap_url="https://2021-2025.state.gov/state_briefing-sitemap.xml",
    )

    # The site and its archive of the previous administration (the archive sitemap's host).
    domains = ("www.state.gov", "state.gov", "2021-2025.state.gov")

    # Known from public scrapers of the site; no saved copy of a listing page exists.
    listing = ListingSelectors(
        item="ul.collection-results li.collection-result",
        link="a.collection-result__link",
        doctype="p.collection-result__date",
        date="div.collection-result-meta span:last-child",
    )
    site_suffix = re.compile(
        r"\s+[-|–—]\s+(?:United\s+States|U\.\s?S\.)\s+Department\s+of\s+State\s*$", re.I
    )
    # The 2025-26 pages print a document type above the title (p.doctype-meta).
    doctype_kinds = {
        "department press briefing": "press_briefing",
        "special briefing": "special_briefing",
        "telephonic briefing": "telephonic_briefing",
        "press availability": "press_availability",
        "interview": "interview",
        "remarks": "remarks",
        "remarks to the press": "remarks",
        "press statement": "press_release",
        "media note": "press_release",
        "readout": "press_release",
        "fact sheet": "press_release",
    }
    # <a id="post-257769-HAITI"></a> before a question; footnote refs share the prefix.
    topic_anchor = re.compile(r"^post-\d+-(?!footnote|endnote)([A-Za-z0-9][\w-]*)$")
    # The detail page's topic index (public scrapers of the site remove it as
    # div.wp-block-summary-article-index); feed bodies have none.
    topic_index = (
        "//div[contains(concat(' ', normalize-space(@class), ' '), "
        "' wp-block-summary-article-index ')]//a[starts-with(@href, '#')]"
    )
    topic_words = {re.sub(r"[^a-z0-9]", "", w.lower()): w for w in _TOPIC_WORDS}

    @classmethod
    def classify(cls, title: str, url: str, guid: str, labels: Collection[str]) -> str:
        """Kind of one item from its title, guid and the speaker labels found in its body.

        ``labels`` are the normalized labels (``"QUESTION"``, ``"OPERATOR"``...); an item
        with none is a press release whatever its title says.
        """
        if not labels:
            return "press_release"
        if not title:  # a saved page parsed alone: the URL's slug is the title's shadow
            title = url.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        if _BRIEFING_GUID.search(guid) or _PRESS_BRIEFING.search(title):
            return "press_briefing"
        if _TELEPHONIC.search(title) or "OPERATOR" in labels:
            return "telephonic_briefing"
        if _AVAILABILITY.search(title):
            return "press_availability"
        if _BRIEFING.search(title):
            return "special_briefing"
        if "QUESTION" in labels and _INTERVIEW.search(title):
            return "interview"
        return "remarks"

    @classmethod
    def kind_labels(cls, labels: Collection[str], questions: bool) -> Collection[str]:
        """An interviewer named by label ("MS BLAUW") makes an interview as much as a
        QUESTION label does."""
        return {*labels, "QUESTION"} if questions and labels else labels

    @classmethod
    def expects_transcript(cls, title: str, guid: str) -> bool:
        return bool(
            _BRIEFING_GUID.search(guid)
            or _PRESS_BRIEFING.search(title)
            or _TELEPHONIC.search(title)
            or _AVAILABILITY.search(title)
            or re.search(r"\bbriefing\b|\binterview\b", title, re.I)
        )
