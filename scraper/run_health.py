"""A run's health as data: small declarative checks over the crawl's stats.

Each :class:`Check` names the stats it reads, a comparison and a threshold, as Spidermon's
monitors do (``ItemCountMonitor``), and what follows when it holds: a status for the run, or
a notice for the operator. :data:`STATUS_CHECKS` are tried in order and the first that holds
gives the status (none: ``ok``); every :data:`NOTICE_CHECKS` entry that holds adds notices.
Both are evaluated per source (one crawler's stats) and for the whole run (all summed).

The facts checked are the crawl stats under their short names (``blocked``,
``store_errors``, see :data:`scraper.crawl.COUNTS`) and a few the runner derives:
``stored``, ``answers``, ``error_lines``, ``lock_lost`` and ``stopped``.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from scraper import crawl_stats

logger = logging.getLogger(__name__)

Facts = Mapping[str, Any]
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Condition:
    """``fact op threshold``, e.g. ``Condition("blocked", ">", 0)``."""

    fact: str
    op: str
    threshold: Any

    def holds(self, facts: Facts) -> bool:
        return _OPS[self.op](facts.get(self.fact, 0), self.threshold)


@dataclass(frozen=True)
class Check:
    """The run is ``status`` when every condition holds."""

    name: str
    when: tuple[Condition, ...]
    status: str

    def holds(self, facts: Facts) -> bool:
        return all(c.holds(facts) for c in self.when)


def _when(*conditions: tuple[str, str, Any]) -> tuple[Condition, ...]:
    return tuple(Condition(*c) for c in conditions)


#: Tried in order; the first that holds gives the run's status.
STATUS_CHECKS: tuple[Check, ...] = (
    Check("run lock lost (another run may be writing)", _when(("lock_lost", ">", 0)), "failed"),
    Check("stopped at its deadline", _when(("stopped", "==", "failed")), "failed"),
    Check("stopped by a signal", _when(("stopped", "==", "interrupted")), "interrupted"),
    Check("blocked by the site", _when(("blocked", ">", 0)), "blocked"),
    Check(
        "nothing it tried to store was stored",
        _when(("store_errors", ">", 0), ("stored", "==", 0)),
        "failed",
    ),
    Check(
        "errors, and no answer at all",
        _when(("error_lines", ">", 0), ("answers", "==", 0)),
        "failed",
    ),
    Check("errors", _when(("error_lines", ">", 0)), "partial"),
)


def run_status(facts: Facts, checks: tuple[Check, ...] = STATUS_CHECKS) -> str:
    """The status of the first check that holds, else ``ok``."""
    for check in checks:
        if check.holds(facts):
            return check.status
    return "ok"


@dataclass(frozen=True)
class NoticeCheck:
    """Notices for the operator, one per entry of the list or mapping under ``stat`` that
    passes ``op threshold`` (``threshold`` may name a per-source setting, see ``limits``)."""

    name: str
    stat: str
    op: str
    threshold: int | str
    message: str  # str.format(entry=..., value=...)

    def notices(self, stats: Mapping[str, Any], limits: Mapping[str, int]) -> Iterator[str]:
        threshold = limits[self.threshold] if isinstance(self.threshold, str) else self.threshold
        found = stats.get(self.stat) or {}
        pairs = found.items() if isinstance(found, Mapping) else ((e, 1) for e in found)
        for entry, value in pairs:
            if _OPS[self.op](value, threshold):
                yield self.message.format(entry=entry, value=value)


NOTICE_CHECKS: tuple[NoticeCheck, ...] = (
    NoticeCheck(
        "promised transcript with no turns",
        crawl_stats.EMPTY_TRANSCRIPT_PAGES,
        ">",
        0,
        "transcript parsed to zero turns (has the site's layout changed?): {entry[0]!r} {entry[1]}",
    ),
    NoticeCheck(
        "feed empty too many polls in a row",
        crawl_stats.EMPTY_FEED_STREAKS,
        ">=",
        "empty_feed_alert_runs",
        "feed {entry} has yielded no items {value} polls in a row (has the site changed?)",
    ),
)


def source_notices(
    stats: Mapping[str, Any],
    limits: Mapping[str, int],
    checks: tuple[NoticeCheck, ...] = NOTICE_CHECKS,
) -> list[str]:
    """The notices one source's crawl stats call for (each logged as a warning)."""
    notices = [n for check in checks for n in check.notices(stats, limits)]
    for notice in notices:
        logger.warning("%s", notice)
    return notices
