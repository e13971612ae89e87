"""The ``[alerts]`` table: delivery settings, the legacy ``[alerts.log]``, ``[alerts.email]``
and ``[alerts.jsonl]`` tables, and named channel instances (``[alerts.channels.NAME]``).

Each channel's keys are declared by its own module (``scraper.alerts.channels.<kind>``)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scraper.alerts.channels import CHANNELS, MODES, ChannelSettings
from scraper.alerts.channels.email import EmailSettings
from scraper.alerts.channels.jsonl import JsonlSettings
from scraper.alerts.channels.log import LogSettings
from scraper.errors import ConfigError

# The names the first releases used; kept so existing imports keep working.
LogChannelConfig = LogSettings
EmailChannelConfig = EmailSettings
JsonlChannelConfig = JsonlSettings

#: The tables of the first releases, each an instance named after its kind.
LEGACY = ("log", "email", "jsonl")
#: Instance names: short (they are part of each alert's key), readable in a log line.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")

__all__ = ["MODES", "AlertsConfig", "build_instances"]


@dataclass(frozen=True)
class AlertsConfig:
    #: Longest passage of one turn shown in an alert; longer ones are trimmed with "…".
    max_chars: int = 600
    #: Alert again when an edit changes a passage that already alerted (marked as an update).
    alert_on_update: bool = True
    #: Failed deliveries are retried after this many seconds, doubling up to retry_max_seconds.
    retry_base_seconds: float = 60.0
    retry_max_seconds: float = 3600.0
    #: After this many failed attempts an alert is marked failed (``alerts retry`` revives it).
    max_attempts: int = 50
    #: When digest channels send their summary (24-hour HH:MM, in ``timezone``).
    digest_times: tuple[str, ...] = ("08:00",)
    timezone: str = "America/New_York"
    log: LogSettings = field(default_factory=LogSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    jsonl: JsonlSettings = field(default_factory=JsonlSettings)
    #: Named instances (``[alerts.channels.NAME]``, each with ``kind``); built by
    #: :func:`build_instances`.
    channels: Mapping[str, ChannelSettings] = field(default_factory=dict)

    def validate(self, where: str) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        if self.max_chars < 40:
            raise ConfigError(f"{where}.max_chars: expected at least 40")
        for name in ("retry_base_seconds", "retry_max_seconds"):
            if not math.isfinite(getattr(self, name)):
                raise ConfigError(f"{where}.{name}: expected a finite number")
        if self.retry_base_seconds <= 0 or self.retry_max_seconds < self.retry_base_seconds:
            raise ConfigError(f"{where}: retry_max_seconds must be >= retry_base_seconds > 0")
        if self.retry_max_seconds > 366 * 86400:
            raise ConfigError(f"{where}.retry_max_seconds: expected at most a year (31622400)")
        if self.max_attempts < 1:
            raise ConfigError(f"{where}.max_attempts: expected at least 1")
        for time in self.digest_times:
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time):
                raise ConfigError(f"{where}.digest_times: expected HH:MM, got {time!r}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{where}.timezone: unknown time zone {self.timezone!r}") from None

    def instances(self) -> dict[str, ChannelSettings]:
        """Every channel instance by name: ``log``, ``email``, ``jsonl``, then the named ones."""
        return {"log": self.log, "email": self.email, "jsonl": self.jsonl, **self.channels}

    def channel_names(self) -> list[str]:
        return list(self.instances())

    def enabled_names(self, mode: str | None = None) -> list[str]:
        """The enabled channel instances (of one mode, if given)."""
        return [
            name
            for name, s in self.instances().items()
            if s.enabled and (mode is None or s.mode == mode)
        ]


def build_instances(
    data: Any, build: Callable[[type, Mapping[str, Any], str], Any]
) -> dict[str, ChannelSettings]:
    """The ``[alerts.channels.NAME]`` tables as settings of their ``kind``; ``build`` makes
    and validates one dataclass from a table (``scraper.config``'s checker)."""
    if not isinstance(data, dict):
        raise ConfigError("alerts.channels: expected a table of channel tables")
    out: dict[str, ChannelSettings] = {}
    for name, table in data.items():
        where = f"alerts.channels.{name}"
        if not _NAME.fullmatch(name):
            raise ConfigError(f"{where}: a channel name is 1-40 letters, digits, '-', '_' or '.'")
        if name in LEGACY:
            raise ConfigError(f"{where}: the name {name!r} is the [alerts.{name}] table's")
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: expected a table")
        table = dict(table)
        kind = table.pop("kind", None)
        if kind not in CHANNELS:
            raise ConfigError(f"{where}.kind: expected one of {', '.join(sorted(CHANNELS))}")
        table.setdefault("enabled", True)  # a declared instance is on unless it says not
        out[name] = build(CHANNELS[kind].settings_class, table, where)
    return out
