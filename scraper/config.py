"""Configuration: one TOML file read once into frozen, typed objects.

Defaults live in the dataclasses below (and, for each source, in its module under
``scraper.sources``); the file only overrides them. Unknown keys, wrong types and
impossible values raise :class:`ConfigError` with one line naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.config import ScheduleConfig
from scraper.alerts.config import AlertsConfig, build_instances
from scraper.errors import ConfigError as ConfigError
from scraper.masking import mask_text, mask_url
from scraper.sources import SOURCES, SourceConfig
from scraper.watch.config import WatchConfig

CONFIG_ENV = "BRIEFWATCH_CONFIG"
DEFAULT_CONFIG_NAME = "config.toml"
SYSTEM_CONFIG = Path("/etc/briefwatch") / DEFAULT_CONFIG_NAME


@dataclass(frozen=True)
class DatabaseConfig:
    #: SQLAlchemy URL; empty means the default SQLite file (see :func:`default_sqlite_path`).
    url: str = ""
    #: How long a writer waits for another writer's lock before failing (on PostgreSQL: any
    #: lock, as ``lock_timeout``).
    busy_timeout_seconds: float = 30.0
    #: PostgreSQL: the longest any one statement may run (``statement_timeout``).
    statement_timeout_seconds: float = 300.0

    def validate(self, where: str) -> None:
        if self.url and not re.match(r"^(sqlite|postgresql(\+psycopg)?)://", self.url):
            raise ConfigError(
                f"{where}.url: expected a sqlite:/// or postgresql+psycopg:// URL, "
                f"got {mask_url(self.url)!r}"
            )
        if self.busy_timeout_seconds <= 0:
            raise ConfigError(f"{where}.busy_timeout_seconds: expected a positive number")
        if not self.statement_timeout_seconds > 0:
            raise ConfigError(f"{where}.statement_timeout_seconds: expected a positive number")


@dataclass(frozen=True)
class HttpConfig:
    #: Sent with every request; ``{contact_url}`` is replaced by ``contact_url``.
    user_agent: str = "briefwatch/0.1 (+{contact_url})"
    contact_url: str = "https://github.com/briefwatch/briefwatch"
    obey_robots_txt: bool = True
    #: Minimum seconds between requests to one site (robots.txt Crawl-delay wins if larger).
    download_delay_seconds: float = 1.0
    autothrottle: bool = True
    timeout_seconds: float = 30.0
    retry_times: int = 3
    max_response_bytes: int = 20 * 1024 * 1024
    #: A robots.txt Crawl-delay above this is capped to it.
    max_crawl_delay_seconds: float = 60.0
    #: A feed poll (``run``, ``crawl``) still going after this long is stopped.
    crawl_deadline_seconds: float = 1500.0

    def validate(self, where: str) -> None:
        for name in ("max_crawl_delay_seconds", "crawl_deadline_seconds"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{where}.{name}: expected a positive number")
        for name in ("download_delay_seconds", "retry_times"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{where}.{name}: expected zero or more")
        for name in ("timeout_seconds", "max_response_bytes"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{where}.{name}: expected a positive number")
        if not self.user_agent.strip():
            raise ConfigError(f"{where}.user_agent: must not be empty")

    @property
    def effective_user_agent(self) -> str:
        return self.user_agent.replace("{contact_url}", self.contact_url)


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"

    def validate(self, where: str) -> None:
        if self.level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError(f"{where}.level: expected DEBUG, INFO, WARNING or ERROR")


@dataclass(frozen=True)
class Config:
    """The whole effective configuration."""

    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    watch: tuple[WatchConfig, ...] = ()
    sources: Mapping[str, SourceConfig] = field(default_factory=dict)
    #: The file this was read from (None for pure defaults).
    path: Path | None = None

    def __deepcopy__(self, memo: dict) -> Config:
        return self  # immutable all the way down (Scrapy deep-copies its settings)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite:///{default_sqlite_path()}"

    def validate(self, where: str) -> None:
        names = [w.name for w in self.watch]
        for i, watch in enumerate(self.watch):
            if watch.name in names[:i]:
                raise ConfigError(f"watch[{i}] ({watch.name!r}): name used by another watch")
            instances = self.alerts.instances()
            for channel in watch.channels:
                if channel not in instances:
                    raise ConfigError(
                        f"watch[{i}] ({watch.name!r}).channels: unknown channel {channel!r} "
                        f"(known: {', '.join(instances)})"
                    )
                if not instances[channel].enabled:
                    raise ConfigError(
                        f"watch[{i}] ({watch.name!r}).channels: channel {channel!r} is disabled"
                    )
            if not watch.channels and not self.alerts.enabled_names():
                raise ConfigError(
                    f"watch[{i}] ({watch.name!r}): no alert channel is enabled to alert through"
                )

    def enabled_sources(self) -> list[tuple[str, SourceConfig]]:
        return [(name, src) for name, src in self.sources.items() if src.enabled]


def default_sqlite_path() -> Path:
    """Where the default SQLite database lives: ``$XDG_DATA_HOME/briefwatch/briefwatch.db``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "briefwatch" / "briefwatch.db"


