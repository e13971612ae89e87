"""The cron entry: ``briefwatch run``, one line in a crontab.

``briefwatch run`` takes the same run lock as the daemon, so cron and daemon never overlap;
its exit codes let cron (which mails any output) tell what happened.
"""

from __future__ import annotations

#: Exit codes of ``briefwatch run``.
EXIT_CODES = {
    0: "the run completed (some pages may have failed: see `briefwatch status`)",
    1: "the crawl failed or was blocked by the site, or an alert could not be delivered",
    2: "bad usage or configuration",
    75: "another run is in progress: nothing was done",
}


def crontab_line(
    briefwatch: str = "/opt/briefwatch/.venv/bin/briefwatch",
    config: str = "/etc/briefwatch/config.toml",
    schedule: str = "*/10 * * * *",
) -> str:
    """The crontab line that runs the job every 10 minutes, quietly unless something fails."""
    return f"{schedule} {briefwatch} --config {config} -q run"
