"""``briefwatch daemon``: APScheduler 3 runs each job as a fresh ``briefwatch`` subprocess.

Never imports the spiders: each crawl gets its own process, so Scrapy's reactor is new every
time, a crash stays contained, and the run lock (shared with cron) keeps two runs from
overlapping even across processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.deadline import DEADLINE_ENV, TIMEOUT_ENV
from scheduler.health import HEARTBEAT_SECONDS, STATE_KEY
from scraper.config import Config
from scraper.errors import LockBusy

logger = logging.getLogger(__name__)

#: A child's line that our own log format already timestamped ("2026-01-05 10:00:00,123 ...").
TIMESTAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
#: How long past its own deadline a child may take before the daemon kills its process group.
BACKSTOP_SECONDS = 10.0


def run_trigger(config: Config):
    """When runs are due: an interval, or any of the cron expressions."""
    s = config.schedule
    if s.interval_seconds > 0:
        return IntervalTrigger(seconds=s.interval_seconds, jitter=s.jitter_seconds or None)
    crons = [CronTrigger.from_crontab(c, timezone=s.timezone) for c in s.crons]
    return OrTrigger(crons, jitter=s.jitter_seconds or None) if len(crons) > 1 else crons[0]


class Daemon:
    """Schedules runs, alert retries, digests and a heartbeat; stops cleanly on a signal."""

    def __init__(self, config: Config, storage, held=None) -> None:
        self.config = config
        self.storage = storage
        #: The daemon lock's guard (``LockGuard``): once it is lost, the daemon stops.
        self.held = held
        self.started = dt.datetime.now(dt.UTC)
        self.children: set[subprocess.Popen] = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.beat_lock = threading.Lock()
        self.stopped_written = False
        s = config.schedule
        self.scheduler = BackgroundScheduler(
            timezone=s.timezone,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(s.misfire_grace_seconds),
            },
        )

    # -- jobs --------------------------------------------------------------------------------
    def command(self, *args: str) -> list[str]:
        base = [sys.executable, "-m", "scraper"]
        if self.config.path:
            base += ["--config", str(self.config.path)]
        return [*base, *args]

    def spawn(self, args: Sequence[str], timeout: float) -> int | None:
        """Run one ``briefwatch`` command as a child that stops itself after ``timeout``.

        The child gets its deadline in its environment and enforces it even if the daemon
        dies; it runs in its own process group, which the daemon kills if it overstays.
        Its output is relayed to the daemon's log, every line timestamped.
        """
        name = " ".join(args)
        started = time.monotonic()
        env = {
            **os.environ,
            DEADLINE_ENV: f"{time.time() + timeout:.3f}",
            TIMEOUT_ENV: f"{timeout:g}",
        }
        # Under the lock, so a stop either comes first (no child) or sees this child and
        # stops it: none starts unseen while the daemon shuts down.
        with self.lock:
            if self.stopping.is_set():
                return None
            proc = subprocess.Popen(
                self.command(*args),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                env=env,
                start_new_session=True,
            )
            self.children.add(proc)
        summary: list[str] = []
        readers = [
            threading.Thread(target=self.relay, args=(proc.stderr, name), daemon=True),
            threading.Thread(target=_collect, args=(proc.stdout, summary), daemon=True),
        ]
        for reader in readers:
            reader.start()
        overstayed = False
        try:
            proc.wait(
                timeout=timeout + self.config.schedule.stop_timeout_seconds + BACKSTOP_SECONDS
            )
        except subprocess.TimeoutExpired:
            logger.error("%s outlived its timeout of %.0f s: stopping it", name, timeout)
            self.stop_child(proc)
            overstayed = True
        finally:
            with self.lock:
                self.children.discard(proc)
        for reader in readers:
            reader.join(timeout=5)
        if overstayed and args[0] == "run":
            self.record_timed_out_run(timeout)
        logger.info(
            "%s exited %s after %.1f s%s",
            name,
            proc.returncode,
            time.monotonic() - started,
            f": {' / '.join(summary)}" if summary else "",
        )
        self.heartbeat()
        return proc.returncode

    @staticmethod
    def relay(stream, name: str) -> None:
        """Copy the child's stderr to ours as it comes: its log lines as they are (already
        timestamped), anything else (a failure line, a traceback) through our log."""
        for line in stream:
            line = line.rstrip("\n")
            if TIMESTAMPED.match(line):
                sys.stderr.write(line + "\n")
                sys.stderr.flush()
            elif line.strip():  # the child's one-line failure is worth a warning
                level = logging.WARNING if line.startswith("briefwatch:") else logging.INFO
                logger.log(level, "%s: %s", name, line)

    def record_timed_out_run(self, timeout: float) -> None:
        """A run killed for overstaying is recorded failed (not left for the next run to
        call interrupted). Holding the run lock, a run still marked running is that one."""
        try:
            with self.storage.run_lock():
                self.storage.close_abandoned_runs(
                    "failed",
                    f"killed: the run took longer than run_timeout_seconds ({timeout:g} s)",
                )
        except LockBusy:
            logger.warning("could not record the killed run: another run holds the lock")

    def stop_child(self, proc: subprocess.Popen) -> None:
        """SIGTERM (Scrapy finishes the transcript in hand and closes), then SIGKILL, to the
        child's whole process group."""
        if proc.poll() is not None:
            return
        _signal_group(proc, signal.SIGTERM)
        try:
            proc.wait(timeout=self.config.schedule.stop_timeout_seconds)
        except subprocess.TimeoutExpired:
            logger.error("pid %d ignored SIGTERM: killing it", proc.pid)
            _signal_group(proc, signal.SIGKILL)
            proc.wait()

    def run_job(self) -> None:
        self.spawn(["run"], self.config.schedule.run_timeout_seconds)

    def alerts_job(self, digest: bool = False) -> None:
        args = ["alerts", "send", "--digest"] if digest else ["alerts", "send"]
        self.spawn(args, self.config.schedule.run_timeout_seconds)

    def heartbeat(self, **extra: object) -> None:
        # A job finishing during shutdown must not overwrite the final "stopped" beat.
        with self.beat_lock:
            if self.stopped_written:
                return
            self._beat(**extra)
            self.stopped_written = "stopped" in extra

    def _beat(self, **extra: object) -> None:
        job = self.scheduler.get_job("run") if self.scheduler.running else None
        next_run = job.next_run_time if job else None
        self.storage.set_crawl_state(
            STATE_KEY,
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": self.started.isoformat(timespec="seconds"),
                "heartbeat": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "next_run": _utc(next_run),
                **extra,
            },
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def add_jobs(self) -> None:
        s, a = self.config.schedule, self.config.alerts
        # The first run starts at once, not a whole interval after startup.
        self.scheduler.add_job(
            self.run_job,
            run_trigger(self.config),
            id="run",
            name="run",
            next_run_time=dt.datetime.now(dt.UTC),
        )
        if s.alert_retry_minutes > 0:
            self.scheduler.add_job(
                self.alerts_job, IntervalTrigger(minutes=s.alert_retry_minutes), id="alerts"
            )
        if any(c.enabled and c.mode == "digest" for c in a.instances().values()):
            for i, at in enumerate(a.digest_times):
                hour, minute = at.split(":")
                self.scheduler.add_job(
                    self.alerts_job,
                    CronTrigger(hour=int(hour), minute=int(minute), timezone=a.timezone),
                    kwargs={"digest": True},
                    id=f"digest-{i}",
                )
        self.scheduler.add_job(
            self.heartbeat, IntervalTrigger(seconds=HEARTBEAT_SECONDS), id="heartbeat"
        )

    def on_signal(self, signum, _frame) -> None:
        logger.info("received %s: stopping", signal.Signals(signum).name)
        self.stopping.set()

    def run(self) -> int:
        """Block until SIGTERM or SIGINT (exit status 0) or until the daemon lock is lost
        (1: a second daemon could start, and two would schedule runs)."""
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        self.add_jobs()
        self.scheduler.start()
        self.heartbeat()
        logger.info("daemon started (pid %d); first run now, then on the schedule", os.getpid())
        code = 0
        while not self.stopping.wait(timeout=0.5):
            if self.held is not None and self.held.lost:
                logger.error(
                    "the daemon lock was lost (%s): stopping; start the daemon again to "
                    "take it (systemd's Restart=on-failure does)",
                    self.held.lost,
                )
                code = 1
                break
        self.shutdown()
        return code

    def shutdown(self) -> None:
        """Let the run in flight finish or stop it within the bound; nothing is half-written
        because each transcript is stored in one transaction."""
        self.scheduler.shutdown(wait=False)
        with self.lock:
            children = list(self.children)
        for proc in children:
            self.stop_child(proc)
        self.heartbeat(stopped=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        logger.info("daemon stopped")


def _signal_group(proc: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signum)  # the child leads its own process group


def _utc(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else None


def _collect(stream, lines: list[str]) -> None:
    """The child's stdout (its summary lines), for the daemon's one "exited" line."""
    lines.extend(line.strip() for line in stream if line.strip())
