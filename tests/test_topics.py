"""Topics as the page shows them, and links only to anchors the page has."""

from __future__ import annotations

import html
import json
import re

import pytest
from click.testing import CliRunner
from helpers.state_department import STATE, read_body

from scraper.cli import cli
from scraper.parsing import parse_transcript
from scraper.parsing.topics import readable
from scraper.sources.state_department import StateDepartment
from scraper.storage import open_storage

JUNE_2 = "transcripts/department-press-briefing-june-2-2022.p349309.html"
URL = "https://www.state.gov/briefings/department-press-briefing-june-2-2022/"

READABLE = [
    ("UKRAINERUSSIA", [], "Ukraine / Russia"),
    ("IRAN2", ["IRAN"], "Iran"),
    ("Iran2", ["Iran"], "Iran"),
    ("CHINA1", [], "China"),
    ("NorthKorea", [], "North Korea"),
    ("NORTHKOREASOUTHKOREA", [], "North Korea / South Korea"),
    ("SUMMITOFTHEAMERICAS", [], "Summit of the Americas"),
    ("russiaukraine", [], "Russia / Ukraine"),
    ("COVID19", [], "COVID-19"),
    ("G20", [], "G20"),
    ("IRFREPORT", [], "IRFREPORT"),  # made of no known word: as written
    ("HAITIendTHIS", [], "HAITIendTHIS"),
]


@pytest.mark.parametrize(("name", "earlier", "shown"), READABLE, ids=[r[0] for r in READABLE])
def test_anchor_names_made_readable(name, earlier, shown):
    assert readable(name, earlier, StateDepartment.topic_words) == shown


def _anchors(body: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', body))


def test_a_feed_body_topics_are_readable_and_turns_keep_the_page_anchor():
    body = read_body(JUNE_2)
    b = parse_transcript(body, url=URL)
    assert b.topics[:5] == (
        "IRFREPORT",
        "Tunisia",
        "LGBTQI",
        "Ukraine / Russia",
        "China / North Korea",
    )
    assert b.topics.count("Iran") == 1  # IRAN and IRAN2 are one topic, read twice
    ukraine = [t for t in b.turns if t.topic == "Ukraine / Russia"]
    assert ukraine and {t.anchor for t in ukraine} == {"post-349303-UKRAINERUSSIA"}
    iran = {t.anchor for t in b.turns if t.topic == "Iran"}
    assert iran == {"post-349303-IRAN", "post-349303-IRAN2"}


def test_every_turn_anchor_is_one_the_page_has():
    """Over every fixture body: a turn's anchor is an element id of its page, or none."""
    checked = 0
    for path in sorted((STATE / "transcripts").glob("*.html")):
        body = path.read_text(encoding="utf-8")
        ids = _anchors(body)
        for t in parse_transcript(body).turns:
            assert t.anchor is None or t.anchor in ids, (path.name, t.ordinal, t.anchor)
            checked += t.anchor is not None
    assert checked > 1000


def detail_page(body: str, headings: dict[str, str]) -> str:
    """A detail page BUILT around the real June 2, 2022 body, with a topic index in the markup
    public scrapers of the site remove (div.wp-block-summary-article-index > ul > li > a);
    no saved copy of a detail page exists (see the fixtures' SOURCE-README.md)."""
    links = "".join(
        f'<li><a href="#{ident}">{html.escape(text)}</a></li>' for ident, text in headings.items()
    )
    return (
        "<!DOCTYPE html><html><body>"
        '<div class="wp-block-summary-article-index"><h2>Index</h2>'
        f"<ul>{links}</ul></div>"
        f'<div class="entry-content">{body}</div></body></html>'
    )


def test_a_detail_page_topics_are_its_index_headings():
    body = read_body(JUNE_2)
    headings = {
        "post-349303-UKRAINERUSSIA": "Russia’s War on Ukraine",
        "post-349303-IRAN2": "Iran: Nuclear Talks",
        "post-349303-IRFREPORT": "International Religious Freedom Report",
    }
    b = parse_transcript(detail_page(body, headings), url=URL)
    assert b.topics[0] == "International Religious Freedom Report"
    assert "Russia’s War on Ukraine" in b.topics and "Ukraine / Russia" not in b.topics
    assert "Iran" in b.topics and "Iran: Nuclear Talks" in b.topics  # IRAN has no index entry
    by_anchor = {t.anchor: t.topic for t in b.turns if t.anchor}
    assert by_anchor["post-349303-IRAN2"] == "Iran: Nuclear Talks"
    assert by_anchor["post-349303-IRAN"] == "Iran"
    assert len(b.turns) == len(parse_transcript(body, url=URL).turns)  # the index is no turn


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("topics")
    db = f"sqlite:///{tmp / 'a.db'}"
    storage = open_storage(db)
    storage.save_briefing(parse_transcript(read_body(JUNE_2), url=URL))
    storage.close()
    path = tmp / "c.toml"
    path.write_text(f'[database]\nurl = "{db}"\n')
    return str(path)


def _search(config: str, *args: str) -> list[dict]:
    result = CliRunner().invoke(
        cli, ["--config", config, "search", *args, "--limit", "1000", "--format", "jsonl"]
    )
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize("topic", ["Ukraine / Russia", "ukraine /", "UKRAINERUSSIA", "ukrainerus"])
def test_topic_filter_matches_the_heading_or_the_anchor(config, topic):
    found = _search(config, "russia", "--topic", topic)
    assert found and found == _search(config, "russia", "--topic", "Ukraine / Russia")
    assert {r["turn"] for r in found} < {r["turn"] for r in _search(config, "russia")}


def test_links_point_to_anchors_the_page_has(config):
    ids = _anchors(read_body(JUNE_2))
    found = _search(config, "russia")
    anchored = [r for r in found if "#" in r["link"]]
    assert anchored
    for r in found:
        page, _, fragment = r["link"].partition("#")
        assert page == r["url"] == URL and (not fragment or fragment in ids)
    table = CliRunner().invoke(cli, ["--config", config, "search", "ukraine", "--limit", "1000"])
    links = [line.strip() for line in table.stdout.splitlines() if line.startswith("  http")]
    assert links and all(link.partition("#")[2] in ids | {""} for link in links)
    assert "#turn-" not in table.stdout
    shown = CliRunner().invoke(
        cli, ["--config", config, "exchanges", "ukraine", "--format", "json"]
    )
    for x in json.loads(shown.stdout):
        assert x["link"] == f"{URL}#post-349303-UKRAINERUSSIA" or x["link"].partition("#")[2] in ids
