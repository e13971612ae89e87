"""The White House's real material under ``fixtures/whitehouse/`` (see its PROVENANCE.md):
feed bodies with their item metadata, and the 2009-2016 archive's bodies with their index."""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import html
import json
from pathlib import Path

from helpers.mirror import Resource
from scraper.model import Briefing
from scraper.parsing import parse_transcript

WHITEHOUSE = Path(__file__).resolve().parents[1] / "fixtures" / "whitehouse"
FEED = WHITEHOUSE / "feed"
ARCHIVE = WHITEHOUSE / "archive-2009-2016"
REPLAY = WHITEHOUSE / "feed-replay" / "2021-07-21_25"


def feed_items() -> list[dict]:
    """transcripts.json with guid and title decoded as a feed reader would see them."""
    items = json.loads((FEED / "transcripts.json").read_text(encoding="utf-8"))
    for item in items:
        item["guid"] = html.unescape(item["guid"])
        item["title"] = html.unescape(item["title"])
    return items


def archive_pages() -> list[dict]:
    return json.loads((ARCHIVE / "index.json").read_text(encoding="utf-8"))


FEED_BY_FILE = {v["file"]: item for item in feed_items() for v in item["versions"]}
ARCHIVE_BY_FILE = {page["file"]: page for page in archive_pages()}
#: Every body, named as below: "transcripts/NAME.html" (feed) or "archive/NAME.html".
ALL_BODIES = sorted(FEED_BY_FILE) + [f"archive/{name}" for name in sorted(ARCHIVE_BY_FILE)]


@functools.cache
def parse_wh(name: str) -> Briefing:
    """Parse one body with what the crawl would know: the feed item, or the listing's row.
    Once per process, as ``parse_fixture`` (parsing is pure, a Briefing frozen)."""
    if name.startswith("archive/"):
        page = ARCHIVE_BY_FILE[name.removeprefix("archive/")]
        body = (ARCHIVE / page["file"]).read_text(encoding="utf-8")
        meta = {"title": page["title"], "date": dt.date.fromisoformat(page["date"])}
        return parse_transcript(body, url=page["url_archive"], meta=meta, source="whitehouse")
    item = FEED_BY_FILE[name]
    meta = {
        "title": item["title"],
        "guid": item["guid"],
        "creator": item["creator"],
        "published_at": email.utils.parsedate_to_datetime(item["pubDate"]),
    }
    body = (FEED / name).read_text(encoding="utf-8")
    return parse_transcript(body, url=item["link"], meta=meta, source="whitehouse")


# -- pages BUILT around real archive bodies --------------------------------------------------
# Only the transcript <div> of each archive page was kept (see SOURCE-README.md), and only three
# listing pages, whose rows link mostly to pages not in the sample. A backfill test therefore
# serves pages made to the documented markup around the real bodies: the page around a body
# (title, navigation, footer) and the listing rows are made; every transcript is real.
LISTING_PATH = "/briefing-room/press-briefings"


def archive_detail_page(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/>'
        f"<title>{html.escape(title)} | whitehouse.gov</title></head><body>"
        '<div id="page"><nav><ul><li><a href="/briefing-room">Briefing Room</a></li>'
        '<li><a href="/briefing-room/press-briefings">Press Briefings</a></li></ul></nav>'
        '<div id="content-start"><h1 id="page-title">' + html.escape(title) + "</h1>"
        f"{body}</div>"
        "<footer><p>The White House: 1600 Pennsylvania Ave NW, Washington, DC 20500</p></footer>"
        "</div></body></html>"
    ).encode()


def archive_listing_page(rows: list[dict], page: int, pages: int) -> bytes:
    """Listing page ``page`` (0-based, as Drupal counts) with ``rows`` of index.json."""
    items = "".join(
        '<div class="views-row">'
        '<div class="views-field views-field-created"><span class="field-content">'
        f"{dt.date.fromisoformat(r['date']):%B %d, %Y}</span></div>"
        '<div class="views-field views-field-title"><h3 class="field-content">'
        f'<a href="..{r["path_on_site"]}">{html.escape(r["title"])}</a></h3></div></div>'
        for r in rows
    )
    pager = f'<li class="pager-current">{page + 1} of {pages}</li>'
    if page + 1 < pages:
        pager += f'<li class="pager-next"><a href="press-briefings?page={page + 1}">next</a></li>'
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"/><title>Press Briefings</title>'
        f'</head><body><div class="view-content">{items}</div>'
        f'<ul class="pager">{pager}</ul></body></html>'
    ).encode()


def serve_archive(site, pages: list[list[dict]]) -> None:
    """The listing (``?page=0`` is the bare listing URL) and every page's detail page; one
    page more than ``pages``, empty, as a listing past its end is."""
    for n, rows in enumerate([*pages, []]):
        path = LISTING_PATH + (f"?page={n}" if n else "")
        site.routes[path] = _resource(archive_listing_page(rows, n, len(pages)))
        for r in rows:
            body = (ARCHIVE / r["file"]).read_text(encoding="utf-8")
            site.routes[r["path_on_site"]] = _resource(archive_detail_page(r["title"], body))


def _resource(body: bytes):
    return Resource(body)
