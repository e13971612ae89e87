"""``briefwatch serve``: the read-only web view (needs ``pip install 'briefwatch[web]'``)."""

from __future__ import annotations

import ipaddress
import logging
import os
import signal

import click

from scraper.cli.context import RuntimeFailure, UsageFailure, first_line
from scraper.cli.extras import require_extra
from scraper.errors import ArchiveUnavailable

logger = logging.getLogger(__name__)

TOKEN_ENV = "BRIEFWATCH_WEB_TOKEN"
BASIC_ENV = "BRIEFWATCH_WEB_BASIC_AUTH"


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8787, show_default=True)
@click.option(
    "--allow-remote",
    is_flag=True,
    help=f"Listen on a non-loopback address (needs {TOKEN_ENV} or {BASIC_ENV}).",
)
@click.pass_obj
def serve(app, host: str, port: int, allow_remote: bool) -> None:
    """Serve a read-only web view of the archive: briefings, transcripts, search, trends,
    speakers, watches, Atom feeds and a JSON API.

    Example: briefwatch serve --port 8787   (then open http://127.0.0.1:8787/)
    """
    require_extra("serve", "web", "uvicorn", "starlette", "jinja2")
    import uvicorn

    from scraper.web.app import Auth, create_app

    auth = Auth(token=os.environ.get(TOKEN_ENV) or None, basic=os.environ.get(BASIC_ENV) or None)
    if auth.basic and ":" not in auth.basic:
        raise UsageFailure(f"{BASIC_ENV} must be user:password")
    if not is_loopback(host):
        if not allow_remote:
            raise UsageFailure(
                f"refusing to listen on {host}: only loopback addresses are served without "
                "--allow-remote"
            )
        if not auth.required:
            raise UsageFailure(f"--allow-remote needs {TOKEN_ENV} or {BASIC_ENV} to be set")
    config = app.config
    from scraper.storage import StorageError, open_archive

    try:
        archive = open_archive(config.database_url, config.database.busy_timeout_seconds)
    except ArchiveUnavailable as exc:
        raise RuntimeFailure(f"cannot serve: {exc}") from None
    except StorageError as exc:
        raise RuntimeFailure(f"cannot open database: {first_line(exc)}") from None
    web = create_app(archive, config.watch, auth)
    click.echo(
        f"briefwatch: serving {archive.storage.location} read-only on http://{host}:{port}/ "
        f"({'authentication required' if auth.required else 'no authentication'}; "
        "Ctrl-C stops)",
        err=True,
    )
    # uvicorn shuts down gracefully on SIGTERM and then raises it again: by then it is a
    # normal stop (exit 0, like `briefwatch daemon`), not a death by signal.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    try:
        uvicorn.run(
            web,
            host=host,
            port=port,
            log_level=config.logging.level.lower(),
            server_header=False,
            access_log=logger.isEnabledFor(logging.DEBUG),
        )
    finally:
        archive.close()
