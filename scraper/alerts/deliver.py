"""Delivering queued alerts: claim, send per channel and group, then mark sent or failed."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from scraper.alerts.channels import (
    CHANNELS,
    Channel,
    PartialDelivery,
    PermanentFailure,
    RetryLater,
)
from scraper.config import Config

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    #: Of the failed: alerts given up (max_attempts reached, or refused for good).
    given_up: int = 0
    errors: list[str] = field(default_factory=list)
    #: Alerts delivered per channel instance.
    by_channel: dict[str, int] = field(default_factory=dict)


def enabled_channels(config: Config, mode: str | None = None) -> dict[str, Channel]:
    """Instances of the enabled channels (of one mode, if given)."""
    out = {}
    for name in config.alerts.channel_names():
        settings = getattr(config.alerts, name)
        if settings.enabled and (mode is None or settings.mode == mode):
            out[name] = CHANNELS[name](settings, config.alerts.max_chars)
    return out


def deliver(storage, config: Config, mode: str = "immediate") -> DeliveryReport:
    """Send every due alert of the channels in ``mode``.

    ``immediate`` channels get one message per watch (grouping its matches); ``digest``
    channels one summary of everything pending. A failure stays pending with its error and
    is retried with backoff on later runs; it never stops the other channels.
    """
    from scraper.storage import LockBusy

    channels = enabled_channels(config, mode)
    report = DeliveryReport()
    if not channels:
        return report
    try:
        with storage.run_lock("alerts"):
            _deliver(storage, config, mode, channels, report)
    except LockBusy:
        logger.info("another process is delivering alerts; leaving them to it")
    return report


def _deliver(storage, config: Config, mode: str, channels: dict, report: DeliveryReport) -> None:
    # Holding the alerts lock, an alert still marked "sending" belongs to a sender that died
    # mid-send: it is due again at once (at least once; jsonl and email deduplicate).
    groups: dict[tuple[str, str], list] = defaultdict(list)
    claimed = storage.claim_alerts(
        list(channels), stale_after=dt.timedelta(0), max_delay=config.alerts.retry_max_seconds
    )
    for alert in claimed:
        groups[(alert.channel, alert.watch if mode == "immediate" else "")].append(alert)
    for (name, _watch), alerts in groups.items():
        try:
            channels[name].send(alerts)
        except PermanentFailure as exc:
            message = f"{name}: {exc}"
            logger.error("delivery refused for good, not retried: %s", message)
            storage.mark_given_up([x.id for x in alerts], message)
            report.failed += len(alerts)
            report.given_up += len(alerts)
            report.errors.append(message)
        except PartialDelivery as exc:
            sent = set(exc.sent_ids)
            if exc.progress:
                storage.record_delivered(exc.progress)
            _sent(storage, report, name, sent)
            _failed(storage, config, report, name, [x.id for x in alerts if x.id not in sent], exc)
        except Exception as exc:  # isolation boundary: one channel's failure stays its own
            _failed(storage, config, report, name, [x.id for x in alerts], exc)
        else:
            _sent(storage, report, name, {x.id for x in alerts})
    if report.sent or report.failed:
        logger.info("alerts: %d sent, %d failed", report.sent, report.failed)


def _sent(storage, report: DeliveryReport, name: str, ids: set[int]) -> None:
    if ids:
        storage.mark_sent(sorted(ids))
        report.sent += len(ids)
        report.by_channel[name] = report.by_channel.get(name, 0) + len(ids)


def _failed(storage, config: Config, report: DeliveryReport, name, ids, exc) -> None:
    if not ids:
        return
    a = config.alerts
    kind = "" if isinstance(exc, PartialDelivery | RetryLater) else f"{type(exc).__name__}: "
    message = f"{name}: {kind}{exc}"
    given_up = storage.mark_failed(
        ids,
        message,
        a.retry_base_seconds,
        a.retry_max_seconds,
        a.max_attempts,
        getattr(exc, "retry_after", None),
    )
    if given_up:
        logger.error("delivery failed, gave up after %d attempts: %s", a.max_attempts, message)
    if len(given_up) < len(ids):
        logger.error("delivery failed, will retry: %s", message)
    report.failed += len(ids)
    report.given_up += len(given_up)
    report.errors.append(message)
