"""The alert outbox: queued in the same transaction as the briefing, claimed before sending,
marked after. The unique alert key makes a second alert for the same passage impossible."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import Session

from scraper.model import AlertDraft, AlertStatus, NoticePayload
from scraper.storage.models import AlertRow
from scraper.storage.records import notice_key


@dataclass(frozen=True)
class QueuedAlert:
    id: int
    key: str
    channel: str
    watch: str
    unit: str
    payload: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    #: Recipients (or targets) this alert already reached, when a channel has several and
    #: only some took it: a retry goes to the others only.
    delivered_to: tuple[str, ...] = ()
    next_attempt_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form ``briefwatch alerts list`` prints."""
        return {
            "id": self.id,
            "channel": self.channel,
            "watch": self.watch,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "created_at": self.created_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "delivered_to": list(self.delivered_to),
            "payload": self.payload,
        }


#: The exponent of the backoff never grows past this (2**60 seconds is beyond any cap).
_MAX_DOUBLINGS = 60


def backoff_seconds(attempts: int, base: float, cap: float) -> float:
    """Seconds to wait after the ``attempts``-th failure: base doubling up to cap, for any
    number of attempts (no overflow however many)."""
    return min(cap, base * 2.0 ** min(max(attempts - 1, 0), _MAX_DOUBLINGS))


def _queued(row: AlertRow) -> QueuedAlert:
    return QueuedAlert(
        row.id,
        row.alert_key,
        row.channel,
        row.watch,
        row.unit,
        dict(row.payload),
        row.status,
        row.attempts,
        row.last_error,
        row.created_at,
        row.sent_at,
        tuple(row.delivered_to or ()),
        row.next_attempt_at,
    )


def enqueue(
    session: Session,
    drafts: Sequence[AlertDraft],
    briefing_id: int,
    url: str,
    now: dt.datetime,
    alert_on_update: bool,
) -> int:
    """Queue each draft once per channel; returns how many rows were added as pending."""
    added = 0
    for draft in drafts:
        for channel in draft.channels:
            key = f"{channel}|{draft.watch}|{url}|{draft.passage_hash}"
            if session.scalar(select(AlertRow.id).where(AlertRow.alert_key == key)):
                continue
            earlier = session.scalar(
                select(AlertRow.id).where(
                    AlertRow.channel == channel,
                    AlertRow.watch == draft.watch,
                    AlertRow.briefing_id == briefing_id,
                    AlertRow.unit == draft.unit,
                )
            )
            payload = {**draft.payload, "update": bool(earlier)}
            status = (
                AlertStatus.SUPPRESSED if earlier and not alert_on_update else AlertStatus.PENDING
            )
            session.add(
                _row(key, channel, draft.watch, briefing_id, draft.unit, payload, status, now)
            )
            added += status == AlertStatus.PENDING
    return added


def enqueue_notice(
    session: Session, channels: list[str], payload: NoticePayload, now: dt.datetime
) -> int:
    """Queue an operator notice, at most once a day per channel and text."""
    added = 0
    for channel in channels:
        key = notice_key(channel, payload["watch"], payload["text"], now.date())
        if session.scalar(select(AlertRow.id).where(AlertRow.alert_key == key)) is None:
            session.add(
                _row(key, channel, payload["watch"], None, "", payload, AlertStatus.PENDING, now)
            )
            added += 1
    return added


def _row(
    key: str,
    channel: str,
    watch: str,
    briefing_id: int | None,
    unit: str,
    payload: Mapping[str, Any],
    status: str,
    now: dt.datetime,
) -> AlertRow:
    return AlertRow(
        alert_key=key,
        channel=channel,
        watch=watch,
        briefing_id=briefing_id,
        unit=unit,
        payload=payload,
        status=status,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        delivered_to=None,  # JSON null, as every later write of None to it (not SQL NULL)
    )  # last_error, sent_at and claimed_at start NULL


