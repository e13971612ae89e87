"""Reporters named where the transcript calls on them: a hint beside the label, never the label."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from helpers.state_department import STATE, read_body

from scraper.alerts.plan import draft_alerts
from scraper.alerts.render import render_html, render_markdown, render_text
from scraper.cli import cli
from scraper.config import config_from_dict
from scraper.parsing import parse_transcript
from scraper.parsing.called import called_name
from scraper.storage import open_storage
from scraper.watch.matcher import Matcher

JUNE_22 = "transcripts/department-press-briefing-june-22-2022.p354219.html"
URL = "https://www.state.gov/briefings/department-press-briefing-june-22-2022/"

CALLS = [
    ("Thanks. Let’s go to the line of Janne Pak with Dong-A Ilbo.", "Janne Pak"),
    ("We’ll got to the line of Janne Pak.", "Janne Pak"),  # sic, as transcribed
    ("The next question comes from the line of Matt Lee.", "Matt Lee"),
    ("And then we will go to the line of Stef Kight with Axios.", "Stef Kight"),
    ("Yes, Matt.", "Matt"),
    ("Go ahead, Said.", "Said"),
    ("Yeah. Janne.", "Janne"),
    ("Let’s go to Luis Rojas’s question.", "Luis Rojas"),
    ("Next question, please.", None),
    ("Sure. Sure.", None),
    ("Let’s go to Iran now.", None),
    ("Let us go to the next question.", None),
    ("We have heard from DHS.", None),
    ("That is all. Thanks.", None),
]


@pytest.mark.parametrize(("text", "name"), CALLS, ids=[c[0] for c in CALLS])
def test_called_name(text, name):
    assert called_name(text) == name


def test_the_called_on_reporter_is_named_beside_the_label():
    b = parse_transcript(read_body(JUNE_22), url=URL)
    janne = b.turns[12]  # "Can you hear me?", then her question after "Yes, we can"
    assert (janne.label, janne.speaker, janne.role) == ("QUESTION", "QUESTION", "reporter")
    assert janne.named_as == "Janne Pak" and janne.function == "procedural"
    question = next(t for t in b.turns[13:] if t.role == "reporter")
    assert question.named_as == "Janne Pak" and question.exchange is not None
    assert b.turns[11].text.endswith("We’ll got to the line of Janne Pak.")
    named = {t.ordinal: t.named_as for t in b.turns if t.named_as}
    assert named[11] == "Iain Marlow" and named[17] == "Alex Raufoglu"


def test_named_as_invariants_over_every_fixture():
    """Only reporters are named; the label is never replaced; the name was said just before."""
    named = 0
    for path in sorted((STATE / "transcripts").glob("*.html")):
        turns = parse_transcript(path.read_text(encoding="utf-8")).turns
        for i, t in enumerate(turns):
            if t.named_as:
                named += 1
                assert t.role == "reporter" and t.named_as != t.speaker
                before = " ".join(u.text for u in turns[max(0, i - 5) : i])
                assert t.named_as in before, (path.name, t.ordinal)
    assert named > 250


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("called")
    db = f"sqlite:///{tmp / 'a.db'}"
    storage = open_storage(db)
    storage.save_briefing(parse_transcript(read_body(JUNE_22), url=URL))
    storage.close()
    path = tmp / "c.toml"
    path.write_text(f'[database]\nurl = "{db}"\n')
    return str(path)


def test_search_and_exchanges_show_the_hint(config):
    run = lambda *a: CliRunner().invoke(cli, ["--config", config, *a])  # noqa: E731
    question = parse_transcript(read_body(JUNE_22), url=URL).turns[14]  # her question
    word = question.text.split()[6:9]
    rows = [json.loads(x) for x in run("search", *word, "--format", "jsonl").stdout.splitlines()]
    assert {"turn": 15, "named_as": "Janne Pak", "speaker": "QUESTION"}.items() <= next(
        r for r in rows if r["turn"] == 15
    ).items()
    assert "QUESTION (Janne Pak, as called on) (reporter):" in run("search", *word).stdout
    exchange = run("exchanges", *word, "--limit", "1000").stdout
    assert "QUESTION (Janne Pak, as called on) (reporter):" in exchange


def test_alerts_show_the_hint():
    b = parse_transcript(read_body(JUNE_22), url=URL)
    word = "Korea"  # in her question (turn 15)
    config = config_from_dict({"watch": [{"name": "w", "terms": [word], "scope": "turn"}]})
    hits = [h for h in Matcher(config.watch).hits(b) if 15 in h.turns]
    drafts = draft_alerts(b, hits, {"w": config.watch[0]}, ["log"])
    alerts = [SimpleNamespace(payload=d.payload) for d in drafts]
    assert alerts
    assert "QUESTION (Janne Pak, as called on) (reporter):" in render_text(alerts, 4000)
    assert "<strong>QUESTION</strong> (Janne Pak, as called on) (reporter)" in render_html(
        alerts, 4000
    )
    assert "**QUESTION** (Janne Pak, as called on) (reporter)" in render_markdown(alerts, 4000)
