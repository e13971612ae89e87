"""The ``[alerts]`` table: delivery settings and one sub-table per channel."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

MODES = ("immediate", "digest")


def _check_mode(mode: str, where: str) -> None:
    from scraper.config import ConfigError

    if mode not in MODES:
        raise ConfigError(f"{where}.mode: expected one of {', '.join(MODES)}")


@dataclass(frozen=True)
class LogChannelConfig:
    enabled: bool = True
    mode: str = "immediate"

    def validate(self, where: str) -> None:
        _check_mode(self.mode, where)


@dataclass(frozen=True)
class EmailChannelConfig:
    enabled: bool = False
    mode: str = "immediate"
    host: str = "localhost"
    port: int = 587
    #: "starttls" (port 587), "ssl" (implicit TLS, port 465) or "none" (a local relay only).
    security: str = "starttls"
    username: str = ""
    #: Name of the environment variable holding the SMTP password (never the password).
    password_env: str = "BRIEFWATCH_SMTP_PASSWORD"
    sender: str = "briefwatch@localhost"
    recipients: tuple[str, ...] = ()
    timeout_seconds: float = 30.0
    #: Seconds to wait for the answer once the message is sent (RFC 5321: 10 minutes).
    data_timeout_seconds: float = 600.0
    #: Extra certificate authorities (PEM file) to trust, e.g. for a company relay.
    ca_file: str = ""

    def validate(self, where: str) -> None:
        from scraper.config import ConfigError

        _check_mode(self.mode, where)
        if self.security not in ("starttls", "ssl", "none"):
            raise ConfigError(f"{where}.security: expected starttls, ssl or none")
        if not 0 < self.port < 65536:
            raise ConfigError(f"{where}.port: expected 1-65535")
        for name in ("timeout_seconds", "data_timeout_seconds"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(f"{where}.{name}: expected a positive number")
        for address in (self.sender, *self.recipients):
            if not re.fullmatch(r"[^@\s<>,]+@[^@\s<>,]+", address):
                raise ConfigError(f"{where}: not an email address: {address!r}")
        if self.enabled and not self.recipients:
            raise ConfigError(f"{where}.recipients: an enabled email channel needs recipients")


@dataclass(frozen=True)
class JsonlChannelConfig:
    enabled: bool = False
    mode: str = "immediate"
    #: File that gets one JSON object per alert; empty: alerts.jsonl beside the default database.
    path: str = ""

    def validate(self, where: str) -> None:
        _check_mode(self.mode, where)


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
    log: LogChannelConfig = field(default_factory=LogChannelConfig)
    email: EmailChannelConfig = field(default_factory=EmailChannelConfig)
    jsonl: JsonlChannelConfig = field(default_factory=JsonlChannelConfig)

    def validate(self, where: str) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from scraper.config import ConfigError

        if self.max_chars < 40:
            raise ConfigError(f"{where}.max_chars: expected at least 40")
        if self.retry_base_seconds <= 0 or self.retry_max_seconds < self.retry_base_seconds:
            raise ConfigError(f"{where}: retry_max_seconds must be >= retry_base_seconds > 0")
        if self.max_attempts < 1:
            raise ConfigError(f"{where}.max_attempts: expected at least 1")
        for time in self.digest_times:
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time):
                raise ConfigError(f"{where}.digest_times: expected HH:MM, got {time!r}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{where}.timezone: unknown time zone {self.timezone!r}") from None

    def channel_names(self) -> list[str]:
        return ["log", "email", "jsonl"]
