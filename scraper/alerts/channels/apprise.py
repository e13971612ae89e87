"""The ``apprise`` channel: Slack, Teams, Matrix, Telegram, ntfy, Discord, ... through the
Apprise library (one URL per service; secrets from the environment, never the file)."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from scraper.alerts.channels import Channel, ChannelSettings, PartialDelivery, setting
from scraper.alerts.render import render_markdown, subject
from scraper.alerts.secrets import expand, mask_url, variables
from scraper.errors import ConfigError


@dataclass(frozen=True)
class AppriseSettings(ChannelSettings):
    kind: ClassVar[str] = "apprise"
    urls: tuple[str, ...] = setting(
        (),
        "Apprise URLs (slack://, msteams://, matrix://, tgram://, ntfy://, discord://, json://, "
        "...); write any secret part as ${ENV_VAR}, never literally.",
    )
    url_env: str = setting(
        "", "Environment variable holding one or more Apprise URLs (separated by spaces)."
    )
    body_max_chars: int = setting(
        0, "Longest message body; 0: the service's own limit (trimmed with a link to the rest)."
    )
    timeout_seconds: float = setting(30.0, "Seconds before an unanswering service is retried.")

    def check(self, where: str) -> None:
        if self.enabled and not (self.urls or self.url_env):
            raise ConfigError(f"{where}: an enabled apprise channel needs urls or url_env")
        if self.url_env and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.url_env):
            raise ConfigError(f"{where}.url_env: expected the name of an environment variable")
        if self.body_max_chars < 0:
            raise ConfigError(f"{where}.body_max_chars: expected zero or more")
        if not (math.isfinite(self.timeout_seconds) and self.timeout_seconds > 0):
            raise ConfigError(f"{where}.timeout_seconds: expected a positive number")
        for i, url in enumerate(self.urls):
            if variables(url):
                continue  # resolved at send time, from the environment
            target = _instantiate(url)
            if target is None:
                raise ConfigError(f"{where}.urls[{i}]: not an Apprise URL: {mask_url(url)!r}")
            if target.url(privacy=True) != target.url(privacy=False):
                raise ConfigError(
                    f"{where}.urls[{i}]: {target.url(privacy=True)!r} holds a secret: "
                    "put it in an environment variable (${NAME} or url_env)"
                )


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every secret value replaced by ``***``."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _instantiate(url: str):
    import apprise

    return apprise.Apprise.instantiate(url, suppress_exceptions=True)


class AppriseChannel(Channel):
    """Any of Apprise's 100+ services (Slack, Teams, Matrix, Telegram, ntfy, Discord, ...):
    a Markdown message per watch with title, link and each exchange, matched terms bold,
    trimmed to the service's size limit; delivery tracked per URL."""

    kind = "apprise"
    settings_class = AppriseSettings
    unit = ("notification", "notifications")
    grouped = True

    def targets(self) -> list[tuple[str, str]]:
        """(label, URL) per target; the label (the URL as written, ``${VAR}`` unexpanded, or
        ``$VAR[n]``) is what is printed, logged and recorded: never the secret."""
        out = [(url, expand(url)) for url in self.settings.urls]
        name = self.settings.url_env
        if name:
            if name not in os.environ:
                raise LookupError(f"environment variable {name} is not set")
            found = os.environ[name].split()
            out += [(f"${name}[{i}]", url) for i, url in enumerate(found, 1)]
        return out

    def secrets(self) -> list[str]:
        """The values taken from the environment: never printed, logged or stored."""
        names = [v for url in self.settings.urls for v in variables(url)]
        names += [self.settings.url_env] if self.settings.url_env else []
        values = [os.environ.get(n, "") for n in names]
        found = [v for v in values if len(v) >= 4]
        # A URL from url_env is a secret as a whole, and so is each part of it.
        parts = [p for v in found for p in re.split(r"[/:@?&=\s]+", v) if len(p) >= 6]
        return sorted(set(found + parts), key=len, reverse=True)

    def body(self, alerts: Sequence[Any], limit: int) -> str:
        if self.settings.body_max_chars:
            limit = min(limit, self.settings.body_max_chars) if limit else limit
            limit = limit or self.settings.body_max_chars
        return render_markdown(alerts, self.max_chars, limit)

    def send(self, alerts: Sequence[Any]) -> str:
        import apprise

        targets = self.targets()
        sent: list[int] = []
        progress: dict[int, list[str]] = {}
        failures: list[str] = []
        answers: list[str] = []
        for label, url in targets:
            owed = [a for a in alerts if label not in (getattr(a, "delivered_to", ()) or ())]
            if not owed:
                continue
            target = _instantiate(url)
            if target is None:
                failures.append(f"{label}: not an Apprise URL")
                continue
            client = apprise.Apprise()
            client.add(target)
            result = client.notify(
                body=self.body(owed, target.body_maxlen or 0),
                title=subject(owed)[: target.title_maxlen or None],
                body_format=apprise.NotifyFormat.MARKDOWN,
                timeout=self.settings.timeout_seconds,
            )
            said = "; ".join(e.message for e in result.logs()) if hasattr(result, "logs") else ""
            said = scrub(said, self.secrets())
            if result:
                answers.append(f"{label}: delivered{' (' + said + ')' if said else ''}")
                for a in owed:
                    progress.setdefault(a.id, []).append(label)
            else:
                failures.append(f"{label}: {said or 'not delivered'}")
        labels = [label for label, _ in targets]
        for alert in alerts:
            done = set(getattr(alert, "delivered_to", ()) or ()) | set(progress.get(alert.id, []))
            if all(label in done for label in labels):
                sent.append(alert.id)
                progress.pop(alert.id, None)
        if failures:
            raise PartialDelivery("; ".join(failures), sent, progress)
        return "; ".join(answers) or "nothing owed"

    def preview(self, alerts: Sequence[Any]) -> str:
        limit = self.settings.body_max_chars
        return f"{subject(alerts)}\n\n{render_markdown(alerts, self.max_chars, limit)}"
