"""Rendering alerts as text and HTML: the exchange, speakers named, matched terms marked,
long turns trimmed around the match with an ellipsis."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

ELLIPSIS = "…"


def one_line(text: str, limit: int = 200) -> str:
    """Safe for a mail header or a log line: no CR/LF, bounded length."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + ELLIPSIS


def web_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL (safe to render as a link), else None:
    ``javascript:``, ``data:`` or ``file:`` URLs from a page never become clickable."""
    if not url:
        return None
    text = str(url).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(c) < 0x21 or c in "<>\"'" for c in text):
        return None
    return text


def window(text: str, spans: Sequence[Sequence[Any]], max_chars: int) -> tuple[int, int]:
    """The part of ``text`` to show: all of it if short, else max_chars around the first match."""
    if len(text) <= max_chars:
        return 0, len(text)
    if spans:
        first_start, first_end = int(spans[0][0]), int(spans[0][1])
        start = max(0, first_start - (max_chars - (first_end - first_start)) // 3)
    else:
        start = 0
    end = min(len(text), start + max_chars)
    start = max(0, end - max_chars)
    if start > 0:
        space = text.find(" ", start, start + 30)
        start = space + 1 if space >= 0 else start
    if end < len(text):
        space = text.rfind(" ", end - 30, end)
        end = space if space > start else end
    return start, end


def segments(turn: dict[str, Any], max_chars: int) -> list[tuple[str, bool]]:
    """The shown text of one turn as (text, is_match) pieces, with ellipses where cut."""
    text = turn["text"]
    spans = sorted((int(s), int(e)) for s, e, _ in turn.get("matches", []))
    start, end = window(text, turn.get("matches", []), max_chars)
    pieces: list[tuple[str, bool]] = [(ELLIPSIS, False)] if start > 0 else []
    cursor = start
    for s, e in spans:
        s, e = max(s, cursor), min(e, end)
        if s >= e:
            continue
        pieces += [(text[cursor:s], False), (text[s:e], True)]
        cursor = e
    pieces.append((text[cursor:end], False))
    if end < len(text):
        pieces.append((ELLIPSIS, False))
    return [(p, m) for p, m in pieces if p]


def matched_texts(payload: dict[str, Any]) -> list[str]:
    """What the passage actually matched (a regex watch shows the words, not the pattern):
    each distinct text once, case-insensitively, in the order it appears."""
    seen: dict[str, str] = {}
    for turn in payload.get("turns", []):
        for start, end, _term in turn.get("matches", []):
            text = " ".join(turn["text"][int(start) : int(end)].split())
            seen.setdefault(text.lower(), text)
    return list(seen.values()) or list(payload.get("terms", []))


def by_briefing(alerts: Sequence[Any]) -> list[tuple[dict[str, Any] | None, list[Any]]]:
    """Alerts grouped under their briefing, in order of first appearance (notices: None)."""
    groups: dict[str, tuple[dict[str, Any] | None, list[Any]]] = {}
    for alert in alerts:
        p = alert.payload
        if p["type"] == "notice":
            groups.setdefault("", (None, []))[1].append(alert)
            continue
        b = p["briefing"]
        groups.setdefault(b["url"] or b["title"], (b, []))[1].append(alert)
    return list(groups.values())


def subject(alerts: Sequence[Any]) -> str:
    """The watches, what matched and the briefing, on one line."""
    payloads = [a.payload for a in alerts]
    if all(p["type"] == "notice" for p in payloads):
        return one_line(f"[briefwatch] operator notice: {payloads[0]['text']}")
    matches = [p for p in payloads if p["type"] == "match"]
    watches = sorted({p["watch"] for p in matches})
    titles = list(dict.fromkeys(p["briefing"]["title"] for p in matches))
    what = titles[0] if len(titles) == 1 else f"{len(titles)} briefings"
    found: dict[str, str] = {}
    for p in matches:
        for text in matched_texts(p):
            found.setdefault(text.lower(), text)
    terms = list(found.values())
    shown = ", ".join(terms[:4]) + (f" +{len(terms) - 4}" if len(terms) > 4 else "")
    return one_line(f"[briefwatch] {', '.join(watches)}: {shown} in {what}")


def published(b: dict[str, Any]) -> str:
    """Who published a briefing and when: "The White House, 2021-07-21" (alerts queued
    before the publisher was recorded show the date alone)."""
    date = b["date"] or "undated"
    return f"{b['publisher']}, {date}" if b.get("publisher") else date


def _header_text(b: dict[str, Any]) -> list[str]:
    title = f"{b['title']} ({published(b)})"
    return [title, "=" * min(len(title), 72), b["url"] or "", ""]


def _hint(turn: dict[str, Any]) -> str:
    """The name a moderator or official called a reporter by, as a hint beside the label
    (" (Janne Pak, as called on)"); payloads queued before it have none."""
    return f" ({turn['named_as']}, as called on)" if turn.get("named_as") else ""


def who(turn: dict[str, Any]) -> str:
    """The turn's speaker as labelled, with the called-on name as a hint."""
    return turn["speaker"] + _hint(turn)


