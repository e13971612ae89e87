"""RSS feeds: items with their metadata and the transcript body they carry."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
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


@dataclass(frozen=True)
class Feed:
    """What a feed carried: the items that could be read, and one line per item that could
    not (a control character, an invalid byte, a text node over lxml's 10 MB limit)."""

    items: list[FeedItem]
    rejected: list[str]


def parse_feed(document: bytes | str) -> list[FeedItem]:
    """The items of an RSS 2.0 feed, in feed order. Raises :class:`FeedError` if unreadable,
    or if any one item is (see :func:`read_feed` to keep the others)."""
    feed = read_feed(document)
    if feed.rejected:
        raise FeedError(feed.rejected[0])
    return feed.items


def read_feed(document: bytes | str) -> Feed:
    """The items of an RSS 2.0 feed, read item by item when the whole is not well-formed, so
    one bad item costs only itself. Raises :class:`FeedError` when the document is not an RSS
    feed at all, or is cut short (what is missing is unknown: the whole is fetched again)."""
    data = document.encode("utf-8") if isinstance(document, str) else document
    try:
        return Feed(list(_items(_parse(data))), [])
    except lxml.etree.XMLSyntaxError as exc:
        whole_error = f"not well-formed XML: {exc}"
    opening = _RSS_OPEN.search(data)
    if opening is None or not data.rstrip().endswith(b"</rss>"):
        raise FeedError(whole_error)
    head = data[: data.find(b"?>") + 2] if data.lstrip().startswith(b"<?xml") else b""
    items: list[FeedItem] = []
    rejected: list[str] = []
    for n, match in enumerate(_ITEM.finditer(data), start=1):
        chunk = match.group(0)
        try:
            root = _parse(head + opening.group(0) + b"<channel>" + chunk + b"</channel></rss>")
            items.extend(_items(root))
        except (lxml.etree.XMLSyntaxError, FeedError) as exc:
            link = _LINK.search(chunk)
            where = f" ({link.group(1).decode('utf-8', 'replace').strip()[:200]})" if link else ""
            rejected.append(f"item {n}{where}: not well-formed XML: {exc}")
    return Feed(items, rejected)


_RSS_OPEN = re.compile(rb"<rss\b[^>]*>")
_ITEM = re.compile(rb"<item\b.*?</item>", re.S)
_LINK = re.compile(rb"<link>([^<]{1,2000})</link>")


def _parse(data: bytes) -> lxml.etree._Element:
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = lxml.etree.fromstring(data, parser)
    if root is None or root.tag != "rss":
        raise FeedError(f"not an RSS feed (root element {getattr(root, 'tag', None)!r})")
    return root


def iter_feed(document: bytes | str) -> Iterator[FeedItem]:
    data = document.encode("utf-8") if isinstance(document, str) else document
    try:
        root = _parse(data)
    except lxml.etree.XMLSyntaxError as exc:
        raise FeedError(f"not well-formed XML: {exc}") from None
    yield from _items(root)


def _items(root: lxml.etree._Element) -> Iterator[FeedItem]:
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
