"""The ``briefwatch`` command.

Exit codes (``EXIT_*`` in :mod:`scraper.cli.context`): 0 ok; 1 a runtime failure; 2 bad usage
or configuration; 75 another run holds the lock; 130 interrupted. Each failure is one line on
stderr (:class:`~scraper.cli.context.CommandFailure`).
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from scraper import __version__
from scraper.cli.context import EXIT_FAILURE, EXIT_INTERRUPTED, AppContext, RuntimeFailure

#: Every subcommand: name -> (module of scraper.cli, attribute, the short help ``--help``
#: lists). A command's module is imported only when that command runs, so ``--help`` and
#: ``search`` load nothing of ``crawl`` or ``serve``; tests/test_cli.py checks each short help
#: against the command's own.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "alerts": ("alerts", "command", "Inspect and deliver queued alerts."),
    "backfill": (
        "crawl",
        "backfill",
        "Walk the listing pages and the archive sitemap and store what is missing.",
    ),
    "config": ("config_cmd", "command", "Inspect the configuration."),
    "crawl": ("crawl", "crawl", "Poll the feeds once and store new and edited transcripts."),
    "daemon": ("daemon", "command", "Run on the configured schedule until SIGTERM or SIGINT."),
    "db": ("db", "command", "Manage the database schema."),
    "diff": (
        "browse",
        "diff",
        "What changed between two stored revisions of a transcript, turn by turn.",
    ),
    "exchanges": (
        "search",
        "exchanges",
        "Whole question-and-answer exchanges whose question or answer matches.",
    ),
    "export": (
        "archive",
        "export",
        "Stream the archive, or what a search finds, read in batches (never held in memory).",
    ),
    "list": (
        "browse",
        "list_briefings",
        "List stored briefings, newest first: id, date, kind, revisions, title.",
    ),
    "parse": (
        "parse",
        "command",
        "Parse a transcript file (or every item of an RSS feed file) and print its structure.",
    ),
    "rematch": ("watch", "rematch", "Re-evaluate the stored archive after the watches changed."),
    "reparse": (
        "reparse",
        "command",
        "Re-parse stored revisions with the current parser, in place.",
    ),
    "run": (
        "crawl",
        "run",
        "The scheduled job: poll the feeds, store and flag, then send pending alerts.",
    ),
    "runs": (
        "status",
        "runs",
        "Recent runs, newest first: command, status, when, what they stored, their first "
        "error; under each run, a line per source it crawled.",
    ),
    "search": (
        "search",
        "search",
        'Find turns: words, "phrases", prefix*, AND / OR / NOT (or -word), (grouping).',
    ),
    "serve": (
        "serve",
        "serve",
        "Serve a read-only web view of the archive: briefings, transcripts, search, trends, "
        "speakers, watches, Atom feeds and a JSON API.",
    ),
    "show": (
        "archive",
        "show",
        "Print one stored transcript (metadata, turns, exchanges) by its number or URL.",
    ),
    "status": (
        "status",
        "command",
        "Where the database is, what it holds, how the last run went, whether the daemon runs.",
    ),
    "trend": (
        "search",
        "trend",
        "How often terms come up over time, in questions and in answers.",
    ),
    "watch": ("watch", "command", "Inspect and backtest the [[watch]] rules."),
}


class LazyGroup(click.Group):
    """A group whose subcommands (:data:`COMMANDS`) are imported on first use (click's
    documented lazy-loading pattern); ``--help`` lists them from the table alone."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute, _ = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"scraper.cli.{module}"), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        with formatter.section("Commands"):
            formatter.write_dl([(name, self._short_help(name, limit)) for name in names])

    def _short_help(self, name: str, limit: int) -> str:
        # A loaded command's own; else its line of the table, shortened as click would.
        command = self.commands.get(name) or click.Command(name, help=COMMANDS[name][2])
        return command.get_short_help_str(limit)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    from scraper.storage import is_storage_error

    if is_storage_error(exc):  # SQLAlchemy's, or the SQLite reader's (show, status, runs)
        return mask_text(f"database error: {first_line(exc)}")
    return None