def _snippet(payload: dict[str, Any], limit: int = 160) -> str:
    """One line around the first match of a passage."""
    for turn in payload["turns"]:
        if turn.get("matches"):
            text = "".join(s for s, _ in segments(turn, limit))
            return one_line(f"{turn['speaker']}: {text}", limit + 40)
    return ""


def render_text(alerts: Sequence[Any], max_chars: int, digest: bool = False) -> str:
    """Plain text: one header per briefing (title, date, link), then its exchanges, matched
    text marked with *asterisks*; ``digest``: one compact line per match instead."""
    out: list[str] = []
    for briefing, group in by_briefing(alerts):
        if briefing is None:
            out += [f"Operator notice: {a.payload['text']}" for a in group] + [""]
            continue
        out += _header_text(briefing)
        if digest:
            out.append(f"{len(group)} match{'es' * (len(group) != 1)}:")
        for alert in group:
            p = alert.payload
            update = " (updated passage)" if p.get("update") else ""
            matched = ", ".join(matched_texts(p))
            if digest:
                out.append(f"- {p['watch']}{update} [{matched}]: {_snippet(p)}")
                continue
            where = f"exchange {p['exchange']}" if p.get("exchange") else "turn"
            out += [f"Watch: {p['watch']}{update} - matched: {matched} ({where})", ""]
            for turn in p["turns"]:
                text = "".join(f"*{s}*" if m else s for s, m in segments(turn, max_chars))
                out += [f"{who(turn)} ({turn['role']}): {text}", ""]
        out += ["", "-" * 40, ""]
    return "\n".join(out).rstrip("-\n ") + "\n"


def _title_html(b: dict[str, Any]) -> str:
    link = web_url(b["url"])
    title = html.escape(b["title"])
    if link:
        return f'<a href="{html.escape(link, quote=True)}">{title}</a>'
    if b["url"]:
        return title + f" &lt;{html.escape(b['url'])}&gt;"  # shown as text, never a link
    return title


