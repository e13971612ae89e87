"""Hide credentials in URLs and in free text that holds URLs, before printing, logging or
storing them. A leaf module: it imports nothing of the project, so everything can use it.

What is masked: the password of a URL's user information (``user:secret@``, ``:secret@``,
also when the URL is malformed, e.g. a password with an unencoded ``/``), and the value of
any parameter whose name ends in password, passwd, pwd, pass, secret, token, key, sig or
signature (``?password=...``, ``&api_key=...``, a webhook's ``?sig=...``, libpq's
``password=... host=...``). A user name alone
is kept, as SQLAlchemy shows it, and so is a password written as a ``${VAR}`` reference to
the environment (the configuration's way of naming a secret without holding it).

>>> mask_url("postgresql+psycopg://app:s3cret@db/briefwatch?sslpassword=x")
'postgresql+psycopg://app:***@db/briefwatch?sslpassword=***'
>>> mask_text("cannot open 'postgresql://:pw@db/x': refused")
"cannot open 'postgresql://:***@db/x': refused"
"""

from __future__ import annotations

import logging
import re

MASK = "***"
# A ``${VAR}`` reference to an environment variable names a secret without holding it.
_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")

_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<rest>[^\s'\"<>`]*)")
_SECRET_PARAM = re.compile(
    r"(?P<name>(?<![\w.-])[\w.-]*(?:password|passwd|pwd|pass|secret|token|key|sig|signature))"
    r"(?P<sep>\s*=\s*|%3[dD])(?P<value>[^&;\s'\"<>`]*)",
    re.IGNORECASE,
)


def _mask_authority(match: re.Match[str]) -> str:
    scheme, rest = match.group("scheme"), match.group("rest")
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    netloc = rest[:end]
    if "@" in netloc:
        cut = netloc.rindex("@")
    elif ":" in netloc and not netloc.split(":", 1)[1].isdigit() and "@" in rest[end:]:
        cut = rest.rindex("@")  # a malformed URL: a password holding "/", "?" or "#"
    else:
        return match.group(0)
    userinfo = rest[:cut]
    if ":" in userinfo and not _REFERENCE.fullmatch(userinfo.split(":", 1)[1]):
        userinfo = userinfo.split(":", 1)[0] + ":" + MASK
    return scheme + userinfo + rest[cut:]


def mask_text(text: str) -> str:
    """``text`` with the credentials of every URL in it (and secret parameters) masked."""
    if not text:
        return text
    text = _URL.sub(_mask_authority, text)
    return _SECRET_PARAM.sub(
        lambda m: m.group("name") + m.group("sep") + (MASK if m.group("value") else ""), text
    )


def mask_url(url: str) -> str:
    """One URL with its password and secret parameters masked (malformed URLs too)."""
    return mask_text(url)


class MaskingFilter(logging.Filter):
    """A log handler filter that masks credentials in every record it lets through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
