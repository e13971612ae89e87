"""Alert channels: one small class per kind, registered by subclassing :class:`Channel`.

A channel module declares everything about its kind: the settings (a frozen dataclass whose
fields are the configuration keys, with their defaults, a ``doc`` for each and a ``validate``
method) and the class that sends. ``config check``, ``config.toml`` and the README's channel
table are derived from or tested against these declarations.

Example, a channel that prints (register it by adding its kind, the module's name, to
:data:`KINDS`)::

    @dataclass(frozen=True)
    class PrintSettings(ChannelSettings):
        kind: ClassVar[str] = "print"
        prefix: str = setting("", "Printed before each message.")


    class PrintChannel(Channel):
        \"\"\"Prints each message to standard output.\"\"\"

        kind = "print"
        settings_class = PrintSettings

        def send(self, alerts):
            print(self.settings.prefix + render_text(alerts, self.max_chars))
            return "printed"

Configuration decides which channels run (several instances of one kind may, each under its
own name); one failing never stops the others (the outbox keeps its alerts pending and
retries them with backoff).
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from scraper.alerts.render import render_text
from scraper.errors import ConfigError

#: Every kind of channel: each is the module ``scraper.alerts.channels.<kind>``.
KINDS = ("apprise", "atom", "email", "jsonl", "log", "webhook")
MODES = ("immediate", "digest")


class ChannelRegistry(Mapping[str, "type[Channel]"]):
    """The channel classes by kind. A kind's module is imported on its first lookup, so a
    configuration that uses no webhook never imports ``urllib.request`` (nor ``xml`` for atom)."""

    def __init__(self, kinds: Sequence[str]) -> None:
        self._kinds = tuple(kinds)
        self._classes: dict[str, type[Channel]] = {}

    def register(self, cls: type[Channel]) -> None:
        """Record ``cls`` under its kind (done by :meth:`Channel.__init_subclass__`)."""
        self._classes[cls.kind] = cls

    def __getitem__(self, kind: str) -> type[Channel]:
        if kind not in self._classes and kind in self._kinds:
            importlib.import_module(f"{__name__}.{kind}")
        return self._classes[kind]

    def _all(self) -> tuple[str, ...]:
        """The listed kinds, then any class registered from elsewhere (a test, a plugin)."""
        return (*self._kinds, *(kind for kind in self._classes if kind not in self._kinds))

    def __contains__(self, kind: object) -> bool:
        return kind in self._kinds or kind in self._classes

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


CHANNELS = ChannelRegistry(KINDS)


def setting(default: Any, doc: str) -> Any:
    """A configuration key of a channel: its default and its one-line documentation."""
    if isinstance(default, list | tuple):
        return dataclasses.field(default=tuple(default), metadata={"doc": doc})
    return dataclasses.field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class ChannelSettings:
    """Keys every channel has."""

    kind: ClassVar[str] = ""
    enabled: bool = setting(False, "Deliver through this channel at all.")
    mode: str = setting(
        "immediate",
        '"immediate" (one message per watch and run) or "digest" (a summary at digest_times).',
    )

    def validate(self, where: str) -> None:
        if self.mode not in MODES:
            raise ConfigError(f"{where}.mode: expected one of {', '.join(MODES)}")
        self.check(where)

    def check(self, where: str) -> None:
        """Kind-specific validation: raise ConfigError naming the key."""

    @classmethod
    def declared_keys(cls) -> list[tuple[str, Any, str]]:
        """(key, default, documentation) of every configuration key, in order."""
        return [(f.name, f.default, f.metadata.get("doc", "")) for f in dataclasses.fields(cls)]

    def public(self) -> dict[str, Any]:
        """The settings as ``config check`` prints them (secrets never appear: they are
        named by environment variable, and URLs have their credentials masked)."""
        return {"kind": self.kind, **dataclasses.asdict(self)}


class PartialDelivery(Exception):
    """Some alerts (or some recipients of them) were delivered, the rest failed.

    ``sent_ids``: alerts delivered in full; ``progress``: alert id -> recipients (targets)
    it reached this time, for alerts still owed to others; ``given_up_ids``: alerts the
    service refused for good. The message says what failed.
    """

    def __init__(
        self,
        message: str,
        sent_ids: Sequence[int] = (),
        progress: dict[int, list[str]] | None = None,
        retry_after: float | None = None,
        given_up_ids: Sequence[int] = (),
    ) -> None:
        super().__init__(message)
        self.sent_ids = list(sent_ids)
        self.progress = progress or {}
        self.retry_after = retry_after
        self.given_up_ids = list(given_up_ids)


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
    settings_class: ClassVar[type[ChannelSettings]]
    #: What one delivered item is called, singular and plural ("3 emails", "27 jsonl lines").
    unit: ClassVar[tuple[str, str]] = ("message", "messages")
    #: One item per group of alerts (a message per watch), rather than one per alert.
    grouped: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        CHANNELS.register(cls)

    def __init__(self, settings: Any, max_chars: int, name: str = "") -> None:
        self.settings = settings
        self.max_chars = max_chars
        self.name = name or self.kind

    def send(self, alerts: Sequence[Any]) -> str | None:
        """Deliver ``alerts``; return what the service answered (shown by ``send-test``)."""
        raise NotImplementedError

    def preview(self, alerts: Sequence[Any]) -> str:
        """What :meth:`send` would deliver, for dry runs."""
        return render_text(alerts, self.max_chars)
