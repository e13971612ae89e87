"""``briefwatch daemon``: APScheduler 3 runs each job as a fresh ``briefwatch`` subprocess.

Never imports the spiders: each crawl gets its own process, so Scrapy's reactor is new every
time, a crash stays contained, and the run lock (shared with cron) keeps two runs from
overlapping even across processes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scraper.config import Config

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30.0
STATE_KEY = "daemon"


def run_trigger(config: Config):
    """When runs are due: an interval, or any of the cron expressions."""
    s = config.schedule
    if s.interval_seconds > 0:
        return IntervalTrigger(seconds=s.interval_seconds, jitter=s.jitter_seconds or None)
    crons = [CronTrigger.from_crontab(c, timezone=s.timezone) for c in s.crons]
    return OrTrigger(crons, jitter=s.jitter_seconds or None) if len(crons) > 1 else crons[0]


class Daemon:
    """Schedules runs, alert retries, digests and a heartbeat; stops cleanly on a signal."""

    def __init__(self, config: Config, storage) -> None:
        self.config = config
        self.storage = storage
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
        """Run one ``briefwatch`` command as a child; stop it if it outlives ``timeout``."""
        if self.stopping.is_set():
            return None
        started = time.monotonic()
        proc = subprocess.Popen(self.command(*args), stdout=subprocess.PIPE, text=True)
        with self.lock:
            self.children.add(proc)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            logger.error("%s took over %.0f s: stopping it", " ".join(args), timeout)
            self.stop_child(proc)
            out = ""
        finally:
            with self.lock:
                self.children.discard(proc)
        summary = " / ".join(line for line in (out or "").splitlines() if line.strip())
        logger.info(
            "%s exited %s after %.1f s%s",
            " ".join(args),
            proc.returncode,
            time.monotonic() - started,
            f": {summary}" if summary else "",
        )
        self.heartbeat()
        return proc.returncode

    def stop_child(self, proc: subprocess.Popen) -> None:
        """SIGTERM (Scrapy finishes the transcript in hand and closes), then SIGKILL."""
        if proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=self.config.schedule.stop_timeout_seconds)
        except subprocess.TimeoutExpired:
            logger.error("pid %d ignored SIGTERM: killing it", proc.pid)
            proc.kill()
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
                "started": self.started.isoformat(timespec="seconds"),
                "heartbeat": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "next_run": next_run.isoformat(timespec="seconds") if next_run else None,
                **extra,
            },
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def add_jobs(self) -> None:
        s, a = self.config.schedule, self.config.alerts
        self.scheduler.add_job(self.run_job, run_trigger(self.config), id="run", name="run")
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
        """Block until SIGTERM or SIGINT; return the exit status (0)."""
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        self.add_jobs()
        self.scheduler.start()
        self.heartbeat()
        job = self.scheduler.get_job("run")
        logger.info("daemon started (pid %d); first run at %s", os.getpid(), job.next_run_time)
        while not self.stopping.wait(timeout=0.5):
            pass
        self.shutdown()
        return 0

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
