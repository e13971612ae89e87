"""The ``jsonl`` channel: one JSON object per alert appended to a file, for desk tooling."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from scraper.alerts.channels import Channel, ChannelSettings, setting


@dataclass(frozen=True)
class JsonlSettings(ChannelSettings):
    kind: ClassVar[str] = "jsonl"
    path: str = setting(
        "", "File that gets one JSON object per alert; empty: alerts.jsonl beside the database."
    )


def repair_tail(fd: int) -> int:
    """Cut a torn last line (a write cut short by a full disk or a kill) back to the end of the
    last complete line, so the next line never merges with it. Returns the bytes removed."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return 0
    end, chunk = size, 64 * 1024
    while end > 0:
        start = max(0, end - chunk)
        newline = os.pread(fd, end - start, start).rfind(b"\n")
        if newline >= 0:
            keep = start + newline + 1
            break
        end = start
    else:
        keep = 0
    os.ftruncate(fd, keep)
    os.fsync(fd)
    return size - keep


def append_line(fd: int, line: bytes) -> None:
    """Append one whole line in one write (looping only over a short write), then fsync."""
    view = memoryview(line)
    while view:
        written = os.write(fd, view)
        view = view[written:]
    os.fsync(fd)


@dataclass
class KeysRead:
    """The keys of the alerts whose line reads back as JSON in one file, as far as it was read
    (``offset``: the end of the last whole line read, ``last_line``: that line)."""

    device: int
    inode: int
    offset: int = 0
    last_line: bytes = b""
    keys: set[str] = field(default_factory=set)

    def still_holds(self, fd: int, size: int) -> bool:
        """Whether the file under ``fd`` is the one read, grown at most (not cut, replaced
        or rewritten)."""
        st = os.fstat(fd)
        if (st.st_dev, st.st_ino) != (self.device, self.inode) or size < self.offset:
            return False
        n = len(self.last_line)
        return os.pread(fd, n, self.offset - n) == self.last_line

    def read_on(self, fd: int, size: int) -> None:
        """Read the whole lines between ``offset`` and ``size``; a torn or merged line counts
        as not delivered, so its alert is written again."""
        pos, rest = self.offset, b""
        while pos < size:
            chunk = os.pread(fd, min(1 << 20, size - pos), pos)
            if not chunk:
                break
            pos += len(chunk)
            *lines, rest = (rest + chunk).split(b"\n")
            for raw in lines:
                try:
                    key = json.loads(raw).get("key")
                except (ValueError, AttributeError):
                    key = None
                if isinstance(key, str):
                    self.keys.add(key)
            if lines:
                self.last_line = lines[-1] + b"\n"
                self.offset = pos - len(rest)


#: Per process and file: read whole once, then only what was appended since.
_READ: dict[Path, KeysRead] = {}


def readable_keys(fd: int, path: Path) -> set[str]:
    """Keys of the alerts whose line in the file (open as ``fd``) reads back as JSON. The first
    call in a process reads the file; later ones only what was appended since (all of it
    again if the file was cut, replaced or rewritten)."""
    size = os.fstat(fd).st_size
    read = _READ.get(path)
    if read is None or not read.still_holds(fd, size):
        st = os.fstat(fd)
        read = _READ[path] = KeysRead(st.st_dev, st.st_ino)
    read.read_on(fd, size)
    return read.keys


def document(alert: Any) -> dict[str, Any]:
    """The JSON document of one alert: a jsonl line, and the body a webhook receives."""
    return {"id": alert.id, "key": alert.key, "created_at": alert.created_at.isoformat()} | dict(
        alert.payload
    )


class JsonlChannel(Channel):
    """Appends one JSON object per alert to a file, for desk tooling: one write per line,
    fsynced; a torn line is cut back before the next."""

    kind = "jsonl"
    settings_class = JsonlSettings
    unit = ("jsonl line", "jsonl lines")

    @property
    def path(self) -> Path:
        if self.settings.path:
            return Path(self.settings.path).expanduser()
        from scraper.config import default_sqlite_path

        return default_sqlite_path().with_name("alerts.jsonl")

    def send(self, alerts: Sequence[Any]) -> str:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            repair_tail(fd)
            # Keys already in the file: a sender killed between writing and recording the
            # delivery must not write them twice when the alert is sent again.
            before = readable_keys(fd, self.path)
            written = set()
            for alert in alerts:
                if alert.key in before or alert.key in written:
                    continue
                line = json.dumps(document(alert), ensure_ascii=False) + "\n"
                try:
                    append_line(fd, line.encode("utf-8"))
                except OSError:
                    with contextlib.suppress(OSError):
                        repair_tail(fd)  # leave no torn line behind when the disk is full
                    raise
                written.add(alert.key)
            # What a reader sees is what counts: a line that does not read back is not
            # delivered. (Only what this call appended is read.)
            back = readable_keys(fd, self.path)
        finally:
            os.close(fd)
        missing = [a.key for a in alerts if a.key not in back]
        if missing:
            raise OSError(f"{len(missing)} line(s) did not read back from {self.path}")
        return f"{len(alerts)} line(s) in {self.path}"
