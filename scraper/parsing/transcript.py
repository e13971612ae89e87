"""``parse_transcript``: a page, feed body or plain text into a :class:`~scraper.model.Briefing`.

Pure: no network, database, clock or Scrapy. The same input always gives the same output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from scraper.model import Briefing, Exchange, Turn
from scraper.parsing import functions as F
from scraper.parsing import labels as L
from scraper.parsing import metadata as M
from scraper.parsing.blocks import Paragraph, looks_like_html, nonspace, split_page
from scraper.parsing.exchanges import group_exchanges
from scraper.sources import Source, get_source

PARSER_VERSION = "2"
MAX_INPUT_CHARS = 50_000_000
COVERAGE_WARNING = 0.995
_CLOSING = re.compile(
    r"^\(.*\b(concluded|ended|adjourned)\b.*\)\.?$|^#+( #+)*$|^-\s*\d+\s*-$|"
    r"^end\s+\d{1,2}[:.]\d{2}\s*[ap]\.?\s*m\b.{0,20}$",
    re.I,
)


def parse_transcript(
    document: str,
    url: str | None = None,
    meta: Mapping[str, Any] | None = None,
    source: str = "state_department",
) -> Briefing:
    """Parse one transcript. Never raises on bad input: problems become ``warnings``.

    ``meta`` may carry what a feed item knows: ``title``, ``guid``, ``creator`` (the speakers
    of record) and ``published_at`` (an aware datetime), or what a listing knows: ``title``
    and ``date`` (the day it lists the page under, used when nothing better dates it).
    """
    meta = dict(meta or {})
    try:
        return _parse(document[:MAX_INPUT_CHARS], url, meta, source)
    except RecursionError:
        return Briefing(
            title=str(meta.get("title") or ""),
            url=url,
            source=source,
            kind="press_release",
            coverage=0.0,
            warnings=("markup nested too deeply to parse",),
            parser_version=PARSER_VERSION,
            body=document,
        )


def _parse(document: str, url: str | None, meta: dict[str, Any], source: str) -> Briefing:
    src = get_source(source)
    html_mode = looks_like_html(document)
    page = split_page(document, src.content_xpath)
    paragraphs = page.paragraphs
    warnings: list[str] = []

    found = [None if p.note else L.find_label(p, html_mode, src) for p in paragraphs]
    first = next((i for i, f in enumerate(found) if f), len(paragraphs))
    opening = [p.text for p in paragraphs[:first] if not p.note]

    if not src.creator_is_speaker:  # the publisher names its speakers elsewhere
        meta["creator"] = src.speakers_named(str(meta.get("title") or ""))
    people = M.split_people(str(meta["creator"])) if meta.get("creator") else []
    for line in opening[:4]:
        if not meta.get("creator") and M.is_people_line(line):
            people.extend(M.split_people(line))
    record_surnames = {L.surname(n) for n, _ in people} - {""}

    # Walk the paragraphs: each lands in the preamble, a turn, or the closing.
    labels: list[L.Label | None] = [
        f if f and L.is_speaker_label(f.raw, record_surnames) else None for f in found
    ]
    for f, kept in zip(found, labels, strict=True):
        if f and not kept:
            warnings.append(f"bold heading kept as text, not a speaker: {f.raw!r}")
    last_label = max((i for i, f in enumerate(labels) if f), default=-1)
    closing_from = _end_matter(paragraphs, last_label)
    if src.end_marker:  # "END", the closing time: what follows is not speech either
        ends = (
            i
            for i in range(last_label + 1, closing_from)
            if src.end_marker.match(paragraphs[i].text)
        )
        closing_from = next(ends, closing_from)

    preamble: list[str] = []
    closing: list[str] = []
    raw_turns: list[dict[str, Any]] = []
    topic: str | None = None
    topics: list[str] = []
    for i, (para, label) in enumerate(zip(paragraphs, labels, strict=True)):
        topic = _topic(para, src.topic_anchor, topic, topics)
        if para.note or i >= closing_from:
            closing.append(para.text)
        elif label:
            raw_turns.append(
                {
                    "label": label.raw,
                    "mark": nonspace(para.text[: label.end]),  # the label and its colon, if any
                    "parts": [para.text[label.end :]],
                    "topic": topic,
                }
            )
        elif raw_turns:
            raw_turns[-1]["parts"].append(para.text)
        else:
            preamble.append(para.text)

    norms = [L.fix_typos(L.normalize(t["label"]), src.label_words) for t in raw_turns]
    speakers = L.resolve_speakers(norms, people)
    texts_by_speaker: dict[str, list[str]] = {}
    for t, norm in zip(raw_turns, norms, strict=True):
        t["text"] = "\n\n".join(p for p in t["parts"] if p)
        texts_by_speaker.setdefault(speakers[norm], []).append(t["text"])
    roles = L.speaker_roles(norms, speakers, people, texts_by_speaker)
    L.apply_role_words(norms, speakers, roles, src.role_words)
    # Roles from the labels, then from what each speaker does (their turns' functions).
    who = [speakers[norm] for norm in norms]
    views = [F.TurnView(w, roles[w], t["text"]) for w, t in zip(who, raw_turns, strict=True)]
    functions = F.classify(views)
    unique = dict.fromkeys(norms)
    titled = {speakers[n] for n in unique if L.is_titled(n, speakers[n], people)}
    generic = {speakers[n] for n in unique if L.is_generic(n)}
    refined = L.refine_roles(
        [(v.speaker, v.role, v.text) for v in views], functions, roles, generic, titled
    )
    if refined != roles:
        roles = refined
        views = [F.TurnView(v.speaker, roles[v.speaker], v.text) for v in views]
        functions = F.classify(views)
    turns = []
    for i, (t, view, function) in enumerate(zip(raw_turns, views, functions, strict=True), 1):
        if not t["text"]:
            warnings.append(f"turn {i} ({t['label']}) is empty")
        turns.append(
            Turn(
                ordinal=i,
                label=t["label"],
                speaker=view.speaker,
                role=view.role,
                text=t["text"],
                topic=t["topic"],
                paragraphs=len(t["parts"]),
                function=function,
            )
        )
    turns, exchanges = group_exchanges(turns)

    # A label's width as printed: a bare "Q" has no colon.
    in_turns = sum(t["mark"] for t in raw_turns) + sum(nonspace(t.text) for t in turns)
    accounted = sum(map(nonspace, preamble)) + sum(map(nonspace, closing)) + in_turns
    coverage = accounted / page.total_chars if page.total_chars else 1.0
    turn_share = min(1.0, in_turns / page.total_chars) if page.total_chars else 0.0
    if coverage < COVERAGE_WARNING:
        warnings.append(f"only {coverage:.1%} of the text was placed in the transcript")

    title = str(
        meta.get("title")
        or page.header.get("title")
        or (M.page_title(document, src.site_suffix) if html_mode else "")
    )
    guid = str(meta.get("guid") or "")
    published_at = meta.get("published_at")
    if not isinstance(published_at, dt.datetime):
        published_at = None
    start_line = next((line for line in preamble if M.is_start_time_line(line)), None)
    people_lines = {line for line in preamble[:4] if M.is_people_line(line)}
    letterhead = src.letterhead
    places = [
        line
        for line in [x for x in preamble if not (letterhead and letterhead.match(x))][:6]
        if line not in people_lines
        and line != start_line
        and M.is_place_line(line)
        and not (meta.get("creator") and line in str(meta["creator"]))
    ]
    listing_date = meta["date"] if isinstance(meta.get("date"), dt.date) else None
    date = (
        src.date_of(title, preamble, published_at)
        or M.event_date(
            title,
            preamble,
            page.header.get("date"),
            published_at,
            src.timezone,
            url or "",
        )
        or listing_date
    )
    kind = src.document_kind(
        title,
        url or "",
        guid,
        set(norms),
        doctype=page.header.get("doctype", ""),
        questions=any(t.role == "reporter" for t in turns),
    )
    warnings.extend(_promises(src, title, guid, kind, turns, exchanges))
    body_text = "\n".join([*preamble, *(f"{t.label}: {t.text}" for t in turns), *closing])
    return Briefing(
        title=title,
        url=url,
        guid=guid or None,
        source=source,
        kind=kind,
        date=date,
        published_at=published_at,
        speakers_of_record=M.format_people(people),
        location=page.header.get("location") or ("; ".join(places[:2]) or None),
        start_time=M.parse_time(start_line) if start_line else None,
        end_time=M.end_time(closing),
        topics=tuple(topics),
        preamble=tuple(preamble),
        closing=tuple(closing),
        turns=tuple(turns),
        exchanges=tuple(exchanges),
        coverage=round(coverage, 6),
        turn_share=round(turn_share, 6),
        labels_seen=sum(1 for f in found if f),
        warnings=tuple(dict.fromkeys(warnings)),
        content_hash=hashlib.sha256(body_text.encode("utf-8")).hexdigest(),
        body=document,
        parser_version=PARSER_VERSION,
    )


_QA_KINDS = frozenset(
    {"press_briefing", "special_briefing", "telephonic_briefing", "press_availability", "interview"}
)


def _promises(
    src: type[Source],
    title: str,
    guid: str,
    kind: str,
    turns: Sequence[Turn],
    exchanges: Sequence[Exchange],
) -> list[str]:
    """Warnings when a page whose title promises a transcript parses to less than one."""
    if title and not turns and src.expects_transcript(title, guid):
        return ["the title promises a transcript but no speaker turns were found"]
    if turns and not exchanges and kind in _QA_KINDS and src.expects_transcript(title, guid):
        return ["the title promises questions and answers but no exchange was found"]
    return []


def _end_matter(paragraphs: list[Paragraph], last_label: int) -> int:
    """Where the end matter after the last turn starts: the closing line ("(The briefing was
    concluded at ...)"), "# # #", editorial footnotes and end notes belong to no turn."""
    start = len(paragraphs)
    while start - 1 > last_label:
        para = paragraphs[start - 1]
        if not (para.note or _CLOSING.match(para.text) or _is_footnote(para.text)):
            break
        start -= 1
    # Whatever follows an end mark is end matter too.
    for k in range(last_label + 1, start):
        if _CLOSING.match(paragraphs[k].text):
            return k
    return start


def _is_footnote(text: str) -> bool:
    """An editorial footnote after the transcript: a text with a back-link ("... ↑"), or a
    corrected word or two standing alone ("maintain", "“insecurity”")."""
    text = text.strip()
    if text.endswith(("↑", "[↩]", "↩")):
        return True
    return len(text.split()) <= 3 and not re.search(r"[.?!:;)\]]$", text.rstrip("”’\"' "))


def _topic(
    para: Paragraph, anchor: re.Pattern[str] | None, current: str | None, seen: list[str]
) -> str | None:
    if anchor is None:
        return current
    for ident in para.anchors:
        m = anchor.match(ident)
        if m:
            current = m.group(1)
            if current not in seen:
                seen.append(current)
    return current
