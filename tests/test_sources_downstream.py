"""Everything downstream of the crawl knows the source: watches limited to some sources, run
counts per source (``status``, ``runs``), ``trend --per-source`` and the publisher named by
``show`` and by alerts; on both backends where storage is involved."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from helpers.crawling import briefwatch, rows
from helpers.mirror import Mirror, Resource
from helpers.state_department import STATE, parse_fixture
from helpers.whitehouse_fixtures import REPLAY, parse_wh

from scraper.alerts.plan import draft_alerts
from scraper.alerts.render import render_html, render_markdown, render_text
from scraper.cli import cli
from scraper.config import ConfigError, config_from_dict
from scraper.search.query import parse
from scraper.sources import SOURCES
from scraper.storage import Filters, open_storage
from scraper.watch.config import WatchConfig
from scraper.watch.matcher import Matcher

STATE_JUL_12 = "transcripts/department-press-briefing-july-12-2021.p258592.html"
WH_JUL_12 = "transcripts/press-briefing-by-press-secretary-jen-psaki-july-12-2021.p23627.html"
SLUGS = list(SOURCES)  # every source in the registry, whatever it holds
WH, SD = "whitehouse", "state_department"


def both() -> list:
    return [parse_fixture(STATE_JUL_12), parse_wh(WH_JUL_12)]


def write(tmp_path, database_url: str, extra: str = "") -> str:
    path = tmp_path / "c.toml"
    path.write_text(f"[database]\nurl = {json.dumps(database_url)}\n{extra}")
    return str(path)


def run(config: str, *args: str):
    return CliRunner().invoke(cli, ["--config", config, *args], catch_exceptions=False)


# -- watches: sources = [...] ------------------------------------------------------------------


def test_an_unknown_source_in_a_watch_is_a_one_line_error_naming_the_known_ones():
    with pytest.raises(ConfigError) as info:
        config_from_dict({"watch": [{"name": "x", "terms": ["a"], "sources": ["pentagon"]}]})
    message = str(info.value)
    assert message == (
        f"watch[0] ('x').sources: unknown source 'pentagon' (known: {', '.join(SOURCES)})"
    )


def test_config_check_rejects_an_unknown_watch_source(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[watch]]\nname = "x"\nterms = ["a"]\nsources = ["whitehous"]\n')
    result = briefwatch(bad, "config", "check")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert "watch[0] ('x').sources: unknown source 'whitehous' (known: " in line
    assert all(slug in line for slug in SOURCES)
    good = tmp_path / "good.toml"
    good.write_text(f'[[watch]]\nname = "x"\nterms = ["a"]\nsources = ["{WH}"]\n')
    checked = briefwatch(good, "config", "check")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["watch"][0]["sources"] == [WH]


@pytest.mark.parametrize(
    ("sources", "expected"),
    [((), {SD, WH}), ((WH,), {WH}), ((SD,), {SD}), ((SD, WH), {SD, WH})],
    ids=["every source", "white house only", "state only", "both named"],
)
def test_a_watch_looks_only_at_its_sources(sources, expected):
    watch = WatchConfig(name="president", terms=("president",), sources=sources)
    alone = WatchConfig(name="president", terms=("president",))
    fired = set()
    for briefing in both():
        hits = Matcher([watch]).hits(briefing)
        if briefing.source in expected:
            assert hits == Matcher([alone]).hits(briefing) and hits  # the same hits as unlimited
            fired.add(briefing.source)
        else:
            assert hits == []
    assert fired == expected


def test_a_watch_of_another_source_does_not_stop_the_others():
    limited = WatchConfig(name="wh", terms=("president",), sources=(WH,))
    open_ = WatchConfig(name="all", terms=("president",))
    state = parse_fixture(STATE_JUL_12)
    hits = Matcher([limited, open_]).hits(state)
    assert hits and {h.watch for h in hits} == {"all"}


WATCH_WH = '[[watch]]\nname = "president"\nterms = ["president"]\nsources = ["whitehouse"]\n'


def test_watch_test_and_rematch_keep_to_the_watch_sources(tmp_path, migrated_database_url):
    storage = open_storage(migrated_database_url)
    for briefing in both():
        storage.save_briefing(briefing)
    storage.close()
    config = write(tmp_path, migrated_database_url, WATCH_WH)
    tested = run(config, "watch", "test", "president")
    assert tested.exit_code == 0
    urls = [line.split()[-1] for line in tested.stdout.splitlines() if line.startswith("20")]
    assert urls and {u.split("/")[2] for u in urls} == {"www.whitehouse.gov"}
    assert f"{len(urls)} alert(s) would have been sent" in tested.stderr
    listed = run(config, "watch", "list").stdout
    assert "sources=['whitehouse']" in listed
    assert run(config, "rematch").exit_code == 0
    matched = rows(
        migrated_database_url,
        "SELECT DISTINCT s.slug FROM watch_matches m JOIN briefings b ON b.id = m.briefing_id "
        "JOIN sources s ON s.id = b.source_id",
    )
    assert matched == [(WH,)]


# -- runs: counts per source ------------------------------------------------------------------

STATE_FEED, WH_FEED = "/rss-feed/press-releases/feed/", "/briefing-room/feed/"


def _feed(folder, version: dict) -> Resource:
    return Resource(
        (folder / version["file"]).read_bytes(),
        content_type="application/rss+xml; charset=UTF-8",
        last_modified=version["committed_at"],
    )


def _crawl_config(tmp_path, database_url: str, site) -> str:
    lines = [
        "[http]",
        "download_delay_seconds = 0.0",
        "autothrottle = false",
        "retry_times = 0",
        "timeout_seconds = 10.0",
        f"[sources.{SD}]",
        f"feeds = [{json.dumps(site.url(STATE_FEED))}]",
        f"[sources.{WH}]",
        f"feeds = [{json.dumps(site.url(WH_FEED))}]",
    ]
    return write(tmp_path, database_url, "\n".join(lines) + "\n" + WATCH_WH)


@pytest.mark.slow
def test_a_run_of_two_sources_counts_each_and_alerts_only_for_the_watch_source(
    tmp_path, database_url
):
    """The first version of each real feed replay (State: 3 transcripts, White House: 2),
    crawled in one run; then the State feed unchanged (304) and the White House's gone (404)."""
    state_replay = STATE / "feed-replay" / "2021-07-05_09"
    state_v0 = json.loads((state_replay / "versions.json").read_text())[0]
    wh_v0 = json.loads((REPLAY / "versions.json").read_text())[0]
    with Mirror() as site:
        site.routes[STATE_FEED] = _feed(state_replay, state_v0)
        site.routes[WH_FEED] = _feed(REPLAY, wh_v0)
        config = _crawl_config(tmp_path, database_url, site)
        first = briefwatch(config, "crawl")
        assert first.returncode == 0, first.stderr
        site.routes[WH_FEED] = Resource(b"gone", status=404)
        second = briefwatch(config, "crawl")
        assert second.returncode == 0, second.stderr  # one feed answered: a partial run

    runs = json.loads(briefwatch(config, "runs", "--format", "json").stdout)
    assert [(r["command"], r["status"]) for r in runs] == [("crawl", "partial"), ("crawl", "ok")]
    latest, earliest = runs
    first_counts = {
        slug: (c["new"], c["updated"], c["errors"]) for slug, c in earliest["sources"].items()
    }
    assert first_counts == {SD: (3, 0, 0), WH: (2, 0, 0)}
    assert earliest["counts"]["new"] == 5 and "sources" not in earliest["counts"]
    assert latest["sources"][SD]["feeds_not_modified"] == 1
    assert (latest["sources"][SD]["errors"], latest["sources"][WH]["errors"]) == (0, 1)
    assert latest["sources"][WH]["new"] == latest["sources"][SD]["new"] == 0

    table = briefwatch(config, "runs").stdout.splitlines()
    header = table[0]
    column = header.index(" new") + 4  # the new/upd/errors columns end where the header's do
    per_source = [line for line in table[1:] if line.split()[0] in SLUGS]
    assert [line[:7] for line in per_source] == [" " * 7] * 4
    # Under the run's "new" column: the runs newest first, each source's line under it.
    assert [line[column - 4 : column] for line in per_source] == ["   0", "   0", "   3", "   2"]
    assert [line.split()[-3:] for line in table[1:] if line.split()[0] in SLUGS] == [
        ["0", "0", "0"],
        ["0", "0", "1"],
        ["3", "0", "0"],
        ["2", "0", "0"],
    ]

    status = json.loads(briefwatch(config, "status", "--format", "json").stdout)
    assert status["last_run"]["sources"] == latest["sources"]
    text = briefwatch(config, "status").stdout
    assert f"  {WH + ':':<18} 0 new, 0 updated, 0 unchanged, 1 error" in text
    assert f"  {SD + ':':<18} 0 new, 0 updated, 0 unchanged, 0 errors" in text

    # The watch names the White House only: every alert is for one of its briefings.
    alerted = rows(
        database_url,
        "SELECT DISTINCT s.slug FROM alert_outbox a JOIN briefings b ON b.id = a.briefing_id "
        "JOIN sources s ON s.id = b.source_id",
    )
    assert alerted == [(WH,)]


