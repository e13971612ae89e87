"""The ``email`` channel: SMTP with STARTTLS, implicit TLS or a plain local relay."""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from scraper.alerts.channels import Channel
from scraper.alerts.render import render_html, render_text, subject


class EmailChannel(Channel):
    """Sends one message (plain text and HTML parts) per group of alerts."""

    kind = "email"

    def message(self, alerts: Sequence[Any]) -> EmailMessage:
        s = self.settings
        msg = EmailMessage()
        msg["Subject"] = subject(alerts)  # one_line(): no CR/LF can reach a header
        msg["From"] = s.sender
        msg["To"] = ", ".join(s.recipients)
        msg["Date"] = formatdate(localtime=False)
        # Stable per group: a re-sent message (after a crash mid-send) can be deduplicated.
        digest = hashlib.sha256("|".join(a.key for a in alerts).encode()).hexdigest()[:24]
        msg["Message-ID"] = make_msgid(idstring=digest, domain="briefwatch")
        msg.set_content(render_text(alerts, self.max_chars))
        msg.add_alternative(render_html(alerts, self.max_chars), subtype="html")
        return msg

    def send(self, alerts: Sequence[Any]) -> None:
        s = self.settings
        password = None
        if s.username:
            password = os.environ.get(s.password_env)
            if password is None:
                raise RuntimeError(f"environment variable {s.password_env} is not set")
        context = ssl.create_default_context(cafile=s.ca_file or None)
        if s.security == "ssl":
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        with client:
            if s.security == "starttls":
                client.starttls(context=context)
            if s.username:
                client.login(s.username, password)
            client.send_message(self.message(alerts))

    def preview(self, alerts: Sequence[Any]) -> str:
        return self.message(alerts).as_string()
