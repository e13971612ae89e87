"""An archive for the web tests: real State Department transcripts (one with two revisions),
their watch matches, and one hostile record.

The hostile record is made here, not parsed from a page: it stands for whatever an attacker
could get into the database (script tags, ``javascript:`` URLs, terminal escapes), to prove the
pages show it inert.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from pathlib import Path

from helpers.state_department import read_body, state_items
from scraper.model import Briefing, Exchange, Turn
from scraper.parsing import parse_transcript
from scraper.storage import open_storage
from scraper.watch.config import WatchConfig
from scraper.watch.matcher import Matcher

FILES = [
    "transcripts/department-press-briefing-july-21-2021.p261072.html",
    "transcripts/department-press-briefing-august-2-2021.p264901.html",
    "transcripts/department-press-briefing-august-4-2021.p266043.html",
    "transcripts/department-press-briefing-july-20-2022.p361464.html",
    "transcripts/secretary-antony-j-blinken-with-judy-woodruff-of-pbs-newshour-2.p352647.html",
]
REVISED = [
    "transcripts/briefing-with-acting-assistant-secretary-for-conflict-and-stabilizatio.p258573.v1.html",
    "transcripts/briefing-with-acting-assistant-secretary-for-conflict-and-stabilizatio.p258573.html",
]
WATCHES = (
    WatchConfig(name="pakistan", terms=("Pakistan",), forms=True),
    WatchConfig(name="nord-stream", terms=("Nord Stream",), scope="turn"),
)
WATCH_TOML = """
[[watch]]
name = "pakistan"
terms = ["Pakistan"]
forms = true

[[watch]]
name = "nord-stream"
terms = ["Nord Stream"]
scope = "turn"
"""

SCRIPT = "<script>alert('pwned')</script>"
ESCAPE = "\x1b[31m\x1b]0;owned\x07"
HOSTILE = Briefing(
    title=f"Hostile {SCRIPT} briefing",
    url="javascript:alert(document.cookie)",
    source="state_department",
    kind="press_briefing",
    date=dt.date(2020, 1, 2),
    speakers_of_record=(f"<img src=x onerror=alert(1)>{ESCAPE}",),
    location='"><svg onload=alert(2)>',
    topics=(f"{SCRIPT} topic",),
    turns=(
        Turn(
            1,
            "QUESTION",
            "QUESTION",
            "reporter",
            f"Is {SCRIPT} zanzibarian? {ESCAPE}done",
            topic=f"{SCRIPT} topic",
            exchange=1,
        ),
        Turn(
            2,
            "MR. X",
            "<b onmouseover=alert(3)>Mr. X</b>",
            "official",
            'Zanzibarian [brackets] <a href="javascript:alert(4)">click</a>',
            exchange=1,
        ),
    ),
    exchanges=(Exchange(1, (1,), (2,), f"{SCRIPT} topic"),),
    content_hash="hostile-1",
)


def items_by_file() -> dict[str, dict]:
    return {v["file"]: item for item in state_items() for v in item["versions"]}


def parse_file(name: str, items: dict[str, dict]) -> Briefing:
    item = items[name]
    meta = {
        "title": item["title"],
        "guid": item["guid"],
        "creator": item["creator"],
        "published_at": email.utils.parsedate_to_datetime(item["pubDate"]),
    }
    return parse_transcript(read_body(name), url=item["link"], meta=meta)


EDITED = FILES[0]
#: A second revision of EDITED, made here from its real body by changing one sentence, as the
#: Department edits transcripts after publication.
EDIT = ("Good afternoon. A couple things at the top.", "Good afternoon. Three things at the top.")


def edited(name: str, items: dict[str, dict]) -> Briefing:
    item = items[name]
    body = read_body(name).replace(*EDIT)
    meta = {"title": item["title"], "guid": item["guid"], "creator": item["creator"]}
    return parse_transcript(body, url=item["link"], meta=meta)


def build(url: str) -> dict[str, int]:
    """Fill the database at ``url``; returns briefing ids by short name."""
    items = items_by_file()
    matcher = Matcher(WATCHES)
    storage = open_storage(url)
    ids = {}
    try:
        for name in [*FILES, *REVISED]:
            b = parse_file(name, items)
            result = storage.save_briefing(b, hits=matcher.hits(b))
            ids[Path(name).stem] = result.briefing_id
        storage.save_briefing(edited(EDITED, items))
        ids["hostile"] = storage.save_briefing(HOSTILE, hits=matcher.hits(HOSTILE)).briefing_id
    finally:
        storage.close()
    return ids
