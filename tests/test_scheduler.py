"""The daemon and the cron entry, as real processes against a local mirror of the feed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.crawling import briefwatch, count, rows, slow_backfill_config, wait_for, write_config
from helpers.mirror import Mirror
from helpers.state_department import BRIEFINGS, FEED_PATH, VERSIONS, build_site, feed, parse_fixture

from scheduler.cron import EXIT_CODES, crontab_line
from scraper.storage import LockBusy, open_storage

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def daemon_config(tmp_path, database_url, site, **schedule):
    config = write_config(tmp_path / "c.toml", database_url, feeds=[site.url(FEED_PATH)])
    lines = ["[schedule]", "interval_seconds = 1.5", "jitter_seconds = 0.0"]
    lines += [f"{k} = {v}" for k, v in schedule.items()]
    config.write_text(config.read_text() + "\n".join(lines) + "\n")
    return config


def test_daemon_picks_up_a_new_feed_version_and_stops_on_sigterm(tmp_path, database_url, mirror):
    mirror.routes[FEED_PATH] = feed(VERSIONS[0])
    config = daemon_config(tmp_path, database_url, mirror, stop_timeout_seconds=10.0)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--config", str(config), "daemon"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: count(database_url, "SELECT count(*) FROM briefings") == 3, 60)
        mirror.routes[FEED_PATH] = feed(VERSIONS[7])  # the July 6 briefing appears
        wait_for(lambda: count(database_url, "SELECT count(*) FROM briefings") == 4, 30)
        status = briefwatch(config, "status")
        assert "daemon:    running, pid" in status.stdout and "next run" in status.stdout
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert time.monotonic() - start < 12
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read()
    assert "run exited 0" in stderr and "daemon stopped" in stderr
    assert "Traceback" not in stderr
    statuses = {s for (s,) in rows(database_url, "SELECT status FROM runs")}
    assert statuses <= {"ok", "interrupted"}
    assert "stopped" in briefwatch(config, "status").stdout


def test_run_while_another_holds_the_lock_does_nothing(tmp_path, database_url, mirror):
    mirror.routes[FEED_PATH] = feed(VERSIONS[7])
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    storage = open_storage(database_url)
    try:
        with storage.run_lock():
            with pytest.raises(LockBusy), storage.run_lock():
                pass
            result = briefwatch(config, "run")
        assert result.returncode == 75
        assert result.stderr.strip() == "briefwatch: another run is in progress; nothing was done"
        assert [r.path for r in mirror.requests] == []
        assert rows(database_url, "SELECT count(*) FROM runs") == [(0,)]
        # Released: the next run works (and says that no watch is configured).
        done = briefwatch(config, "run")
        assert done.returncode == 0
        assert "briefwatch: no watches configured: nothing will be alerted" in done.stderr
    finally:
        storage.close()


def test_lock_of_a_killed_process_never_blocks(tmp_path, database_url):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from scraper.storage import open_storage\n"
            f"s = open_storage({database_url!r})\n"
            "with s.run_lock():\n"
            "    print('locked', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    storage = open_storage(database_url)
    try:
        with pytest.raises(LockBusy), storage.run_lock():
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait()

        def free() -> bool:
            try:
                with storage.run_lock():
                    return True
            except LockBusy:  # PostgreSQL: until the server has seen the session end
                return False

        wait_for(free, timeout=10, step=0.05)
    finally:
        storage.close()


def test_killed_run_leaves_a_consistent_database_and_the_next_completes(tmp_path, mirror):
    # A backfill slowed to one page a second, killed with SIGKILL half way.
    database_url = f"sqlite:///{tmp_path / 'k.db'}"
    build_site(mirror)
    config = slow_backfill_config(tmp_path, database_url, mirror, delay=0.5)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--config", str(config), "backfill"],
        stderr=subprocess.DEVNULL,
    )
    wait_for(lambda: count(database_url, "SELECT count(*) FROM briefings") >= 4, 60, 0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    storage = open_storage(database_url)
    try:
        assert storage.check_integrity() == []
        # Every stored briefing has all its turns: none is half-written.
        for briefing_id, stored in storage.iter_briefings():
            source = next(i for i in BRIEFINGS if stored.title == i["title"])
            expected = parse_fixture(source["versions"][-1]["file"])
            assert len(stored.turns) == len(expected.turns), briefing_id
        assert [s for (s,) in rows(database_url, "SELECT status FROM runs")] == ["running"]
    finally:
        storage.close()
    result = briefwatch(config, "backfill")
    assert result.returncode == 0, result.stderr
    assert rows(database_url, "SELECT count(*) FROM briefings") == [(12,)]
    assert [s for (s,) in rows(database_url, "SELECT status FROM runs ORDER BY id")] == [
        "interrupted",
        "ok",
    ]


def test_deploy_files_match_the_code():
    crontab = (ROOT / "deploy" / "crontab").read_text()
    assert crontab_line() in crontab
    unit = (ROOT / "deploy" / "briefwatch.service").read_text()
    for needle in ("Restart=on-failure", "User=briefwatch", "EnvironmentFile=", " daemon"):
        assert needle in unit
    readme = (ROOT / "README.md").read_text()
    for code in EXIT_CODES:
        assert f"**{code}**" in readme


def quiet_config(tmp_path, database_url, site, extra: str = ""):
    config = write_config(tmp_path / "c.toml", database_url, feeds=[site.url(FEED_PATH)])
    watch = '[[watch]]\nname = "dalai"\nterms = ["Dalai Lama"]\n'
    config.write_text(config.read_text() + extra + watch)
    return config


def test_quiet_run_prints_only_alerts_and_nothing_when_healthy(tmp_path, database_url, mirror):
    """The crontab's `-q run`: cron mails any output, so a healthy run with nothing to report
    prints 0 bytes; the log channel's alert lines are output, never silenced by -q."""
    mirror.routes[FEED_PATH] = feed(VERSIONS[7])  # the July 6 briefing mentions the Dalai Lama
    config = quiet_config(tmp_path, database_url, mirror)
    first = briefwatch(config, "-q", "run")
    again = briefwatch(config, "-q", "run")  # nothing new: 304
    assert first.returncode == 0 and first.stdout == ""
    lines = first.stderr.splitlines()
    assert lines and all("briefwatch.alerts: alert watch=dalai" in line for line in lines)
    assert rows(database_url, "SELECT status FROM alert_outbox") == [("sent",)] * len(lines)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


