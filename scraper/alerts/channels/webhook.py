"""The ``webhook`` channel: each alert POSTed as JSON (the jsonl document), signed."""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import math
import os
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast
from urllib.parse import urlsplit

from scraper.alerts.channels import (
    Channel,
    ChannelSettings,
    PartialDelivery,
    PermanentFailure,
    RetryLater,
    setting,
)
from scraper.alerts.channels.jsonl import document
from scraper.alerts.secrets import expand, mask_url
from scraper.errors import ConfigError

USER_AGENT = "briefwatch-webhook/1"


@dataclass(frozen=True)
class WebhookSettings(ChannelSettings):
    kind: ClassVar[str] = "webhook"
    url: str = setting(
        "",
        "http(s) URL that receives one POST per alert; a secret part of it is written as "
        "${ENV_VAR} and read from the environment.",
    )
    secret_env: str = setting(
        "",
        "Environment variable holding the HMAC-SHA256 key; the signature goes in the "
        "signature header as sha256=<hex> over the body. Empty: unsigned.",
    )
    signature_header: str = setting("X-Briefwatch-Signature", "Header carrying the signature.")
    idempotency_header: str = setting(
        "Idempotency-Key", "Header carrying the alert key: the same alert, the same key."
    )
    timeout_seconds: float = setting(10.0, "Seconds before an unanswering receiver is retried.")

    def check(self, where: str) -> None:
        parts = urlsplit(self.url)
        whole = self.url.startswith("${")  # the whole URL from the environment
        if (
            self.enabled
            and not whole
            and (parts.scheme not in ("http", "https") or not parts.netloc)
        ):
            raise ConfigError(f"{where}.url: expected an http(s) URL")
        if not (math.isfinite(self.timeout_seconds) and self.timeout_seconds > 0):
            raise ConfigError(f"{where}.timeout_seconds: expected a positive number")
        for name in ("signature_header", "idempotency_header"):
            if not all(c.isalnum() or c == "-" for c in getattr(self, name)):
                raise ConfigError(f"{where}.{name}: expected a header name")

    def public(self) -> dict[str, Any]:
        return {**super().public(), "url": mask_url(self.url)}


def signature(secret: bytes, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class WebhookChannel(Channel):
    """POSTs each alert as JSON (the jsonl document) to a URL, signed with HMAC-SHA256 from
    a secret in the environment, with the alert key as idempotency key; 2xx delivered, 4xx
    (but 408/429) given up, 5xx/408/429/timeouts retried honouring Retry-After."""

    kind = "webhook"
    settings_class = WebhookSettings
    unit = ("webhook post", "webhook posts")

    def _secret(self) -> bytes | None:
        name = self.settings.secret_env
        if not name:
            return None
        value = os.environ.get(name)
        if value is None:
            raise RuntimeError(f"environment variable {name} is not set")
        return value.encode("utf-8")

    def request(self, alert: Any, secret: bytes | None) -> urllib.request.Request:
        s = self.settings
        body = json.dumps(document(alert), ensure_ascii=False).encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            s.idempotency_header: alert.key,
        }
        if secret is not None:
            headers[s.signature_header] = signature(secret, body)
        url = expand(s.url)
        if urlsplit(url).scheme not in ("http", "https"):
            raise RuntimeError(f"{mask_url(s.url)}: not an http(s) URL once expanded")
        return urllib.request.Request(url, data=body, headers=headers, method="POST")

    def request_unexpanded(self, alert: Any) -> urllib.request.Request:
        """The request as a dry run shows it: the body, no secret resolved."""
        body = json.dumps(document(alert), ensure_ascii=False).encode("utf-8")
        return urllib.request.Request("http://preview/", data=body, method="POST")

    def send(self, alerts: Sequence[Any]) -> str:
        """One POST per alert, in order. A refused alert (4xx) is given up and the others go
        on; a temporary failure stops the group (the rest is retried with backoff)."""
        secret = self._secret()
        sent: list[int] = []
        refused: list[int] = []
        answers: list[str] = []
        problems: list[str] = []
        wait = None
        for alert in alerts:
            try:
                answers.append(self._post(self.request(alert, secret)))
            except PermanentFailure as exc:
                refused.append(alert.id)
                problems.append(f"alert {alert.id}: {exc} (given up)")
                continue
            except RetryLater as exc:
                problems.append(str(exc))
                wait = exc.retry_after
                break
            sent.append(alert.id)
        if refused and not sent and wait is None and len(refused) == len(alerts):
            raise PermanentFailure("; ".join(problems))
        if problems:
            raise PartialDelivery("; ".join(problems), sent, None, wait, refused)
        return "; ".join(answers)

    def _post(self, request: urllib.request.Request) -> str:
        where = mask_url(self.settings.url)
        try:
            with _OPENER.open(request, timeout=self.settings.timeout_seconds) as response:
                return f"HTTP {response.status} {_peek(response)}".strip()
        except urllib.error.HTTPError as exc:
            status, answer = exc.code, _peek(exc)
            wait = retry_after_seconds(exc.headers.get("Retry-After"))
            exc.close()
            message = f"{where} answered HTTP {status} {answer}".strip()
            if status < 500 and status not in (408, 429):  # 3xx, 4xx: a retry cannot help
                raise PermanentFailure(message) from None
            raise RetryLater(message, wait) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RetryLater(f"{where}: {type(reason).__name__}: {reason}") from None

    def preview(self, alerts: Sequence[Any]) -> str:
        out = []
        for alert in alerts:
            r = self.request_unexpanded(alert)
            out.append(f"POST {mask_url(self.settings.url)} {self.settings.idempotency_header}: ")
            out[-1] += f"{alert.key}\n{cast(bytes, r.data).decode('utf-8')}"
        return "\n".join(out) + "\n"


def _peek(response: Any) -> str:
    """The first 200 characters of an answer's body, on one line."""
    try:
        text = response.read(2000).decode("utf-8", "replace")
    except OSError:
        return ""
    return " ".join(text.split())[:200]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to report, not a place to send the alert (and its signature)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: PLR0913
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)
