"""A quick question starts quickly: the CLI imports heavy libraries only where they are needed
(each subcommand's module only when it runs, SQLAlchemy not for reading a SQLite archive,
APScheduler not for loading a configuration, an alert channel's module only when configured),
and opening an up-to-date database reads the schema revision without Alembic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.state_department import parse_fixture

from scraper.cli import COMMANDS
from scraper.storage import migrate, open_storage

JUL_21 = "transcripts/department-press-briefing-july-21-2021.p261072.html"
HEAVY = ("scrapy", "twisted", "alembic", "bs4", "apscheduler.schedulers")

PROBE = """
import json, sys
argv = json.loads(sys.argv[1])
if argv:
    from scraper.cli import cli
    cli.main(argv, prog_name="briefwatch", standalone_mode=False)
else:
    import scraper.cli
heavy = json.loads(sys.argv[2])
print(json.dumps(sorted({m for m in sys.modules for h in heavy if m == h or m.startswith(h + ".")})))
"""


def loaded_after(*argv: str) -> list[str]:
    """Heavy modules imported by a fresh interpreter after running ``briefwatch argv``."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(argv)), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library():
    assert loaded_after() == []


def test_search_status_and_show_on_a_migrated_database_load_no_heavy_library(tmp_path: Path):
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "a.db"}"\n')
    open_storage(f"sqlite:///{tmp_path / 'a.db'}").close()  # created and migrated beforehand
    for argv in (["search", "pakistan"], ["status"], ["exchanges", "iran"], ["--help"]):
        assert loaded_after("--config", str(config), *argv) == [], argv


def test_search_exchanges_and_trend_on_sqlite_load_no_sqlalchemy(tmp_path: Path):
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "a.db"}"\n')
    open_storage(f"sqlite:///{tmp_path / 'a.db'}").close()
    for argv in (["search", "pakistan"], ["exchanges", "iran"], ["trend", "iran"]):
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                PROBE,
                json.dumps(["--config", str(config), *argv]),
                '["sqlalchemy"]',
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(done.stdout.strip().splitlines()[-1]) == [], argv


def loaded(argv: list[str], prefixes: list[str]) -> list[str]:
    """The modules under ``prefixes`` a fresh interpreter imported for ``briefwatch argv``."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(prefixes)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    """A configuration naming a migrated SQLite database holding one briefing and one run."""
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "a.db"}"\n')
    storage = open_storage(f"sqlite:///{tmp_path / 'a.db'}")
    storage.save_briefing(parse_fixture(JUL_21))
    storage.finish_run(storage.start_run("crawl"), "ok", {"new": 1}, [])
    storage.close()
    return config


COMMAND_MODULES = sorted({f"scraper.cli.{module}" for module, _, _ in COMMANDS.values()})


def test_help_imports_no_command_module():
    assert loaded(["--help"], COMMAND_MODULES) == []


def test_a_command_imports_its_own_module_only(migrated: Path):
    assert loaded(["--config", str(migrated), "search", "x"], COMMAND_MODULES) == [
        "scraper.cli.search"
    ]


@pytest.mark.parametrize(
    "argv", [["status"], ["show", "1"], ["runs"], ["trend", "iran"]], ids=lambda a: a[0]
)
def test_status_show_runs_and_trend_on_sqlite_load_no_sqlalchemy(migrated: Path, argv):
    assert loaded(["--config", str(migrated), *argv], ["sqlalchemy", "matplotlib"]) == []


def test_status_reads_the_parser_version_without_loading_the_parser(migrated: Path):
    # It prints PARSER_VERSION, a constant: lxml and the parser modules are for parsing.
    argv = ["--config", str(migrated), "status"]
    assert loaded(argv, ["lxml", "scraper.parsing.transcript"]) == []
    from scraper.parsing import PARSER_VERSION
    from scraper.parsing.transcript import parse_transcript

    assert parse_transcript("<p><b>MR PRICE:</b> Hello.</p>").parser_version == PARSER_VERSION


def test_watch_test_of_a_term_watch_on_sqlite_loads_no_sqlalchemy(migrated: Path):
    migrated.write_text(migrated.read_text() + '\n[[watch]]\nname = "w"\nterms = ["Iran"]\n')
    assert loaded(["--config", str(migrated), "watch", "test", "w"], ["sqlalchemy"]) == []


def test_loading_a_configuration_imports_no_scheduler_and_only_its_channels(tmp_path: Path):
    config = tmp_path / "c.toml"
    config.write_text(
        '[schedule]\ncrons = ["*/5 9-17 * * mon-fri"]\n'
        '[alerts.channels.out]\nkind = "jsonl"\npath = "alerts.jsonl"\n'
    )
    probe = (
        "import json, sys; from scraper.config import load_config; load_config(sys.argv[1]); "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(("
        "'apscheduler', 'smtplib', 'urllib.request', 'xml', 'scraper.alerts.channels.')))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(config)], capture_output=True, text=True, check=True
    )
    # jsonl is configured; email and log are the [alerts.email] and [alerts.log] tables
    assert json.loads(done.stdout) == [
        "scraper.alerts.channels.email",
        "scraper.alerts.channels.jsonl",
        "scraper.alerts.channels.log",
    ]


def test_head_revision_read_from_the_files_is_alembics_head():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate._alembic_config())
    assert migrate.head_revision() == script.get_current_head()


def test_revision_of_an_empty_and_of_a_migrated_database(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    storage = open_storage(url, upgrade=False)
    assert storage.schema_revision() is None
    storage.upgrade()
    assert storage.schema_revision() == migrate.head_revision()
    storage.close()
