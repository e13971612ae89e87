"""The State Department's real saved material (tests/fixtures/state_department): the feed items
with their bodies, the transcripts parsed as the crawl would parse them, and the 33 versions
of the press-release feed captured on 2021-07-05..09, served one after another by a mirror."""

from __future__ import annotations

import email.utils
import functools
import html
import json
from pathlib import Path

from helpers.mirror import Resource
from helpers.site_pages import Entry, serve_archive
from scraper.parsing import parse_transcript
from scraper.parsing.metadata import parse_date

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STATE = FIXTURES / "state_department"


def state_items() -> list[dict]:
    """transcripts.json with guid and title decoded as a feed reader would see them."""
    items = json.loads((STATE / "transcripts.json").read_text(encoding="utf-8"))
    for item in items:
        item["guid"] = html.unescape(item["guid"])
        item["title"] = html.unescape(item["title"])
    return items


def read_body(relative: str) -> str:
    return (STATE / relative).read_text(encoding="utf-8")


ITEMS = state_items()
BY_FILE = {v["file"]: item for item in ITEMS for v in item["versions"]}


def meta_of(item: dict) -> dict:
    return {
        "title": item["title"],
        "guid": item["guid"],
        "creator": item["creator"],
        "published_at": email.utils.parsedate_to_datetime(item["pubDate"]),
    }


def current_meta(data: dict) -> dict:
    return {"title": data["title"], "guid": data["guid"], "creator": data["author"]}


@functools.cache
def parse_fixture(name: str):
    """The Briefing the parser makes of one saved body, with the feed's metadata. Parsing is
    pure and a Briefing frozen, so each body is parsed once per process (~10 ms to 0.1 s
    apiece; the tests ask for the same few bodies hundreds of times)."""
    if name.startswith("current/"):
        data = json.loads((STATE / name).read_text(encoding="utf-8"))
        return parse_transcript(data["content"], url=data["link"], meta=current_meta(data))
    item = BY_FILE[name]
    return parse_transcript(read_body(name), url=item["link"], meta=meta_of(item))


REPLAY = STATE / "feed-replay" / "2021-07-05_09"
VERSIONS = json.loads((REPLAY / "versions.json").read_text())
FEED_PATH = "/rss-feed/press-releases/feed/"


def feed(version: dict) -> Resource:
    """One feed version as the site served it (its commit time as Last-Modified)."""
    return Resource(
        (REPLAY / version["file"]).read_bytes(),
        content_type="application/rss+xml; charset=UTF-8",
        last_modified=version["committed_at"],
    )


#: Version 7 of the replay, and the press-release item that tests damage in it.
GOOD = (REPLAY / VERSIONS[7]["file"]).read_bytes()
VICTIM = b"https://www.state.gov/solomon-islands-national-day/"
MB = 1024 * 1024


def damaged(how: str) -> bytes:
    """BUILT: the real feed with the Solomon Islands item damaged as ``how`` says."""
    start = GOOD.index(b"<item>", GOOD.index(VICTIM) - 200)
    end = GOOD.index(b"</item>", start)
    item = GOOD[start:end]
    if how == "control character":
        item = item.replace(b"<title>", b"<title>\x01", 1)
    elif how == "invalid byte":
        item = item.replace(b"<title>", b"<title>\xff\xfe", 1)
    elif how == "text over 10 MB":
        item = item.replace(
            b"<description>", b"<description><![CDATA[" + b"x" * (11 * MB) + b"]]>", 1
        )
    return GOOD[:start] + item + GOOD[end:]


# A briefings site BUILT around real bodies (helpers/site_pages.py says why): the twelve newest
# Department Press Briefings, four to a listing page.
BRIEFINGS = sorted(
    (i for i in ITEMS if i["title"].startswith("Department Press Briefing")),
    key=lambda i: parse_date(i["title"]),
    reverse=True,
)[:12]
PER_PAGE = 4


def date_of(item: dict):
    return parse_date(item["title"]) or email.utils.parsedate_to_datetime(item["pubDate"]).date()


def path_of(item: dict) -> str:
    return "/briefings/" + item["link"].rstrip("/").rsplit("/", 1)[-1] + "/"


def entry(item: dict) -> Entry:
    return Entry(
        path_of(item), item["title"], date_of(item), read_body(item["versions"][-1]["file"])
    )


def build_site(site) -> None:
    """Serve BRIEFINGS on ``site`` (a Mirror): listing pages and every detail page."""
    serve_archive(site, [entry(i) for i in BRIEFINGS], PER_PAGE)