def test_quiet_failing_run_prints_exactly_one_line(tmp_path, database_url, mirror):
    from helpers.mirror import Resource

    closed = '[alerts.email]\nenabled = true\nhost = "127.0.0.1"\nport = 9\n'
    closed += 'security = "none"\nrecipients = ["desk@example.org"]\ntimeout_seconds = 2.0\n'
    mirror.routes[FEED_PATH] = feed(VERSIONS[7])
    config = quiet_config(tmp_path, database_url, mirror, extra=closed)
    undelivered = briefwatch(config, "-q", "run")  # the email channel cannot connect
    mirror.routes[FEED_PATH] = Resource(status=500)
    failed = briefwatch(config, "-q", "run")  # the feed fails too
    for result, start in ((undelivered, "briefwatch: alert delivery failed"), (failed, "")):
        assert result.returncode == 1 and result.stdout == ""
        problems = [x for x in result.stderr.splitlines() if "briefwatch.alerts:" not in x]
        assert len(problems) == 1 and problems[0].startswith(start or "briefwatch: run failed")


def test_one_daemon_at_a_time_and_a_killed_one_is_not_running(tmp_path, database_url, mirror):
    """The first run starts at startup; a second daemon exits 75; after SIGKILL `status`
    says the daemon is not running; every log line is timestamped, no APScheduler chatter."""
    import json
    import re

    mirror.routes[FEED_PATH] = feed(VERSIONS[7])
    config = daemon_config(tmp_path, database_url, mirror)
    config.write_text(
        config.read_text().replace("interval_seconds = 1.5", "interval_seconds = 3600.0")
    )
    log = tmp_path / "daemon.log"
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scraper", "--config", str(config), "daemon"], stderr=err
        )
    try:
        # An hourly schedule, yet the first run is now.
        wait_for(lambda: count(database_url, "SELECT count(*) FROM briefings") == 1, 60)
        second = briefwatch(config, "daemon", timeout=60)
        assert second.returncode == 75
        assert second.stderr.startswith("briefwatch: another daemon is running")
        status = json.loads(briefwatch(config, "status", "--format", "json").stdout)
        assert status["daemon"]["running"] is True and status["daemon"]["pid"] == proc.pid
        wait_for(lambda: "run exited 0" in log.read_text(), 30)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    status = json.loads(briefwatch(config, "status", "--format", "json").stdout)
    assert status["daemon"]["running"] is False and status["daemon"]["state"] == "dead"
    assert status["last_run"]["command"] == "run"
    lines = log.read_text().splitlines()
    assert lines and all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", x) for x in lines), lines
    assert not [x for x in lines if "apscheduler" in x], lines


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_daemon_that_loses_its_lock_stops_and_exits_1(tmp_path, database_url, mirror):
    """On PostgreSQL the daemon lock is a session's: when the session is cut, a second
    daemon could start, so this one stops (its run in flight too) and says why."""
    from scraper.storage.lock import _key

    mirror.routes[FEED_PATH] = feed(VERSIONS[7])
    config = daemon_config(tmp_path, database_url, mirror, interval_seconds=3600.0)
    config.write_text(config.read_text().replace("interval_seconds = 1.5\n", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--config", str(config), "daemon"],
        stderr=subprocess.PIPE,
        text=True,
    )
    holder = (  # pg_locks is server-wide: this test's database only
        f"SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = {_key('daemon')}"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    try:
        pid = wait_for(lambda: (rows(database_url, holder) or [[None]])[0][0], 60, step=0.1)
        wait_for(lambda: count(database_url, "SELECT count(*) FROM briefings") == 1, 60)
        rows(database_url, f"SELECT pg_terminate_backend({int(pid)})")
        cut = time.monotonic()
        assert proc.wait(timeout=30) == 1
        assert time.monotonic() - cut < 15
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read()
    assert "the daemon lock was lost" in stderr and "daemon stopped" in stderr
    assert "Traceback" not in stderr
    assert "stopped" in briefwatch(config, "status").stdout


def test_run_stops_itself_at_its_deadline_even_when_the_daemon_is_killed(tmp_path, mirror):
    """A hung run (the feed answers after 60 s) started by a daemon that is then SIGKILLed
    stops itself at run_timeout_seconds, is recorded failed, and frees the run lock."""
    from helpers.mirror import Resource

    database_url = f"sqlite:///{tmp_path / 'd.db'}"
    slow = feed(VERSIONS[7])
    slow.faults = [("sleep", 60)]
    mirror.routes[FEED_PATH] = slow
    config = daemon_config(
        tmp_path, database_url, mirror, run_timeout_seconds=4.0, stop_timeout_seconds=2.0
    )
    config.write_text(
        config.read_text().replace("timeout_seconds = 10.0", "timeout_seconds = 90.0")
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--config", str(config), "daemon"],
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: (
                any(r.path == FEED_PATH for r in mirror.requests)
                or count(database_url, "SELECT count(*) FROM runs WHERE status = 'running'")
            ),
            60,
        )
        wait_for(lambda: count(database_url, "SELECT count(*) FROM runs") == 1, 60)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    killed = time.monotonic()
    wait_for(lambda: count(database_url, "SELECT count(*) FROM runs WHERE status = 'failed'"), 30)
    assert time.monotonic() - killed < 4.0 + 2.0 + 5.0
    ((errors,),) = rows(database_url, "SELECT errors FROM runs")
    assert "run_timeout_seconds (4 s)" in str(errors)
    mirror.routes[FEED_PATH] = Resource(status=304)
    assert briefwatch(config, "run").returncode != 75  # the lock is free again


def test_a_run_stopped_by_sigterm_is_recorded_as_such(tmp_path, mirror):
    database_url = f"sqlite:///{tmp_path / 't.db'}"
    slow = feed(VERSIONS[7])
    slow.faults = [("sleep", 3)]
    mirror.routes[FEED_PATH] = slow
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    proc = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--config", str(config), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: any(r.path == "/robots.txt" for r in mirror.requests), 60, 0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "run interrupted: stopped by a signal (SIGTERM or SIGINT)" in stderr
    ((status, errors),) = rows(database_url, "SELECT status, errors FROM runs")
    assert status == "interrupted" and "stopped by a signal" in str(errors)


def test_a_sigterm_between_the_run_record_and_the_crawl_marks_the_run_interrupted(tmp_path):
    """The signal lands after the run is recorded and before Scrapy handles signals (the
    window in which a daemon's stop once left a run ``running``): injected by sending it from
    the first storage read that follows the run's record."""
    database_url = f"sqlite:///{tmp_path / 't.db'}"
    with Mirror() as site:
        site.routes[FEED_PATH] = feed(VERSIONS[7])
        config = write_config(tmp_path / "c.toml", database_url, feeds=[site.url(FEED_PATH)])
        inject = (
            "import os, signal, sys; from scraper.storage import Storage; "
            "real = Storage.stored_urls; "
            "Storage.stored_urls = lambda self: (os.kill(os.getpid(), signal.SIGTERM), "
            "real(self))[1]; "
            "from scraper.cli import main; sys.argv[0] = 'briefwatch'; main()"
        )
        result = subprocess.run(
            [sys.executable, "-c", inject, "--config", str(config), "run"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert not any(r.path == FEED_PATH for r in site.requests)  # no crawl began
    assert result.returncode == 1, result.stderr
    assert "run interrupted: stopped by a signal (SIGTERM or SIGINT)" in result.stderr
    ((status, errors),) = rows(database_url, "SELECT status, errors FROM runs")
    assert status == "interrupted" and "stopped by a signal" in str(errors)
