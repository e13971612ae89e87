"""RSS feeds: items with their metadata and the transcript body they carry."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.etree

from scraper.parsing.blocks import clean

_NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
# WordPress ends an excerpt with one of these; a whole body never does.
_EXCERPT_ENDINGS = ("[…]", "[&#8230;]", "[&hellip;]", "&hellip;", "…", "...")


class FeedError(ValueError):
    """The document is not an RSS feed we can read."""


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str
    guid: str
    creator: str
    published_at: dt.datetime | None
    body: str  # content:encoded, else description
    full: bool = True  # False when the feed carried only an excerpt

    @property
    def is_teaser(self) -> bool:
        """Whether the body is an excerpt, so the transcript must come from the detail page."""
        return not self.full or not self.body.strip()

    def meta(self) -> dict[str, object]:
        """What :func:`~scraper.parsing.parse_transcript` takes as ``meta``."""
        return {
            "title": self.title,
            "guid": self.guid,
            "creator": self.creator,
            "published_at": self.published_at,
        }


def parse_feed(document: bytes | str) -> list[FeedItem]:
    """The items of an RSS 2.0 feed, in feed order. Raises :class:`FeedError` if unreadable."""
    return list(iter_feed(document))


def iter_feed(document: bytes | str) -> Iterator[FeedItem]:
    data = document.encode("utf-8") if isinstance(document, str) else document
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise FeedError(f"not well-formed XML: {exc}") from None
    if root is None or root.tag != "rss":
        raise FeedError(f"not an RSS feed (root element {getattr(root, 'tag', None)!r})")
    for item in root.iterfind("channel/item"):
        link = clean(item.findtext("link") or "")
        content = item.findtext("content:encoded", namespaces=_NS)
        body = content or item.findtext("description") or ""
        text = body.strip().removesuffix("</p>").rstrip()
        full = bool(content) or not text.endswith(_EXCERPT_ENDINGS)
        yield FeedItem(
            title=clean(item.findtext("title") or ""),
            link=link,
            guid=clean(item.findtext("guid") or "") or link,
            creator=clean(item.findtext("dc:creator", namespaces=_NS) or ""),
            published_at=_date(item.findtext("pubDate")),
            body=body,
            full=full,
        )


def _date(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError):
        return None
