"""The daemon's parts in-process: its triggers, jobs, heartbeat, relay of a child's output and
stopping of a child (a real child process), without starting the scheduler. The daemon as a
whole, with signals and real runs, is tested end to end in test_scheduler.py."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import subprocess
import sys

import pytest
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.daemon import Daemon, _collect, _utc, run_trigger
from scheduler.health import STATE_KEY
from scraper.config import config_from_dict


def config(schedule: dict | None = None, **more):
    return config_from_dict({"schedule": schedule or {}, **more})


@pytest.mark.parametrize(
    ("schedule", "kind"),
    [
        ({"interval_seconds": 300}, IntervalTrigger),
        ({"crons": ["*/10 9-19 * * mon-fri"]}, CronTrigger),
        ({}, OrTrigger),  # the two default crons
    ],
    ids=["interval", "one-cron", "crons"],
)
def test_run_trigger(schedule, kind):
    assert isinstance(run_trigger(config(schedule)), kind)


def test_command_runs_briefwatch_with_the_same_configuration(tmp_path):
    daemon = Daemon(config(), storage=None)
    assert daemon.command("run") == [sys.executable, "-m", "scraper", "run"]
    path = tmp_path / "c.toml"
    with_path = Daemon(config_from_dict({}, path=path), storage=None)
    assert with_path.command("alerts", "send") == [
        sys.executable,
        "-m",
        "scraper",
        "--config",
        str(path),
        "alerts",
        "send",
    ]


def test_jobs_are_the_run_the_retries_the_digests_and_the_heartbeat():
    digest = {"alerts": {"log": {"mode": "digest"}, "digest_times": ["08:00", "17:30"]}}
    daemon = Daemon(config({"alert_retry_minutes": 5}, **digest), storage=None)
    daemon.add_jobs()
    jobs = {job.id: job for job in daemon.scheduler.get_jobs()}
    assert set(jobs) == {"run", "alerts", "digest-0", "digest-1", "heartbeat"}
    assert jobs["digest-1"].kwargs == {"digest": True}
    plain = Daemon(config({"alert_retry_minutes": 0}), storage=None)
    plain.add_jobs()
    assert {job.id for job in plain.scheduler.get_jobs()} == {"run", "heartbeat"}


def test_heartbeat_is_saved_and_the_stopped_beat_is_the_last(storage):
    daemon = Daemon(config(), storage)
    daemon.heartbeat()
    first = storage.crawl_state(STATE_KEY)
    assert first["next_run"] is None and first["started"] == _utc(daemon.started)
    daemon.scheduler.start()  # (no jobs: nothing runs)
    daemon.shutdown()  # no child in flight
    stopped = storage.crawl_state(STATE_KEY)["stopped"]
    daemon.heartbeat()  # a job finishing during shutdown
    assert storage.crawl_state(STATE_KEY)["stopped"] == stopped


def test_a_run_killed_for_overstaying_is_recorded_failed(storage):
    run_id = storage.start_run("run")
    Daemon(config(), storage).record_timed_out_run(1800)
    (run,) = storage.recent_runs(1)
    assert (run.id, run.status) == (run_id, "failed")
    assert run.errors == [
        {"error": "killed: the run took longer than run_timeout_seconds (1800 s)"}
    ]


def test_a_child_is_stopped_with_its_process_group():
    daemon = Daemon(config({"stop_timeout_seconds": 5}), storage=None)
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )
    daemon.stop_child(child)
    assert child.returncode == -signal.SIGTERM
    daemon.stop_child(child)  # (already gone: nothing to do)


def test_spawn_runs_one_command_and_returns_its_status(storage, caplog):
    daemon = Daemon(config(), storage)
    caplog.set_level(logging.INFO, logger="scheduler.daemon")
    assert daemon.spawn(["--help"], timeout=120) == 0
    assert "--help exited 0 after" in caplog.text
    assert storage.crawl_state(STATE_KEY)["pid"] > 0  # a heartbeat after each job
    daemon.on_signal(signal.SIGTERM, None)
    assert daemon.spawn(["run"], timeout=120) is None  # stopping: no new child


def test_relay_passes_timestamped_lines_and_logs_the_rest(capsys, caplog):
    caplog.set_level(logging.INFO, logger="scheduler.daemon")
    lines = [
        "2026-01-05 10:00:00,123 INFO scraper.crawl: run 4 ok\n",
        "briefwatch: run failed: blocked\n",
        "Traceback (most recent call last):\n",
        "\n",
    ]
    Daemon.relay(iter(lines), "run")
    assert capsys.readouterr().err == "2026-01-05 10:00:00,123 INFO scraper.crawl: run 4 ok\n"
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "run: briefwatch: run failed: blocked"),
        ("INFO", "run: Traceback (most recent call last):"),
    ]


def test_summary_lines_and_times():
    found: list[str] = []
    _collect(iter(["ok: 1 new\n", "\n", "alerts: 0 sent\n"]), found)
    assert found == ["ok: 1 new", "alerts: 0 sent"]
    moment = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert _utc(moment) == "2026-01-05T15:00:00+00:00" and _utc(None) is None


# -- a run's own deadline ------------------------------------------------------------------------
def test_no_deadline_in_the_environment_arms_nothing(monkeypatch, caplog):
    from scheduler import deadline

    monkeypatch.delenv(deadline.DEADLINE_ENV, raising=False)
    assert deadline.arm_from_env(30) is None
    monkeypatch.setenv(deadline.DEADLINE_ENV, "soon")
    assert deadline.arm_from_env(30) is None
    assert "ignoring BRIEFWATCH_RUN_DEADLINE='soon': not a number" in caplog.text


@pytest.mark.parametrize(
    ("reason", "finish_reason", "outcome"),
    [
        (None, "closespider_timeout", (None, "crawl ended early: closespider_timeout")),
        (
            None,
            "shutdown",
            ("interrupted", "stopped by a signal (SIGTERM or SIGINT) before it finished"),
        ),
        (
            "timeout",
            "shutdown",
            ("failed", "stopped: the run took longer than run_timeout_seconds (1800 s)"),
        ),
    ],
    ids=["deadline-of-the-crawl", "signal", "run-timeout"],
)
def test_stop_outcome(monkeypatch, reason, finish_reason, outcome):
    from scheduler import deadline

    monkeypatch.setattr(deadline.STOP, "reason", reason)
    monkeypatch.setenv(deadline.TIMEOUT_ENV, "1800")
    assert deadline.stop_outcome(finish_reason) == outcome


def test_crontab_line():
    from scheduler.cron import EXIT_CODES, crontab_line

    assert crontab_line() == (
        "*/10 * * * * /opt/briefwatch/.venv/bin/briefwatch "
        "--config /etc/briefwatch/config.toml -q run"
    )
    assert sorted(EXIT_CODES) == [0, 1, 2, 75]
