"""Reading request parameters: the CLI's query syntax and validation, with hard bounds.

Every problem is a :class:`BadRequest` whose message is one line, the way the CLI says it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from scraper.model import ROLES
from scraper.search.query import QuerySyntaxError, parse
from scraper.sources import KINDS
from scraper.storage import Filters

MAX_QUERY = 500  # characters of one query
MAX_TEXT = 200  # characters of a speaker, topic or other filter value
MAX_PAGE_SIZE = 100
MAX_OFFSET = 10_000  # deep paging is a scan; nobody reads page 500
MAX_TERMS = 5  # trend lines on one chart


class BadRequest(ValueError):
    """A request the server will not answer (HTTP 400); the message is one line."""


def text(params: Mapping[str, str], name: str, limit: int = MAX_TEXT) -> str | None:
    value = (params.get(name) or "").strip()
    if len(value) > limit:
        raise BadRequest(f"{name}: at most {limit} characters")
    return value or None


def query(value: str | None, name: str = "q"):
    """The parsed query; a malformed one gives the CLI's message."""
    if value is None or not value.strip():
        raise BadRequest(f"{name}: a query is required")
    if len(value) > MAX_QUERY:
        raise BadRequest(f"{name}: at most {MAX_QUERY} characters")
    try:
        return parse(value)
    except QuerySyntaxError as exc:
        raise BadRequest(f"bad query {value!r}: {exc}") from None


def date(params: Mapping[str, str], name: str) -> dt.date | None:
    value = text(params, name, 10)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name}: expected YYYY-MM-DD, got {value!r}") from None


def choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str | None:
    value = text(params, name)
    if value is not None and value not in allowed:
        raise BadRequest(f"{name}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


def integer(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = text(params, name, 12)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"{name}: expected a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise BadRequest(f"{name}: expected {low} to {high}, got {number}")
    return number


def paging(params: Mapping[str, str], default_size: int = 20) -> tuple[int, int, int]:
    """(page, page size, offset) from ``page`` and ``limit``, bounded."""
    size = integer(params, "limit", default_size, 1, MAX_PAGE_SIZE)
    page = integer(params, "page", 1, 1, MAX_OFFSET // size + 1)
    return page, size, (page - 1) * size


def filters(params: Mapping[str, str]) -> Filters:
    """The CLI's search filters (``--since`` ... ``--watch``) from request parameters."""
    since, until = date(params, "since"), date(params, "until")
    if since and until and since > until:
        raise BadRequest("since: must not be after until")
    return Filters(
        since=since,
        until=until,
        speaker=text(params, "speaker"),
        role=choice(params, "role", ROLES),
        kind=choice(params, "kind", KINDS),
        topic=text(params, "topic"),
        watch=text(params, "watch"),
    )
