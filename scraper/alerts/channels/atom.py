"""The ``atom`` channel: an Atom 1.0 file per watch (or one for all) that any web server or
feed reader can follow, written atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from scraper.alerts.channels import Channel, ChannelSettings, setting
from scraper.alerts.render import one_line, published, render_html, web_url
from scraper.atom import ATOM_NS, AtomEntry, render_feed
from scraper.errors import ConfigError

_NS = {"a": ATOM_NS}


@dataclass(frozen=True)
class AtomSettings(ChannelSettings):
    kind: ClassVar[str] = "atom"
    path: str = setting("", "Folder of the feeds: <watch>.atom per watch, or alerts.atom.")
    per_watch: bool = setting(True, "One file per watch; false: one file (alerts.atom) for all.")
    max_entries: int = setting(200, "Entries kept per file, newest first; older ones drop off.")

    def check(self, where: str) -> None:
        if self.enabled and not self.path.strip():
            raise ConfigError(f"{where}.path: an enabled atom channel needs a folder")
        if self.max_entries < 1:
            raise ConfigError(f"{where}.max_entries: expected at least 1")


def file_name(watch: str) -> str:
    """A safe file name for a watch's feed (no path separators, no hidden files)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", watch).lstrip(".") or "_"


def own_file_name(watch: str) -> str:
    """The file name of a watch whose :func:`file_name` is already another watch's feed
    ("iran sanctions" and "iran/sanctions" are both ``iran_sanctions``): that name, then
    ``~`` (which :func:`file_name` never gives) and a digest of the whole watch name."""
    digest = hashlib.sha256(watch.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{file_name(watch)}~{digest}"


def feed_id(path: Path) -> str | None:
    """The ``<id>`` of a feed file (its first: the feed's own); None without a readable one."""
    try:
        for _event, node in ET.iterparse(path, events=("end",)):
            if node.tag == f"{{{ATOM_NS}}}id":
                return node.text or ""
    except (OSError, ET.ParseError):
        return None
    return None


def entry_for(alert: Any, max_chars: int) -> AtomEntry:
    p = alert.payload
    created = alert.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    body = render_html([alert], max_chars)
    body = body.removeprefix("<html><body>\n").removesuffix("\n</body></html>")
    if p["type"] == "notice":
        title, link, summary = f"Operator notice: {one_line(p['text'], 120)}", None, p["text"]
    else:
        b = p["briefing"]
        update = " (updated passage)" if p.get("update") else ""
        title = f"{p['watch']}: {b['title']}{update}"
        link = web_url(b["url"])
        summary = f"Matched {', '.join(p['terms'])} in {b['title']} ({published(b)})"
    return AtomEntry(
        id=f"urn:briefwatch:alert:{hashlib.sha256(alert.key.encode()).hexdigest()[:32]}",
        title=one_line(title, 300),
        updated=created,
        link=link,
        summary=summary,
        content_html=body,
    )


def read_entries(path: Path) -> list[AtomEntry]:
    """The entries of a feed this channel wrote (an unreadable file starts afresh)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return []
    out = []
    for node in root.findall("a:entry", _NS):
        link = node.find("a:link[@rel='alternate']", _NS)
        content = node.find("a:content", _NS)
        try:
            updated = dt.datetime.fromisoformat(node.findtext("a:updated", "", _NS))
        except ValueError:
            continue
        out.append(
            AtomEntry(
                id=node.findtext("a:id", "", _NS),
                title=node.findtext("a:title", "", _NS),
                updated=updated,
                link=link.get("href") if link is not None else None,
                summary=node.findtext("a:summary", "", _NS),
                content_html=content.text if content is not None else None,
                author=node.findtext("a:author/a:name", None, _NS),
            )
        )
    return out


def write_atomically(path: Path, text: str) -> None:
    """Temp file in the same folder, fsync, rename over: a reader sees the old file or the
    new one, never half of one."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class AtomChannel(Channel):
    """Keeps an Atom 1.0 file per watch (or one for all) in a folder, newest entries first,
    bounded, written atomically: any web server or feed reader can follow the alerts."""

    kind = "atom"
    settings_class = AtomSettings
    unit = ("feed entry", "feed entries")

    def feed_urn(self, watch: str) -> str:
        return f"urn:briefwatch:feed:{self.name}:{watch or 'all'}"

    def path_for(self, watch: str) -> Path:
        """The watch's feed: ``<watch>.atom`` (made safe by :func:`file_name`) unless that
        file is another watch's feed (its ``<id>`` says whose), then :func:`own_file_name`.
        The first to write a file keeps it, so every feed keeps its file from run to run."""
        folder = Path(self.settings.path).expanduser()
        if not self.settings.per_watch:
            return folder / "alerts.atom"
        plain = folder / f"{file_name(watch)}.atom"
        owner = feed_id(plain)
        if owner is None or owner.endswith(f":{watch}"):
            return plain
        return folder / f"{own_file_name(watch)}.atom"

    def send(self, alerts: Sequence[Any]) -> str:
        by_watch: dict[str, list[Any]] = {}
        for alert in alerts:
            by_watch.setdefault(alert.watch if self.settings.per_watch else "", []).append(alert)
        answers = []
        for watch, group in by_watch.items():
            path = self.path_for(watch)  # after the feeds written before it in this send
            path.parent.mkdir(parents=True, exist_ok=True)
            new = [entry_for(a, self.max_chars) for a in group]
            fresh = {e.id for e in new}  # the same alert sent again replaces its entry
            entries = new + [e for e in read_entries(path) if e.id not in fresh]
            entries.sort(key=lambda e: _aware(e.updated), reverse=True)
            entries = entries[: self.settings.max_entries]
            write_atomically(
                path,
                render_feed(
                    feed_id=self.feed_urn(watch),
                    title=f"briefwatch: {watch}" if watch else "briefwatch alerts",
                    entries=entries,
                ),
            )
            answers.append(f"{path} ({len(entries)} entries)")
        return "wrote " + ", ".join(answers)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
