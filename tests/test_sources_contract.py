"""The contract every registered source keeps: it has real fixtures with provenance and a
hand-annotated gold, parses the gold transcripts with every turn found (label and opening
words) and nothing else, classifies their kinds, and monitors its real feed replay.

A new publisher passes these tests by adding its module, spider and fixture folder (see the
README, "Adding a source"); nothing here names a source.
"""

from __future__ import annotations

import email.utils
import functools
import html
import json
import os
from pathlib import Path

import pytest
from helpers.crawling import briefwatch, rows, write_config
from helpers.databases import POSTGRES_ENV
from helpers.mirror import Resource
from scrapy.http import Request, XmlResponse
from scrapy.utils.test import get_crawler

from scraper.config import config_from_dict
from scraper.items import BriefingItem, FeedPollItem
from scraper.parsing import parse_transcript
from scraper.sources import KINDS, SOURCES, TRANSCRIPT_KINDS
from scraper.spiders import SPIDERS

FIXTURES = Path(__file__).parent / "fixtures"
SLUGS = sorted(SOURCES)


def fixture_dir(slug: str) -> Path:
    return FIXTURES / slug


@functools.cache
def index_of(root: Path) -> dict[str, dict]:
    """Body path (relative to ``root``) -> its index entry: every JSON list beside the bodies
    whose entries carry a ``title`` and a ``file`` (or ``versions`` of files)."""
    found: dict[str, dict] = {}
    for path in root.rglob("*.json"):
        if {"gold", "feed-replay"} & set(path.relative_to(root).parts):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            continue
        for entry in data:
            if isinstance(entry, dict) and "title" in entry:
                files = [entry["file"]] if "file" in entry else []
                files += [v["file"] for v in entry.get("versions", [])]
                for file in files:
                    found[str((path.parent / file).relative_to(root))] = entry
    return found


def golds() -> list[tuple[str, Path]]:
    return [(s, p) for s in SLUGS for p in sorted((fixture_dir(s) / "gold").glob("*.gold.json"))]


def replays() -> list[tuple[str, Path]]:
    return [
        (s, p.parent)
        for s in SLUGS
        for p in sorted(fixture_dir(s).glob("feed-replay/*/versions.json"))
    ]


def parse_gold(slug: str, path: Path):
    gold = json.loads(path.read_text(encoding="utf-8"))
    root = fixture_dir(slug)
    entry = index_of(root).get(gold["body"], {})
    meta: dict = {"title": html.unescape(entry.get("title", ""))}
    if entry.get("pubDate"):
        meta["published_at"] = email.utils.parsedate_to_datetime(entry["pubDate"])
    body = (root / gold["body"]).read_text(encoding="utf-8")
    return gold, parse_transcript(body, url=gold["url"], meta=meta, source=slug)


def _words(text: str) -> str:
    return " ".join(html.unescape(text).replace("\xa0", " ").split())


@pytest.mark.parametrize("slug", SLUGS)
def test_source_is_complete(slug):
    source = SOURCES[slug]
    assert source.slug == slug and source.name and source.__doc__
    assert SPIDERS[slug].source is source
    assert slug in config_from_dict({}).sources  # [sources.SLUG] defaults from its module
    root = fixture_dir(slug)
    assert (root / "PROVENANCE.md").is_file()
    assert [g for s, g in golds() if s == slug], "no gold annotations"
    assert [r for s, r in replays() if s == slug], "no feed replay"
    assert index_of(root), "no index of the bodies' titles"


@pytest.mark.parametrize(("slug", "path"), golds(), ids=[f"{s}:{p.name[:40]}" for s, p in golds()])
def test_every_gold_turn_is_found_and_nothing_else(slug, path):
    gold, b = parse_gold(slug, path)
    got = [(_words(t.label), _words(t.text)) for t in b.turns]
    want = [(_words(t["label"]), _words(t["starts"])) for t in gold["turns"]]
    assert len(got) == len(want)
    for (label, text), (gold_label, starts) in zip(got, want, strict=True):
        assert (label, text[: len(starts)]) == (gold_label, starts)


@pytest.mark.parametrize("slug", SLUGS)
def test_kinds_are_classified(slug):
    golden = [(p, json.loads(p.read_text(encoding="utf-8"))) for s, p in golds() if s == slug]
    pairs = [(parse_gold(slug, p)[1].kind, gold["kind"]) for p, gold in golden]
    assert all(got in KINDS for got, _ in pairs)
    assert sum(got == want for got, want in pairs) >= 0.9 * len(pairs)


def poll(slug: str, feed: Path) -> list:
    spider = SPIDERS[slug].from_crawler(get_crawler(SPIDERS[slug]), feeds=["https://x/feed/"])
    request = Request("https://x/feed/", meta={"feed_url": "https://x/feed/"})
    response = XmlResponse("https://x/feed/", body=feed.read_bytes(), request=request)
    return list(spider.parse_feed(response))


