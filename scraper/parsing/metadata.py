"""Metadata from the lines before the first turn, the closing note, the title and the header."""

from __future__ import annotations

import datetime as dt
import html
import re
import zoneinfo

from scraper.parsing.labels import OFFICIAL_PREFIXES, normalize

_TIME = re.compile(
    r"\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s*m\.?(?:\s*,?\s*\(?([A-Z]{2,5})\b\)?)?", re.I
)
_START_LINE = re.compile(
    r"^\s*\d{1,2}(?::\d{2})?\s*[ap]\.?\s*m\.?(\s*,?\s*\(?[A-Za-z]{2,5}\)?)?\s*$", re.I
)
# "(The briefing was concluded at 3:41 p.m.)", "END 1:43 P.M. CET"
_CONCLUDED = re.compile(r"\b(?:concluded|ended|adjourned)\s+at\s+(.{0,40})", re.I)
_END_LINE = re.compile(r"^\s*END\s+(\d{1,2}[:.]\d{2}.{0,30})")
_DATE = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b"
)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_LOCATION_HINT = re.compile(
    r"^(via\s+tele|telephonic|washington|virtual|on background|on the record|the white house)",
    re.I,
)
_NAME_OF_OUTLET = re.compile(r"^([A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})\s+of\s+(.+)$")
# Capitalized words that end titles, never names ("... Bureau of African Affairs").
_TITLE_NOUNS = frozenset(
    [
        "affairs",
        "advisor",
        "adviser",
        "bureau",
        "office",
        "state",
        "states",
        "department",
        "resources",
        "security",
        "operations",
        "services",
        "response",
        "health",
        "development",
        "persons",
        "rights",
        "policy",
        "council",
        "foundation",
        "nations",
        "union",
        "fund",
        "region",
        "command",
        "agency",
        "house",
        "center",
        "centre",
        "institute",
        "ministry",
    ]
)
_SUFFIX = re.compile(r"^(Jr|Sr|II|III|IV)\.?$")


def parse_time(text: str) -> str | None:
    """``"3:15 p.m. EDT"`` -> ``"15:15 EDT"``; None when there is no time."""
    m = _TIME.search(text)
    if not m:
        return None
    hour, minute = int(m.group(1)) % 12, int(m.group(2) or 0)
    if m.group(3).lower() == "p":
        hour += 12
    if hour > 23 or minute > 59:
        return None
    zone = m.group(4)
    zone = zone.upper() if zone and zone.isupper() and zone.upper() not in ("THE", "AND") else None
    return f"{hour:02d}:{minute:02d}" + (f" {zone}" if zone else "")


def is_start_time_line(text: str) -> bool:
    return bool(_START_LINE.match(text))


def end_time(closing: list[str]) -> str | None:
    """The time in "(The briefing was concluded at 3:41 p.m.)", or a closing time line
    ("2:04 P.M. EDT", "END 1:43 P.M. CET")."""
    for line in closing:
        m = _CONCLUDED.search(line) or _END_LINE.match(line)
        if m:
            return parse_time(re.sub(r"^(\d{1,2})\.(\d{2})", r"\1:\2", m.group(1)))
    for line in closing:
        if is_start_time_line(line.removeprefix("END")):
            return parse_time(line)
    return None


