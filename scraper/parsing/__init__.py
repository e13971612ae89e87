"""Pure parsing: HTML or text in, :class:`~scraper.model.Briefing` out. No I/O.

Importing this package is cheap: ``parse_transcript`` (and lxml with it) is loaded on first
use, so ``briefwatch status``, which only needs :data:`PARSER_VERSION`, never loads lxml.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scraper.parsing.version import PARSER_VERSION

if TYPE_CHECKING:  # the real name for type checkers; at run time, loaded by __getattr__
    from scraper.parsing.transcript import parse_transcript as parse_transcript

__all__ = ["PARSER_VERSION", "parse_transcript"]


def __getattr__(name: str) -> Any:
    if name != "parse_transcript":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from scraper.parsing.transcript import parse_transcript

    globals()[name] = parse_transcript
    return parse_transcript
