"""Speaker labels: finding them, telling them from bold headings, naming and roling speakers."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from scraper.parsing.blocks import Paragraph

# "MR PRICE:", "Deputy Secretary of State Sherman:", "Name, Title of Org:" (label up to the colon).
_LABEL = re.compile(r"\s*([^\W\d_][^:]{0,159}?)\s*:\s*")
_UPPER_LABEL = re.compile(r"^[A-Z0-9][A-Z0-9 .'’\-()&/]*$")
# An upper-case word of a plain-text label; names keep their mixed-case prefix ("McDONOUGH").
_UPPER_WORD = re.compile(r"^(?:Mc|Mac|D[aeiu]|L[ae]|Van|Von)?[A-Z0-9][A-Z0-9.'’\-()&/]*$")
_NOT_LABELS = frozenset(
    {"NOTE", "UPDATE", "CORRECTION", "EDITOR'S NOTE", "BACKGROUND", "HTTP", "HTTPS"}
)

REPORTER_WORDS = ("QUESTION", "REPORTER", "JOURNALIST", "AUDIENCE", "PARTICIPANT", "STUDENT", "Q")
OTHER_WORDS = ("STAFF", "INTERPRETER", "TRANSLATOR", "GUEST", "UNIDENTIFIED", "VOICE")
# Words in a label or a title that make the speaker a government official.
OFFICIAL_PREFIXES = (
    "SECRETAR",
    "MINIST",
    "AMBASSADOR",
    "OFFICIAL",
    "SPOKES",
    "PRESIDENT",
    "PREMIER",
    "CHANCELLOR",
    "ADMINISTRATOR",
    "ENVOY",
    "COORDINATOR",
    "DIRECTOR",
    "GOVERNOR",
    "SENATOR",
    "KING",
    "PRINCE",
    "SHEIKH",
    "CONSUL",
    "CHARGE",
    "COMMISSIONER",
    "REPRESENTATIVE",
    "EMIR",
    "CHAIR",
    "MAYOR",
    "GENERAL",
    "ADMIRAL",
    "COUNSELOR",
    "ADVIS",
)
# Words that may open a mixed-case label ("Mr. Gonzalez", "Moderator", "Deputy Secretary ...").
HONORIFICS = frozenset(
    [
        "MR",
        "MRS",
        "MS",
        "MISS",
        "DR",
        "SIR",
        "DAME",
        "MODERATOR",
        "OPERATOR",
        "QUESTION",
        "PARTICIPANT",
        "SENIOR",
        "DEPUTY",
        "ACTING",
        "ASSISTANT",
        "UNDER",
        "SPECIAL",
        "FOREIGN",
        "PRIME",
        "US",
        "STAFF",
        "INTERPRETER",
    ]
)
_MODERATING = re.compile(
    r"\b(next question|go to the line|line of|final question|last question|our next|"
    r"thank you for joining|call on|we'll go to|let's go to|over to)\b",
    re.I,
)


@dataclass(frozen=True)
class Label:
    raw: str  # as written, without the colon
    end: int  # where the turn's own text starts in the paragraph


class LabelForm(Protocol):
    """What :func:`find_label` reads from a source (see :class:`scraper.sources.Source`)."""

    unbolded_labels: bool
    bare_labels: tuple[str, ...]
    period_labels: bool


# A label with a period for its colon: an honorific and a name, then the turn's own text.
_PERIOD_LABEL = re.compile(r"\s*((?:MR|MS|MRS|DR)\.? [A-Z][A-Z'’\-]+(?: [A-Z][A-Z'’\-]+)?)\.\s+")


def find_label(
    paragraph: Paragraph, html_mode: bool, form: LabelForm | None = None
) -> Label | None:
    """The speaker label that opens ``paragraph``, if any (headings are rejected later).

    In HTML a label must be bold unless the source's ``form`` accepts plain-text labels, which
    must then be upper case (``"MS. PSAKI:"``, not ``"To be clear:"``); ``form`` also names
    labels printed without a colon (the White House's bare ``Q``).
    """
    text = paragraph.text
    bare = _bare_label(text, form.bare_labels) if form and form.bare_labels else None
    if bare:
        return bare
    unbolded = not html_mode or (form is not None and form.unbolded_labels)
    if not (unbolded or paragraph.bold_end):
        return None  # a label must be bold here, and nothing in the paragraph opens bold
    match = _LABEL.match(text)
    if not match:
        if form and form.period_labels and unbolded:
            period = _PERIOD_LABEL.match(text)
            if period and not text[period.end() :][:2].isupper():
                return Label(period.group(1), period.end())
        return None
    raw = match.group(1).strip()
    if html_mode and not (form and form.unbolded_labels):
        if match.end(1) > paragraph.bold_end:  # the label itself must be bold
            return None
    elif (
        not (_UPPER_LABEL.match(raw) or (form and _upper_words(raw, form)))
        or len(raw.split()) > 8
        or (html_mode and re.match(r"\s*:\d", text[match.end(1) :]))  # "END 6:20 P.M."
    ):
        return None
    if normalize(raw) in _NOT_LABELS or "://" in text[: match.end()]:
        return None
    return Label(raw, match.end())


def _upper_words(raw: str, form: LabelForm) -> bool:
    return form.unbolded_labels and all(_UPPER_WORD.match(w) for w in raw.split())


def _bare_label(text: str, bare: tuple[str, ...]) -> Label | None:
    """``"Q   Thanks"``, ``"Q: Could"``, ``"QAlan, thanks"``: a label without its colon."""
    for word in bare:
        if not text.startswith(word):
            continue
        rest = text[len(word) :]
        m = re.match(r"\s*:\s*|\s+|(?=[A-Z][a-z])|$", rest)
        if m:
            return Label(word, len(word) + m.end())
    return None


@lru_cache(maxsize=1024)  # a transcript names few speakers, each many times
def normalize(label: str) -> str:
    """Upper case, no periods, single spaces: "Mr. Price" and "MR PRICE" become one."""
    label = label.replace("’", "'").replace(".", " ").upper()
    return re.sub(r"\s+", " ", label).strip()


def fix_typos(norm: str, words: tuple[str, ...]) -> str:
    """A normalized label with each word one letter away from a known word corrected.

    ``fix_typos("OPERTATOR", ("OPERATOR",))`` is ``"OPERATOR"``.
    """
    if not words:
        return norm
    fixed = [next((k for k in words if _close(w, k)), w) for w in norm.split()]
    return " ".join(fixed)


def apply_role_words(
    norms: list[str], speakers: dict[str, str], roles: dict[str, str], words: dict[str, str]
) -> None:
    """Labels holding one of the publisher's role words (``{"AIDE": "moderator"}``) name a
    role, not a person: each is its own speaker ("WHITE HOUSE AIDE" and "POLISH AIDE" are two,
    not one surname), with that role."""
    for norm in norms:
        for word in words.keys() & norm.split():
            speakers[norm] = norm
            roles[norm] = words[word]


def name_part(label: str) -> str:
    """The name in a "Name, Title of Org" label; the whole label otherwise."""
    return normalize(label.split(",", 1)[0])


_WORD = re.compile(r"[A-Z0-9'\-]+")


def _words(label: str) -> list[str]:
    return _WORD.findall(label)


def is_generic(norm: str) -> bool:
    """A label naming a role, not a person (never merged with another by surname)."""
    words = _words(norm)
    return bool(words) and (
        words[0] in REPORTER_WORDS
        or words[0] in OTHER_WORDS
        or words[0] in ("MODERATOR", "OPERATOR")
        or "OFFICIAL" in words
    )


def is_speaker_label(raw: str, record_surnames: set[str]) -> bool:
    """Whether a bold "X:" is a speaker rather than a heading such as "Side Events:"."""
    name = raw.split(",", 1)[0].strip()
    if len(name.split()) > 10:
        return False
    if _UPPER_LABEL.match(name) and any(c.isalpha() for c in name):
        return True
    words = _words(normalize(name))
    if not words:
        return False
    if words[0] in HONORIFICS or any(w.startswith(OFFICIAL_PREFIXES) for w in words):
        return True
    return any(_close(w, s) for w in words for s in record_surnames)


def surname(name: str) -> str:
    words = [w for w in _words(normalize(name)) if w not in ("JR", "SR", "II", "III")]
    return words[-1] if words else ""


def _close(a: str, b: str) -> bool:
    """Equal, or one edit apart for names long enough that a typo is likelier than a match."""
    if a == b:
        return True
    if min(len(a), len(b)) < 6 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def resolve_speakers(labels: list[str], record: list[tuple[str, str]]) -> dict[str, str]:
    """Map each normalized label to one speaker name for the whole transcript.

    Labels are resolved to a speaker of record by surname ("SECRETARY BLINKEN" -> "Antony J.
    Blinken"); the rest are merged by surname, tolerating one-letter typos ("MS VILALOBOS"
    and "MS VILLALOBOS"), under the most frequent spelling. Role labels stay as they are.
    """
    counts = Counter(labels)
    result: dict[str, str] = {}
    by_surname: list[tuple[str, str]] = []  # (surname, canonical label)
    for norm, _ in counts.most_common():
        if is_generic(norm):
            result[norm] = norm
            continue
        last = surname(name_part(norm))
        bare = re.sub(r"^U S ", "", name_part(norm))
        full = next((n for n, t in record if t and normalize(t) == bare), None) or next(
            (n for n, _t in record if last and _close(surname(n), last)), None
        )
        if full:
            result[norm] = full
            continue
        canonical = next((c for s, c in by_surname if last and _close(s, last)), None)
        if canonical is None:
            canonical = name_part(norm)
            by_surname.append((last, canonical))
        result[norm] = canonical
    return result


def role_of(
    norm: str,
    speaker: str,
    record: list[tuple[str, str]],
    texts: list[str],
    has_reporter_labels: bool,
) -> str:
    """The role of one speaker: official, reporter, moderator, operator or other."""
    words = _words(norm)
    first = words[0] if words else ""
    if first in REPORTER_WORDS:
        return "reporter"
    if first == "MODERATOR":
        return "moderator"
    if first == "OPERATOR":
        return "operator"
    if first in OTHER_WORDS:
        return "other"
    titles = [t for n, t in record if n == speaker]
    if any(w.startswith(OFFICIAL_PREFIXES) for w in words):
        return "official"
    if titles:
        title_words = _words(normalize(titles[0]))
        if not titles[0] or any(w.startswith(OFFICIAL_PREFIXES) for w in title_words):
            return "official"
    asks = sum("?" in t for t in texts)
    if has_reporter_labels:
        # A named staffer calling on reporters in a briefing is its moderator.
        if any(_MODERATING.search(t) for t in texts) and not titles:
            return "moderator"
        return "official"
    return "reporter" if texts and asks * 2 >= len(texts) else "other"


def is_titled(norm: str, speaker: str, record: list[tuple[str, str]]) -> bool:
    """Whether the label or the speaker's title of record names a government office."""
    if any(w.startswith(OFFICIAL_PREFIXES) for w in _words(norm)):
        return True
    titles = [t for n, t in record if n == speaker and t]
    return any(w.startswith(OFFICIAL_PREFIXES) for t in titles for w in _words(normalize(t)))


_RANK = {"official": 0, "reporter": 1, "moderator": 2, "operator": 3, "other": 4}


def speaker_roles(
    norms: list[str],
    speakers: dict[str, str],
    record: list[tuple[str, str]],
    texts: dict[str, list[str]],
) -> dict[str, str]:
    """One role per speaker, from all the labels that name them.

    A speaker labelled both "PRIME MININSTER NETANYAHU" and "PRIME MINISTER NETANYAHU" is an
    official; a named staffer taken for a moderator is the briefer after all when nobody else
    in the transcript answers as an official.
    """
    has_reporters = any(role_of(n, n, [], [], False) == "reporter" for n in norms)
    roles: dict[str, str] = {}
    for norm in dict.fromkeys(norms):
        speaker = speakers[norm]
        role = role_of(norm, speaker, record, texts[speaker], has_reporters)
        if speaker not in roles or _RANK[role] < _RANK[roles[speaker]]:
            roles[speaker] = role
    if "official" not in roles.values():
        generic = {speakers[n] for n in norms if is_generic(n)}
        for speaker, role in roles.items():
            if role == "moderator" and speaker not in generic:
                roles[speaker] = "official"
    return roles


def refine_roles(
    turns: list[tuple[str, str, str]],
    functions: list[str],
    roles: dict[str, str],
    generic: set[str],
    titled: set[str],
) -> dict[str, str]:
    """Roles from what each speaker does in this transcript, not only from their label.

    ``turns`` are (speaker, role, text) in order with their ``functions``; ``generic`` the
    speakers named by a role label (QUESTION, MODERATOR...), ``titled`` those whose label or
    title of record makes them officials. A spokesperson or other official who only runs the
    floor of someone else's event (call-ons, time-keeping, introductions) is its moderator;
    where nobody asks questions, a speaker who only introduces or greets is ``other``; a named
    speaker who keeps putting the questions an official answers is a reporter (an interviewer
    or host named by label), but a one-turn speaker is not made a reporter by a "?".
    """
    roles = dict(roles)
    done: dict[str, Counter[str]] = {}
    for (speaker, _role, _text), fn in zip(turns, functions, strict=True):
        done.setdefault(speaker, Counter())[fn] += 1
    reporters = any(roles.get(s) == "reporter" for s in done)
    substantive = {
        s for s, c in done.items() if roles.get(s) == "official" and c["answer"] + c["statement"]
    }
    hosted = any(roles.get(g) == "moderator" for g in generic & done.keys())
    for speaker, counts in done.items():
        role = roles.get(speaker)
        if speaker in generic or role not in ("official", "other", "moderator"):
            continue
        speaks = counts["answer"] + counts["statement"]
        floor = counts["moderation"]
        if role == "official" and reporters and substantive - {speaker}:
            # Runs the floor and says nothing of substance, or mostly runs it (untitled).
            only_floor = speaks == 0 and (floor or speaker not in titled)
            mostly = speaker not in titled and floor > 2 * (speaks + counts["question"])
            if only_floor or mostly:
                roles[speaker] = "moderator"
        elif (
            role == "moderator"
            and reporters
            and speaks
            and (floor <= 2 * speaks or (hosted and counts["statement"] and counts["answer"]))
        ):
            # Named by label, taken for a moderator by a word or two, but gives the answers;
            # or a briefer handing questions to colleagues while a MODERATOR runs the call.
            roles[speaker] = "official"
        elif role in ("official", "moderator") and not reporters and not speaks:
            # An emcee who only introduces or greets while someone else speaks.
            roles[speaker] = "other" if substantive - {speaker} else role
    # Someone named by label who keeps putting the questions a titled official answers: an
    # interviewer, a host or a panel's questioner. One turn with a "?" makes nobody a reporter.
    put: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    for i, (speaker, _role, text) in enumerate(turns[:-1]):
        nxt_speaker = turns[i + 1][0]
        if (
            speaker in generic
            or speaker in titled
            or roles.get(speaker) == "reporter"
            or nxt_speaker == speaker
            or len(text.split(maxsplit=7)) < 8  # under 8 words (not splitting long answers)
        ):
            continue
        if nxt_speaker in titled or (not reporters and roles.get(nxt_speaker) == "official"):
            put[speaker] += 1
            asked[speaker] += "?" in text
    for speaker, n in put.items():
        total = sum(done[speaker].values()) - done[speaker]["procedural"]
        if n >= 2 and n * 2 >= total and asked[speaker] * 3 >= n:
            roles[speaker] = "reporter"
    return roles
