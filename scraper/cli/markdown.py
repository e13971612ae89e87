"""Transcripts and exchanges as a Markdown document, for a memo (``briefwatch export
--format markdown``)."""

from __future__ import annotations

import re

from scraper.model import Briefing, Turn

_INLINE = re.compile(r"([\\`*_\[\]<>|])")
# What would start a heading, a quote, a list or a rule at the start of a paragraph.
_BLOCK_START = re.compile(r"^(#|>|[-+*]\s|\d+[.)]\s|=+$|-+$)")


def escape(text: str) -> str:
    """``text`` as Markdown that renders as the text itself (no stray emphasis or links)."""
    text = _INLINE.sub(r"\\\1", text)
    return "\\" + text if _BLOCK_START.match(text) else text


def _paragraphs(text: str) -> list[str]:
    return [escape(p) for p in text.split("\n\n") if p.strip()]


def _header(b: Briefing, source_name: str) -> list[str]:
    facts = [
        str(b.date) if b.date else "undated",
        source_name or b.source or "",
        b.kind.replace("_", " "),
    ]
    lines = [f"# {escape(b.title or '(untitled)')}", "", " · ".join(f for f in facts if f)]
    if b.speakers_of_record:
        lines += ["", escape("; ".join(b.speakers_of_record))]
    if b.url:
        lines += ["", f"<{b.url}>"]
    return lines


def _turn(t: Turn) -> list[str]:
    who = f"**{escape(t.speaker or t.label or 'Unlabelled')}** ({t.role})"
    paragraphs = _paragraphs(t.text) or [""]
    lines = [f"{who}: {paragraphs[0]}".rstrip()]
    for p in paragraphs[1:]:
        lines += ["", p]
    return lines


def transcript(b: Briefing, source_name: str = "") -> str:
    """A whole transcript: its header, then every turn, paragraphs kept apart."""
    lines = _header(b, source_name)
    for p in b.preamble:
        lines += ["", f"*{escape(p)}*"]
    for t in b.turns:
        lines += ["", *_turn(t)]
    for p in b.closing:
        lines += ["", f"*{escape(p)}*"]
    return "\n".join(lines) + "\n"


def exchanges(b: Briefing, source_name: str = "") -> str:
    """The exchanges (and turns outside any exchange) a briefing holds, each under a heading
    naming its topic; ``b`` holds only the turns to show (see ``Storage.load_units``)."""
    lines = _header(b, source_name)
    current: object = object()
    for t in b.turns:
        if t.exchange != current or t.exchange is None:
            current = t.exchange
            topic = next((e.topic for e in b.exchanges if e.ordinal == t.exchange), None)
            title = f"Exchange {t.exchange}" if t.exchange else f"Turn {t.ordinal}"
            lines += ["", f"## {title}" + (f": {escape(topic)}" if topic else "")]
        lines += ["", *_turn(t)]
    return "\n".join(lines) + "\n"
