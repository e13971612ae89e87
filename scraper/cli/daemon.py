"""``briefwatch daemon``."""

from __future__ import annotations

import logging
import sys

import click

from scraper.cli.context import BusyFailure
from scraper.errors import LockBusy


class DaemonRunning(BusyFailure):
    """A daemon is already running on this database."""


@click.command("daemon")
@click.pass_obj
def command(app) -> None:
    """Run on the configured schedule until SIGTERM or SIGINT.

    The first run starts at once; each run is a fresh `briefwatch run` process; alert
    retries and digests are scheduled too. On SIGTERM the run in flight finishes or is
    stopped within schedule.stop_timeout_seconds, and the daemon exits 0. Exit 75 when
    another daemon is running on the same database; exit 1 when its lock on a PostgreSQL
    database is lost (the session cut): it stops rather than run beside a second daemon.

    Example: briefwatch --config /etc/briefwatch/config.toml daemon
    """
    from scheduler.daemon import STATE_KEY, Daemon

    config, storage = app.scheduling_config(), app.storage
    if app.verbosity <= 0:  # APScheduler narrates every job at INFO: only -v shows that
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    try:
        with storage.run_lock("daemon") as held:  # held while the daemon lives; dies with it
            code = Daemon(config, storage, held).run()
    except LockBusy:
        pid = (storage.crawl_state(STATE_KEY) or {}).get("pid", "?")
        raise DaemonRunning(
            f"another daemon is running on this database (pid {pid}); not starting"
        ) from None
    sys.exit(code)
