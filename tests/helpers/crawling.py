"""Helpers for tests that run real crawls: a configuration pointing at a local mirror, and
``briefwatch`` run as a real subprocess (Scrapy's reactor runs once per process)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import sqlalchemy
import sqlalchemy.exc


def write_config(
    path: Path,
    database_url: str,
    http: dict | None = None,
    slug: str = "state_department",
    **source: object,
) -> Path:
    """A configuration crawling only the source ``slug``, with ``source`` as its settings."""
    from scraper.sources import SOURCES

    settings = {
        "download_delay_seconds": 0.0,
        "autothrottle": False,
        "retry_times": 1,
        "timeout_seconds": 10.0,
        **(http or {}),
    }
    lines = ["[database]", f"url = {json.dumps(database_url)}", "[http]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    lines += [f"[sources.{slug}]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in source.items()]
    lines += [f"[sources.{other}]\nenabled = false" for other in SOURCES if other != slug]
    path.write_text("\n".join(lines) + "\n")
    return path


def briefwatch(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scraper", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def cli(config: Path | None, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``briefwatch [--config config] args`` run in this process through the console script's
    own entry point (``scraper.cli.main``: the one-line errors and exit codes included), and
    answered as ``briefwatch`` above answers. For commands that need no process of their own:
    not a crawl (Scrapy's reactor starts once per process), a kill, a lock or a signal."""
    from click.testing import CliRunner

    from scraper.cli import main

    argv = ["briefwatch", *(["--config", str(config)] if config is not None else []), *args]
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level  # the CLI sets logging up with force=True
    with CliRunner().isolation(env=env) as (stdout, stderr, _both):
        saved, sys.argv = sys.argv, argv
        try:
            main()
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (stop.code is not None)
        finally:
            sys.argv = saved
            root.handlers[:], root.level = handlers, level
        out, err = stdout.getvalue().decode(), stderr.getvalue().decode()
    return subprocess.CompletedProcess(argv, int(code), out, err)


def rows(database_url: str, sql: str) -> list[tuple]:
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sqlalchemy.text(sql))]
    finally:
        engine.dispose()


def wait_for(predicate, timeout: float, step: float = 0.3):
    """Poll ``predicate`` until it is true; fail the test after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not true within {timeout} s")


def count(database_url: str, sql: str) -> int:
    """A count, or 0 while the database is still being created by another process."""
    try:
        return rows(database_url, sql)[0][0]
    except sqlalchemy.exc.DatabaseError:  # no such table yet (SQLite and PostgreSQL alike)
        return 0


def slow_backfill_config(tmp_path: Path, database_url: str, site, delay: float) -> Path:
    """A backfill of the mirror's listing, slowed so that a test can kill it half way."""
    return write_config(
        tmp_path / "c.toml",
        database_url,
        http={"download_delay_seconds": delay},
        feeds=[],
        listing_url=site.url("/department-press-briefings/"),
        archive_sitemap_url="",
    )
