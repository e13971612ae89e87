"""``parse_transcript``: a page, feed body or plain text into a :class:`~scraper.model.Briefing`.

Pure: no network, database, clock or Scrapy. The same input always gives the same output.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scraper.model import Briefing, Exchange, Turn
from scraper.parsing import called
from scraper.parsing import functions as F
from scraper.parsing import labels as L
from scraper.parsing import metadata as M
from scraper.parsing import topics as T
from scraper.parsing.blocks import (
    Page,
    Paragraph,
    cleaned_nonspace,
    looks_like_html,
    nonspace,
    split_page,
)
from scraper.parsing.exchanges import group_exchanges
from scraper.parsing.version import PARSER_VERSION
from scraper.sources import Source, get_source, source_for

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
    source: str | None = None,
) -> Briefing:
    """Parse one transcript. Never raises on bad input: problems become ``warnings``.

    ``source`` is the slug of its publisher, whose conventions apply; when not given, the
    source whose domains hold ``url`` (see :func:`scraper.sources.source_for`).

    ``meta`` may carry what a feed item knows: ``title``, ``guid``, ``creator`` (the speakers
    of record) and ``published_at`` (an aware datetime), or what a listing knows: ``title``
    and ``date`` (the day it lists the page under, used when nothing better dates it).
    """
    meta = dict(meta or {})
    source = source or source_for(url)
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
    finally:
        F.forget_texts()  # what the turns' rules computed of their texts served this one


def _parse(document: str, url: str | None, meta: dict[str, Any], source: str) -> Briefing:
    """The phases: find the labels, place each paragraph, build the turns, measure how much
    was placed, then read the document's metadata."""
    src = get_source(source)
    html_mode = looks_like_html(document)
    page = split_page(document, src.content_xpath)
    paragraphs, copies = _one_copy(page.paragraphs)
    warnings: list[str] = []
    repeated = 0  # characters of the copies left out (placed: they are the same text)
    if copies > 1:
        warnings.append(f"the body repeats its transcript {copies} times: one copy kept")
        repeated = sum(nonspace(p.text) for p in page.paragraphs[len(paragraphs) :])

    found = [None if p.note else L.find_label(p, html_mode, src) for p in paragraphs]
    first = next((i for i, f in enumerate(found) if f), len(paragraphs))
    opening = [p.text for p in paragraphs[:first] if not p.note]
    people = _speakers_of_record(src, meta, opening)
    labels = _speaker_labels(found, people, warnings)
    headings = T.index_headings(document, src.topic_index) if html_mode else {}
    layout = _place_paragraphs(src, paragraphs, labels, headings)
    turns, norms = _build_turns(src, layout.raw_turns, people, warnings)
    turns, exchanges = group_exchanges(turns)
    turns = [
        dataclasses.replace(t, named_as=name) if name else t
        for t, name in zip(turns, called.named_as(turns), strict=True)
    ]
    coverage, turn_share = _coverage(page.total_chars, layout, turns, repeated, warnings)
    return _briefing(
        src,
        document,
        url,
        meta,
        page,
        html_mode,
        layout,
        people,
        turns,
        exchanges,
        norms,
        found,
        coverage,
        turn_share,
        warnings,
    )


def _speakers_of_record(
    src: type[Source], meta: dict[str, Any], opening: list[str]
) -> list[tuple[str, str]]:
    """The people the feed item or the page's first lines name (``meta["creator"]`` is set
    when the publisher names its speakers elsewhere)."""
    if not src.creator_is_speaker:  # the publisher names its speakers elsewhere
        meta["creator"] = src.speakers_named(str(meta.get("title") or ""))
    people = M.split_people(str(meta["creator"])) if meta.get("creator") else []
    for line in opening[:4]:
        if not meta.get("creator") and M.is_people_line(line):
            people.extend(M.split_people(line))
    return people


def _speaker_labels(
    found: list[L.Label | None], people: list[tuple[str, str]], warnings: list[str]
) -> list[L.Label | None]:
    """The labels that name a speaker; a bold heading that does not is kept as text."""
    record_surnames = {L.surname(n) for n, _ in people} - {""}
    verdicts: dict[str, bool] = {}  # a transcript repeats its few labels many times
    for f in found:
        if f and f.raw not in verdicts:
            verdicts[f.raw] = L.is_speaker_label(f.raw, record_surnames)
    labels: list[L.Label | None] = [f if f and verdicts[f.raw] else None for f in found]
    for f, kept in zip(found, labels, strict=True):
        if f and not kept:
            warnings.append(f"bold heading kept as text, not a speaker: {f.raw!r}")
    return labels


