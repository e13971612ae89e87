"""Delivering queued alerts: claim, send per channel and group, then mark sent or failed."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from scraper.alerts.channels import CHANNELS, Channel
from scraper.config import Config

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


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
    for alert in storage.claim_alerts(list(channels), stale_after=dt.timedelta(0)):
        groups[(alert.channel, alert.watch if mode == "immediate" else "")].append(alert)
    a = config.alerts
    for (name, _watch), alerts in groups.items():
        ids = [x.id for x in alerts]
        try:
            channels[name].send(alerts)
        except Exception as exc:  # isolation boundary: one channel's failure stays its own
            message = f"{name}: {type(exc).__name__}: {exc}"
            logger.error("delivery failed, will retry: %s", message)
            storage.mark_failed(
                ids, message, a.retry_base_seconds, a.retry_max_seconds, a.max_attempts
            )
            report.failed += len(ids)
            report.errors.append(message)
        else:
            storage.mark_sent(ids)
            report.sent += len(ids)
    if report.sent or report.failed:
        logger.info("alerts: %d sent, %d failed", report.sent, report.failed)