def config_search_path() -> list[Path]:
    """Where a configuration is looked for when none is named, first found wins:
    ``$XDG_CONFIG_HOME/briefwatch/config.toml`` (``~/.config/...``), then
    ``/etc/briefwatch/config.toml``. Never the current folder: another tool's
    ``config.toml`` there must not change what briefwatch does."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return [Path(base) / "briefwatch" / DEFAULT_CONFIG_NAME, SYSTEM_CONFIG]


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The file to read: ``--config``, else ``$BRIEFWATCH_CONFIG``, else the first of
    :func:`config_search_path` that exists, else None (the built-in defaults)."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return next((path for path in config_search_path() if path.is_file()), None)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the configuration; raise :class:`ConfigError` on any problem."""
    resolved = find_config_path(path)
    data: dict[str, Any] = {}
    if resolved is not None:
        try:
            with open(resolved, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise ConfigError(f"{resolved}: no such configuration file") from None
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{resolved}: cannot read configuration: {exc}") from None
    label = str(resolved) if resolved else "defaults"
    try:
        return config_from_dict(data, path=resolved)
    except ConfigError as exc:
        raise ConfigError(f"{label}: {exc}") from None


def check_schedule(config: Config) -> None:
    """APScheduler's own verdict on the cron expressions, for what schedules runs (the daemon,
    ``config check``); a load checks them without importing APScheduler."""
    try:
        config.schedule.check_crons("schedule")
    except ConfigError as exc:
        raise ConfigError(f"{config.path or 'defaults'}: {exc}") from None


def config_from_dict(data: Mapping[str, Any], path: Path | None = None) -> Config:
    """Build a :class:`Config` from parsed TOML (errors name the key, not the file)."""
    data = dict(data)
    top = sorted({f.name for f in dataclasses.fields(Config)} - {"path"})
    for key in data:
        if key not in top:
            raise ConfigError(f"{key}: unknown key (expected one of: {', '.join(top)})")
    sources_data = data.pop("sources", {})
    if not isinstance(sources_data, dict):
        raise ConfigError("sources: expected a table")
    sources: dict[str, SourceConfig] = {}
    for name, source in SOURCES.items():
        override = sources_data.get(name, {})
        if not isinstance(override, dict):
            raise ConfigError(f"sources.{name}: expected a table")
        sources[name] = _build(source.config_class, override, f"sources.{name}", source.defaults)
    for unknown in sorted(set(sources_data) - set(SOURCES)):
        raise ConfigError(f"sources.{unknown}: unknown source (known: {', '.join(SOURCES)})")
    alerts_data = data.get("alerts", {})
    instances = {}
    if isinstance(alerts_data, dict) and "channels" in alerts_data:
        alerts_data = dict(alerts_data)
        instances = build_instances(
            alerts_data.pop("channels"), lambda cls, table, where: _build(cls, table, where, None)
        )
        data["alerts"] = alerts_data
    config = _build(Config, data, "", None, skip={"sources", "path"})
    config = dataclasses.replace(
        config,
        alerts=dataclasses.replace(config.alerts, channels=instances),
        sources=types.MappingProxyType(sources),
        path=path,
    )
    config.validate("")
    return config


def _build(
    cls: Any, data: Mapping[str, Any], where: str, base: Any, skip: AbstractSet[str] = frozenset()
) -> Any:
    """Make a ``cls`` from ``data`` over ``base`` (or the class defaults), checking every key."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}
    for key in data:
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{_join(where, key)}: unknown key (expected one of: {known})")
    values: dict[str, Any] = {}
    for name in fields:
        key = _join(where, name)
        hint = hints[name]
        if dataclasses.is_dataclass(hint):
            sub = data.get(name, {})
            if not isinstance(sub, dict):
                raise ConfigError(f"{key}: expected a table")
            values[name] = _build(hint, sub, key, getattr(base, name, None) if base else None)
        elif name in data:
            values[name] = _coerce(data[name], hint, key)
        elif base is not None:
            values[name] = getattr(base, name)
    obj = cls(**values)
    validate = getattr(obj, "validate", None)
    if validate and cls is not Config:  # Config validates once sources are in place
        validate(where or cls.__name__.lower())
    return obj


#: Every number of seconds or minutes is at most this (31 years), so that no timer,
#: date or thread wait overflows; nan and inf are refused. Every ``*timeout_seconds``
#: must also be positive: a zero or negative timeout fails at run time, not here.
MAX_NUMBER = 1e9


def _coerce(value: Any, hint: Any, key: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item,) = typing.get_args(hint)[:1]
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {_describe(value)}")
        if dataclasses.is_dataclass(item):  # an array of tables, such as [[watch]]
            for i, v in enumerate(value):
                if not isinstance(v, dict):
                    raise ConfigError(f"{key}[{i}]: expected a table")
            return tuple(_build(item, v, f"{key}[{i}]", None) for i, v in enumerate(value))
        return tuple(_coerce(v, item, f"{key}[{i}]") for i, v in enumerate(value))
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true or false, got {_describe(value)}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected a whole number, got {_describe(value)}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{key}: expected a number, got {_describe(value)}")
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise ConfigError(f"{key}: expected a finite number of at most {MAX_NUMBER:g}")
        if key.endswith("timeout_seconds") and value <= 0:
            raise ConfigError(f"{key}: expected a positive number")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected a string, got {_describe(value)}")
        return value
    raise ConfigError(f"{key}: unsupported setting type {hint!r}")  # pragma: no cover


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"[:80]


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def masked(config: Config) -> dict[str, Any]:
    """The effective configuration as plain data, with passwords in URLs masked."""
    data: dict[str, Any] = {
        f.name: dataclasses.asdict(getattr(config, f.name))
        for f in dataclasses.fields(config)
        if dataclasses.is_dataclass(getattr(config, f.name))
    }
    data["sources"] = {k: dataclasses.asdict(v) for k, v in config.sources.items()}
    data["watch"] = [dataclasses.asdict(w) for w in config.watch]
    data["database"]["url"] = config.database_url
    data["alerts"]["channels"] = {
        name: settings.public() for name, settings in config.alerts.channels.items()
    }
    data["path"] = str(config.path) if config.path else None
    return _mask_strings(data)


def _mask_strings(value: Any) -> Any:
    """Every string in ``value`` (dicts, lists, tuples) with URL credentials masked."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _mask_strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_strings(v) for v in value]
    return value
