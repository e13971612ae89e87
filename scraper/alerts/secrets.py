"""Secrets of channel settings: ``${VAR}`` indirection to the environment. Masking a channel's
URL for display is :func:`scraper.masking.mask_url`, the one rule of the whole program."""

from __future__ import annotations

import os
import re

from scraper.masking import mask_url as mask_url

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def variables(text: str) -> list[str]:
    """The environment variables ``text`` refers to as ``${NAME}``."""
    return _VAR.findall(text)


def expand(text: str) -> str:
    """``text`` with each ``${NAME}`` replaced by that environment variable; an unset one is
    an error naming it (never its value)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise LookupError(f"environment variable {name} is not set")
        return os.environ[name]

    return _VAR.sub(value, text)