def render_html(alerts: Sequence[Any], max_chars: int, digest: bool = False) -> str:
    """HTML: one heading per briefing, then its exchanges; each paragraph of a turn its own
    ``<p>``; matched text in ``<mark>``; only http(s) URLs become links."""
    out = ["<html><body>"]
    for briefing, group in by_briefing(alerts):
        if briefing is None:
            for alert in group:
                text = html.escape(alert.payload["text"])
                out.append(f"<p><strong>Operator notice:</strong> {text}</p>")
            continue
        date = html.escape(published(briefing))
        out.append(f"<h2>{_title_html(briefing)}</h2>\n<p>{date}</p>")
        if digest:
            out.append("<ul>")
        for alert in group:
            p = alert.payload
            update = " <em>(updated passage)</em>" if p.get("update") else ""
            matched = html.escape(", ".join(matched_texts(p)))
            if digest:
                out.append(
                    f"<li><strong>{html.escape(p['watch'])}</strong>{update} [{matched}]: "
                    f"{html.escape(_snippet(p))}</li>"
                )
                continue
            watch = html.escape(p["watch"])
            out.append(f"<h3>{watch}{update}</h3>\n<p>Matched: <mark>{matched}</mark></p>")
            for turn in p["turns"]:
                text = "".join(
                    f"<mark>{html.escape(s)}</mark>" if m else html.escape(s)
                    for s, m in segments(turn, max_chars)
                )
                paragraphs = [x.strip() for x in re.split(r"\n\s*\n", text) if x.strip()]
                speaker = (
                    f"<strong>{html.escape(turn['speaker'])}</strong>{html.escape(_hint(turn))} "
                    f"({html.escape(turn['role'])}): "
                )
                out.append(f"<p>{speaker}{paragraphs[0] if paragraphs else ''}</p>")
                out += [f"<p>{x}</p>" for x in paragraphs[1:]]
        if digest:
            out.append("</ul>")
        out.append("<hr>")
    out.append("</body></html>")
    return "\n".join(out)


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~"})


def md(text: str) -> str:
    """Transcript text made inert in Markdown (no emphasis, links or HTML of its own)."""
    return re.sub(r"\s+", " ", str(text)).translate(_MD_SPECIAL)


def markdown_blocks(alerts: Sequence[Any], max_chars: int) -> list[tuple[str, str | None]]:
    """One Markdown block per alert (title and link, then the exchange: speakers named,
    matched terms bold), each with the link to read the rest."""
    blocks: list[tuple[str, str | None]] = []
    for alert in alerts:
        p = alert.payload
        if p["type"] == "notice":
            blocks.append((f"**Operator notice:** {md(p['text'])}", None))
            continue
        b = p["briefing"]
        link = web_url(b["url"])
        title = f"[{md(b['title'])}]({link})" if link else md(b["title"])
        update = " (updated passage)" if p.get("update") else ""
        lines = [
            f"### {title}",
            f"{md(published(b))} · watch *{md(p['watch'])}*{update} · "
            f"matched: {', '.join(md(t) for t in p['terms'])}",
            "",
        ]
        for turn in p["turns"]:
            text = "".join(f"**{md(s)}**" if m else md(s) for s, m in segments(turn, max_chars))
            lines += [
                f"**{md(turn['speaker'])}**{md(_hint(turn))} ({md(turn['role'])}): {text}",
                "",
            ]
        blocks.append(("\n".join(lines).rstrip() + "\n", link))
    return blocks


def render_markdown(alerts: Sequence[Any], max_chars: int, limit: int = 0) -> str:
    """The alerts as Markdown, at most ``limit`` characters (0: no limit): whole blocks while
    they fit, then a line saying how many more and where to read them."""
    blocks = markdown_blocks(alerts, max_chars)
    if not limit:
        return "\n---\n\n".join(text for text, _ in blocks)
    out: list[str] = []
    used = 0
    for i, (text, link) in enumerate(blocks):
        rest = blocks[i:]
        links = [lk for _, lk in rest if lk]
        more = f"\n… {len(rest)} more match(es): {links[0] if links else 'see the archive'}\n"
        piece = text if not out else "\n---\n\n" + text
        # Room for this block and, if others follow, the line pointing to them.
        tail = len(more) if i + 1 < len(blocks) else 0
        if used + len(piece) + tail <= limit:
            out.append(piece)
            used += len(piece)
            continue
        if not out:  # even the first block is too long: cut it, then point to the page
            count = f" ({len(blocks)} matches in all)" if len(blocks) > 1 else ""
            cut = f"\n… read the rest{count}: {link}\n" if link else "\n…\n"
            head = text[: max(0, limit - len(cut))]
            line_end = head.rfind("\n")
            if line_end > len(head) // 2:  # cut between lines, so no bold is left open
                head = head[:line_end]
            return head.rstrip() + cut
        out.append(more)
        break
    return "".join(out)
