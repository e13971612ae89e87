"""Which URLs a crawl may fetch or store: pure rules, no Scrapy.

A source's crawl stays on its own site. A URL is allowed only when it is ``http`` or
``https`` and its origin (scheme, host, port) is the origin of one of the source's
configured URLs (feeds, listing, sitemap), or its host is one of the source's own known
domains on the scheme's default port. Everything else (``file:``, ``data:``, ``ftp:``,
``javascript:``, another host, another port, ``localhost`` for ``127.0.0.1``, credentials
in the URL, a malformed URL) is refused. The rule is an allow-list compared exactly:
no suffix matching, so ``www.state.gov.example.com`` and ``evilstate.gov`` are refused.

>>> policy = UrlPolicy.of(["https://www.state.gov/feed/"], domains=["2021-2025.state.gov"])
>>> policy.refusal("https://www.state.gov/briefings/x/") is None
True
>>> policy.refusal("file:///etc/passwd")
"scheme 'file' is not http(s)"
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]  # scheme, host, port


def origin(url: str) -> Origin:
    """The (scheme, host, port) of an http(s) URL; ``ValueError`` says why it has none."""
    if any(c.isspace() or ord(c) < 32 or c == "\\" for c in url):
        raise ValueError("control character, space or backslash in the URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("malformed URL") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"scheme {scheme or '(none)'!r} is not http(s)")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValueError("credentials in the URL")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValueError("no host")
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


@dataclass(frozen=True)
class UrlPolicy:
    """The origins one source's crawl may reach (see the module docstring)."""

    origins: frozenset[Origin]

    @classmethod
    def of(cls, urls: Iterable[str], domains: Iterable[str] = ()) -> UrlPolicy:
        """Allow the origins of ``urls`` (unusable ones are skipped) and, on http and https
        with their default ports, every host in ``domains``."""
        allowed: set[Origin] = set()
        for url in urls:
            try:
                allowed.add(origin(url))
            except ValueError:
                continue
        for domain in domains:
            host = domain.lower().rstrip(".")
            allowed |= {(scheme, host, port) for scheme, port in DEFAULT_PORTS.items()}
        return cls(frozenset(allowed))

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be fetched or stored, or None when it may."""
        try:
            found = origin(url)
        except ValueError as exc:
            return str(exc)
        if found not in self.origins:
            scheme, host, port = found
            return f"{scheme}://{host}:{port} is not one of the source's origins"
        return None

    def allows(self, url: str) -> bool:
        return self.refusal(url) is None
