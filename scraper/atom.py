"""One Atom 1.0 renderer, shared by the ``atom`` alert channel and the web server's feeds.

Pure: entries in, a UTF-8 XML document out. Every value is escaped by the XML serializer, so
untrusted transcript text cannot break the document.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

ATOM_NS = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all, even escaped (transcripts are untrusted input).
_INVALID_XML = dict.fromkeys(
    [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + [0xFFFE, 0xFFFF]
)


@dataclass(frozen=True, slots=True)
class AtomEntry:
    """One entry: a stable ``id`` (a URI, e.g. ``tag:`` or the alert key as ``urn:``)."""

    id: str
    title: str
    updated: dt.datetime
    link: str | None = None
    summary: str = ""  # plain text
    content_html: str | None = None  # HTML, carried escaped as ``type="html"``
    author: str | None = None


def _text(value: str) -> str:
    return value.translate(_INVALID_XML)


def _stamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def render_feed(
    *,
    feed_id: str,
    title: str,
    entries: Sequence[AtomEntry],
    updated: dt.datetime | None = None,
    link: str | None = None,
    self_link: str | None = None,
    author: str = "briefwatch",
) -> str:
    """An Atom 1.0 document of ``entries`` in the order given (put the newest first).

    ``updated`` defaults to the newest entry's time (or the epoch for an empty feed), so the
    same entries always render to the same bytes.
    """
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    ET.SubElement(feed, f"{{{ATOM_NS}}}id").text = _text(feed_id)
    ET.SubElement(feed, f"{{{ATOM_NS}}}title").text = _text(title)
    if updated is None:
        updated = max((e.updated for e in entries), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    ET.SubElement(feed, f"{{{ATOM_NS}}}updated").text = _stamp(updated)
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM_NS}}}author"), f"{{{ATOM_NS}}}name").text = _text(
        author
    )
    if link:
        ET.SubElement(feed, f"{{{ATOM_NS}}}link", href=_text(link), rel="alternate")
    if self_link:
        ET.SubElement(feed, f"{{{ATOM_NS}}}link", href=_text(self_link), rel="self")
    for entry in entries:
        node = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
        ET.SubElement(node, f"{{{ATOM_NS}}}id").text = _text(entry.id)
        ET.SubElement(node, f"{{{ATOM_NS}}}title").text = _text(entry.title)
        ET.SubElement(node, f"{{{ATOM_NS}}}updated").text = _stamp(entry.updated)
        if entry.author:
            author_node = ET.SubElement(node, f"{{{ATOM_NS}}}author")
            ET.SubElement(author_node, f"{{{ATOM_NS}}}name").text = _text(entry.author)
        if entry.link:
            ET.SubElement(node, f"{{{ATOM_NS}}}link", href=_text(entry.link), rel="alternate")
        if entry.summary:
            ET.SubElement(node, f"{{{ATOM_NS}}}summary").text = _text(entry.summary)
        if entry.content_html is not None:
            content = ET.SubElement(node, f"{{{ATOM_NS}}}content", type="html")
            content.text = _text(entry.content_html)
    body = ET.tostring(feed, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'