def claim_due(
    session: Session,
    channels: list[str],
    now: dt.datetime,
    stale_after: dt.timedelta,
    max_delay: float | None = None,
) -> list[QueuedAlert]:
    """Mark due alerts of ``channels`` as being sent by this process and return them.

    An alert claimed by a sender that died (claimed longer than ``stale_after`` ago) is due
    again: delivery is at least once in that one window, never silently dropped. An alert
    whose next attempt lies further ahead than the longest backoff (``max_delay`` seconds)
    was held back by a clock that ran ahead when its failure was recorded: it is due now.
    """
    # With no grace (the caller holds the alerts lock), every claim is a dead sender's, even
    # one stamped by a clock that ran ahead.
    stale = AlertRow.claimed_at < now - stale_after if stale_after > dt.timedelta(0) else true()
    rows = session.scalars(
        _due(channels, now, max_delay, stale).with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.status, row.claimed_at = AlertStatus.SENDING, now
    return [_queued(r) for r in rows]


def list_due(
    session: Session, channels: list[str], now: dt.datetime, max_delay: float | None = None
) -> list[QueuedAlert]:
    """The alerts a delivery would claim now (for a dry run: nothing is claimed)."""
    rows = session.scalars(_due(channels, now, max_delay, true()))
    return [_queued(r) for r in rows]


def any_due(
    session: Session, channels: list[str], now: dt.datetime, max_delay: float | None = None
) -> bool:
    """Whether a delivery holding the alerts lock (no grace for claims) would take anything."""
    return session.scalars(_due(channels, now, max_delay, true()).limit(1)).first() is not None


def _due(
    channels: list[str], now: dt.datetime, max_delay: float | None, stale: ColumnElement[bool]
) -> Select[AlertRow]:
    """The alerts of ``channels`` pending and due at ``now`` (see :func:`claim_due` for
    ``max_delay``) or being sent and ``stale``, oldest first."""
    due = AlertRow.next_attempt_at <= now
    if max_delay is not None:
        due = or_(due, AlertRow.next_attempt_at > now + dt.timedelta(seconds=max_delay))
    return (
        select(AlertRow)
        .where(
            AlertRow.channel.in_(channels),
            or_(
                (AlertRow.status == AlertStatus.PENDING) & due,
                (AlertRow.status == AlertStatus.SENDING) & stale,
            ),
        )
        .order_by(AlertRow.id)
    )


def mark_sent(session: Session, ids: list[int], now: dt.datetime) -> None:
    for row in session.scalars(select(AlertRow).where(AlertRow.id.in_(ids))):
        row.status, row.sent_at, row.attempts, row.last_error = (
            AlertStatus.SENT,
            now,
            row.attempts + 1,
            None,
        )


def record_delivered(session: Session, progress: dict[int, list[str]]) -> None:
    """Remember which recipients (targets) each alert reached, adding to what it had."""
    for row in session.scalars(select(AlertRow).where(AlertRow.id.in_(list(progress)))):
        done = list(row.delivered_to or [])
        row.delivered_to = done + [r for r in progress[row.id] if r not in done]


def mark_failed(
    session: Session,
    ids: list[int],
    error: str,
    now: dt.datetime,
    base: float,
    cap: float,
    max_attempts: int,
    retry_after: float | None = None,
) -> list[int]:
    """Record a failed attempt; returns the ids given up (``max_attempts`` reached), whose
    last error says so. ``retry_after`` (a server's Retry-After, capped at ``cap``) replaces
    the backoff when it is longer."""
    given_up = []
    for row in session.scalars(select(AlertRow).where(AlertRow.id.in_(ids))):
        row.attempts += 1
        delay = backoff_seconds(row.attempts, base, cap)
        if retry_after is not None:
            delay = max(delay, min(cap, retry_after))
        row.next_attempt_at = now + dt.timedelta(seconds=delay)
        if row.attempts >= max_attempts:
            row.status = AlertStatus.FAILED
            row.last_error = f"gave up after {row.attempts} attempts: {error}"[:2000]
            given_up.append(row.id)
        else:
            row.status = AlertStatus.PENDING
            row.last_error = error[:2000]
    return given_up


def mark_given_up(session: Session, ids: list[int], error: str, now: dt.datetime) -> None:
    """A permanent failure (the service refused the alert itself): not retried, reported
    once; ``alerts retry`` revives it."""
    for row in session.scalars(select(AlertRow).where(AlertRow.id.in_(ids))):
        row.attempts += 1
        row.status, row.next_attempt_at = AlertStatus.FAILED, now
        row.last_error = f"gave up (permanent failure): {error}"[:2000]


def count_given_up(session: Session) -> int:
    """Alerts given up (``max_attempts`` reached, or a permanent failure): ``status`` shows
    this count; ``alerts retry`` revives them."""
    return session.scalar(select(func.count()).where(AlertRow.status == AlertStatus.FAILED)) or 0


def list_alerts(session: Session, status: str | None, limit: int) -> list[QueuedAlert]:
    query = select(AlertRow).order_by(AlertRow.id.desc()).limit(limit)
    if status:
        query = query.where(AlertRow.status == status)
    return [_queued(r) for r in session.scalars(query)]


def retry(session: Session, ids: list[int] | None, now: dt.datetime) -> int:
    """Make the given alerts, or every waiting one (failed, or pending with a backoff), due
    now; returns how many. A given-up alert starts its attempts and backoff afresh (its last
    error stays until the next attempt); a pending one keeps its count towards max_attempts."""
    waiting = (AlertRow.status == AlertStatus.FAILED) | (
        (AlertRow.status == AlertStatus.PENDING) & (AlertRow.next_attempt_at > now)
    )
    query = select(AlertRow).where(
        AlertRow.id.in_(ids) if ids else waiting,
        AlertRow.status.in_((AlertStatus.FAILED, AlertStatus.PENDING)),
    )
    count = 0
    for row in session.scalars(query):
        if row.status == AlertStatus.FAILED:
            row.attempts = 0
        row.status, row.next_attempt_at = AlertStatus.PENDING, now
        count += 1
    return count
