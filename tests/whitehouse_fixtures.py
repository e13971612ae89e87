"""The White House's real material under ``fixtures/whitehouse/`` (see its PROVENANCE.md):
feed bodies with their item metadata, and the 2009-2016 archive's bodies with their index."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
from pathlib import Path

from scraper.model import Briefing
from scraper.parsing import parse_transcript

WHITEHOUSE = Path(__file__).parent / "fixtures" / "whitehouse"
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


def parse_wh(name: str) -> Briefing:
    """Parse one body with what the crawl would know: the feed item, or the listing's row."""
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
