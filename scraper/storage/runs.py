"""The runs table: what each crawl, backfill or alert run did."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scraper.model import RunStatus
from scraper.storage.models import RunRow
from scraper.storage.records import RunInfo as RunInfo


def start_run(session: Session, command: str, now: dt.datetime) -> int:
    row = RunRow(command=command, started_at=now, status=RunStatus.RUNNING, counts={}, errors=[])
    session.add(row)
    session.flush()
    return row.id


def finish_run(
    session: Session,
    run_id: int,
    status: str,
    counts: dict[str, Any],
    errors: list[Any],
    now: dt.datetime,
) -> None:
    row = session.get(RunRow, run_id)
    if row is None:
        raise KeyError(f"no run {run_id}")
    row.status, row.counts, row.errors, row.finished_at = status, dict(counts), list(errors), now


def recent_runs(session: Session, limit: int = 10) -> list[RunInfo]:
    rows = session.scalars(select(RunRow).order_by(RunRow.id.desc()).limit(limit))
    return [
        RunInfo(r.id, r.command, r.started_at, r.finished_at, r.status, r.counts, r.errors)
        for r in rows
    ]


def close_abandoned_runs(session: Session, status: str, error: str, now: dt.datetime) -> int:
    """Close the runs still marked running (call holding the run lock: their processes are
    gone) with ``status`` and ``error``; returns how many."""
    closed = 0
    for row in session.scalars(select(RunRow).where(RunRow.status == RunStatus.RUNNING)):
        row.status, row.finished_at = status, now
        row.errors = [{"error": error}, *(row.errors or [])]
        closed += 1
    return closed
