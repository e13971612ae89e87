"""Reporters named where the transcript names them: the moderator's "let's go to the line of
Janne Pak with ..." or the spokesperson's "Yes, Matt." before a reporter's turn.

A hint beside the label (``QUESTION``), never a replacement: a call-on can be misheard, and
the person called on is not always the one who speaks. Pure: turns in, names out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scraper.model import Turn

_NAME = r"(?P<name>[A-Z][\w’'-]+(?:\s+(?:[A-Z][\w’'-]+|de|van|von|al))*)"
# "(let’s|we’ll) go to (the line of) Name", "the next question comes from Name".
_GO_TO = re.compile(
    r"\b(?:go|got|turn|move)\s+(?:over\s+)?to\s+(?:the\s+line\s+of\s+)?"
    + _NAME
    + r"|\bquestions?\s+(?:comes|goes|will\s+come|will\s+go)\s+(?:from|to)\s+"
    r"(?:the\s+line\s+of\s+)?" + _NAME.replace("name", "name2")
)
# A whole last sentence that calls on someone: "Yes, Matt." "Go ahead, Said." "Yeah. Janne."
_CALL_ON = re.compile(
    r"^(?i:yes|yeah|yep|go\s+ahead|sure|please|okay|ok|right|and|then)[,.]?\s+"
    r"(?P<name>[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+)?)[.,!]?$"
)
_NOT_NAMES = frozenset(  # noqa: SIM905 - a word list
    [
        "thank",
        "thanks",
        "please",
        "sir",
        "everyone",
        "next",
        "the",
        "go",
        "yes",
        "yeah",
        "okay",
        "ok",
        "all",
        "guys",
        "folks",
        "ma’am",
        "madam",
        "back",
        "here",
        "there",
        "ahead",
        "one",
        "two",
        "last",
        "final",
        "that",
        "this",
        "it",
        "you",
        "we",
        "i",
        "let",
        "questions",
        "question",
        "sure",
        "right",
        "great",
        "good",
        "fine",
        "well",
        "so",
        "no",
        "absolutely",
        "exactly",
        "correct",
        "true",
        "indeed",
        "congratulations",
        "sorry",
        "reuters",
        "ap",
        "afp",
        "cnn",
        "bbc",
        "india",
        "afghanistan",
        "iran",
        "russia",
        "ukraine",
        "china",
    ]
)
_CALLERS = frozenset({"official", "moderator", "operator"})
_SENTENCE_BREAK = re.compile(r"(?<=[.?!])\s+(?=[A-Z(])")


def _last_sentence(text: str) -> str:
    """The turn's last sentence; with the one before when it is a lone word ("Yeah. Janne.")."""
    last = text.strip().rpartition("\n\n")[2].strip()
    parts = _SENTENCE_BREAK.split(last)
    if len(parts) > 1 and len(parts[-1].split()) == 1:
        return " ".join(parts[-2:])
    return parts[-1] if parts else last


def called_name(text: str) -> str | None:
    """The name the end of a caller's turn calls on, or None."""
    sentence = _last_sentence(text)
    found = _CALL_ON.match(sentence)
    if found is None:
        found = next(reversed(list(_GO_TO.finditer(sentence))), None)
    if found is None:
        return None
    name = found.group("name") or found.groupdict().get("name2")
    if not name:
        return None
    words = name.split()
    while words and words[-1].lower() in _NOT_NAMES:
        words.pop()
    if not words or words[0].lower() in _NOT_NAMES or words[0].isupper():  # DHS, not a name
        return None
    return re.sub(r"[’']s?$", "", " ".join(words))


def named_as(turns: Sequence[Turn]) -> list[str | None]:
    """For each turn, the name a preceding caller called its (reporter) speaker by, if any.

    The name holds until the reporter has asked: across a line check ("Can you hear me?"
    "Yes, we can."), an operator's announcement, or a caller's turn that names no one and
    only manages the floor (their functions are ``procedural``)."""
    out: list[str | None] = []
    pending: str | None = None
    for t in turns:
        if t.role == "reporter":
            out.append(pending if pending and pending.lower() != t.speaker.lower() else None)
            if t.function != "procedural":
                pending = None
            continue
        out.append(None)
        if t.role in _CALLERS:
            name = called_name(t.text)
            if name:
                pending = name
            elif t.role != "operator" and t.function != "procedural":
                pending = None
    return out
