"""``briefwatch daemon``."""

from __future__ import annotations

import sys

import click


@click.command("daemon")
@click.pass_obj
def command(app) -> None:
    """Run on the configured schedule until SIGTERM or SIGINT.

    Each run is a fresh `briefwatch run` process; alert retries and digests are scheduled
    too. On SIGTERM the run in flight finishes or is stopped within
    schedule.stop_timeout_seconds, and the daemon exits 0.

    Example: briefwatch --config /etc/briefwatch/config.toml daemon
    """
    from scheduler.daemon import Daemon

    sys.exit(Daemon(app.config, app.storage).run())
