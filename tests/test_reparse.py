"""``briefwatch reparse``: the stored archive re-derived with the current parser, in place.

What an older parser stored is stood in for by the current parse with its functions and
exchanges taken out, an older version number and the content hash it gave (the stored body is
the real one, as always)."""

from __future__ import annotations

import dataclasses
import json

from click.testing import CliRunner
from helpers.state_department import parse_fixture

from scraper.alerts.plan import draft_alerts
from scraper.cli import cli
from scraper.config import config_from_dict
from scraper.parsing import PARSER_VERSION
from scraper.storage import open_storage
from scraper.watch.matcher import Matcher

JUL_21 = "transcripts/department-press-briefing-july-21-2021.p261072.html"
WATCHES = [{"name": "nord-stream", "all_of": ["Ukraine", "sanctions"]}]


def as_old_parser_stored_it(b):
    return dataclasses.replace(
        b,
        turns=tuple(dataclasses.replace(t, function="other", exchange=None) for t in b.turns),
        exchanges=(),
        parser_version="1",
        content_hash="0" * 64,
    )


def setup(tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    config_file = tmp_path / "c.toml"
    config_file.write_text(
        f'[database]\nurl = "{db}"\n\n[[watch]]\nname = "nord-stream"\n'
        'all_of = ["Ukraine", "sanctions"]\n'
    )
    return db, str(config_file)


def run(config: str, *args: str):
    return CliRunner().invoke(cli, ["--config", config, *args], catch_exceptions=False)


def test_reparse_rederives_turns_exchanges_and_matches_without_alerting(tmp_path):
    db, config = setup(tmp_path)
    fresh = parse_fixture(JUL_21)
    old = as_old_parser_stored_it(fresh)
    watch = config_from_dict({"watch": WATCHES}).watch
    hits = Matcher(watch).hits(fresh)
    drafts = draft_alerts(fresh, hits, {w.name: w for w in watch}, ["log"])
    storage = open_storage(db)
    saved = storage.save_briefing(old, hits=hits, drafts=drafts)
    alerts_before = storage.list_alerts(limit=100)
    assert saved.alerts_queued == 1 and len(alerts_before) == 1
    assert storage.revisions_behind(PARSER_VERSION) == 1
    status = json.loads(run(config, "status", "--format", "json").stdout)
    assert status["parser"] == {"version": PARSER_VERSION, "revisions_behind": 1}

    result = run(config, "reparse")
    assert result.exit_code == 0
    assert "reparsed 1 briefings (1 revisions)" in result.stdout and "1 changed" in result.stdout

    _id, stored = storage.get_briefing(fresh.url)
    assert [(t.role, t.function, t.exchange) for t in stored.turns] == [
        (t.role, t.function, t.exchange) for t in fresh.turns
    ]
    assert stored.exchanges == fresh.exchanges
    assert storage.revisions_behind(PARSER_VERSION) == 0
    # No alert for the passage already alerted, nor any other.
    assert [a.key for a in storage.list_alerts(limit=100)] == [a.key for a in alerts_before]
    assert storage.counts()["watch_matches"] == sum(len(h.matches) for h in hits)
    # The same text crawled again is recognized: the revision now has the current hash.
    assert storage.save_briefing(fresh).status == "unchanged"
    # Nothing is behind any more; a second run reads nothing.
    assert "reparsed 0 briefings" in run(config, "reparse").stdout
    assert "0 revision(s) read by an older parser" in run(config, "status").stdout
    storage.close()


def test_function_is_stored_searched_and_exported(tmp_path):
    db, config = setup(tmp_path)
    storage = open_storage(db)
    storage.save_briefing(parse_fixture(JUL_21))
    storage.close()
    rows = [
        json.loads(line)
        for line in run(
            config, "search", "sanctions", "--function", "question", "--format", "jsonl"
        ).stdout.splitlines()
    ]
    assert rows and all(r["role"] == "reporter" for r in rows)
    answers = run(config, "search", "sanctions", "--function", "answer", "--format", "jsonl")
    assert {json.loads(line)["role"] for line in answers.stdout.splitlines()} == {"official"}
    (exported,) = [json.loads(line) for line in run(config, "export").stdout.splitlines()]
    assert {t["function"] for t in exported["turns"]} >= {"question", "answer", "statement"}
    exchanges = json.loads(run(config, "exchanges", "sanctions", "--format", "json").stdout)
    assert {t["function"] for x in exchanges for t in x["turns"]} == {"question", "answer"}