# -- trend: the podiums side by side ----------------------------------------------------------


def test_trend_per_source_puts_each_source_in_its_own_columns(tmp_path, migrated_database_url):
    storage = open_storage(migrated_database_url)
    for briefing in both():
        storage.save_briefing(briefing)
    expected = {
        slug: storage.trend(parse("president"), "month", Filters(source=slug)) for slug in SLUGS
    }
    storage.close()
    config = write(tmp_path, migrated_database_url)
    out = run(config, "trend", "president", "--per-source", "--format", "csv")
    assert out.exit_code == 0
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(table[0]) == ["term", "period"] + [
        f"{slug}_{side}" for slug in SLUGS for side in ("questions", "answers")
    ]
    assert [r["period"] for r in table] == ["2021-07"]  # both briefings are of July 12, 2021
    for slug in SLUGS:
        counts = [(p, q, a) for p, q, a in expected[slug]]
        got = [(r["period"], int(r[f"{slug}_questions"]), int(r[f"{slug}_answers"])) for r in table]
        assert got == (counts or [("2021-07", 0, 0)])
    assert int(table[0][f"{WH}_questions"]) + int(table[0][f"{WH}_answers"]) > 0
    assert int(table[0][f"{SD}_questions"]) + int(table[0][f"{SD}_answers"]) > 0

    shown = run(config, "trend", "president", "--per-source").stdout.splitlines()
    assert shown[0].split() == SLUGS
    assert shown[1].startswith("president") and shown[1].count("Q ") == len(SLUGS)
    one = run(config, "trend", "president", "--per-source", "--source", WH, "--format", "csv")
    assert list(next(csv.DictReader(io.StringIO(one.stdout)))) == [
        "term",
        "period",
        f"{WH}_questions",
        f"{WH}_answers",
    ]


