"""A ``--since``/``--until`` style option that takes YYYY-MM-DD."""

from __future__ import annotations

import datetime as dt

import click


def _parse(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}") from None


def date_option(*names: str, help: str):
    return click.option(*names, callback=_parse, metavar="DATE", help=help)
