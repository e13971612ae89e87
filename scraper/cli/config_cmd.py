"""``briefwatch config check``."""

from __future__ import annotations

import json

import click


@click.group("config")
def command() -> None:
    """Inspect the configuration."""


@command.command("check")
@click.pass_obj
def check(app) -> None:
    """Validate the configuration and print it with secrets masked.

    Example: briefwatch --config config.toml config check
    """
    cfg = app.scheduling_config()
    from scraper.config import masked

    click.echo(json.dumps(masked(cfg), indent=2, default=str))
    click.echo(f"configuration OK ({cfg.path or 'built-in defaults'})", err=True)
