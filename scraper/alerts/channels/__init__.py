"""Alert channels: one small class per kind, registered by subclassing :class:`Channel`.

Example, a channel that prints (register it by importing its module here)::

    class PrintChannel(Channel):
        \"\"\"Prints each message to standard output.\"\"\"

        kind = "print"

        def send(self, alerts):
            print(render_text(alerts, self.max_chars))

Configuration decides which channels run; one failing never stops the others (the outbox
keeps its alerts pending and retries them with backoff).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from scraper.alerts.render import render_text

CHANNELS: dict[str, type[Channel]] = {}


class PartialDelivery(Exception):
    """Some alerts (or some recipients of them) were delivered, the rest failed.

    ``sent_ids``: alerts delivered in full; ``progress``: alert id -> recipients (targets)
    it reached this time, for alerts still owed to others. The message says what failed.
    """

    def __init__(
        self,
        message: str,
        sent_ids: Sequence[int] = (),
        progress: dict[int, list[str]] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.sent_ids = list(sent_ids)
        self.progress = progress or {}
        self.retry_after = retry_after


class RetryLater(Exception):
    """A temporary failure with the service's own idea of when to try again (Retry-After)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """The service refused the alert itself (e.g. HTTP 400): retrying cannot help. The alert is
    given up and reported once; ``alerts retry`` revives it."""


class Channel:
    """Delivers groups of alerts. ``send`` raises on failure; nothing is retried inside."""

    kind: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        CHANNELS[cls.kind] = cls

    def __init__(self, settings: Any, max_chars: int) -> None:
        self.settings = settings
        self.max_chars = max_chars

    def send(self, alerts: Sequence[Any]) -> None:
        raise NotImplementedError

    def preview(self, alerts: Sequence[Any]) -> str:
        """What :meth:`send` would deliver, for dry runs."""
        return render_text(alerts, self.max_chars)


from scraper.alerts.channels import email, jsonl, log  # noqa: E402,F401  (registration)
