"""search, exchanges, trend, show and export from the command line."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner
from helpers.search_archive import FILES, fill
from helpers.state_department import parse_fixture

from scraper.cli import cli
from scraper.storage import open_storage


def archive(tmp_path) -> str:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    storage = open_storage(db)
    fill(storage)
    storage.close()
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{db}"\n')
    return str(config)


def run(config: str, *args: str):
    return CliRunner().invoke(cli, ["--config", config, *args], catch_exceptions=False)


def test_search_formats(tmp_path):
    config = archive(tmp_path)
    table = run(config, "search", "pakistan", "--limit", "2")
    assert table.exit_code == 0
    assert table.stdout.count("https://www.state.gov/") == 2
    rows = [
        json.loads(line)
        for line in run(config, "search", "pakistan", "--format", "jsonl").stdout.splitlines()
    ]
    assert rows and set(rows[0]) == {
        "date",
        "title",
        "speaker",
        "named_as",
        "role",
        "exchange",
        "turn",
        "snippet",
        "url",
        "link",
        "briefing_id",
    }
    parsed = list(
        csv.DictReader(io.StringIO(run(config, "search", "pakistan", "--format", "csv").stdout))
    )
    assert len(parsed) == len(rows)
    assert json.loads(run(config, "search", "pakistan", "--format", "json").stdout) == rows


def test_malformed_query_is_one_line_exit_2(tmp_path):
    config = archive(tmp_path)
    result = run(config, "search", '"human rights')
    assert result.exit_code == 2
    assert result.stderr.strip() == "briefwatch: bad query '\"human rights': unbalanced quote"
    assert run(config, "search", "zzyzx").stderr.strip() == "no matches"


def test_exchanges_show_trend_export(tmp_path):
    config = archive(tmp_path)
    out = run(config, "exchanges", '"nord stream"', "--format", "json")
    first = json.loads(out.stdout)[0]
    assert first["date"] == "2022-07-20" and first["turns"][0]["role"] == "reporter"
    shown = json.loads(run(config, "show", "1", "--format", "json").stdout)
    assert shown["id"] == 1 and shown["turns"]
    by_url = run(config, "show", shown["url"])
    assert by_url.exit_code == 0 and shown["title"] in by_url.stdout
    missing = run(config, "show", "999")
    assert missing.exit_code == 1 and "no stored briefing '999'" in missing.stderr
    trend = run(config, "trend", "pakistan", "iran", "--format", "csv").stdout
    assert trend.splitlines()[0] == "term,period,questions,answers"
    assert any(line.startswith("iran,2022-07,") for line in trend.splitlines())
    lines = run(config, "export").stdout.splitlines()
    assert len(lines) == len(FILES)
    assert {"turns", "exchanges", "title"} <= set(json.loads(lines[0]))
    rows = list(csv.DictReader(io.StringIO(run(config, "export", "--format", "csv").stdout)))
    assert len(rows) == sum(len(parse_fixture(f).turns) for f in FILES)
    since = run(config, "export", "--since", "2022-01-01").stdout.splitlines()
    assert len(since) == 2
