"""One vocabulary for what commands print: the ``--format`` option and the printing itself.

Every command that prints data takes ``--format`` with some of :data:`FORMATS`:

- ``text``: lines for a person (each command's own layout; ``table`` is an old name for it);
- ``json``: one JSON document (an array of rows, or one object);
- ``jsonl``: one JSON object per line;
- ``csv``: a header line, then one row per line;
- ``markdown``: a readable document (``export`` only: transcripts or exchanges for a memo).

JSON and CSV pass through :func:`scraper.terminal.terminal_json` / ``terminal_text``, so no
control character from a page reaches the terminal.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import click

from scraper.terminal import terminal_json, terminal_text

FORMATS = ("text", "json", "jsonl", "csv", "markdown")
#: Old names still accepted (not offered in --help).
ALIASES = {"table": "text"}


class FormatChoice(click.Choice):
    """A choice among :data:`FORMATS` that also takes the old names of ``text``."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and ALIASES.get(value) in self.choices:
            value = ALIASES[value]
        return super().convert(value, param, ctx)


def format_option(
    *names: str, default: str = "text", help: str = "Output format."
) -> Callable[[Any], Any]:
    """``--format`` offering ``names`` (in the order of :data:`FORMATS`), as ``fmt``."""
    unknown = set(names) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}")
    return click.option(
        "--format",
        "fmt",
        type=FormatChoice([f for f in FORMATS if f in names]),
        default=default,
        show_default=True,
        help=help,
    )


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    text: Callable[[Mapping[str, Any]], None] | None = None,
) -> None:
    """Print ``rows`` as ``fmt``; ``text`` prints one row for ``text``."""
    if fmt == "json":
        click.echo(terminal_json(list(rows), indent=2))
    elif fmt == "jsonl":
        for row in rows:
            click.echo(terminal_json(row))
    elif fmt == "csv":
        if rows:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(
                {k: terminal_text(v) if isinstance(v, str) else v for k, v in r.items()}
                for r in rows
            )
    elif fmt == "text" and text is not None:
        for row in rows:
            text(row)
    else:
        raise ValueError(f"cannot print rows as {fmt!r}")
