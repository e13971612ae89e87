"""A real SMTP server on 127.0.0.1 (aiosmtpd), optionally with STARTTLS and AUTH."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """Keeps every message. ``refuse``: recipients answered 550 at RCPT; ``data_delay``:
    seconds the server takes (after storing the message) before it answers DATA."""

    def __init__(self, refuse: tuple[str, ...] = (), data_delay: float = 0.0) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list = []
        self.refuse = set(refuse)
        self.data_delay = data_delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return "250 OK"


def authenticator(user: str, password: str):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (user, password)
        # handled=False on failure makes aiosmtpd answer 535 instead of leaving the client hanging.
        return AuthResult(success=True) if ok else AuthResult(success=False, handled=False)

    return check


def start(
    port: int | None = None,
    refuse: tuple[str, ...] = (),
    data_delay: float = 0.0,
    **kwargs,
) -> tuple[Controller, Inbox]:
    inbox = Inbox(refuse, data_delay)
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port(), **kwargs)
    controller.start()
    return controller, inbox


def self_signed(tmp: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 and the certificate file a client must trust."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file
