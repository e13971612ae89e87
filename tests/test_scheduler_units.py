"""Pure parts of the scheduler in-process: the ``[schedule]`` table's checks, the run
deadline's environment variable, and how the daemon's heartbeat is read and worded."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from scheduler.config import ScheduleConfig
from scheduler.deadline import DEADLINE_ENV, STOP, arm_from_env
from scheduler.health import _ago, daemon_state, parse_time, pid_alive, utc_text
from scraper.errors import ConfigError


@pytest.mark.parametrize("name", ["jitter_seconds", "alert_retry_minutes", "interval_seconds"])
def test_a_negative_duration_is_refused(name):
    with pytest.raises(ConfigError) as error:
        ScheduleConfig(**{name: -1.0}).validate("schedule")
    assert str(error.value) == f"schedule.{name}: expected zero or more"


@pytest.mark.parametrize(
    "name", ["misfire_grace_seconds", "run_timeout_seconds", "stop_timeout_seconds"]
)
def test_a_zero_timeout_is_refused(name):
    with pytest.raises(ConfigError) as error:
        ScheduleConfig(**{name: 0.0}).validate("schedule")
    assert str(error.value) == f"schedule.{name}: expected a positive number"


def test_zero_jitter_and_retries_are_allowed():
    ScheduleConfig(jitter_seconds=0.0, alert_retry_minutes=0.0).validate("schedule")


def test_a_deadline_that_is_not_a_number_is_ignored(monkeypatch, caplog):
    monkeypatch.setattr(STOP, "on_hard_exit", None)
    monkeypatch.setenv(DEADLINE_ENV, "soon")
    with caplog.at_level(logging.WARNING, logger="scheduler.deadline"):
        assert arm_from_env(1.0, on_hard_exit=print) is None
    assert f"ignoring {DEADLINE_ENV}='soon': not a number" in caplog.text
    assert STOP.on_hard_exit is print


def test_no_deadline_no_watchdog(monkeypatch):
    monkeypatch.setattr(STOP, "on_hard_exit", None)
    monkeypatch.delenv(DEADLINE_ENV, raising=False)
    assert arm_from_env(1.0) is None


def test_a_pid_out_of_range_is_not_alive():
    assert pid_alive(2**80) is False


def test_this_process_is_alive():
    import os

    assert pid_alive(os.getpid()) is True


@pytest.mark.parametrize("value", [None, "", "yesterday", "2026-13-01T00:00:00"])
def test_unreadable_times_are_none(value):
    assert parse_time(value) is None


def test_a_naive_time_is_utc_and_an_aware_one_is_converted():
    assert parse_time("2026-07-05T10:00:00") == dt.datetime(2026, 7, 5, 10, tzinfo=dt.UTC)
    assert parse_time("2026-07-05T12:00:00+02:00") == dt.datetime(2026, 7, 5, 10, tzinfo=dt.UTC)


def test_utc_text_reads_strings_and_naive_datetimes():
    assert utc_text("2026-07-05T12:00:00.5+02:00") == "2026-07-05T10:00:00+00:00"
    assert utc_text(dt.datetime(2026, 7, 5, 10, 0, 7)) == "2026-07-05T10:00:07+00:00"
    assert utc_text("not a time") is None
    assert utc_text(None) is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(-5, "0 s"), (119, "119 s"), (120, "2 min"), (7199, "120 min"), (7200, "2 h")]
    + [(172799, "48 h"), (172800, "2 days"), (864000, "10 days")],
)
def test_ages_are_worded_in_a_readable_unit(seconds, text):
    assert _ago(seconds) == text


def test_a_heartbeat_days_old_is_stale_and_says_for_how_long():
    now = dt.datetime(2026, 7, 10, tzinfo=dt.UTC)
    beat = {"heartbeat": "2026-07-05T00:00:00+00:00", "pid": 4242, "host": "elsewhere"}
    state = daemon_state(beat, now=now, alive=lambda pid: True)
    assert (state.running, state.state) == (False, "stale")
    assert state.text == "not running: no heartbeat for 5 days (pid 4242)"
    assert state.heartbeat_age == 5 * 86400


def test_a_heartbeat_with_an_unreadable_time_is_stale():
    beat = {"heartbeat": "garbage", "pid": 4242, "host": "elsewhere"}
    state = daemon_state(beat, alive=lambda pid: True)
    assert (state.running, state.state, state.heartbeat_age) == (False, "stale", None)
    assert state.text.startswith("not running: no heartbeat") and "(pid 4242)" in state.text
