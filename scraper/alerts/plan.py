"""Turning watch hits into alert drafts: pure, so the same hits always give the same drafts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from scraper.model import AlertDraft, Briefing, Hit, MatchPayload, NoticePayload
from scraper.watch.config import WatchConfig

NOTICE_WATCH = "__operator__"


def draft_alerts(
    briefing: Briefing,
    hits: Iterable[Hit],
    watches: Mapping[str, WatchConfig],
    enabled_channels: Iterable[str],
) -> list[AlertDraft]:
    """One draft per hit, addressed to the watch's channels that are enabled."""
    from scraper.sources import publisher_name

    enabled = tuple(enabled_channels)
    publisher = publisher_name(briefing.source) if briefing.source else None
    turns = {t.ordinal: t for t in briefing.turns}
    drafts = []
    for hit in hits:
        watch = watches[hit.watch]
        channels = tuple(c for c in (watch.channels or enabled) if c in enabled)
        if not channels:
            continue
        shown = [turns[o] for o in hit.turns]
        passage = "\n".join(f"{t.speaker}: {t.text}" for t in shown)
        spans: dict[int, list[list[Any]]] = {}
        for m in hit.matches:
            spans.setdefault(m.turn, []).append([m.start, m.end, m.term])
        payload: MatchPayload = {
            "type": "match",
            "watch": hit.watch,
            "briefing": {
                "title": briefing.title,
                "url": briefing.url,
                "date": briefing.date.isoformat() if briefing.date else None,
                "kind": briefing.kind,
                "source": briefing.source,
                "publisher": publisher,
            },
            "unit": hit.unit,
            "exchange": hit.exchange,
            "terms": sorted({m.term for m in hit.matches}, key=str.lower),
            # What the text said (a regex watch's words, not its pattern), once each.
            "matched": list(
                {
                    " ".join(turns[m.turn].text[m.start : m.end].split()).lower(): " ".join(
                        turns[m.turn].text[m.start : m.end].split()
                    )
                    for m in hit.matches
                }.values()
            ),
            "turns": [
                {
                    "ordinal": t.ordinal,
                    "speaker": t.speaker,
                    "named_as": t.named_as,
                    "role": t.role,
                    "text": t.text,
                    "matches": spans.get(t.ordinal, []),
                }
                for t in shown
            ],
        }
        digest = hashlib.sha256(passage.encode("utf-8")).hexdigest()[:20]
        drafts.append(AlertDraft(hit.watch, hit.unit, digest, channels, payload))
    return drafts


def notice_payload(text: str) -> NoticePayload:
    """The payload of an alert to the operator (the site changed, a feed went empty)."""
    return {"type": "notice", "watch": NOTICE_WATCH, "text": text}