# -- the publisher named ----------------------------------------------------------------------


def test_show_names_the_publisher(tmp_path, migrated_database_url):
    storage = open_storage(migrated_database_url)
    storage.save_briefing(parse_wh(WH_JUL_12))
    storage.close()
    config = write(tmp_path, migrated_database_url)
    text = run(config, "show", "1").stdout
    assert text.startswith("id: 1   source: whitehouse (The White House)   revisions: 1\n")
    data = json.loads(run(config, "show", "1", "--format", "json").stdout)
    assert (data["source"], data["publisher"]) == (WH, "The White House")


class _Queued:
    def __init__(self, payload: dict) -> None:
        self.payload = payload


def test_alerts_name_the_publisher():
    watch = WatchConfig(name="president", terms=("president",))
    for briefing, publisher in zip(
        both(), ("U.S. Department of State", "The White House"), strict=True
    ):
        hits = Matcher([watch]).hits(briefing)
        (draft, *_) = draft_alerts(briefing, hits, {"president": watch}, ["log"])
        b = draft.payload["briefing"]
        assert (b["source"], b["publisher"]) == (briefing.source, publisher)
        alerts = [_Queued(draft.payload)]
        assert f"({publisher}, {briefing.date.isoformat()})" in render_text(alerts, 400)
        assert f"<p>{publisher}, {briefing.date.isoformat()}</p>" in render_html(alerts, 400)
        assert f"{publisher}, {briefing.date.isoformat()} · watch" in render_markdown(alerts, 400)


def test_every_watch_key_is_documented_in_config_toml():
    import dataclasses
    from pathlib import Path

    text = (Path(__file__).parents[1] / "config.toml").read_text(encoding="utf-8")
    section = text[text.index("# Watches: what you want to hear about.") :]
    for field in dataclasses.fields(WatchConfig):
        assert f"`{field.name}" in section or f"# {field.name} = " in section, field.name
    assert '# sources = ["whitehouse"]' in section  # a worked example of the new key
