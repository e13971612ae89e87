"""A quick question starts quickly: the CLI imports heavy libraries only where they are needed,
and opening an up-to-date database reads the schema revision without Alembic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scraper.storage import migrate, open_storage

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
