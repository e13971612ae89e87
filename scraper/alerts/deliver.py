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
from scraper.errors import LockBusy

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
    #: Items delivered per channel instance (emails, jsonl lines, ...), and what they are.
    items: dict[str, int] = field(default_factory=dict)
    units: dict[str, tuple[str, tuple[str, str], bool]] = field(default_factory=dict)


def enabled_channels(config: Config, mode: str | None = None) -> dict[str, Channel]:
    """Instances of the enabled channels (of one mode, if given)."""
    instances = config.alerts.instances()
    return {
        name: CHANNELS[instances[name].kind](instances[name], config.alerts.max_chars, name)
        for name in config.alerts.enabled_names(mode)
    }


def group(alerts, mode: str) -> dict[tuple[str, str], list]:
    """What goes out as one message: per channel and watch (immediate) or per channel."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for alert in alerts:
        groups[(alert.channel, alert.watch if mode == "immediate" else "")].append(alert)
    return dict(groups)


def dry_run(storage, config: Config, mode: str = "immediate") -> list[tuple[str, str, str]]:
    """(channel, watch, rendered message) for everything a delivery would send now; nothing
    is sent, claimed or marked."""
    channels = enabled_channels(config, mode)
    due = storage.due_alerts(list(channels), max_delay=config.alerts.retry_max_seconds)
    return [
        (name, watch, channels[name].preview(alerts))
        for (name, watch), alerts in group(due, mode).items()
    ]


def summary(report: DeliveryReport) -> str:
    """What each channel delivered, in its own terms:
    ``27 sent (3 emails with 27 alerts, 27 jsonl lines, 27 log entries), 0 failed``."""
    parts = []
    for name, alerts in report.by_channel.items():
        kind, (one, many), grouped = report.units.get(name, (name, ("alert", "alerts"), False))
        items = report.items.get(name, alerts)
        text = f"{items} {one if items == 1 else many}"
        if name != kind:
            text += f" via {name}"
        if grouped:
            text += f" with {alerts} alert{'s' * (alerts != 1)}"
        parts.append(text)
    per = f" ({', '.join(parts)})" if parts else ""
    given_up = f" ({report.given_up} given up)" if report.given_up else ""
    return f"{report.sent} sent{per}, {report.failed} failed{given_up}"


def deliver(storage, config: Config, mode: str = "immediate") -> DeliveryReport:
    """Send every due alert of the channels in ``mode``.

    ``immediate`` channels get one message per watch (grouping its matches); ``digest``
    channels one summary of everything pending. A failure stays pending with its error and
    is retried with backoff on later runs; it never stops the other channels.
    """
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
    # mid-send: it is due again at once (at least once: jsonl and atom skip what they hold,
    # email keeps its Message-ID, a webhook its idempotency key).
    claimed = storage.claim_alerts(
        list(channels), stale_after=dt.timedelta(0), max_delay=config.alerts.retry_max_seconds
    )
    for (name, _watch), alerts in group(claimed, mode).items():
        channel = channels[name]
        report.units[name] = (channel.kind, channel.unit, channel.grouped)
        try:
            channel.send(alerts)
        except PermanentFailure as exc:
            message = f"{name}: {exc}"
            logger.error("delivery refused for good, not retried: %s", message)
            storage.mark_given_up([x.id for x in alerts], message)
            report.failed += len(alerts)
            report.given_up += len(alerts)
            report.errors.append(message)
        except PartialDelivery as exc:
            sent, refused = set(exc.sent_ids), set(exc.given_up_ids)
            if exc.progress:
                storage.record_delivered(exc.progress)
            _sent(storage, report, name, sent)
            if channel.grouped and sent:
                report.items[name] = report.items.get(name, 0) + 1
            if refused:
                logger.error("delivery refused for good, not retried: %s: %s", name, exc)
                storage.mark_given_up(sorted(refused), f"{name}: {exc}")
                report.failed += len(refused)
                report.given_up += len(refused)
            rest = [x.id for x in alerts if x.id not in sent | refused]
            if rest:
                _failed(storage, config, report, name, rest, exc)
            elif refused:
                report.errors.append(f"{name}: {exc}")
        except Exception as exc:  # isolation boundary: one channel's failure stays its own
            if not isinstance(exc, OSError | LookupError | RuntimeError | ValueError):
                # Not a service or network failure: likely a bug, so show where it happened.
                logger.exception("channel %s failed unexpectedly", name)
            _failed(storage, config, report, name, [x.id for x in alerts], exc)
        else:
            _sent(storage, report, name, {x.id for x in alerts})
            if channel.grouped:
                report.items[name] = report.items.get(name, 0) + 1
    if report.sent or report.failed:
        logger.info("alerts: %s", summary(report))


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
