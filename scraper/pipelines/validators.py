"""The "keep this feed's validators?" decision, as a small pure class."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

Validators = tuple[str | None, str | None]


@dataclass
class ValidatorLedger:
    """Which feeds' validators (ETag, Last-Modified) a crawl saves when it closes.

    A feed's validators are kept only when everything it announced is dealt with for good,
    so that an item that failed for a while (a timeout, a 5xx, a locked database) is tried
    again by the next poll instead of being hidden behind a 304: the feed answered 200 with
    validators, each detail page it sent the crawl to was read (then stored or skipped on
    purpose) or refused for good (the URL policy, a URL too long to fetch: reported once,
    in this run), and none of its items failed to be stored::

        ledger = ValidatorLedger()
        ledger.answered("https://x/feed/", 200, '"e1"', None, details=["https://x/b/1/"])
        ledger.keep()                       # {}: its detail page is not dealt with yet
        ledger.settled(["https://x/b/1/"])
        ledger.keep()                       # {"https://x/feed/": ('"e1"', None)}
        ledger.not_stored("https://x/feed/")
        ledger.keep()                       # {}
    """

    offered: dict[str, Validators] = field(default_factory=dict)
    details: dict[str, frozenset[str]] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)
    incomplete: set[str] = field(default_factory=set)

    def answered(
        self,
        url: str,
        status: int,
        etag: str | None,
        last_modified: str | None,
        details: Iterable[str] = (),
    ) -> None:
        """One poll's answer (after all the feed's items were yielded), with the teaser
        links whose detail pages it sent the crawl to fetch."""
        if status == 200 and (etag or last_modified):
            self.offered[url] = (etag, last_modified)
            self.details[url] = frozenset(details)

    def settled(self, links: Iterable[str]) -> None:
        """Detail pages dealt with for good (whichever feed announced them: the crawl
        fetches a link two feeds share once)."""
        self.done.update(links)

    def not_stored(self, url: str) -> None:
        """An item of the feed at ``url`` could not be stored."""
        self.incomplete.add(url)

    def keep(self) -> dict[str, Validators]:
        return {
            u: v
            for u, v in self.offered.items()
            if u not in self.incomplete and self.details[u] <= self.done
        }

    def withheld(self) -> list[str]:
        """Feeds that offered validators but whose items are not all dealt with (their
        validators are not kept)."""
        kept = self.keep()
        return [u for u in self.offered if u not in kept]