@dataclass
class _Layout:
    """Where each paragraph landed: the preamble, a turn (still raw), or the closing."""

    preamble: list[str] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    raw_turns: list[dict[str, Any]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


def _place_paragraphs(
    src: type[Source],
    paragraphs: list[Paragraph],
    labels: list[L.Label | None],
    headings: dict[str, str],
) -> _Layout:
    """Walk the paragraphs: each lands in the preamble, a turn, or the closing. ``headings``
    are the page's topic index (anchor id -> heading text)."""
    last_label = max((i for i, f in enumerate(labels) if f), default=-1)
    closing_from = _end_matter(paragraphs, last_label)
    if src.end_marker:  # "END", the closing time: what follows is not speech either
        ends = (
            i
            for i in range(last_label + 1, closing_from)
            if src.end_marker.match(paragraphs[i].text)
        )
        closing_from = next(ends, closing_from)

    layout = _Layout()
    topic: str | None = None
    anchor: str | None = None  # the element id of the current topic
    names: list[str] = []  # the topic anchors' names met so far
    for i, (para, label) in enumerate(zip(paragraphs, labels, strict=True)):
        if para.anchors:  # a new topic starts only at an anchor
            anchor, topic = _topic(para, src, (anchor, topic), layout.topics, names, headings)
        if para.note or i >= closing_from:
            layout.closing.append(para.text)
        elif label:
            layout.raw_turns.append(
                {
                    "label": label.raw,
                    # The label and its colon, if any (cleaned text: spaces are its only blanks).
                    "mark": cleaned_nonspace(para.text[: label.end]),
                    "parts": [para.text[label.end :]],
                    "topic": topic,
                    "anchor": anchor,
                }
            )
        elif layout.raw_turns:
            layout.raw_turns[-1]["parts"].append(para.text)
        else:
            layout.preamble.append(para.text)
    return layout


def _build_turns(
    src: type[Source],
    raw_turns: list[dict[str, Any]],
    people: list[tuple[str, str]],
    warnings: list[str],
) -> tuple[list[Turn], list[str]]:
    """Turns with their speakers, roles and functions; also each label normalized."""
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
    turns: list[Turn] = []
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
                anchor=t["anchor"],
            )
        )
    return turns, norms


def _coverage(
    total_chars: int, layout: _Layout, turns: list[Turn], repeated: int, warnings: list[str]
) -> tuple[float, float]:
    """The share of the text placed anywhere, and the share placed in turns (``repeated``:
    the characters of copies of the transcript left out, placed by being the same text)."""
    marks = sum(t["mark"] for t in layout.raw_turns)  # as printed: a bare "Q" has no colon
    # The rest is cleaned paragraphs, counted without splitting them.
    in_turns = marks + sum(cleaned_nonspace(t.text) for t in turns)
    placed = sum(map(cleaned_nonspace, [*layout.preamble, *layout.closing])) + repeated
    coverage = (placed + in_turns) / total_chars if total_chars else 1.0
    turn_share = min(1.0, in_turns / total_chars) if total_chars else 0.0
    if coverage < COVERAGE_WARNING:
        warnings.append(f"only {coverage:.1%} of the text was placed in the transcript")
    return coverage, turn_share


def _briefing(
    src: type[Source],
    document: str,
    url: str | None,
    meta: dict[str, Any],
    page: Page,
    html_mode: bool,
    layout: _Layout,
    people: list[tuple[str, str]],
    turns: list[Turn],
    exchanges: list[Exchange],
    norms: list[str],
    found: list[L.Label | None],
    coverage: float,
    turn_share: float,
    warnings: list[str],
) -> Briefing:
    """The document's metadata (title, date, place, times, kind) and the briefing."""
    preamble, closing = layout.preamble, layout.closing
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
    if kind == "press_release" and turns:
        # Not a transcript ("NOMINATIONS SENT TO THE SENATE:", "TO THE CONGRESS ...:", "HUD:"
        # in a fact sheet): a press release has no turns and no speakers; its text is kept.
        warnings.append(f"not a transcript: {len(turns)} label-like heading(s) kept as text")
        preamble = [*preamble, *(f"{t['label']}: {t['text']}" for t in layout.raw_turns)]
        turns, exchanges, turn_share = [], [], 0.0
    body_text = "\n".join([*preamble, *(f"{t.label}: {t.text}" for t in turns), *closing])
    return Briefing(
        title=title,
        url=url,
        guid=guid or None,
        source=src.slug,
        kind=kind,
        date=date,
        published_at=published_at,
        speakers_of_record=M.format_people(people),
        location=page.header.get("location") or ("; ".join(places[:2]) or None),
        start_time=M.parse_time(start_line) if start_line else None,
        end_time=M.end_time(closing),
        topics=tuple(layout.topics),
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


def _one_copy(paragraphs: list[Paragraph]) -> tuple[list[Paragraph], int]:
    """One copy of a body that is nothing but the same paragraphs two or more times over (a
    feed body that repeats its whole transcript), and how many copies there were. Anything
    short of an exact repetition of the whole body is left alone."""
    texts = [p.text for p in paragraphs]
    n = len(texts)
    for period in range(5, n // 2 + 1):
        if (
            n % period == 0
            and texts[period] == texts[0]
            and texts[period:] == texts[:-period]
            and len(set(texts[:period])) >= 3  # a copy, not one line said over and over
        ):
            return paragraphs[:period], n // period
    return paragraphs, 1


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
    para: Paragraph,
    src: type[Source],
    current: tuple[str | None, str | None],
    seen: list[str],
    names: list[str],
    headings: dict[str, str],
) -> tuple[str | None, str | None]:
    """(element id, topic as the page shows it) after ``para``'s topic anchors, if any."""
    if src.topic_anchor is None:
        return current
    for ident in para.anchors:
        m = src.topic_anchor.match(ident)
        if m:
            name = m.group(1)
            topic = headings.get(ident) or T.readable(name, names, src.topic_words)
            names.append(name)
            current = (ident, topic)
            if topic not in seen:
                seen.append(topic)
    return current