def transcripts_of(slug: str, replay: Path) -> tuple[list[dict], list[dict[str, str]]]:
    """The replay's versions, and each version's transcripts as the spider yields them (guid
    -> content hash); every version yields its feed-poll item, every transcript its turns."""
    versions = json.loads((replay / "versions.json").read_text())
    served = []
    for version in versions:
        out = poll(slug, replay / version["file"])
        assert isinstance(out[-1], FeedPollItem) and out[-1].items
        transcripts = [
            item.briefing
            for item in out
            if isinstance(item, BriefingItem) and item.briefing.kind in TRANSCRIPT_KINDS
        ]
        assert all(b.turns for b in transcripts), [b.url for b in transcripts if not b.turns]
        served.append({b.guid: b.content_hash for b in transcripts})
    return versions, served


def distinct_bodies(served: list[dict[str, str]]) -> dict[str, set[str]]:
    """Every transcript's distinct bodies (content hashes) over the replay."""
    bodies: dict[str, set[str]] = {}
    for hashes in served:
        for guid, digest in hashes.items():
            bodies.setdefault(guid, set()).add(digest)
    return bodies


@pytest.mark.parametrize(("slug", "replay"), replays(), ids=[f"{s}:{r.name}" for s, r in replays()])
def test_replay_feeds_parse_in_process(slug, replay):
    versions, served = transcripts_of(slug, replay)
    assert versions and distinct_bodies(served)


# Each source's spider test crawls every version of its replay on SQLite with per-version
# expectations; this one crawls the versions where something happens on PostgreSQL where a
# server is named (else SQLite).
REPLAY_BACKEND = (
    pytest.param("postgresql", marks=pytest.mark.postgres)
    if os.environ.get(POSTGRES_ENV)
    else "sqlite"
)
WATCH = '[[watch]]\nname = "thanks"\nterms = ["thank you"]\nchannels = ["log"]\n'


@pytest.mark.slow
@pytest.mark.parametrize("database_url", [REPLAY_BACKEND], indirect=True)
@pytest.mark.parametrize(("slug", "replay"), replays(), ids=[f"{s}:{r.name}" for s, r in replays()])
def test_replay_is_monitored(slug, replay, tmp_path, mirror, database_url):
    """Real crawls of the replay's versions where something happens, in order: every
    transcript stored once, each of its distinct bodies one revision; a stale copy served
    again (the first version carrying a body that a later one replaced) changes nothing and
    alerts nothing twice; an unchanged feed costs one 304."""
    versions, served = transcripts_of(slug, replay)
    bodies = distinct_bodies(served)
    config = write_config(tmp_path / "c.toml", database_url, slug=slug, feeds=[mirror.url("/f")])
    config.write_text(config.read_text() + WATCH)
    for index in eventful(served):
        mirror.routes["/f"] = Resource((replay / versions[index]["file"]).read_bytes())
        result = briefwatch(config, "crawl")
        assert result.returncode == 0, result.stderr
    stored = dict(rows(database_url, "SELECT guid, id FROM briefings"))
    assert set(stored) == set(bodies)
    revisions = dict(
        rows(database_url, "SELECT briefing_id, count(*) FROM revisions GROUP BY briefing_id")
    )
    assert {g: revisions[stored[g]] for g in bodies} == {g: len(b) for g, b in bodies.items()}
    snapshot = rows(database_url, "SELECT guid, content_hash FROM briefings ORDER BY guid")
    (alerts,) = rows(database_url, "SELECT count(*) FROM alert_outbox")
    assert alerts[0] > 0  # the watch matched: a second alert would show

    stale = stale_version(served)
    assert stale is not None, "the replay should hold an edited transcript"
    mirror.routes["/f"] = Resource((replay / versions[stale]["file"]).read_bytes())
    assert briefwatch(config, "crawl").returncode == 0
    assert rows(database_url, "SELECT guid, content_hash FROM briefings ORDER BY guid") == snapshot
    assert rows(database_url, "SELECT count(*) FROM alert_outbox") == [alerts]
    assert (
        dict(rows(database_url, "SELECT briefing_id, count(*) FROM revisions GROUP BY briefing_id"))
        == revisions
    )

    before = len(mirror.requests)
    assert briefwatch(config, "crawl").returncode == 0
    assert [r.status for r in mirror.requests[before:] if r.path == "/f"] == [304]


def eventful(served: list[dict[str, str]]) -> list[int]:
    """The versions to crawl: the first and the last, each where a transcript or a body of
    one first appears, and the one after each of those. The versions in between (a changed
    feed bringing nothing new) take the same path as those, and the spider tests crawl every
    version on SQLite."""
    chosen, seen = {0, len(served) - 1}, set()
    for index, hashes in enumerate(served):
        if set(hashes.items()) - seen:
            chosen |= {index, index + 1}
        seen |= set(hashes.items())
    return sorted(i for i in chosen if i < len(served))


def stale_version(served: list[dict[str, str]]) -> int | None:
    """The first version serving a transcript body that a later version replaced."""
    last = {guid: digest for hashes in served for guid, digest in hashes.items()}
    return next(
        (i for i, hashes in enumerate(served) if any(last[g] != h for g, h in hashes.items())),
        None,
    )
