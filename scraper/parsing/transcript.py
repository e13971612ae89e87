"""``parse_transcript``: a page, feed body or plain text into a :class:`~scraper.model.Briefing`.

Pure: no network, database, clock or Scrapy. The same input always gives the same output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from typing import Any

from scraper.model import Briefing, Turn
from scraper.parsing import labels as L
from scraper.parsing import metadata as M
from scraper.parsing.blocks import Paragraph, looks_like_html, nonspace, split_page
from scraper.parsing.exchanges import group_exchanges
from scraper.sources import get_source

PARSER_VERSION = "1"
MAX_INPUT_CHARS = 50_000_000
COVERAGE_WARNING = 0.995
_CLOSING = re.compile(
    r"^\(.*\b(concluded|ended|adjourned)\b.*\)\.?$|^#+( #+)*$|^-\s*\d+\s*-$", re.I
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
    closing_from = len(paragraphs)
    while closing_from - 1 > last_label and _CLOSING.match(paragraphs[closing_from - 1].text):
        closing_from -= 1
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
    turns = []
    for i, (t, norm) in enumerate(zip(raw_turns, norms, strict=True), start=1):
        if not t["text"]:
            warnings.append(f"turn {i} ({t['label']}) is empty")
        turns.append(
            Turn(
                ordinal=i,
                label=t["label"],
                speaker=speakers[norm],
                role=roles[speakers[norm]],
                text=t["text"],
                topic=t["topic"],
                paragraphs=len(t["parts"]),
            )
        )
    turns, exchanges = group_exchanges(turns)

    accounted = sum(map(nonspace, preamble)) + sum(map(nonspace, closing))
    accounted += sum(t["mark"] for t in raw_turns) + sum(nonspace(t.text) for t in turns)
    coverage = accounted / page.total_chars if page.total_chars else 1.0
    if coverage < COVERAGE_WARNING:
        warnings.append(f"only {coverage:.1%} of the text was placed in the transcript")

    title = str(meta.get("title") or page.header.get("title") or "")
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
    date = (
        src.date_of(title, preamble, published_at)
        or M.parse_date(title)
        or M.parse_date(page.header.get("date"))
        or (published_at.date() if published_at else None)
        or (meta["date"] if isinstance(meta.get("date"), dt.date) else None)  # a listing's
    )
    body_text = "\n".join([*preamble, *(f"{t.label}: {t.text}" for t in turns), *closing])
    return Briefing(
        title=title,
        url=url,
        guid=guid or None,
        source=source,
        kind=src.classify(title, url or "", guid, set(norms)),
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
        warnings=tuple(dict.fromkeys(warnings)),
        content_hash=hashlib.sha256(body_text.encode("utf-8")).hexdigest(),
        body=document,
        parser_version=PARSER_VERSION,
    )


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
