"""The ``jsonl`` channel: one JSON object per alert appended to a file, for desk tooling."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scraper.alerts.channels import Channel


class JsonlChannel(Channel):
    """Appends each alert as one JSON line (fsynced) to ``path``."""

    kind = "jsonl"

    @property
    def path(self) -> Path:
        if self.settings.path:
            return Path(self.settings.path).expanduser()
        from scraper.config import default_sqlite_path

        return default_sqlite_path().with_name("alerts.jsonl")

    def _written_keys(self) -> set[str]:
        """Keys already in the file: a sender killed between writing and recording the
        delivery must not write them twice when the alert is sent again."""
        if not self.path.exists():
            return set()
        keys = set()
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    keys.add(json.loads(line).get("key"))
                except (ValueError, AttributeError):
                    continue  # a line cut short by a crash: its alert is still unsent
        return keys

    def send(self, alerts: Sequence[Any]) -> None:
        written = self._written_keys()
        alerts = [a for a in alerts if a.key not in written]
        if not alerts:
            return
        lines = [
            json.dumps(
                {"id": a.id, "key": a.key, "created_at": a.created_at.isoformat(), **a.payload},
                ensure_ascii=False,
            )
            for a in alerts
        ]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))
            fh.flush()
            os.fsync(fh.fileno())
