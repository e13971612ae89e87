"""The ``briefwatch`` command.

Exit codes (``EXIT_*`` in :mod:`scraper.cli.context`): 0 ok; 1 a runtime failure; 2 bad usage
or configuration; 75 another run holds the lock; 130 interrupted. Each failure is one line on
stderr (:class:`~scraper.cli.context.CommandFailure`).
"""

from __future__ import annotations

import logging
import sys

import click

from scraper import __version__
from scraper.cli.context import EXIT_FAILURE, EXIT_INTERRUPTED, AppContext, RuntimeFailure


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="BRIEFWATCH_CONFIG",
    help="Configuration file (default: $BRIEFWATCH_CONFIG, else "
    "$XDG_CONFIG_HOME/briefwatch/config.toml, else /etc/briefwatch/config.toml, else "
    "built-in defaults).",
)
@click.option("-v", "--verbose", count=True, help="More log output (repeatable).")
@click.option("-q", "--quiet", count=True, help="Less log output (repeatable).")
@click.version_option(__version__, prog_name="briefwatch")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, quiet: int) -> None:
    """Follow government press-briefing transcripts: parse, store, search and alert."""
    ctx.obj = AppContext(config_path=config_path, verbosity=verbose - quiet)


def _register() -> None:
    from scraper.cli import (
        alerts,
        archive,
        browse,
        config_cmd,
        crawl,
        daemon,
        db,
        parse,
        reparse,
        search,
        serve,
        status,
        watch,
    )

    for module in (alerts, config_cmd, daemon, db, parse, reparse, status, watch):
        cli.add_command(module.command)
    for extra in (
        crawl.crawl,
        crawl.backfill,
        crawl.run,
        watch.rematch,
        search.search,
        search.exchanges,
        search.trend,
        archive.show,
        archive.export,
        serve.serve,
        status.runs,
        browse.list_briefings,
        browse.diff,
    ):
        cli.add_command(extra)


_register()


def main() -> None:
    """Console-script entry point."""
    logging.captureWarnings(True)
    try:
        cli.main(prog_name="briefwatch", standalone_mode=True)
    except KeyboardInterrupt:
        RuntimeFailure("interrupted").show()
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # a database or disk failure no command caught: one line, exit 1
        line = _failure_line(exc)
        if line is None:
            raise
        RuntimeFailure(line).show()
        sys.exit(EXIT_FAILURE)


def _failure_line(exc: Exception) -> str | None:
    """One masked line for a database error (read-only file, disk full, lost server...) or
    an OS error; None for anything else (a bug, which keeps its traceback)."""
    from scraper.cli.context import first_line
    from scraper.masking import mask_text

    if isinstance(exc, OSError):
        return mask_text(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
    if "sqlalchemy" in sys.modules:
        from scraper.storage import StorageError

        if isinstance(exc, StorageError):
            return mask_text(f"database error: {first_line(exc)}")
    return None
