"""The catalogue of stored briefings (`briefwatch list`) and a briefing's revisions (`diff`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Subquery, func, select
from sqlalchemy.orm import Session

from scraper.storage.models import BriefingRow, RevisionRow, SourceRow
from scraper.storage.records import BriefingInfo as BriefingInfo


@dataclass(frozen=True)
class Revision:
    number: int
    first_seen: dt.datetime
    body: str
    changes: dict[str, Any]


def _revision_counts() -> Subquery:
    return (
        select(RevisionRow.briefing_id, func.count().label("n"))
        .group_by(RevisionRow.briefing_id)
        .subquery()
    )


def briefing_filters(
    since: dt.date | None = None,
    until: dt.date | None = None,
    kind: str | None = None,
    source: str | None = None,
) -> list[ColumnElement[bool]]:
    """The conditions on ``briefings`` of the catalogue's filters (dates inclusive, a kind,
    a source slug); those not given are left out."""
    conditions: list[ColumnElement[bool]] = []
    if since:
        conditions.append(BriefingRow.date >= since)
    if until:
        conditions.append(BriefingRow.date <= until)
    if kind:
        conditions.append(BriefingRow.kind == kind)
    if source:
        conditions.append(BriefingRow.source.has(slug=source))
    return conditions


def list_briefings(
    session: Session,
    since: dt.date | None = None,
    until: dt.date | None = None,
    kind: str | None = None,
    source: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[BriefingInfo]]:
    """(how many match, one page of them newest first)."""
    counts = _revision_counts()
    query = (
        select(BriefingRow, SourceRow.slug, func.coalesce(counts.c.n, 0))
        .join(SourceRow, SourceRow.id == BriefingRow.source_id)
        .outerjoin(counts, counts.c.briefing_id == BriefingRow.id)
    )
    query = query.where(*briefing_filters(since, until, kind, source))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(BriefingRow.date.desc(), BriefingRow.id.desc()).limit(limit).offset(offset)
    )
    return total, [_info(row, slug, n) for row, slug, n in rows]


def briefing_info(session: Session, briefing_id: int) -> BriefingInfo | None:
    counts = _revision_counts()
    found = session.execute(
        select(BriefingRow, SourceRow.slug, func.coalesce(counts.c.n, 0))
        .join(SourceRow, SourceRow.id == BriefingRow.source_id)
        .outerjoin(counts, counts.c.briefing_id == BriefingRow.id)
        .where(BriefingRow.id == briefing_id)
    ).first()
    return _info(*found) if found else None


def revisions(session: Session, briefing_id: int) -> list[Revision]:
    """Every stored text of a briefing, oldest first."""
    rows = session.scalars(
        select(RevisionRow)
        .where(RevisionRow.briefing_id == briefing_id)
        .order_by(RevisionRow.number)
    )
    return [Revision(r.number, r.first_seen, r.body, dict(r.changes or {})) for r in rows]


def _info(row: BriefingRow, slug: str, n: int) -> BriefingInfo:
    return BriefingInfo(row.id, row.date, row.kind, slug, row.title, row.url, row.guid, int(n))
