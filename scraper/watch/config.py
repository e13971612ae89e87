"""The ``[[watch]]`` tables: what a user wants to hear about."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scraper.errors import ConfigError

SCOPES = ("turn", "exchange")
SAID_BY = ("any", "official", "reporter")


@dataclass(frozen=True)
class WatchConfig:
    """One watch. A unit (a turn, or a whole exchange) fires when it mentions any of
    ``terms``/``regex``/``any_of`` (if given), all of ``all_of`` and none of ``none_of``,
    counting only turns said by ``said_by`` (and by ``speakers``, if given)."""

    name: str = ""
    terms: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    #: Also match simple inflections and possessives: "Pakistan's", "Pakistani", "sanctions".
    forms: bool = False
    #: Terms match whole words only ("Iran" is not in "Iranian"); false matches inside words.
    whole_word: bool = True
    scope: str = "exchange"
    said_by: str = "any"
    #: Only turns by these speakers (case-insensitive, part of the name is enough).
    speakers: tuple[str, ...] = ()
    #: Channel instances to alert through, by name (``log``, ``email``, ``jsonl`` or an
    #: ``[alerts.channels.NAME]``); empty means every enabled channel. ``config check``
    #: rejects an unknown or disabled one.
    channels: tuple[str, ...] = ()
    #: Only briefings of these sources, by slug (the registry of ``scraper.sources``);
    #: empty means every source. ``config check`` rejects an unknown one.
    sources: tuple[str, ...] = ()

    def watches(self, source: str | None) -> bool:
        """Whether this watch looks at a briefing of ``source`` (None: source unknown)."""
        return not self.sources or source in self.sources

    def validate(self, where: str) -> None:
        label = f"{where} ({self.name!r})" if self.name else where
        if not self.name.strip():
            raise ConfigError(f"{where}.name: every watch needs a name")
        if not (self.terms or self.regex or self.any_of or self.all_of):
            raise ConfigError(f"{label}: give terms, regex, any_of or all_of")
        if self.scope not in SCOPES:
            raise ConfigError(f"{label}.scope: expected one of {', '.join(SCOPES)}")
        if self.said_by not in SAID_BY:
            raise ConfigError(f"{label}.said_by: expected one of {', '.join(SAID_BY)}")
        for term in (*self.terms, *self.any_of, *self.all_of, *self.none_of):
            if not term.strip():
                raise ConfigError(f"{label}: empty term")
        from scraper.sources import SOURCES

        for source in self.sources:
            if source not in SOURCES:
                raise ConfigError(
                    f"{label}.sources: unknown source {source!r} (known: {', '.join(SOURCES)})"
                )
        for pattern in self.regex:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"{label}.regex: invalid regular expression {pattern!r}: {exc}"
                ) from None
