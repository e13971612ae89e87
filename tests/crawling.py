"""Helpers for tests that run real crawls: a configuration pointing at a local mirror, and
``briefwatch`` run as a real subprocess (Scrapy's reactor runs once per process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy


def write_config(path: Path, database_url: str, http: dict | None = None, **source: object) -> Path:
    settings = {
        "download_delay_seconds": 0.0,
        "autothrottle": False,
        "retry_times": 1,
        "timeout_seconds": 10.0,
        **(http or {}),
    }
    lines = ["[database]", f"url = {json.dumps(database_url)}", "[http]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    lines += ["[sources.state_department]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in source.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def briefwatch(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scraper", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def rows(database_url: str, sql: str) -> list[tuple]:
    engine = sqlalchemy.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sqlalchemy.text(sql))]
    finally:
        engine.dispose()
