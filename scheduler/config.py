"""The ``[schedule]`` table: when the daemon runs, and how it treats slow or stuck runs."""

from __future__ import annotations

from dataclasses import dataclass

from scraper.errors import ConfigError


@dataclass(frozen=True)
class ScheduleConfig:
    #: Cron expressions (minute hour day month weekday) in ``timezone``; a run is due when any
    #: of them is. Default: every 10 minutes on weekdays 9:00-20:00, hourly otherwise.
    crons: tuple[str, ...] = ("*/10 9-19 * * mon-fri", "0 * * * *")
    timezone: str = "America/New_York"
    #: If above 0, run every this many seconds instead of the crons.
    interval_seconds: float = 0.0
    #: Start each run up to this many seconds late, at random (spreads load on the site).
    jitter_seconds: float = 30.0
    #: A run that could not start on time still starts if it is at most this late.
    misfire_grace_seconds: float = 600.0
    #: A run taking longer is stopped (SIGTERM, then SIGKILL) and recorded as failed; the
    #: run enforces it itself (see scheduler.deadline), even if the daemon is gone.
    run_timeout_seconds: float = 1800.0
    #: On SIGTERM/SIGINT the daemon waits this long for the run in flight, then kills it.
    stop_timeout_seconds: float = 30.0
    #: Between runs, deliver alerts still pending (retries) this often, in minutes; 0: never.
    alert_retry_minutes: float = 10.0

    def validate(self, where: str) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from apscheduler.triggers.cron import CronTrigger

        if not self.crons and self.interval_seconds <= 0:
            raise ConfigError(f"{where}: give crons or interval_seconds")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{where}.timezone: unknown time zone {self.timezone!r}") from None
        for cron in self.crons:
            try:
                CronTrigger.from_crontab(cron, timezone=self.timezone)
            except ValueError as exc:
                raise ConfigError(
                    f"{where}.crons: invalid cron expression {cron!r}: {exc}"
                ) from None
        for name in ("jitter_seconds", "alert_retry_minutes", "interval_seconds"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{where}.{name}: expected zero or more")
        for name in ("misfire_grace_seconds", "run_timeout_seconds", "stop_timeout_seconds"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{where}.{name}: expected a positive number")
