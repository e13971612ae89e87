"""Topics as the page shows them.

A transcript marks each new topic with an element id (``<a id="post-349303-UKRAINERUSSIA">``).
Its detail page lists the topics in an index whose links name them as a reader sees them
("Ukraine / Russia"); a feed body has no index, and the id is made readable instead: a
repeat number dropped (``IRAN2`` after ``IRAN``), words split by their capitals
(``NorthKorea``) or by the publisher's vocabulary (``UKRAINERUSSIA``: "Ukraine / Russia").
Pure: text in, text out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import lxml.etree
import lxml.html


def index_headings(document: str, xpath: str | None) -> dict[str, str]:
    """{element id: heading} from the page's topic index (links ``<a href="#ID">Heading``)
    found by ``xpath``; empty when the page has none."""
    if not xpath or 'href="#' not in document:
        return {}
    try:
        root = lxml.html.document_fromstring(document)
    except (lxml.etree.ParserError, ValueError):
        return {}
    found: dict[str, str] = {}
    for link in root.xpath(xpath):
        target = (link.get("href") or "").partition("#")[2]
        heading = " ".join(link.text_content().split())
        if target and heading:
            found.setdefault(target, heading)
    return found


def readable(name: str, earlier: list[str], words: Mapping[str, str]) -> str:
    """A topic's anchor name (``IRAN2``, ``NorthKorea``, ``UKRAINERUSSIA``) as a reader would
    write it; ``earlier`` are the names met before it on the page, ``words`` the publisher's
    vocabulary (key: lower-case letters and digits; value: how it is written)."""
    key = _key(name)
    if key in words:
        return words[key]
    repeat = re.fullmatch(r"(.*?[A-Za-z])\d+", name)  # IRAN2: the second Iran of the page
    if repeat and (
        any(e.lower() == repeat.group(1).lower() for e in earlier) or _key(repeat.group(1)) in words
    ):
        name = repeat.group(1)
        key = _key(name)
    if key in words:
        return words[key]
    parts = _segment(key, words)
    if parts:
        return " / ".join(words[p] for p in parts)
    if re.fullmatch(r"(?:[A-Z][a-z]+)+", name) and not name.istitle():  # NorthKorea
        return " ".join(words.get(w.lower(), w) for w in re.findall(r"[A-Z][a-z]+", name))
    return name


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _segment(key: str, words: Mapping[str, str]) -> list[str] | None:
    """``key`` as the fewest vocabulary words, or None when it is not made of them."""
    best: list[list[str] | None] = [[]] + [None] * len(key)
    for end in range(1, len(key) + 1):
        for start in range(max(0, end - 30), end):
            head, here = best[start], best[end]
            if (
                head is not None
                and (here is None or len(head) + 1 < len(here))
                and key[start:end] in words
            ):
                best[end] = [*head, key[start:end]]
    found = best[len(key)]
    return found if found and len(found) > 1 else None
