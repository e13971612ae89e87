"""The ``log`` channel: one structured log line per match."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from scraper.alerts.channels import Channel, ChannelSettings, setting
from scraper.alerts.render import one_line

logger = logging.getLogger("briefwatch.alerts")


@dataclass(frozen=True)
class LogSettings(ChannelSettings):
    kind: ClassVar[str] = "log"
    enabled: bool = setting(True, "Deliver through this channel at all (on by default).")


class LogChannel(Channel):
    """One structured line per match on stderr: on by default, needs no setup."""

    kind = "log"
    settings_class = LogSettings
    unit = ("log entry", "log entries")

    def send(self, alerts: Sequence[Any]) -> str:
        for alert in alerts:
            p = alert.payload
            if p["type"] == "notice":
                logger.warning("operator notice: %s", one_line(p["text"], 500))
                continue
            b = p["briefing"]
            for turn in p["turns"]:
                for start, end, term in turn["matches"]:
                    text = turn["text"]
                    snippet = text[max(0, start - 80) : end + 80]
                    logger.info(
                        "alert watch=%s date=%s publisher=%r briefing=%r exchange=%s "
                        "speaker=%r role=%s term=%r match=%r snippet=%r url=%s update=%s",
                        p["watch"],
                        b["date"],
                        b.get("publisher"),
                        one_line(b["title"]),
                        p["exchange"],
                        turn["speaker"],
                        turn["role"],
                        term,
                        text[start:end],
                        one_line(snippet, 240),
                        b["url"],
                        bool(p.get("update")),
                    )
        return f"{len(alerts)} alert(s) logged"
