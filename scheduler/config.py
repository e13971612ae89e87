"""The ``[schedule]`` table: when the daemon runs, and how it treats slow or stuck runs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scraper.errors import ConfigError

#: A crontab line's fields as APScheduler 3 reads them (``CronTrigger.from_crontab``), in the
#: order it checks them: position in the line, name, lowest and highest value, the names it
#: also takes (weekday 0 is Monday there).
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_FIELDS: tuple[tuple[int, str, int, int, list[str]], ...] = (
    (3, "month", 1, 12, _MONTHS),
    (2, "day", 1, 31, []),
    (4, "day_of_week", 0, 6, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
    (1, "hour", 0, 23, []),
    (0, "minute", 0, 59, []),
)
#: APScheduler's own expressions: ``*``/``*/n``, ``a``/``a-b``/``a/n``/``a-b/n``, names.
_ALL = re.compile(r"\*(?:/(?P<step>\d+))?$")
_RANGE = re.compile(r"(?P<first>\d+)(?:-(?P<last>\d+))?(?:/(?P<step>\d+))?$")
_NAMES = re.compile(r"(?P<first>[a-z]+)(?:-(?P<last>[a-z]+))?", re.IGNORECASE)
_LAST = re.compile(r"last", re.IGNORECASE)
_SEPARATOR = re.compile(" *, *")


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
        """Check every key without importing APScheduler (each configuration load does
        this); :meth:`check_crons` is APScheduler's own check, for what schedules."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if not self.crons and self.interval_seconds <= 0:
            raise ConfigError(f"{where}: give crons or interval_seconds")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{where}.timezone: unknown time zone {self.timezone!r}") from None
        for cron in self.crons:
            problem = cron_problem(cron)
            if problem:
                raise ConfigError(f"{where}.crons: invalid cron expression {cron!r}: {problem}")
        for name in ("jitter_seconds", "alert_retry_minutes", "interval_seconds"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{where}.{name}: expected zero or more")
        for name in ("misfire_grace_seconds", "run_timeout_seconds", "stop_timeout_seconds"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{where}.{name}: expected a positive number")

    def check_crons(self, where: str = "schedule") -> None:
        """APScheduler's verdict on each cron expression (the daemon and ``config check``;
        :meth:`validate` has already refused what :func:`cron_problem` finds)."""
        from apscheduler.triggers.cron import CronTrigger

        for cron in self.crons:
            try:
                CronTrigger.from_crontab(cron, timezone=self.timezone)
            except ValueError as exc:
                raise ConfigError(
                    f"{where}.crons: invalid cron expression {cron!r}: {exc}"
                ) from None


def cron_problem(cron: str) -> str | None:
    """Why APScheduler would refuse the crontab expression ``cron``, in its words, or None:
    the same rules (field count, each expression's form and range) without importing it."""
    fields = cron.split()
    if len(fields) != 5:
        return f"Wrong number of fields; got {len(fields)}, expected 5"
    for position, name, low, high, names in _FIELDS:
        for expr in _SEPARATOR.split(fields[position].strip()):
            problem = _expression_problem(expr, name, low, high, names)
            if problem:
                return problem
    return None


def _expression_problem(expr: str, name: str, low: int, high: int, names: list[str]) -> str | None:
    first = last = None  # None, None: ``*``; a range has a first value, and a last one or a step
    if found := _ALL.match(expr):
        step = found["step"]
    elif found := _RANGE.match(expr):
        first, step = int(found["first"]), found["step"]
        last = int(found["last"]) if found["last"] else None if step else first
    elif names and (found := _NAMES.match(expr)):
        step, numbers = None, []
        for word in (w for w in found.group("first", "last") if w):
            if word.lower() not in names:
                return f'Invalid {"weekday" if name == "day_of_week" else "month"} name "{word}"'
            numbers.append(names.index(word.lower()) + low)
        first, last = numbers[0], numbers[-1]
    elif name == "day" and _LAST.match(expr):
        return None
    else:
        return f'Unrecognized expression "{expr}" for field "{name}"'
    every = int(step) if step is not None else 0
    if step is not None and every == 0:
        return "Increment must be higher than 0"
    if first is not None and last is not None and first > last:
        return "The minimum value in a range must not be higher than the maximum"
    why = _step_problem(every, high - low)  # APScheduler's checks, in its order
    if why is None and first is not None:
        if first < low:
            why = f"the first value ({first}) is lower than the minimum value ({low})"
        elif last is not None and last > high:
            why = f"the last value ({last}) is higher than the maximum value ({high})"
        else:
            why = _step_problem(every, (last or high) - first)
    return f"Error validating expression {expr!r}: {why}" if why else None


def _step_problem(every: int, span: int) -> str | None:
    if every and every > span:
        return f"the step value ({every}) is higher than the total range of the expression ({span})"
    return None
