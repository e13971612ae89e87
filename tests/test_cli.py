"""The command line: parse, db upgrade, status, and documentation of every command."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers.state_department import STATE

from scraper.cli import COMMANDS, cli

ROOT = Path(__file__).resolve().parents[1]
BODY = STATE / "transcripts" / "department-press-briefing-july-12-2021.p258592.html"
FEED = STATE / "feed-replay" / "2021-07-05_09" / "feed-20210706T222222.xml"


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_parse_json_shape():
    url = "https://www.state.gov/briefings/department-press-briefing-july-12-2021/"
    result = invoke("parse", str(BODY), "--url", url)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["url"] == url
    assert data["kind"] == "press_briefing"
    assert set(data["turns"][0]) >= {"speaker", "label", "role", "text", "exchange"}
    assert data["turns"][0]["speaker"] == "Ned Price"
    assert data["coverage"] == 1.0
    assert data["exchanges"][0]["turns"]


def test_parse_prints_one_json_document_for_any_input():
    result = invoke("parse", str(FEED))
    assert result.exit_code == 0
    items = json.loads(result.output)  # one document: an array for a feed
    assert isinstance(items, list) and len(items) == 10
    assert all({"turns", "exchanges", "kind", "turn_share"} <= set(i) for i in items)
    lines = invoke("parse", str(FEED), "--format", "jsonl").output.splitlines()
    assert [json.loads(line)["title"] for line in lines] == [i["title"] for i in items]
    one = json.loads(invoke("parse", str(BODY)).output)
    assert isinstance(one, dict)
    assert {t["function"] for t in one["turns"]} >= {"statement", "question", "answer"}


def test_parse_saved_page_takes_title_and_date_from_the_page(tmp_path):
    # A page BUILT around a real body: <title> as the site writes it, body in div.entry-content.
    page = tmp_path / "saved.html"
    page.write_text(
        "<html><head><title>Department Press Briefing &#8211; July 12, 2021 - United States "
        'Department of State</title></head><body><div class="entry-content">'
        + BODY.read_text(encoding="utf-8")
        + "</div></body></html>",
        encoding="utf-8",
    )
    data = json.loads(invoke("parse", str(page)).output)
    assert data["title"] == "Department Press Briefing – July 12, 2021"
    assert (data["date"], data["kind"]) == ("2021-07-12", "press_briefing")


def test_parse_whole_feed_prints_every_item():
    result = invoke("parse", str(FEED), "--format", "text")
    assert result.exit_code == 0
    assert result.output.count("\nkind: ") + result.output.startswith("kind") == 10
    assert "Department Press Briefing – July 6, 2021" in result.output


def test_parse_unreadable_input_is_one_line_exit_1(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scraper", "parse", str(tmp_path / "missing.html")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "cannot read" in result.stderr
    broken = tmp_path / "feed.xml"
    broken.write_text('<?xml version="1.0"?><rss><channel><item>')
    result = subprocess.run(
        [sys.executable, "-m", "scraper", "parse", str(broken)], capture_output=True, text=True
    )
    assert result.returncode == 1 and "not well-formed XML" in result.stderr


MISSING_EXTRAS = {
    # (the command, the module it needs that is not installed, the one line it prints)
    "serve": (
        ["serve", "--port", "1"],
        "uvicorn",
        "serve needs the web extra (uvicorn is not installed): pip install 'briefwatch[web]' "
        "(in a clone: pip install -e '.[web]')",
    ),
    "trend --plot": (
        ["trend", "iran", "--plot", "t.png"],
        "matplotlib",
        "--plot needs the plot extra (matplotlib is not installed): "
        "pip install 'briefwatch[plot]' (in a clone: pip install -e '.[plot]')",
    ),
}


@pytest.mark.parametrize(("args", "module", "line"), MISSING_EXTRAS.values(), ids=MISSING_EXTRAS)
def test_a_missing_optional_extra_is_one_line_naming_it_exit_2(
    tmp_path, monkeypatch, args, module, line
):
    # One exit code for "install the extra first", as for bad configuration: nothing changes
    # until the installation does, so a cron job should not retry it as a runtime failure.
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    monkeypatch.chdir(tmp_path)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "a.db"}"\n')
    result = CliRunner().invoke(cli, ["--config", str(cfg), *args])
    assert (result.exit_code, result.stdout) == (2, "")  # and nothing printed before it
    assert result.stderr == f"briefwatch: {line}\n"
    assert list(tmp_path.iterdir()) == [cfg]  # no chart, no database


NOTHING_TO_PARSE = {
    # (the input, what the one line says about it)
    "/dev/null": (lambda tmp: os.devnull, "it is empty, nothing to parse"),
    "an empty file": (lambda tmp: _file(tmp / "saved.html", b""), "it is empty, nothing to parse"),
    "blank lines": (
        lambda tmp: _file(tmp / "t.txt", b"\n \r\n\t\n"),
        "it is empty, nothing to parse",
    ),
    "a program": (
        lambda tmp: str(Path(sys.executable).resolve()),
        "binary data, not a page, a feed or a text transcript",
    ),
}


def _file(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(("path", "why"), NOTHING_TO_PARSE.values(), ids=NOTHING_TO_PARSE)
def test_parse_of_nothing_to_parse_is_one_line_naming_the_file_exit_1(tmp_path, path, why):
    path = path(tmp_path)
    result = CliRunner().invoke(cli, ["parse", path])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"briefwatch: cannot read {path}: {why}\n"


def test_parse_of_stdin_names_it():
    result = CliRunner().invoke(cli, ["parse", "-"], input=b"")
    assert result.exit_code == 1
    assert (
        result.stderr == "briefwatch: cannot read standard input: it is empty, nothing to parse\n"
    )


def test_parse_of_a_page_with_a_stray_byte_says_so_on_the_result(tmp_path):
    # BUILT: a real page with one byte that is neither UTF-8 nor Windows-1252 (0x81).
    data = BODY.read_bytes()
    at = data.index(b"</p>")
    page = _file(tmp_path / "saved.html", data[:at] + b"\x81" + data[at:])
    result = CliRunner().invoke(cli, ["parse", page])
    assert (result.exit_code, result.stderr) == (0, "")  # no note without the file's name
    parsed = json.loads(result.stdout)
    assert parsed["warnings"][-1] == (
        "some bytes are neither UTF-8 nor Windows-1252: read as U+FFFD"
    )
    whole = json.loads(invoke("parse", str(BODY)).output)  # the rest is read as it was
    assert parsed["turns"] == whole["turns"] and parsed["title"] == whole["title"]


def test_db_upgrade_and_status(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "BRIEFWATCH_CONFIG": ""}
    result = invoke("db", "upgrade", env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "briefwatch" / "briefwatch.db").exists()
    status = json.loads(invoke("status", "--format", "json", env=env).output)
    assert status["counts"]["briefings"] == 0 and status["last_run"] is None
    assert status["schema"] == "0010_turn_exchange_index"


def test_unreachable_database_is_one_line_exit_1(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[database]\nurl = "postgresql+psycopg://nobody@127.0.0.1:1/x"\n')
    result = subprocess.run(
        [sys.executable, "-m", "scraper", "--config", str(cfg), "status"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("briefwatch: cannot open database")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "table"), [(["status"], "runs"), (["runs"], "runs"), (["show", "1"], "briefings")]
)
def test_a_damaged_sqlite_archive_is_one_line_exit_1_on_the_reader_path(tmp_path, args, table):
    """show, status and runs read an up-to-date SQLite file with sqlite3 directly: its
    errors are one line too, not a traceback."""
    import sqlite3

    from scraper.storage import open_storage

    database = tmp_path / "a.db"
    open_storage(f"sqlite:///{database}").close()
    with sqlite3.connect(database) as conn:
        conn.execute(f"DROP TABLE {table}")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{database}"\n')
    result = subprocess.run(
        [sys.executable, "-m", "scraper", "--config", str(cfg), *args],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"briefwatch: database error: no such table: {table}\n"
    assert "sqlalchemy" not in result.stderr


def test_version():
    assert re.match(r"briefwatch, version \d", invoke("--version").output)


def commands(group=cli, prefix=""):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_the_lazy_command_table_agrees_with_each_command():
    # `--help` lists the commands from scraper.cli.COMMANDS without importing them.
    ctx = click.Context(cli)
    for name, (module, attribute, short_help) in COMMANDS.items():
        command = getattr(importlib.import_module(f"scraper.cli.{module}"), attribute)
        assert command.name == name
        assert command.get_short_help_str(limit=10**6) == short_help, name
        assert cli.get_command(ctx, name) is command


def test_help_from_the_table_is_the_help_of_the_loaded_commands():
    def help_text(prelude: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", f"{prelude}; from scraper.cli import main; main()", "--help"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    lazy = help_text("import sys; sys.argv[0] = 'briefwatch'")
    loaded = help_text(
        "import sys, click; sys.argv[0] = 'briefwatch'; from scraper.cli import COMMANDS, cli; "
        "[cli.get_command(click.Context(cli), name) for name in COMMANDS]"
    )
    assert lazy == loaded
    assert all(f"\n  {name} " in lazy for name in COMMANDS)


def test_every_command_has_help_with_example_and_is_in_readme():
    readme = (ROOT / "README.md").read_text()
    for name, command in commands():
        assert command.help and "Example: briefwatch" in command.help, name
        assert f"briefwatch {name}" in readme, f"README does not mention `briefwatch {name}`"
