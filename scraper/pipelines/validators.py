"""The "keep this feed's validators?" decision, as a small pure class."""

from __future__ import annotations

from dataclasses import dataclass, field

Validators = tuple[str | None, str | None]


@dataclass
class ValidatorLedger:
    """Which feeds' validators (ETag, Last-Modified) a crawl saves when it closes.

    A feed's validators are kept only when everything it announced is in hand: it answered
    200 with validators, it sent the crawl to fetch no detail page (a crash before they are
    stored must not turn the next poll into a silent 304), and none of its items failed to
    be stored. Otherwise the next poll fetches the feed again::

        ledger = ValidatorLedger()
        ledger.answered("https://x/feed/", 200, '"e1"', None, details=0)
        ledger.keep()                       # {"https://x/feed/": ('"e1"', None)}
        ledger.not_stored("https://x/feed/")
        ledger.keep()                       # {}
    """

    offered: dict[str, Validators] = field(default_factory=dict)
    incomplete: set[str] = field(default_factory=set)

    def answered(
        self, url: str, status: int, etag: str | None, last_modified: str | None, details: int
    ) -> None:
        """One poll's answer (after all the feed's items were yielded)."""
        if status == 200 and (etag or last_modified) and details == 0:
            self.offered[url] = (etag, last_modified)

    def not_stored(self, url: str) -> None:
        """An item of the feed at ``url`` could not be stored."""
        self.incomplete.add(url)

    def keep(self) -> dict[str, Validators]:
        return {u: v for u, v in self.offered.items() if u not in self.incomplete}

    def withheld(self) -> list[str]:
        """Feeds that offered validators but lost an item (their validators are not kept)."""
        return [u for u in self.offered if u in self.incomplete]
