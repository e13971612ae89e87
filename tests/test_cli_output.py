"""One vocabulary on every command: the same --format names, JSON as one document, and every
failure as one line on stderr with its exit code."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner
from helpers.state_department import STATE

from scraper.cli import cli
from scraper.cli.context import (
    EXIT_BUSY,
    EXIT_FAILURE,
    EXIT_USAGE,
    BusyFailure,
    CommandFailure,
    RuntimeFailure,
    UsageFailure,
)
from scraper.cli.crawl import AnotherRunInProgress
from scraper.cli.daemon import DaemonRunning
from scraper.cli.output import FORMATS, FormatChoice


def commands(group: click.Group = cli, prefix: str = "") -> dict[str, click.Command]:
    out: dict[str, click.Command] = {}
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            out.update(commands(command, f"{prefix}{name} "))
        else:
            out[prefix + name] = command
    return out


WITH_FORMAT = {
    name: command
    for name, command in commands().items()
    if any(p.name == "fmt" for p in command.params)
}


def test_the_commands_that_print_data_take_format():
    assert sorted(WITH_FORMAT) == [
        "alerts list",
        "exchanges",
        "export",
        "list",
        "parse",
        "runs",
        "search",
        "show",
        "status",
        "trend",
    ]


@pytest.mark.parametrize("name", sorted(WITH_FORMAT))
def test_every_format_option_offers_names_from_one_list(name):
    (option,) = [p for p in WITH_FORMAT[name].params if p.name == "fmt"]
    assert isinstance(option.type, FormatChoice)
    offered = list(option.type.choices)
    assert offered == [f for f in FORMATS if f in offered]  # a subset, in the same order
    assert option.default in offered


@pytest.fixture
def config(tmp_path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "a.db"}"\n')
    return str(path)


def run(config: str, *args: str):
    return CliRunner().invoke(cli, ["--config", config, *args])


def test_json_is_one_document_and_jsonl_one_object_a_line(config):
    for command in (["alerts", "list"], ["list"], ["runs"]):
        as_json = run(config, *command, "--format", "json")
        assert as_json.exit_code == 0, as_json.output
        assert json.loads(as_json.stdout) == [], command
        as_jsonl = run(config, *command, "--format", "jsonl")
        assert as_jsonl.exit_code == 0 and as_jsonl.stdout == "", command


def test_table_is_still_understood_as_text(config):
    for command in (["alerts", "list"], ["list"], ["runs"]):
        table, text = (run(config, *command, "--format", f) for f in ("table", "text"))
        assert table.exit_code == text.exit_code == 0
        assert (table.stdout, table.stderr) == (text.stdout, text.stderr)
    assert "table" not in run(config, "list", "--help").stdout  # not offered any more


def test_an_unknown_format_is_a_usage_error(config):
    result = run(config, "alerts", "list", "--format", "yaml")
    assert result.exit_code == EXIT_USAGE
    assert "'yaml' is not one of 'text', 'json', 'jsonl'" in result.stderr


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (UsageFailure("bad --since"), EXIT_USAGE),
        (RuntimeFailure("cannot open database"), EXIT_FAILURE),
        (AnotherRunInProgress(), EXIT_BUSY),
        (DaemonRunning("another daemon is running"), EXIT_BUSY),
    ],
    ids=["usage", "runtime", "run busy", "daemon busy"],
)
def test_every_failure_is_one_line_on_stderr_and_its_exit_code(failure, code):
    @click.command()
    def failing() -> None:
        raise failure

    result = CliRunner().invoke(failing, [])
    assert isinstance(failure, CommandFailure)
    assert isinstance(failure, BusyFailure) == (code == EXIT_BUSY)
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr == f"briefwatch: {failure.message}\n"


def test_a_failure_line_hides_url_credentials():
    @click.command()
    def failing() -> None:
        raise RuntimeFailure("cannot open database 'postgresql://bw:hunter2@db/bw'")

    result = CliRunner().invoke(failing, [])
    assert "hunter2" not in result.stderr
    assert result.stderr.startswith("briefwatch: cannot open database")


def test_parse_reads_standard_input_as_bytes():
    body = (
        STATE / "transcripts" / "department-press-briefing-july-12-2021.p258592.html"
    ).read_bytes()
    from_stdin = CliRunner().invoke(cli, ["parse", "-", "--format", "jsonl"], input=body)
    assert from_stdin.exit_code == 0, from_stdin.output
    assert json.loads(from_stdin.stdout)["turns"][0]["speaker"] == "Ned Price"
