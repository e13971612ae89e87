"""What every subcommand shares: the configuration (loaded once) and the storage."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

from scraper.masking import MaskingFilter, mask_text, mask_url

if TYPE_CHECKING:
    from scraper.config import Config

#: The largest row id (briefings, alerts: PostgreSQL ``integer``) and the largest offset
#: (``bigint``) both backends can take.
ID_MAX, OFFSET_MAX = 2**31 - 1, 2**63 - 1

#: The logger of the ``log`` alert channel (see scraper.alerts.channels.log).
ALERT_LOGGER = "briefwatch.alerts"


#: Exit codes of every command: done; an expected failure at run time; bad usage or
#: configuration (an optional extra not installed among it); another run holds the lock
#: (EX_TEMPFAIL: try again later); interrupted.
EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 75, 130


class CommandFailure(click.ClickException):
    """Why a command stopped: shown as one masked line on stderr (``briefwatch: why``, no
    traceback, no "Error:" prefix), and the command exits with :attr:`exit_code`."""

    exit_code = EXIT_FAILURE

    def show(self, file: object = None) -> None:  # noqa: D102
        click.echo(f"briefwatch: {mask_text(self.message)}", err=True)


class UsageFailure(CommandFailure):
    """Bad configuration or usage: exit 2."""

    exit_code = EXIT_USAGE


class RuntimeFailure(CommandFailure):
    """An expected failure at run time: exit 1."""

    exit_code = EXIT_FAILURE


class BusyFailure(CommandFailure):
    """Another run or daemon holds the lock: nothing was done, exit 75."""

    exit_code = EXIT_BUSY


@dataclass
class AppContext:
    config_path: str | None
    verbosity: int = 0
    _config: Config | None = field(default=None, repr=False)
    _storage: object | None = field(default=None, repr=False)
    _reader: object | None = field(default=None, repr=False)
    _records: object | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            from scraper.config import ConfigError, load_config

            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                raise UsageFailure(str(exc)) from None
            self._setup_logging(self._config.logging.level)
        return self._config

    def scheduling_config(self) -> Config:
        """:attr:`config`, its cron expressions also checked by APScheduler (for the commands
        that schedule runs)."""
        from scraper.config import ConfigError, check_schedule

        config = self.config
        try:
            check_schedule(config)
        except ConfigError as exc:
            raise UsageFailure(str(exc)) from None
        return config

    def _setup_logging(self, level_name: str) -> None:
        levels = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR]
        base = levels.index(getattr(logging, level_name.upper()))
        level = levels[max(0, min(len(levels) - 1, base - self.verbosity))]
        if self.verbosity < 0:  # -q: no diagnostics; a failure is the command's one line
            level = logging.CRITICAL
        logging.basicConfig(
            level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
        )
        for handler in logging.getLogger().handlers:  # no URL credential reaches a log
            handler.addFilter(MaskingFilter())
        # The log channel's alert lines are the product's output, never silenced by -q.
        logging.getLogger(ALERT_LOGGER).setLevel(logging.INFO)
        # Alembic narrates every connection at INFO; only -v should show that.
        logging.getLogger("alembic").setLevel(max(level, logging.WARNING))

    @property
    def storage(self):
        """The opened (and, if needed, migrated) database."""
        if self._storage is None:
            from scraper.storage import StorageError, open_storage

            cfg = self.config
            try:
                self._storage = open_storage(
                    cfg.database_url,
                    cfg.database.busy_timeout_seconds,
                    statement_timeout_seconds=cfg.database.statement_timeout_seconds,
                )
            except StorageError as exc:
                raise RuntimeFailure(f"cannot open database: {first_line(exc)}") from None
            except Exception as exc:  # ArgumentError for a malformed URL, OSError for a path
                url, why = mask_url(cfg.database.url), mask_text(str(exc))
                raise RuntimeFailure(f"cannot open database {url!r}: {why}") from None
        return self._storage

    @property
    def records(self):
        """What a run writes about itself (its lock, its row, feed polls, notices): on a
        SQLite archive at this version's schema a :class:`~scraper.storage.runbook.RunBook`
        (no SQLAlchemy to import for an idle poll), which opens :attr:`storage` when the run
        needs more; anything else :attr:`storage` itself."""
        if self._records is None:
            from scraper.storage.runbook import open_runbook

            cfg = self.config
            if self._storage is None:
                self._records = open_runbook(
                    cfg.database_url, cfg.database.busy_timeout_seconds, lambda: self.storage
                )
            if self._records is None:
                self._records = self.storage
        return self._records

    @property
    def reader(self):
        """What search, exchanges, trend, show, status and runs ask: a SQLite archive at this
        version's schema is read directly (no SQLAlchemy to import), anything else through
        :attr:`storage`."""
        if self._reader is None:
            from scraper.storage import open_reader

            cfg = self.config
            if self._storage is None:
                self._reader = open_reader(cfg.database_url, cfg.database.busy_timeout_seconds)
            if self._reader is None:
                self._reader = self.storage
        return self._reader


def first_line(exc: BaseException) -> str:
    """The first line of a database error's own message (never its traceback)."""
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__