def parse_date(text: str | None) -> dt.date | None:
    """The first "July 12, 2021" in ``text``."""
    m = _DATE.search(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
    except ValueError:
        return None


def _is_title(part: str) -> bool:
    words = re.findall(r"[A-Z'\-]+", normalize(part))
    return any(w.startswith(OFFICIAL_PREFIXES) for w in words) or bool(
        re.search(r"\b(of|for|at)\b", part)
    )


_PARTICLES = frozenset(
    ["le", "la", "de", "di", "da", "du", "van", "von", "al", "el", "bin", "ben", "st"]
)


def _trailing_name(part: str) -> tuple[str, str] | None:
    """(name, title) of a title-led part ("Acting Assistant Secretary ... Joey Hood")."""
    words = part.split()
    name: list[str] = []
    for word in reversed(words):
        titled = word.lower().strip(".") in _TITLE_NOUNS or normalize(word).startswith(
            OFFICIAL_PREFIXES
        )
        if titled or not word[:1].isupper() or len(name) == 3:
            break
        name.insert(0, word)
    # Three words only for "Jean-Yves Le Drian" or "Antony J. Blinken"; else first and last.
    if len(name) == 3 and not (name[1].lower() in _PARTICLES or re.match(r"^[A-Z]\.$", name[1])):
        name = name[1:]
    if len(name) < 2 or len(name) == len(words):
        return None
    return " ".join(name), " ".join(words[: len(words) - len(name)])


def split_people(line: str) -> list[tuple[str, str]]:
    """ "Name, Title, Name, Title" (or "Title Name, ...") -> [(name, title), ...]."""
    people: list[tuple[str, str]] = []
    for part in (clean_name(p) for p in re.split(r"[,;]", line)):
        part = re.sub(r"^(And|and|AND|BY)\s+", "", part).strip()  # "BY BEN RHODES, ..."
        if not part:
            continue
        outlet = _NAME_OF_OUTLET.match(part)
        trailing = _trailing_name(part)
        if _SUFFIX.match(part) and people:
            people[-1] = (f"{people[-1][0]}, {part}", people[-1][1])
        elif outlet and not _is_title(outlet.group(1)):
            people.append((outlet.group(1), f"of {outlet.group(2)}"))
        elif not _is_title(part):
            people.append((part, ""))
        elif trailing and (not people or people[-1][1]):
            people.append(trailing)
        elif people and not people[-1][1]:
            people[-1] = (people[-1][0], part)
        elif people:
            people[-1] = (people[-1][0], f"{people[-1][1]}, {part}")
    return people


def clean_name(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def is_people_line(line: str) -> bool:
    """Whether an opening line names the speakers of record ("Ned Price, Department ...")."""
    if len(line) > 400 or _LOCATION_HINT.match(line) or is_start_time_line(line):
        return False
    return "," in line and _is_title(line) or bool(_NAME_OF_OUTLET.match(line))


def is_place_line(line: str) -> bool:
    """Whether an opening line can be the location ("Washington, DC", "Via Teleconference")."""
    return (
        len(line) < 120
        and not line.rstrip().endswith(":")
        and not parse_date(line)
        and not re.match(r"^(office of|provided|as prepared|begin text)", line, re.I)
    )


def format_people(people: list[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(f"{n}, {t}" if t else n for n, t in people)


_URL_DATE = re.compile(r"/(20\d\d|19\d\d)/(\d{1,2})/(\d{1,2})/")
_DATE_LINE = re.compile(r"^\s*(?:[A-Z][\w.]*,?\s+)?[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}\s*$")


def local_date(moment: dt.datetime, timezone: str) -> dt.date:
    """The calendar day of an aware ``moment`` in the publisher's time zone."""
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.timezone(dt.timedelta(hours=-5))
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone).date()


def event_date(
    title: str,
    preamble: list[str],
    header_date: str | None,
    published_at: dt.datetime | None,
    timezone: str,
    url: str = "",
) -> dt.date | None:
    """The day of the event: a date in the title ("Department Press Briefing - July 1,
    2021"), else a date line among the opening lines ("July 21, 2021"), else the page's
    printed date, else the publication time in the publisher's time zone (an evening
    briefing published after midnight UTC keeps its own day), else a date in the URL."""
    found = parse_date(title)
    if found:
        return found
    for line in preamble[:8]:
        if len(line) <= 40 and _DATE_LINE.match(line):
            found = parse_date(line)
            if found:
                return found
    found = parse_date(header_date)
    if found:
        return found
    if published_at is not None:
        return local_date(published_at, timezone)
    m = _URL_DATE.search(url)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


_HTML_TITLE = re.compile(r"<title[^>]{0,200}>(.{0,2000}?)</title\s*>", re.I | re.S)
_OG_TITLE = re.compile(
    r"<meta\s[^>]{0,300}?property=[\"']og:title[\"'][^>]{0,300}?content=[\"']([^\"']{1,500})[\"']",
    re.I,
)


def page_title(document: str, site_suffix: re.Pattern[str] | None = None) -> str:
    """The title a saved page gives itself (``og:title``, else ``<title>``), without the
    site's name ("... - United States Department of State")."""
    head = document[:50_000]
    m = _OG_TITLE.search(head) or _HTML_TITLE.search(head)
    if not m:
        return ""
    title = clean_name(html.unescape(re.sub(r"<[^>]+>", " ", m.group(1))))
    if site_suffix is not None:
        title = site_suffix.sub("", title).strip()
    return title
