"""Secrets of channel settings: ``${VAR}`` indirection to the environment, and masking.

Private to the alerts package until the shared URL-masking helpers land (one helper for the
whole program is the goal; this one is deliberately small).
"""

from __future__ import annotations

import os
import re

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@]*)@")


def variables(text: str) -> list[str]:
    """The environment variables ``text`` refers to as ``${NAME}``."""
    return _VAR.findall(text)


def expand(text: str) -> str:
    """``text`` with each ``${NAME}`` replaced by that environment variable; an unset one is
    an error naming it (never its value)."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise LookupError(f"environment variable {name} is not set")
        return os.environ[name]

    return _VAR.sub(value, text)


def mask_url(url: str) -> str:
    """A URL fit to print or log: any user info (``user:password@``) masked, and the query
    string's values hidden; ``${VAR}`` references stay as they are (they are names, not
    secrets)."""
    masked = _USERINFO.sub(lambda m: f"{m.group(1)}***@", url)
    if "?" in masked:
        base, _, query = masked.partition("?")
        masked = (
            base
            + "?"
            + "&".join(
                part.split("=", 1)[0] + ("=***" if "=" in part else "") for part in query.split("&")
            )
        )
    return masked
