"""Is the daemon alive? Its heartbeat (saved in the database) checked against the process.

A daemon that was SIGKILLed (or whose machine died) never writes its final "stopped" beat, so
the last beat alone would say it still runs. It runs only if its heartbeat is recent and, when
it beat on this machine, its process is still there.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass
from typing import Any

#: The crawl-state key under which the daemon keeps its heartbeat.
STATE_KEY = "daemon"

#: How often a running daemon writes its heartbeat.
HEARTBEAT_SECONDS = 30.0
#: A heartbeat older than this (three missed beats) means the daemon is gone or stuck.
STALE_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS


@dataclass(frozen=True)
class DaemonState:
    running: bool
    #: "running", "stopped", "dead" (its process is gone), "stale" (no recent heartbeat),
    #: or "never started".
    state: str
    #: Seconds since the last heartbeat (None if there never was one).
    heartbeat_age: float | None
    #: One line for ``briefwatch status``.
    text: str


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, belongs to another user
        return True
    except (OverflowError, ValueError):
        return False
    return True


def parse_time(value: str | None) -> dt.datetime | None:
    """An ISO timestamp as an aware UTC datetime (naive ones are UTC)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def utc_text(moment: dt.datetime | str | None) -> str | None:
    """A timestamp as UTC with its offset, to the second (naive values are taken as UTC)."""
    if isinstance(moment, str):
        moment = parse_time(moment)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def daemon_state(
    beat: dict[str, Any] | None, now: dt.datetime | None = None, alive=pid_alive
) -> DaemonState:
    """What the saved heartbeat ``beat`` says about the daemon, checked against reality."""
    if not beat:
        return DaemonState(False, "never started", None, "never started")
    now = now or dt.datetime.now(dt.UTC)
    last = parse_time(beat.get("heartbeat"))
    age = (now - last).total_seconds() if last else None
    ago = f"{_ago(age)} ago" if age is not None else "never"
    pid = beat.get("pid")
    if beat.get("stopped"):
        return DaemonState(False, "stopped", age, f"stopped {utc_text(beat['stopped'])}")
    here = beat.get("host") in (None, socket.gethostname())
    if here and isinstance(pid, int) and not alive(pid):
        text = f"not running: pid {pid} is gone (killed?); last heartbeat {ago}"
        return DaemonState(False, "dead", age, text)
    if age is None or age > STALE_AFTER_SECONDS:
        text = f"not running: no heartbeat for {ago.removesuffix(' ago')} (pid {pid})"
        return DaemonState(False, "stale", age, text)
    next_run = utc_text(beat.get("next_run")) or "-"
    text = f"running, pid {pid}, last heartbeat {ago}, next run {next_run}"
    return DaemonState(True, "running", age, text)


def _ago(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"
