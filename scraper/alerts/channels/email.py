"""The ``email`` channel: SMTP with STARTTLS, implicit TLS or a plain local relay."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from scraper.alerts.channels import Channel, ChannelSettings, PartialDelivery, setting
from scraper.alerts.render import render_html, render_text, subject
from scraper.errors import ConfigError

if TYPE_CHECKING:  # smtplib, ssl and email load when a message is made (not for configuration)
    import smtplib
    from email.message import EmailMessage


@dataclass(frozen=True)
class EmailSettings(ChannelSettings):
    kind: ClassVar[str] = "email"
    host: str = setting("localhost", "SMTP server.")
    port: int = setting(587, "587 for starttls, 465 for ssl, 25 for a local relay.")
    security: str = setting(
        "starttls", '"starttls", "ssl" (implicit TLS) or "none" (only for a relay on this machine).'
    )
    username: str = setting("", "Login name; empty: no login.")
    password_env: str = setting(
        "BRIEFWATCH_SMTP_PASSWORD",
        "Name of the environment variable that holds the SMTP password (never the password).",
    )
    sender: str = setting("briefwatch@localhost", "From: address.")
    recipients: tuple[str, ...] = setting((), "To: addresses; an enabled email channel needs one.")
    timeout_seconds: float = setting(
        30.0, "Seconds before an unanswering SMTP server counts as a failure (stays queued)."
    )
    data_timeout_seconds: float = setting(
        600.0,
        "Seconds to wait for the answer once the message is sent (RFC 5321: 10 minutes).",
    )
    ca_file: str = setting("", "Extra certificate authorities to trust (a PEM file); empty: none.")

    def check(self, where: str) -> None:
        if self.security not in ("starttls", "ssl", "none"):
            raise ConfigError(f"{where}.security: expected starttls, ssl or none")
        if not 0 < self.port < 65536:
            raise ConfigError(f"{where}.port: expected 1-65535")
        for name in ("timeout_seconds", "data_timeout_seconds"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(f"{where}.{name}: expected a positive number")
        for address in (self.sender, *self.recipients):
            if not re.fullmatch(r"[^@\s<>,]+@[^@\s<>,]+", address):
                raise ConfigError(f"{where}: not an email address: {address!r}")
        if self.enabled and not self.recipients:
            raise ConfigError(f"{where}.recipients: an enabled email channel needs recipients")


class EmailChannel(Channel):
    """SMTP with STARTTLS, implicit TLS or a local relay; plain-text and HTML parts, one
    message per watch; delivery tracked per recipient."""

    kind = "email"
    settings_class = EmailSettings
    unit = ("email", "emails")
    grouped = True

    def message(self, alerts: Sequence[Any]) -> EmailMessage:
        from email.message import EmailMessage
        from email.utils import format_datetime

        s = self.settings
        msg = EmailMessage()
        msg["Subject"] = subject(alerts)  # one_line(): no CR/LF can reach a header
        msg["From"] = s.sender
        msg["To"] = ", ".join(s.recipients)
        msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        msg["Message-ID"] = message_id(alerts)
        digest = s.mode == "digest"  # a compact summary, not the exchanges in full
        msg.set_content(render_text(alerts, self.max_chars, digest))
        msg.add_alternative(render_html(alerts, self.max_chars, digest), subtype="html")
        return msg

    def send(self, alerts: Sequence[Any]) -> str:
        """Send to every recipient each alert still owes; a recipient the server refuses is
        reported and retried later, while the others are recorded as delivered."""
        s = self.settings
        password = None
        if s.username:
            password = os.environ.get(s.password_env)
            if password is None:
                raise RuntimeError(f"environment variable {s.password_env} is not set")
        # Alerts grouped by the recipients they still owe (all of them, unless a retry).
        owed: dict[tuple[str, ...], list[Any]] = {}
        for alert in alerts:
            done = set(getattr(alert, "delivered_to", ()) or ())
            todo = tuple(r for r in s.recipients if r not in done)
            owed.setdefault(todo, []).append(alert)
        sent_ids: list[int] = []
        progress: dict[int, list[str]] = {}
        refused: dict[str, str] = {}
        answers: list[str] = []
        try:
            with self._connect(password) as client:
                for todo, group in owed.items():
                    if not todo:  # every recipient had it already
                        sent_ids += [a.id for a in group]
                        continue
                    accepted, refusals, answer = self._transaction(
                        client, self.message(group), todo
                    )
                    answers.append(answer)
                    refused.update(refusals)
                    for alert in group:
                        if refusals:
                            progress[alert.id] = accepted
                        else:
                            sent_ids.append(alert.id)
        except Exception as exc:
            if sent_ids or progress:
                raise PartialDelivery(f"{type(exc).__name__}: {exc}", sent_ids, progress) from exc
            raise
        if refused:
            who = "; ".join(f"{r} ({why})" for r, why in sorted(refused.items()))
            raise PartialDelivery(f"recipient(s) refused by the server: {who}", sent_ids, progress)
        return "; ".join(answers) or "nothing owed"

    def _connect(self, password: str | None) -> smtplib.SMTP:
        import smtplib
        import ssl

        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file or None)
        client: smtplib.SMTP
        if s.security == "ssl":
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        try:
            if s.security == "starttls":
                client.starttls(context=context)
            if s.username:
                client.login(s.username, password or "")
        except BaseException:
            client.close()
            raise
        return client

    def _transaction(
        self, client: smtplib.SMTP, msg: EmailMessage, recipients: Sequence[str]
    ) -> tuple[list[str], dict[str, str], str]:
        """MAIL, RCPT per recipient, DATA; returns (accepted, refused with the server's
        answer, the answer to DATA). The end of DATA gets ``data_timeout_seconds`` (RFC 5321
        allows the server 10 minutes there): a late answer is an answer, not a failure to
        retry, since a retry would deliver the message a second time."""
        import smtplib
        from email.generator import BytesGenerator

        client.ehlo_or_helo_if_needed()
        code, answer = client.mail(self.settings.sender)
        if code != 250:
            client.rset()
            raise smtplib.SMTPSenderRefused(code, answer, self.settings.sender)
        accepted: list[str] = []
        refused: dict[str, str] = {}
        for recipient in recipients:
            code, answer = client.rcpt(recipient)
            if code in (250, 251):
                accepted.append(recipient)
            else:
                refused[recipient] = f"{code} {_text(answer)}"
        if not accepted:
            client.rset()
            return [], refused, ""
        with io.BytesIO() as buffer:
            BytesGenerator(buffer, policy=_wire(msg)).flatten(msg)
            body = buffer.getvalue()
        assert client.sock is not None  # connected by _connect
        client.sock.settimeout(
            max(self.settings.data_timeout_seconds, self.settings.timeout_seconds)
        )
        try:
            code, answer = client.data(body)
        finally:
            if client.sock is not None:
                client.sock.settimeout(self.settings.timeout_seconds)
        if code != 250:
            raise smtplib.SMTPDataError(code, answer)
        return accepted, refused, f"{code} {_text(answer)}"

    def preview(self, alerts: Sequence[Any]) -> str:
        msg = self.message(alerts)
        return msg.as_string(policy=_wire(msg).clone(linesep="\n"))


def message_id(alerts: Sequence[Any]) -> str:
    """Derived from the alert keys only: the same alerts always carry the same Message-ID, so a
    message re-sent after a kill mid-send can be recognised as the same message."""
    digest = hashlib.sha256("\n".join(sorted(a.key for a in alerts)).encode()).hexdigest()[:32]
    return f"<{digest}.alert@briefwatch>"


def _wire(msg: EmailMessage):
    """The policy a message is sent with. Headers fold only past RFC 5322's 998-character
    limit: Python's folding at 78 leaves a doubled space before an encoded word (the subject
    of a briefing with an en dash read back as "Briefing  – July 6"); a subject is at most
    200 characters anyway."""
    return msg.policy.clone(linesep="\r\n", max_line_length=998)


def _text(answer: bytes | str) -> str:
    text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)
    return " ".join(text.split())
