"""Whether the daemon runs: its saved heartbeat checked against its process, and `status`."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from scheduler.health import daemon_state, utc_text
from scraper.cli import cli

NOW = dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC)
HOST = socket.gethostname()


def beat(age: float, **extra):
    at = (NOW - dt.timedelta(seconds=age)).isoformat(timespec="seconds")
    return {"pid": 4242, "host": HOST, "heartbeat": at, "next_run": None, **extra}


@pytest.mark.parametrize(
    ("saved", "alive", "running", "state"),
    [
        (None, True, False, "never started"),
        (beat(10), True, True, "running"),
        (beat(10), False, False, "dead"),  # SIGKILLed: its pid is gone
        (beat(600), True, False, "stale"),  # alive but no heartbeat for 10 minutes
        (beat(10, host="elsewhere"), False, True, "running"),  # pid not checkable here
        (beat(600, host="elsewhere"), False, False, "stale"),
        (beat(10, stopped="2026-01-05T14:59:50+00:00"), True, False, "stopped"),
    ],
    ids=["never", "running", "killed", "hung", "other-host", "other-host-stale", "stopped"],
)
def test_daemon_state(saved, alive, running, state):
    found = daemon_state(saved, NOW, alive=lambda pid: alive)
    assert (found.running, found.state) == (running, state)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.datetime(2026, 1, 5, 15, 0), "2026-01-05T15:00:00+00:00"),  # naive: stored UTC
        ("2026-01-05T10:00:00-05:00", "2026-01-05T15:00:00+00:00"),  # New York next run
        (None, None),
    ],
)
def test_timestamps_are_utc_with_offset(value, text):
    assert utc_text(value) == text


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_status_tells_the_truth(tmp_path, storage):
    """A killed daemon is not running; the last run's error, its label and the alerts given
    up are shown; every timestamp is UTC with its offset."""
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{storage.engine.url.render_as_string(False)}"\n')
    stale = beat(5, pid=dead_pid())
    stale["heartbeat"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    stale["next_run"] = "2026-01-05T10:00:00-05:00"
    storage.set_crawl_state("daemon", stale)
    storage.queue_notice(["log"], {"type": "notice", "watch": "__operator__", "text": "x"})
    ids = [a.id for a in storage.claim_alerts(["log"])]
    storage.mark_failed(ids, "log: boom", 1.0, 1.0, max_attempts=1)  # given up at once
    run = storage.start_run("run")
    storage.finish_run(run, "failed", {"new": 0}, [{"error": "feed: HTTP 500"}, {"error": "b"}])

    def status(*args):
        result = CliRunner().invoke(cli, ["--config", str(config), "status", *args])
        assert result.exit_code == 0, result.output
        return result.output

    data = json.loads(status("--format", "json"))
    assert data["daemon"]["running"] is False and data["daemon"]["state"] == "dead"
    assert data["daemon"]["next_run"] == "2026-01-05T15:00:00+00:00"
    last = data["last_run"]
    assert (last["command"], last["status"], last["error"]) == ("run", "failed", "feed: HTTP 500")
    assert last["started_at"].endswith("+00:00") and last["finished_at"].endswith("+00:00")
    assert data["alerts_given_up"] == 1
    text = status()
    assert f"daemon:    not running: pid {stale['pid']} is gone" in text
    assert "  error:   feed: HTTP 500 (+1 more: briefwatch runs)" in text
    assert "alerts_given_up: 1 (reached max_attempts" in text

    stale["pid"] = os.getpid()  # this process is alive and beat just now
    storage.set_crawl_state("daemon", stale)
    assert json.loads(status("--format", "json"))["daemon"]["running"] is True
    table = CliRunner().invoke(cli, ["--config", str(config), "runs", "--limit", "5"]).output
    assert table.splitlines()[1].split()[:3] == [str(run), "run", "failed"]
